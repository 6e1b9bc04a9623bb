"""streaming-service/Dockerfile: slim Python 3.11, non-root, pinned install, uvicorn factory.

No Docker engine runs here, so the file is parsed instead of built.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.infra.hcl import ROOT

DOCKERFILE = ROOT / "streaming-service" / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` with line continuations joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        keyword, _, rest = stripped.partition(" ")
        found.append((keyword.upper(), rest.strip()))
    return found


@pytest.fixture(scope="module")
def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def test_every_stage_is_slim_python_311() -> None:
    bases = [args.split()[0] for keyword, args in instructions() if keyword == "FROM"]
    assert bases == ["python:3.11-slim-bookworm", "python:3.11-slim-bookworm"]


def test_final_stage_runs_as_a_non_root_user(final_stage: list[tuple[str, str]]) -> None:
    users = [args for keyword, args in final_stage if keyword == "USER"]
    assert users == ["10001:10001"]
    created = " ".join(args for keyword, args in final_stage if keyword == "RUN")
    assert "useradd --system --uid 10001" in created


def test_install_is_the_package_pinned_by_the_lock_without_test_extras() -> None:
    runs = " ".join(args for keyword, args in instructions() if keyword == "RUN")
    assert "pip install --no-compile -c requirements.lock ." in runs
    assert "[test]" not in runs
    copies = [args for keyword, args in instructions() if keyword == "COPY"]
    assert "pyproject.toml requirements.lock ./" in copies
    assert "shared/gorunchat/ shared/gorunchat/" in copies


def test_cmd_runs_the_uvicorn_factory_on_port_with_graceful_shutdown(
    final_stage: list[tuple[str, str]],
) -> None:
    (cmd,) = [args for keyword, args in final_stage if keyword == "CMD"]
    argv = json.loads(cmd)
    assert argv[:2] == ["/bin/sh", "-c"]
    command = argv[2]
    assert command.startswith("exec uvicorn --factory gorunchat.streaming.app:create_app ")
    assert '--port "${PORT:-8080}"' in command
    assert "--host 0.0.0.0" in command
    assert "--timeout-graceful-shutdown 10" in command
    assert ("ENV", "PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 "
            "GORUNCHAT_ENV=production PORT=8080") in [
        (k, re.sub(r"\s+", " ", a)) for k, a in final_stage
    ]


def test_dockerignore_lets_in_only_what_the_image_copies() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "streaming-service" / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "**"
    assert [line for line in lines if line.startswith("!")] == [
        "!pyproject.toml", "!requirements.lock", "!shared/gorunchat/**",
    ]
