"""Function bundles (scripts/bundle): reproducible, complete, and importable as deployed."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from tests.infra.hcl import ROOT

TEST_TOOLS = ("pytest", "pytest-timeout", "ruff", "mypy", "mongomock", "python-hcl2")
GROUP = "config"


def _load_bundle_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bundle", ROOT / "scripts" / "lib" / "bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundle = _load_bundle_module()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bundle.build([GROUP, "tasks"], tmp_path_factory.mktemp("bundles"))[GROUP]


def test_two_builds_are_byte_identical(built: Path, tmp_path: Path) -> None:
    again = bundle.build([GROUP, "tasks"], tmp_path)
    assert again[GROUP].read_bytes() == built.read_bytes()
    assert again["tasks"].read_bytes() == (built.parent / "tasks.zip").read_bytes()


def test_entries_are_sorted_with_fixed_timestamps_and_modes(built: Path) -> None:
    with zipfile.ZipFile(built) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}


def test_bundle_holds_main_the_package_and_requirements(built: Path) -> None:
    with zipfile.ZipFile(built) as archive:
        names = set(archive.namelist())
        main = archive.read("main.py")
    assert main == (ROOT / "functions" / GROUP / "main.py").read_bytes()
    package = {
        p.relative_to(ROOT / "shared").as_posix()
        for p in (ROOT / "shared" / "gorunchat").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    assert names == package | {"main.py", "requirements.txt"}
    assert "gorunchat/py.typed" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]


def test_requirements_are_the_locked_runtime_dependencies(built: Path) -> None:
    with zipfile.ZipFile(built) as archive:
        lines = archive.read("requirements.txt").decode().splitlines()
    pins = [line for line in lines if line and not line.startswith("#")]
    lock = bundle.read_lock(ROOT / "requirements.lock")
    assert pins == sorted(pins, key=lambda line: bundle.canonical(line.split("==")[0]))
    assert set(pins) <= set(lock.values())
    names = {bundle.canonical(pin.split("==")[0]) for pin in pins}
    for tool in TEST_TOOLS:
        assert bundle.canonical(tool) not in names, tool
    assert not [n for n in names if n.startswith("types-")]
    for needed in ("functions-framework", "flask", "pydantic", "pymongo", "redis"):
        assert needed in names, needed


def test_a_runtime_dependency_missing_from_the_lock_is_an_error() -> None:
    with pytest.raises(bundle.BundleError, match="does not pin flask"):
        bundle.render_requirements({"pydantic": "pydantic==2.0"}, {"pydantic", "flask"})


def test_a_group_without_an_entry_point_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(bundle.BundleError, match="functions/nope/main.py does not exist"):
        bundle.bundle_entries("nope", "", ROOT)


def test_script_builds_the_requested_groups(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(ROOT / "scripts" / "bundle"), "--out", str(tmp_path), GROUP],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{GROUP}.zip"]
    assert result.stdout.strip().endswith(f"({GROUP})")


@pytest.mark.slow
def test_bundle_installs_and_imports_in_a_clean_virtualenv(built: Path, tmp_path: Path) -> None:
    """What the Cloud Functions buildpack does: pip install -r, then import main from the
    source root (which is on sys.path, as the package sits beside main.py)."""
    source = tmp_path / "workspace"
    with zipfile.ZipFile(built) as archive:
        archive.extractall(source)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-r", "requirements.txt"],
        cwd=source, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    probe = (
        "import os, main; assert callable(main.handle); "
        "import gorunchat; "
        "assert os.path.dirname(os.path.abspath(gorunchat.__file__)) == "
        "os.path.join(os.getcwd(), 'gorunchat'), gorunchat.__file__; "
        "from functions_framework import create_app; "
        "print(type(create_app('handle', 'main.py', 'http')).__name__)"
    )
    imported = subprocess.run(
        [str(python), "-c", probe], cwd=source, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert imported.returncode == 0, imported.stderr[-3000:]
    assert imported.stdout.strip().splitlines()[-1] == "Flask"
