"""The web function's deployable bundle carries its templates and built static files, and
the entry point serves them from there."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path

from gorunchat.web.function import WebFunction
from tests.web.conftest import ROOT


def _bundle_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bundle", ROOT / "scripts/lib/bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_web_bundle_holds_templates_and_the_built_assets(tmp_path: Path) -> None:
    entries = _bundle_module().bundle_entries("web", "", ROOT)
    manifest = json.loads((ROOT / "web/static/dist/manifest.json").read_text())
    assert entries["main.py"] == (ROOT / "functions/web/main.py").read_bytes()
    assert "web/templates/base.html" in entries
    assert "web/templates/fragments/convo_item.html" in entries
    for name in manifest.values():
        assert f"web/static/dist/{name}" in entries
    assert not [n for n in entries if "node_modules" in n or n.startswith("web/islands")]
    target = tmp_path / "web.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in entries.items():
            if name.startswith("web/"):
                archive.writestr(name, data)
    with zipfile.ZipFile(target) as archive:
        archive.extractall(tmp_path / "deployed")
    app = WebFunction(tmp_path / "deployed" / "web").app
    response = app.test_client().get(f"/static/dist/{manifest['app.css']}")
    assert response.status_code == 200
