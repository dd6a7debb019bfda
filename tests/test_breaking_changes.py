"""`make breaking`: each edit classified as Optic and the contract's own request rules expect.

Needs tools/node_modules (`make node-tools`, which `make test` runs first). Optic takes
about two seconds a comparison.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from vpbx_spec.document import REPOSITORY_ROOT, bundled_document
from vpbx_spec.breaking import Verdict, compare

# One worker for the whole module: its module-scoped fixtures (Optic judges every edit once) then run once.
pytestmark = pytest.mark.xdist_group("breaking_changes")

Edit = Callable[[dict], object]


def schemas(document: dict) -> dict:
    return document["components"]["schemas"]


def add_request(document: dict) -> dict:
    return schemas(document)["AddMobileNumberRequest"]


def add_operation(document: dict) -> dict:
    return document["paths"]["/numbers/unconfirmed"]["post"]


def remove_response_field(document: dict) -> None:
    record = schemas(document)["VirtualNumber"]
    record["properties"].pop("region_name")
    record["required"].remove("region_name")


# name -> (edit, the judge and rule that must report it)
BREAKING: dict[str, tuple[Edit, str, str]] = {
    "response field removed": (remove_response_field, "optic",
                               "prevent removing response property"),
    "request enum value dropped": (
        lambda d: add_request(d)["properties"]["purpose"]["enum"].remove("not_specified"),
        "optic", "request and response property enums"),
    "optional request field made required": (
        lambda d: add_request(d)["required"].append("comment"),
        "optic", "prevent changing request property to required"),
    "status code dropped": (lambda d: add_operation(d)["responses"].pop("409"),
                            "optic", "prevent response status code removal"),
    "response field type changed": (
        lambda d: schemas(d)["VirtualNumber"]["properties"]["id"].update(type="string"),
        "optic", "prevent response property type changes"),
    "response enum value added": (lambda d: schemas(d)["NumberState"]["enum"].append("zombie"),
                                  "optic", "request and response property enums"),
    "operation removed": (lambda d: d["paths"]["/numbers/virtual-number/{id}"].pop("delete"),
                          "optic", "prevent operation removal"),
    "query parameter made required": (
        lambda d: d["components"]["parameters"]["NumberTypeFilter"].update(required=True),
        "optic", "prevent requiring existing query parameters"),
    "request rule tightened (maxLength)": (
        lambda d: add_request(d)["properties"]["comment"].update(maxLength=100),
        "contract", "request-maxLength-tightened"),
    "request pattern changed": (
        lambda d: add_request(d)["properties"]["number"].update(pattern="^79[0-8][0-9]{8}$"),
        "contract", "request-pattern-changed"),
    "new optional request property (closed request)": (
        lambda d: add_request(d)["properties"].update(
            note={"type": "string", "description": "A second note."}),
        "contract", "request-property-added"),
    "new request enum value": (
        lambda d: add_request(d)["properties"]["purpose"]["enum"].append("employee"),
        "contract", "request-enum-value-added"),
    "required request field made optional": (
        lambda d: add_request(d)["required"].remove("dgn_number"),
        "contract", "request-property-optional"),
}

HARMLESS: dict[str, Edit] = {
    "description changed": lambda d: add_request(d).update(description="Another description."),
    "summary changed": lambda d: add_operation(d).update(summary="Add a number"),
    "example changed": lambda d: add_operation(d)["requestBody"]["content"]["application/json"]
    ["examples"]["companyWithoutComment"]["value"].update(number="79161234568"),
    "new optional response field": lambda d: schemas(d)["VirtualNumber"]["properties"].update(
        nc_zone={"type": "string", "description": "A zone."}),
    "new operation": lambda d: d["paths"].update({"/numbers/ping": {"get": {
        "operationId": "ping", "summary": "Ping", "security": [{"apiToken": []}],
        "responses": {"200": {"description": "Up.", "content": {"application/json": {
            "schema": {"type": "object"}}}}}}}}),
}


@pytest.fixture(scope="module")
def base_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("base") / "openapi.yaml"
    path.write_text(yaml.safe_dump(bundled_document(), allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def verdicts(base_path, tmp_path_factory) -> dict[str, Verdict]:
    """Every edit judged once, Optic runs side by side (each takes about two seconds)."""
    edits = {name: item[0] for name, item in BREAKING.items()} | HARMLESS

    def judge(name: str) -> tuple[str, Verdict]:
        return name, compare(base_path, edited(edits[name], tmp_path_factory.mktemp("head")))

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(pool.map(judge, edits))


def edited(edit: Edit, tmp_path: Path) -> Path:
    document = copy.deepcopy(bundled_document())
    edit(document)
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("name", BREAKING, ids=str)
def test_each_breaking_edit_fails(verdicts, name):
    _, judge, rule = BREAKING[name]
    verdict = verdicts[name]
    assert verdict.breaking
    assert (judge, rule) in {(b.judge, b.rule) for b in verdict.breaks}, \
        "\n".join(map(str, verdict.breaks)) + "\n" + verdict.optic_output


@pytest.mark.parametrize("name", HARMLESS, ids=str)
def test_each_harmless_edit_passes(verdicts, name):
    verdict = verdicts[name]
    assert not verdict.breaking, "\n".join(map(str, verdict.breaks))


def test_the_contract_rule_names_the_operation_and_the_property(verdicts):
    verdict = verdicts["new optional request property (closed request)"]
    assert [str(b) for b in verdict.breaks] == [
        "POST /numbers/unconfirmed: [contract: request-property-added] body: new request "
        "property `note`; the request rejects unknown properties (D12), so servers of the base "
        "version answer 400 to clients that send it (breaks servers)"]


def run_breaking(document: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vpbx_spec.breaking", "--base", "HEAD",
                           "--document", str(document)], cwd=REPOSITORY_ROOT,
                          capture_output=True, text=True, timeout=120)


def head_document() -> dict:
    text = subprocess.run(["git", "show", "HEAD:openapi/openapi.yaml"], cwd=REPOSITORY_ROOT,
                          capture_output=True, text=True, check=True).stdout
    return yaml.safe_load(text)


@pytest.mark.slow
def test_the_command_passes_the_document_at_base_itself(tmp_path):
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(head_document(), allow_unicode=True), encoding="utf-8")
    result = run_breaking(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "breaking: OK, nothing breaks clients or servers" in result.stdout


@pytest.mark.slow
def test_the_command_fails_a_breaking_edit_and_prints_it(tmp_path):
    document = head_document()
    remove_response_field(document)
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = run_breaking(path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("POST /numbers/unconfirmed: [optic: prevent removing response property] cannot "
            "remove response property 'region_name'") in result.stdout
    assert "breaking: FAILED" in result.stdout


@pytest.mark.slow
def test_an_unknown_base_cannot_be_compared(tmp_path):
    result = subprocess.run([sys.executable, "-m", "vpbx_spec.breaking", "--base",
                             "no-such-ref-anywhere"], cwd=REPOSITORY_ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "cannot read openapi/openapi.yaml at no-such-ref-anywhere" in result.stdout


@pytest.mark.slow
def test_optic_leaves_no_file_in_the_repository_under_ci(base_path, tmp_path, monkeypatch):
    """Under CI=true Optic writes ci-run-details.json where it runs: never the checkout."""
    monkeypatch.setenv("CI", "true")
    before = set(REPOSITORY_ROOT.iterdir())
    verdict = compare(base_path, edited(BREAKING["response field removed"][0], tmp_path))
    assert verdict.breaking
    assert set(REPOSITORY_ROOT.iterdir()) == before
