"""The committed bundle: fresh (rebuilt from the lock it is identical) and light (the chat
page ships under 150 KB of gzipped JavaScript)."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess

import pytest

from tests.web.conftest import ROOT

WEB = ROOT / "web"
DIST = WEB / "static" / "dist"
BUDGET_BYTES = 150 * 1024


def chat_page_scripts() -> set[str]:
    """The chat page's entry scripts and every chunk they import, transitively."""
    manifest = json.loads((DIST / "manifest.json").read_text())
    pending = [manifest["shell.js"], manifest["chat.js"]]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        source = (DIST / name).read_text(encoding="utf-8")
        pending.extend(re.findall(r'from\s*"\./([\w.-]+\.js)"', source))
        pending.extend(re.findall(r'import\s*"\./([\w.-]+\.js)"', source))
    return seen


def test_the_chat_page_ships_less_than_150_kb_of_gzipped_javascript() -> None:
    scripts = chat_page_scripts()
    assert len(scripts) >= 2
    total = sum(len(gzip.compress((DIST / s).read_bytes(), 9)) for s in scripts)
    assert total < BUDGET_BYTES, f"{total} bytes gzipped"


@pytest.mark.skipif(shutil.which("node") is None or not (WEB / "node_modules").is_dir(),
                    reason="needs node and web/node_modules (scripts/test runs npm ci)")
def test_the_committed_bundle_is_what_the_sources_build() -> None:
    result = subprocess.run(["node", "build.mjs", "--check"], cwd=WEB, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
