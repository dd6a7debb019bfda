"""Issue 25: the document as third-party generators need it, and the pieces of `make clients`
that can be tested quickly. The full `make clients` (five generators, their clients against
the mock) runs in CI (.ci/run), not here.

- every link is valid OpenAPI 3.1: a `requestBody` is a literal or one runtime expression;
- every `oneOf` whose branches are told apart by a value has a discriminator naming them;
- every integer has `format: int64` and the bound of D30 (2^53 - 1), which SQLite holds;
- the guide's excerpts are the code `make clients` runs;
- the judge of the walk catches a value the mock did not store;
- openapi-generator validates the document (needs Java and requirements-clients.txt).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vpbx_mock.records import virtual_number
from vpbx_mock.store import SQLITE_MAX_INTEGER, NumberStore
from vpbx_spec.document import REPOSITORY_ROOT, bundled_document, bundled_schemas
from vpbx_spec.walk import iter_schemas

LARGEST_ID = 2**53 - 1  # D30
RUNTIME_EXPRESSION = re.compile(r"^\$(url|method|statusCode|request\.[a-z]+[#.]\S*|response\.[a-z]+[#.]\S*)$")
GUIDE = REPOSITORY_ROOT / "docs" / "clients.md"


def _links(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    responses = [*((document.get("components") or {}).get("responses") or {}).items()]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                responses += [(f"{method} {path} {status}", response)
                              for status, response in operation["responses"].items()]
    for where, response in responses:
        for name, link in (response.get("links") or {}).items():
            found.append((f"{where} {name}", link))
    return found


def link_problems(document: dict[str, Any]) -> list[str]:
    """Links OpenAPI 3.1 (§4.8.20) does not allow: a `requestBody` or a parameter that is an
    object or array holding runtime expressions (a literal, never evaluated) or a string that is
    not one expression."""
    problems = []
    for where, link in _links(document):
        values = {f"parameter {name}": value for name, value in (link.get("parameters") or {}).items()}
        if "requestBody" in link:
            values["requestBody"] = link["requestBody"]
        for what, value in values.items():
            if isinstance(value, (dict, list)) and "$" in json.dumps(value):
                problems.append(f"{where}: {what} is an object holding expressions, a literal never evaluated")
            elif isinstance(value, str) and value.startswith("$") and not RUNTIME_EXPRESSION.match(value):
                problems.append(f"{where}: {what} {value!r} is not one runtime expression")
    return problems


def test_every_link_is_valid_openapi_3_1():
    assert _links(bundled_document()), "the document has no links"
    assert link_problems(bundled_document()) == []


def test_the_link_check_catches_the_object_the_edit_link_used_to_carry():
    document = copy.deepcopy(bundled_document())
    link = document["components"]["responses"]["NumberAdded"]["links"]["EditTheAddedNumber"]
    link["requestBody"] = {"id": "$response.body#/id"}
    assert link_problems(document) == [
        "NumberAdded EditTheAddedNumber: requestBody is an object holding expressions, a literal never evaluated"]


def test_every_link_the_stateful_phase_follows_names_the_added_id():
    """The suite's stateful phase reads `id: $response.body#/id` (vpbx_suite/contract.py)."""
    added = bundled_document()["components"]["responses"]["NumberAdded"]["links"]
    assert {link["operationId"] for link in added.values()} == {"getVirtualNumber", "editMobileNumber",
                                                                 "deleteVirtualNumber"}
    assert all(link["parameters"] == {"id": "$response.body#/id"} for link in added.values())


def _told_apart_by(branches: list[dict[str, Any]]) -> str | None:
    """The required property every branch fixes to values of its own (const or enum), if any."""
    schemas = bundled_schemas()
    resolved = [schemas.resolve(branch) for branch in branches]
    common = set.intersection(*(set(branch.get("required", ())) for branch in resolved))
    for name in sorted(common):
        properties = [schemas.resolve(branch["properties"][name]) for branch in resolved]
        if all("const" in p or "enum" in p for p in properties):
            return name
    return None


def _branch_values(schema: dict[str, Any], name: str) -> set[Any]:
    property_schema = bundled_schemas().resolve(bundled_schemas().resolve(schema)["properties"][name])
    return {property_schema["const"]} if "const" in property_schema else set(property_schema["enum"])


def discriminator_problems(document: dict[str, Any]) -> list[str]:
    problems = []
    for pointer, schema in iter_schemas(document):
        branches = schema.get("oneOf")
        if not branches:
            continue
        name = _told_apart_by(branches)
        discriminator = schema.get("discriminator")
        if name is None:
            continue
        if discriminator is None:
            problems.append(f"{pointer}: the branches are told apart by {name!r}, with no discriminator")
            continue
        if discriminator.get("propertyName") != name:
            problems.append(f"{pointer}: discriminator on {discriminator.get('propertyName')!r}, not {name!r}")
            continue
        expected = {value: branch["$ref"] for branch in branches for value in _branch_values(branch, name)}
        if discriminator.get("mapping") != expected:
            problems.append(f"{pointer}: mapping {discriminator.get('mapping')}, the branches say {expected}")
    return problems


def test_every_oneof_told_apart_by_a_value_has_a_matching_discriminator():
    edit = bundled_document()["components"]["schemas"]["EditMobileNumberRequest"]
    assert edit["discriminator"]["propertyName"] == "purpose"
    assert discriminator_problems(bundled_document()) == []


@pytest.mark.parametrize("damage", ["removed", "a value missing", "a value on the wrong branch"])
def test_the_discriminator_check_catches_a_wrong_mapping(damage: str):
    document = copy.deepcopy(bundled_document())
    edit = document["components"]["schemas"]["EditMobileNumberRequest"]
    if damage == "removed":
        del edit["discriminator"]
    elif damage == "a value missing":
        del edit["discriminator"]["mapping"]["not_specified"]
    else:
        edit["discriminator"]["mapping"]["company"] = "#/components/schemas/EditToEmployee"
    schemas_before = bundled_schemas.cache_info()
    assert discriminator_problems(document), damage
    assert bundled_schemas.cache_info().currsize == schemas_before.currsize


def integer_schemas(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for pointer, schema in iter_schemas(document):
        kinds = schema.get("type")
        if kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds):
            found.append((pointer, schema))
    return found


def test_every_integer_is_an_int64_bounded_as_d30_says():
    integers = integer_schemas(bundled_document())
    assert len(integers) >= 10, integers
    wrong = [(pointer, schema.get("format"), schema.get("minimum"), schema.get("maximum"))
             for pointer, schema in integers
             if (schema.get("format"), schema.get("minimum"), schema.get("maximum")) != ("int64", 1, LARGEST_ID)]
    assert wrong == []


def test_every_integer_the_document_accepts_fits_the_mocks_store():
    """Why the mock needs no 64-bit guard of its own: the document's bound is below SQLite's."""
    assert all(schema["maximum"] <= SQLITE_MAX_INTEGER and schema["minimum"] >= -SQLITE_MAX_INTEGER - 1
               for _, schema in integer_schemas(bundled_document()))


def test_the_suites_guard_reads_the_largest_id_from_the_document():
    from vpbx_suite.ledger import MAX_ID, id_in_path
    assert MAX_ID == LARGEST_ID
    assert id_in_path(str(LARGEST_ID)) == LARGEST_ID and id_in_path(str(LARGEST_ID + 1)) is None


# --- the guide ---------------------------------------------------------------------------------

_EXCERPT = re.compile(r"^<!-- from (?P<path>\S+) -->\n```[a-z]*\n(?P<code>.*?)^```", re.M | re.S)


def test_every_excerpt_of_the_guide_is_the_code_make_clients_runs():
    text = GUIDE.read_text(encoding="utf-8")
    excerpts = list(_EXCERPT.finditer(text))
    assert len(excerpts) >= 10 and text.count("<!-- from ") == len(excerpts)
    for excerpt in excerpts:
        source = (REPOSITORY_ROOT / excerpt["path"]).read_text(encoding="utf-8")
        assert excerpt["code"] in source, f"docs/clients.md: the excerpt of {excerpt['path']} is not in it"


def test_the_guides_generator_commands_are_those_of_make_clients():
    run = (REPOSITORY_ROOT / "clients" / "run.py").read_text(encoding="utf-8")
    text = GUIDE.read_text(encoding="utf-8")
    for option in ("--output-path", "--config", "--generator-name", "--package-name", "--file"):
        assert option in text and f'"{option}"' in run, option
    for name in ("python", "typescript-fetch", "vpbx_ogen", "clients/openapi-ts.config.mjs",
                 "clients/python/openapi-python-client.yaml"):
        assert name in text and f'"{name}"' in run, name


# --- the judge of the walk -------------------------------------------------------------------


def _load_runner():
    spec = importlib.util.spec_from_file_location("clients_run", REPOSITORY_ROOT / "clients" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _walk_as_the_mock_answers_it(store: NumberStore) -> dict[str, Any]:
    """A transcript a conforming client would print, made from the store itself."""
    offers = [{"id": n, "number": n, "dgn_number": d, "state": "active"}
              for n, d in (("79001234567", "74951234567"), ("79007654321", "74957654321"))]
    added = store.add(number="79001234567", dgn_number="74951234567", purpose="company", comment="added",
                      type="def", state="activation", region_name="Москва")
    added_record = json.loads(virtual_number(added))
    store.delete(added.id)
    kept = store.add(number="79007654321", dgn_number="74957654321", purpose="not_specified", comment="kept",
                     type="def", state="activation", region_name="Москва")
    store.edit(kept.id, purpose="employee", employee_id=LARGEST_ID, comment="", keep_comment=False)
    kept_record = json.loads(virtual_number(store.by_id(kept.id)))

    def ok(body: Any, status: int = 200) -> dict[str, Any]:
        return {"status": status, "body": copy.deepcopy(body)}  # each step parsed on its own

    def error(status: int, code: str) -> dict[str, Any]:
        return {"status": status, "body": {"error": {"code": code, "message": "-", "field": None}}}

    return {
        "offers": ok(offers), "added": ok(added_record, 201), "read": ok(added_record), "listed": ok([added_record]),
        "edited": ok({"id": added.id, "purpose": "employee", "employee_id": 125, "comment": "edited"}),
        "deleted": ok({"id": added.id}), "kept": ok(kept_record, 201),
        "kept_edited": ok({name: kept_record[name] for name in ("id", "purpose", "employee_id", "comment")}),
        "kept_read": ok(kept_record), "unauthorized": error(401, "unauthorized"), "gone": error(404, "not_found"),
        "largest_id": error(404, "not_found"), "other_account": error(404, "not_found"),
        "duplicate": error(409, "duplicate_number"), "held_elsewhere": error(422, "number_not_connectable"),
    }


def test_the_judge_passes_a_walk_as_the_mock_stored_it_and_catches_each_kind_of_damage():
    judge = _load_runner().judge
    store = NumberStore.open(":memory:", connectable="any")
    steps = _walk_as_the_mock_answers_it(store)
    assert judge(steps, store) == []
    damaged = copy.deepcopy(steps)
    damaged["kept_read"]["body"]["employee_id"] = LARGEST_ID + 1  # what a double would make of 2^53 + 1
    assert judge(damaged, store) == [f"kept_read.employee_id: parsed {LARGEST_ID + 1}, expected {LARGEST_ID}"]
    damaged = copy.deepcopy(steps)
    damaged["duplicate"]["status"] = 201
    assert judge(damaged, store)[0].startswith("duplicate: status 201, expected [409]")
    damaged = copy.deepcopy(steps)
    damaged["gone"]["body"] = {"error": {"code": "unauthorized"}}
    assert judge(damaged, store)[0].startswith("gone: error body")
    damaged = copy.deepcopy(steps)
    del damaged["read"]["body"]["comment"]  # a client that drops a stored value
    assert judge(damaged, store) == ["read.comment: parsed None, expected 'added'"]
    store.edit(steps["kept"]["body"]["id"], purpose="company", employee_id=None, comment="changed behind its back",
               keep_comment=False)
    assert "stored.purpose: parsed 'company', expected 'employee'" in judge(steps, store)


# --- openapi-generator ---------------------------------------------------------------------------

OPENAPI_GENERATOR = Path(sys.executable).parent / "openapi-generator-cli"


@pytest.mark.slow
def test_openapi_generator_validates_the_document_without_flags():
    if not OPENAPI_GENERATOR.exists() or shutil.which("java") is None:
        pytest.skip("needs openapi-generator-cli (make clients installs it) and a Java runtime")
    result = subprocess.run([str(OPENAPI_GENERATOR), "validate", "--input-spec", "openapi/openapi.yaml"],
                            cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "No validation issues detected" in result.stdout, result.stdout + result.stderr
