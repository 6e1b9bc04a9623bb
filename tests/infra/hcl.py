"""Read the Terraform tree with python-hcl2 into plain dicts the infra tests can query.

python-hcl2 keeps HCL's quoting (``'"main"'``), marks blocks with ``__is_block__`` and
leaves expressions as ``"${...}"``. ``normalize`` strips the quotes from block labels and
string literals and drops the markers; expressions stay as ``${...}`` text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"
MODULES = TERRAFORM / "modules"
ROOTS = (
    TERRAFORM / "envs" / "dev",
    TERRAFORM / "envs" / "prod",
    TERRAFORM / "examples" / "minimal",
)

_QUOTED = re.compile(r'^"(.*)"$', re.DOTALL)
_PROSE_KEYS = {"description", "error_message"}


def unquote(value: str) -> str:
    match = _QUOTED.match(value)
    return match.group(1) if match else value


def normalize(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            unquote(key): normalize(value)
            for key, value in node.items()
            if key not in ("__is_block__", "__comments__", "__inline_comments__")
        }
    if isinstance(node, list):
        return [normalize(item) for item in node]
    if isinstance(node, str):
        return unquote(node)
    return node


@dataclass
class Module:
    """One Terraform directory: its files, and its blocks by kind and name."""

    path: Path
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def blocks(self, kind: str) -> list[dict[str, Any]]:
        return [block for doc in self.files.values() for block in doc.get(kind, [])]

    @property
    def variables(self) -> dict[str, dict[str, Any]]:
        return {name: body for block in self.blocks("variable") for name, body in block.items()}

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        return {name: body for block in self.blocks("output") for name, body in block.items()}

    @property
    def module_calls(self) -> dict[str, dict[str, Any]]:
        return {name: body for block in self.blocks("module") for name, body in block.items()}

    @property
    def locals(self) -> dict[str, Any]:
        return {name: value for block in self.blocks("locals") for name, value in block.items()}

    @property
    def resources(self) -> dict[tuple[str, str], dict[str, Any]]:
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for block in self.blocks("resource"):
            for rtype, named in block.items():
                for name, body in named.items():
                    found[(rtype, name)] = body
        return found

    def resources_of(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {name: body for (kind, name), body in self.resources.items() if kind == rtype}

    def expressions(self) -> list[str]:
        """Every string in the module that is not prose (descriptions, error messages)."""
        found: list[str] = []

        def walk(node: Any, key: str = "") -> None:
            if isinstance(node, dict):
                for k, v in node.items():
                    walk(v, k)
            elif isinstance(node, list):
                for item in node:
                    walk(item, key)
            elif isinstance(node, str) and key not in _PROSE_KEYS:
                found.append(node)

        for doc in self.files.values():
            walk(doc)
        return found


@cache
def load_module(path: Path) -> Module:
    module = Module(path)
    for tf in sorted(path.glob("*.tf")):
        with tf.open(encoding="utf-8") as handle:
            module.files[tf.name] = normalize(hcl2.load(handle))
    return module


def module_dirs() -> list[Path]:
    return sorted(p for p in MODULES.iterdir() if p.is_dir())


def all_tf_dirs() -> list[Path]:
    return [*module_dirs(), *ROOTS]


def first(body: dict[str, Any], *path: str) -> Any:
    """Follow nested single blocks: ``first(r, "template", "containers")``."""
    node: Any = body
    for key in path:
        node = node[key]
        if isinstance(node, list):
            node = node[0]
    return node
