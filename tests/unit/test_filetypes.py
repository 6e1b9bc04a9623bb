"""Recognising uploads by their bytes: kinds, mismatches, bombs, polyglots, unsafe names."""

from __future__ import annotations

import pytest

from gorunchat.contracts.errors import BadRequest, GoRunChatError
from gorunchat.contracts.files import FileKind
from gorunchat.domain.filetypes import ArchiveLimits, classify, safe_filename
from tests.fixtures import samples

LIMITS = ArchiveLimits(max_entries=100, max_unpacked_bytes=50 * 1024 * 1024, max_ratio=100)


@pytest.mark.parametrize(("data", "name", "kind"), [
    (samples.png(), "a.png", FileKind.PNG),
    (samples.png(), "no-extension", FileKind.PNG),
    (samples.jpeg(), "a.JPEG", FileKind.JPEG),
    (b"GIF89a" + b"\x00" * 20, "a.gif", FileKind.GIF),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a.webp", FileKind.WEBP),
    (samples.pdf(), "a.pdf", FileKind.PDF),
    (samples.docx(), "a.docx", FileKind.DOCX),
    ("Grüße\n".encode(), "a.txt", FileKind.TEXT),
    (b"\xef\xbb\xbfwith BOM", "a.md", FileKind.MARKDOWN),
    (b"x,y\n", "a.csv", FileKind.CSV),
    (b"[]", "a.json", FileKind.JSON),
    (b"plain", "Makefile", FileKind.TEXT),
])
def test_kinds_come_from_the_content(data: bytes, name: str, kind: FileKind) -> None:
    assert classify(data, name, LIMITS) is kind


@pytest.mark.parametrize(("data", "name", "code"), [
    (b"\x7fELF\x02\x01\x01" + bytes(range(200)), "tool.txt", "UNSUPPORTED_FILE_TYPE"),
    ("latin-1 caf\xe9".encode("latin-1"), "a.txt", "UNSUPPORTED_FILE_TYPE"),
    (samples.pdf(), "scan.jpg", "FILE_TYPE_MISMATCH"),
    (samples.png(), "notes.txt", "FILE_TYPE_MISMATCH"),
    (samples.docx_bomb(4), "a.docx", "ZIP_BOMB"),
    (samples.plain_zip(), "a.docx", "UNSUPPORTED_FILE_TYPE"),
    (samples.jpeg_with_zip(), "a.jpg", "POLYGLOT_FILE"),
    (samples.png_with_script(), "a.png", "POLYGLOT_FILE"),
    (samples.png() + b"%PDF-1.4 hidden", "a.png", "POLYGLOT_FILE"),
    (b"GIF89a" + b"\x00" * 10 + b"%PDF-1.7", "a.gif", "POLYGLOT_FILE"),
])
def test_refused_content(data: bytes, name: str, code: str) -> None:
    with pytest.raises(GoRunChatError) as caught:
        classify(data, name, LIMITS)
    assert caught.value.code == code


@pytest.mark.parametrize("name", ["../x.txt", "a/b.txt", "a\\b.txt", "C:evil.txt", ".env",
                                  "..", "new\nline.txt", "zero\u200bwidth.txt", "x" * 300])
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(BadRequest):
        safe_filename(name)


def test_safe_names_are_normalised() -> None:
    assert safe_filename("  Cafe\u0301 menü.pdf ") == "Café menü.pdf"
