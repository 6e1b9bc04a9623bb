"""The Terraform tree follows the module contract and its references resolve.

Providers cannot be downloaded here, so ``terraform validate`` cannot run; these checks
stand in for the part of it that matters most: every module has the four files and a
primary resource ``main``, every variable is typed and described, every ``var.``,
``local.`` and resource reference names something declared, and every module call passes
exactly the variables the called module declares (all required ones included).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.infra.hcl import MODULES, ROOTS, TERRAFORM, all_tf_dirs, load_module, module_dirs

FOUR_FILES = {"main.tf", "variables.tf", "outputs.tf", "versions.tf"}
EXPECTED_MODULES = {
    "audit_sinks", "datastore", "function", "iam", "lb", "network", "redis", "stack",
    "streaming_service", "tasks", "uploads",
}
META_ARGUMENTS = {"source", "version", "for_each", "count", "depends_on", "providers"}

_VAR = re.compile(r"\bvar\.([A-Za-z_][A-Za-z0-9_]*)")
_LOCAL = re.compile(r"\blocal\.([A-Za-z_][A-Za-z0-9_]*)")
_RESOURCE = re.compile(r"(?<![\w.])(google_[a-z0-9_]+)\.([a-z_][a-z0-9_]*)")
_MODULE_OUTPUT = re.compile(r"\bmodule\.([a-z_][a-z0-9_]*)(?:\[[^\]]*\])?\.([a-z_][a-z0-9_]*)")


def _ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(TERRAFORM).as_posix() for p in paths]


def test_the_expected_modules_exist() -> None:
    assert {p.name for p in module_dirs()} == EXPECTED_MODULES


@pytest.mark.parametrize("path", module_dirs(), ids=_ids(module_dirs()))
def test_module_has_exactly_the_four_files(path: Path) -> None:
    assert {p.name for p in path.glob("*.tf")} == FOUR_FILES


@pytest.mark.parametrize("path", module_dirs(), ids=_ids(module_dirs()))
def test_primary_resource_is_named_main(path: Path) -> None:
    module = load_module(path)
    names = {name for (_rtype, name) in module.resources}
    if path.name == "stack":  # the composition: its primary parts are module calls
        assert module.module_calls
        return
    assert "main" in names


@pytest.mark.parametrize("path", all_tf_dirs(), ids=_ids(all_tf_dirs()))
def test_every_variable_is_typed_and_described(path: Path) -> None:
    variables = load_module(path).variables
    assert variables, f"{path} declares no variables"
    for name, body in variables.items():
        assert isinstance(body.get("type"), str) and body["type"], f"{name} has no type"
        description = body.get("description", "")
        assert isinstance(description, str) and len(description) >= 10, f"{name}: description"


@pytest.mark.parametrize("path", all_tf_dirs(), ids=_ids(all_tf_dirs()))
def test_every_output_is_described(path: Path) -> None:
    outputs = load_module(path).outputs
    assert outputs, f"{path} declares no outputs"
    for name, body in outputs.items():
        assert len(body.get("description", "")) >= 10, f"output {name} has no description"


@pytest.mark.parametrize("path", all_tf_dirs(), ids=_ids(all_tf_dirs()))
def test_google_provider_is_pinned_to_major_6(path: Path) -> None:
    terraform = load_module(path).files["versions.tf"]["terraform"][0]
    google = terraform["required_providers"][0]["google"]
    assert google["source"] == "hashicorp/google"
    assert re.fullmatch(r"~> 6\.\d+", google["version"]), google["version"]


def test_validated_variables_are_the_rule_not_the_exception() -> None:
    total = validated = 0
    for path in module_dirs():
        for body in load_module(path).variables.values():
            total += 1
            validated += "validation" in body
    # Free-form inputs (labels, project ids passed down, member maps) need no validation;
    # anything with a closed set of values or a range has one.
    assert validated / total >= 0.5, f"only {validated} of {total} variables are validated"


@pytest.mark.parametrize("path", all_tf_dirs(), ids=_ids(all_tf_dirs()))
def test_references_name_declared_things(path: Path) -> None:
    module = load_module(path)
    declared_vars = set(module.variables)
    declared_locals = set(module.locals)
    declared_resources = set(module.resources)
    text = "\n".join(module.expressions())
    assert set(_VAR.findall(text)) <= declared_vars
    assert set(_LOCAL.findall(text)) <= declared_locals
    for rtype, name in _RESOURCE.findall(text):
        assert (rtype, name) in declared_resources, f"{rtype}.{name} is not declared in {path}"


@pytest.mark.parametrize("path", all_tf_dirs(), ids=_ids(all_tf_dirs()))
def test_module_calls_match_the_called_modules(path: Path) -> None:
    module = load_module(path)
    for call_name, call in module.module_calls.items():
        target = (path / call["source"]).resolve()
        assert target.parent == MODULES, f"{call_name} calls {target} outside modules/"
        called = load_module(target)
        passed = set(call) - META_ARGUMENTS
        declared = set(called.variables)
        required = {name for name, body in called.variables.items() if "default" not in body}
        assert passed <= declared, f"{call_name}: unknown inputs {sorted(passed - declared)}"
        assert required <= passed, f"{call_name}: missing inputs {sorted(required - passed)}"
    text = "\n".join(module.expressions())
    for call_name, output in _MODULE_OUTPUT.findall(text):
        call = module.module_calls[call_name]
        called = load_module((path / call["source"]).resolve())
        assert output in called.outputs, f"module.{call_name}.{output} is not an output"


@pytest.mark.parametrize("path", ROOTS, ids=_ids(list(ROOTS)))
def test_roots_load_the_generated_routes(path: Path) -> None:
    link = path / "routes.auto.tfvars.json"
    assert link.is_symlink()
    assert link.resolve() == (TERRAFORM / "routes.auto.tfvars.json").resolve()
    assert "routes" in load_module(path).variables


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform binary not installed")
def test_terraform_fmt_is_clean() -> None:
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-list=true"],
        cwd=TERRAFORM, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
