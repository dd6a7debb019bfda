"""`make docs`: the rendered reference, opened in a real headless Chromium.

Needs tools/node_modules (`make node-tools`) and a Chromium (tests/browser.py: skipped without
one, failed without one under CI=true). Every fact checked on the page is read from the
document, so the test follows the document as it grows.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from typing import Any

import pytest

from tests.browser import require_chromium
from vpbx_spec.docs import build_docs
from vpbx_spec.document import REPOSITORY_ROOT, bundled_document, bundled_schemas
from vpbx_spec.walk import iter_operations

# One worker for the whole module: its module-scoped fixtures (the rendered reference in Chromium) then run once.
pytestmark = pytest.mark.xdist_group("docs_render")

PROBE = REPOSITORY_ROOT / "vpbx_spec" / "docs_probe.mjs"
_DECISION = re.compile(r"\bD\d+\b")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Any]:
    chromium = require_chromium()
    page = build_docs(output=tmp_path_factory.mktemp("docs") / "index.html")
    result = subprocess.run(["node", str(PROBE), str(page)], capture_output=True, text=True,
                            timeout=180, cwd=REPOSITORY_ROOT, env={**os.environ, "CHROMIUM": str(chromium)})
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def operation_text(rendered: dict[str, Any], operation_id: str) -> str:
    link = f"#/mobile-numbers/{operation_id.lower()}"
    assert link in rendered["operations"], sorted(rendered["operations"])
    return rendered["operations"][link]["text"]


def first_example(media: dict | None) -> Any:
    """The example Redoc shows first: `example`, else the first of `examples`."""
    if not media:
        return None
    if "example" in media:
        return media["example"]
    for example in (media.get("examples") or {}).values():
        return bundled_schemas().resolve(example).get("value")
    return None


def scalars(value: Any) -> list[str]:
    """The top-level scalar values of an example (the first item's, for an array)."""
    if isinstance(value, list):
        value = value[0] if value else {}
    if not isinstance(value, dict):
        return []
    return [str(v) for v in value.values() if isinstance(v, (str, int)) and not isinstance(v, bool)
            and str(v)]


OPERATIONS = [(name, operation) for _, name, operation in iter_operations(bundled_document())]


def test_the_page_is_titled_and_needs_no_network(rendered):
    assert rendered["title"] == bundled_document()["info"]["title"]
    assert rendered["errors"] == []
    # Redoc's own logo is the only thing it asks the network for; the reference is complete.
    assert all("redoc" in url for url in rendered["refused"]), rendered["refused"]


def test_every_operation_is_on_the_page(rendered):
    links = {entry["label"] for entry in rendered["operations"].values()}
    assert links == {name for name, _ in OPERATIONS}


@pytest.mark.parametrize("name,operation", OPERATIONS, ids=[name for name, _ in OPERATIONS])
def test_each_operation_shows_its_summary_decisions_and_examples(rendered, name, operation):
    text = operation_text(rendered, operation["operationId"])
    assert operation["summary"] in text
    for decision in sorted(set(_DECISION.findall(operation.get("description", "")))):
        assert re.search(rf"\b{decision}\b", text), f"{name}: {decision} is not on the page"
    schemas = bundled_schemas()
    request = (schemas.resolve(operation.get("requestBody")) or {}).get("content", {})
    responses = operation.get("responses") or {}
    success = next(schemas.resolve(responses[s]) for s in sorted(responses) if s.startswith("2"))
    for media in (request.get("application/json"), (success.get("content") or {}).get(
            "application/json")):
        for value in scalars(first_example(media)):
            assert value in text, f"{name}: example value {value!r} is not on the page"


def test_the_add_operation_shows_the_providers_request_example(rendered):
    # One literal check beside the derived ones: the seed request example, as the page has it.
    text = operation_text(rendered, "addMobileNumber")
    assert '"number": "79268622332"' in text and '"comment": "ЗаметкаАПИ"' in text
    assert "D12" in text and "D18" in text


@pytest.mark.slow
def test_make_docs_writes_build_docs_index_html():
    result = subprocess.run(["make", "--no-print-directory", "docs"], cwd=REPOSITORY_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    page = REPOSITORY_ROOT / "build" / "docs" / "index.html"
    assert "docs: build/docs/index.html" in result.stdout
    assert page.stat().st_size > 100_000 and b"<script" in page.read_bytes()
