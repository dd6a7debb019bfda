"""`make check` (python -m vpbx_spec): passes on the repository, fails on each kind of damage."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from vpbx_spec.document import REPOSITORY_ROOT, bundled_document
from vpbx_spec.drift import MODELS_PATH, model_drift
from vpbx_spec.lint import lint

OPERATION = ("paths", "/numbers/unconfirmed", "post")


def document_copy() -> dict:
    return copy.deepcopy(bundled_document())


def node(document: dict, *path: str) -> dict:
    for part in path:
        document = document[part]
    return document


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vpbx_spec", *args], cwd=REPOSITORY_ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_the_repository_passes():
    result = run_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check: OK" in result.stdout


def test_the_bundled_document_has_no_lint_problems():
    assert lint(bundled_document()) == []


def cyrillic_company(document):
    node(document, "components", "schemas", "NumberPurpose")["enum"][0] = "\u0441ompany"


def cyrillic_in_request_enum(document):
    schema = node(document, "components", "schemas", "AddMobileNumberRequest", "properties", "purpose")
    schema["enum"] = ["\u0441ompany", "not_specified"]


def undescribed_property(document):
    del node(document, "components", "schemas", "RedirectNumber", "properties", "id")["description"]


def broken_response_example(document):
    examples = node(document, "components", "responses", "NumberAdded", "content",
                    "application/json", "examples")
    examples["seed"]["value"]["id"] = 0


def broken_request_example(document):
    examples = node(document, *OPERATION, "requestBody", "content", "application/json", "examples")
    examples["seed"]["value"]["purpose"] = "employee"


def broken_property_example(document):
    node(document, "components", "schemas", "AddMobileNumberRequest", "properties",
         "number")["examples"] = ["+79268622332"]


def no_operation_id(document):
    del node(document, *OPERATION)["operationId"]


def no_security(document):
    del node(document, *OPERATION)["security"]


def undeclared_security_scheme(document):
    node(document, *OPERATION)["security"] = [{"oauth": []}]


def response_without_json(document):
    node(document, "components", "responses", "Forbidden")["content"] = {
        "text/plain": {"schema": {"type": "string"}}}


DAMAGE = {
    "enum-ascii": [cyrillic_company, cyrillic_in_request_enum],
    "property-description": [undescribed_property],
    "example-valid": [broken_response_example, broken_request_example, broken_property_example],
    "operation-id": [no_operation_id],
    "operation-security": [no_security, undeclared_security_scheme],
    "response-json": [response_without_json],
}
CASES = [(rule, damage) for rule, damages in DAMAGE.items() for damage in damages]


@pytest.mark.parametrize(("rule", "damage"), CASES, ids=[damage.__name__ for _, damage in CASES])
def test_each_lint_rule_catches_its_damage(rule, damage):
    document = document_copy()
    damage(document)
    problems = lint(document)
    assert rule in {problem.rule for problem in problems}


def test_the_cyrillic_letter_is_named_in_the_message():
    document = document_copy()
    cyrillic_company(document)
    # Examples that say "company" in Latin letters now break example-valid too.
    (problem,) = [problem for problem in lint(document) if problem.rule == "enum-ascii"]
    assert "U+0441 CYRILLIC SMALL LETTER ES" in problem.message
    assert problem.location == "/components/schemas/NumberPurpose"


@pytest.mark.slow
def test_check_fails_on_a_cyrillic_enum_value(tmp_path: Path):
    document = document_copy()
    cyrillic_company(document)
    damaged = tmp_path / "openapi.yaml"
    damaged.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = run_check("--document", str(damaged))
    assert result.returncode == 1
    assert "enum-ascii" in result.stdout and "check: FAILED" in result.stdout


@pytest.mark.slow
def test_check_fails_on_an_invalid_openapi_document(tmp_path: Path):
    document = document_copy()
    node(document, *OPERATION)["responses"] = "none"
    damaged = tmp_path / "openapi.yaml"
    damaged.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = run_check("--document", str(damaged), "--models", str(MODELS_PATH))
    assert result.returncode == 1
    assert re.search(r"^openapi-spec-validator: [1-9][0-9]* error\(s\)$", result.stdout, re.M)


def test_committed_models_are_in_sync():
    assert model_drift() == []


@pytest.mark.slow
def test_check_fails_when_models_are_edited_by_hand(tmp_path: Path):
    edited = tmp_path / "models.py"
    source = MODELS_PATH.read_text(encoding="utf-8")
    edited.write_text(source.replace('"not_specified"]', '"not_specified", "other"]', 1), encoding="utf-8")
    assert edited.read_text(encoding="utf-8") != source
    result = run_check("--models", str(edited))
    assert result.returncode == 1
    assert "differs from a fresh generation" in result.stdout
    assert '"other"' in result.stdout  # the diff shows the hand edit


@pytest.mark.slow
def test_models_import_from_the_repository_root():
    code = "from generated.models import AddMobileNumberRequest, VirtualNumber; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPOSITORY_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr


def test_models_file_says_it_is_generated():
    header = MODELS_PATH.read_text(encoding="utf-8").splitlines()[0]
    assert header == "# GENERATED FILE: DO NOT EDIT BY HAND."


# --- Spectral (spectral:oas) -------------------------------------------------------------------


def test_spectral_finds_nothing_in_the_repository():
    from vpbx_spec.spectral import spectral_lint
    assert spectral_lint() == []


def test_spectral_reports_what_it_finds_and_fails_the_check(tmp_path):
    """Without info.contact and with an operation's tag undeclared: spectral:oas says both,
    with the place, and `vpbx check` fails on them."""
    from vpbx_spec.spectral import spectral_lint
    document = document_copy()
    del document["info"]["contact"]
    node(document, *OPERATION)["tags"] = ["undeclared"]
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    findings = spectral_lint(path)
    assert {finding.rule for finding in findings} == {"info-contact", "operation-tag-defined"}, findings
    tag = next(finding for finding in findings if finding.rule == "operation-tag-defined")
    assert tag.pointer == "#/paths/~1numbers~1unconfirmed/post/tags/0" and tag.line, tag
    result = run_check("--document", str(path))
    assert result.returncode == 1
    assert "spectral info-contact (warning): line 2, #/info: " in result.stdout, result.stdout
    assert "check: FAILED" in result.stdout
