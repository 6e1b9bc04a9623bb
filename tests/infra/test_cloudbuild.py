"""cloudbuild.yaml: the pipeline order, and every file it names exists in the repository."""

from __future__ import annotations

import os
import re

import pytest
import yaml

from tests.infra.hcl import ROOT, TERRAFORM

CLOUDBUILD = ROOT / "cloudbuild.yaml"


@pytest.fixture(scope="module")
def pipeline() -> dict[str, object]:
    return yaml.safe_load(CLOUDBUILD.read_text(encoding="utf-8"))


def _step_text(step: dict[str, object]) -> str:
    return " ".join([str(step.get("entrypoint", "")), *map(str, step.get("args", []))])


def test_steps_run_in_pipeline_order(pipeline: dict[str, object]) -> None:
    ids = [step["id"] for step in pipeline["steps"]]  # type: ignore[index]
    assert ids == ["install", "test", "bundle", "image", "plan", "apply"]


def test_every_script_it_names_exists_and_is_executable(pipeline: dict[str, object]) -> None:
    named = set()
    for step in pipeline["steps"]:  # type: ignore[index]
        named.update(re.findall(r"(?<![\w/])((?:scripts|\.ci)/[\w./-]+)", _step_text(step)))
    assert named == {"scripts/lib/venv.sh", "scripts/test", "scripts/bundle"}
    for path in named:
        assert (ROOT / path).is_file(), path
    assert os.access(ROOT / "scripts" / "test", os.X_OK)
    assert os.access(ROOT / "scripts" / "bundle", os.X_OK)


def test_image_step_builds_the_streaming_dockerfile(pipeline: dict[str, object]) -> None:
    image = next(s for s in pipeline["steps"] if s["id"] == "image")  # type: ignore[index]
    text = _step_text(image)
    assert "docker build -f streaming-service/Dockerfile" in text
    assert (ROOT / "streaming-service" / "Dockerfile").is_file()
    assert "cp streaming-service/.dockerignore streaming-service/Dockerfile.dockerignore" in text


def test_terraform_steps_target_an_existing_env(pipeline: dict[str, object]) -> None:
    substitutions = pipeline["substitutions"]
    assert substitutions["_ENV"] == "dev"  # type: ignore[index]
    for env in ("dev", "prod"):
        assert (TERRAFORM / "envs" / env / "main.tf").is_file()
    steps = {s["id"]: s for s in pipeline["steps"]}  # type: ignore[index]
    for step_id in ("plan", "apply"):
        assert steps[step_id]["dir"] == "terraform/envs/${_ENV}"
    assert "terraform plan -input=false -out=tfplan" in _step_text(steps["plan"])
    assert "terraform apply -input=false tfplan" in _step_text(steps["apply"])


def test_every_substitution_is_documented_in_the_header(pipeline: dict[str, object]) -> None:
    header = CLOUDBUILD.read_text(encoding="utf-8").split("substitutions:")[0]
    for name in pipeline["substitutions"]:  # type: ignore[union-attr]
        assert re.search(rf"^#\s+{name}\s+\S", header, re.MULTILINE), name


def test_shell_variables_are_escaped_from_cloud_build(pipeline: dict[str, object]) -> None:
    allowed = {"PROJECT_ID", "BUILD_ID"} | set(pipeline["substitutions"])  # type: ignore[arg-type]
    for step in pipeline["steps"]:  # type: ignore[index]
        text = _step_text(step).replace("$$", "")
        for name in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text):
            assert name in allowed, f"step {step['id']}: ${name} would be substituted"
