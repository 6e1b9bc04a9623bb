"""checkov over terraform/ finds no failed check beyond the reasoned skips.

checkov lives in its own virtualenv (build/tools/checkov, from tests/infra/checkov.lock)
because its pins conflict with the project's lock. The scan itself runs offline: no module
or policy downloads, no platform mapping, no update check.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.infra.hcl import ROOT, TERRAFORM

LOCK = Path(__file__).with_name("checkov.lock")
TOOL_VENV = ROOT / "build" / "tools" / "checkov"
CONFIG = TERRAFORM / ".checkov.yaml"
OFFLINE_ENV = {
    "BC_SKIP_MAPPING": "TRUE",
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "FALSE",
    "LOG_LEVEL": "WARNING",
}


def _checkov() -> Path:
    """The checkov executable, (re)installed when checkov.lock changed."""
    stamp = TOOL_VENV / ".lock-sha256"
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    executable = TOOL_VENV / "bin" / "checkov"
    if executable.exists() and stamp.exists() and stamp.read_text() == digest:
        return executable
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(TOOL_VENV)], check=True)
    subprocess.run(
        [str(TOOL_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", "-r", str(LOCK)],
        check=True, timeout=900,
    )
    stamp.write_text(digest)
    return executable


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    checkov = _checkov()
    env = {**os.environ, **OFFLINE_ENV}
    result = subprocess.run(
        [str(checkov), "--directory", str(TERRAFORM), "--config-file", str(CONFIG),
         "--output", "json", "--skip-download"],
        cwd=tmp_path_factory.mktemp("checkov"), env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )
    data = json.loads(result.stdout)
    data = data[0] if isinstance(data, list) else data
    data["returncode"] = result.returncode
    return data


def test_checkov_finds_no_failed_checks(report: dict[str, object]) -> None:
    summary = report["summary"]
    failed = report["results"]["failed_checks"]  # type: ignore[index]
    assert [f"{c['check_id']} {c['resource']}" for c in failed] == []
    assert summary["failed"] == 0  # type: ignore[index]
    assert summary["parsing_errors"] == 0  # type: ignore[index]
    assert summary["passed"] >= 40  # type: ignore[index]
    assert summary["resource_count"] >= 60  # type: ignore[index]
    assert report["returncode"] == 0


def test_every_skip_is_short_listed_and_explained() -> None:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    skips = config["skip-check"]
    assert 1 <= len(skips) <= 5
    text = CONFIG.read_text(encoding="utf-8")
    for check in skips:
        # A comment naming the check and saying why sits right above its entry.
        explained = rf"#\s*{check}\s+\"[^\"]+\":.+\n(?:\s*#.*\n)*\s*-\s*{check}\n"
        assert re.search(explained, text), check
    assert config["skip-download"] is True
