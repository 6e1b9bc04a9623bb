"""Artifacts inside message text: ``:::artifact{...}`` blocks holding one fenced code block.

LibreChat lets a person edit an artifact's code in place; the edit names the artifact by its
position among all artifacts of the message (content parts first, in order, then ``text``)
and gives the code to replace and its replacement.
"""

from __future__ import annotations

from dataclasses import dataclass

START = ":::artifact"
END = ":::"
FENCE = "```"


@dataclass(frozen=True)
class Artifact:
    source: str  # "content" or "text"
    part_index: int | None
    start: int
    end: int  # index just past the closing ``:::`` (or the text's end)


def find_in(text: str, source: str, part_index: int | None) -> list[Artifact]:
    found: list[Artifact] = []
    position = text.find(START)
    while position >= 0:
        close = text.find("\n" + END, position + len(START))
        end = len(text) if close < 0 else close + 1 + len(END)
        found.append(Artifact(source, part_index, position, end))
        position = text.find(START, end)
    return found


def find_all(text: str, parts: list[str | None]) -> list[Artifact]:
    """Every artifact of a message: in its text content parts (by index), else its text."""
    found: list[Artifact] = []
    for index, part in enumerate(parts):
        if part:
            found += find_in(part, "content", index)
    return found or find_in(text, "text", None)


def replace(text: str, artifact: Artifact, original: str, updated: str) -> str | None:
    """``text`` with ``original`` replaced by ``updated`` inside the artifact's code block;
    ``None`` when the artifact's code does not contain ``original``."""
    block = text[artifact.start:artifact.end]
    opening = block.find(FENCE)
    if opening < 0:
        return None
    code_start = block.find("\n", opening)
    code_end = block.rfind(FENCE)
    if code_start < 0 or code_end <= code_start:
        return None
    code = block[code_start + 1:code_end]
    if code.strip() == original.strip():
        new_code = updated if updated.endswith("\n") else updated + "\n"
    elif original and original in code:
        new_code = code.replace(original, updated, 1)
    else:
        return None
    new_block = block[:code_start + 1] + new_code + block[code_end:]
    return text[:artifact.start] + new_block + text[artifact.end:]
