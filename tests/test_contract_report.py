"""The HTML reports as a person opens them: `make contract` and `make validate-traffic` run for
real, their pages opened in headless Chromium (tests/report_probe.mjs, JavaScript off), and
what the page shows checked against the JSON reports of the same run.

- a passing run against the bundled mock: the verdict, and coverage tables whose every cell
  says what contract-run.json says;
- a failing run against the self-test's "echoes markup in comment" (tests/selftest/variants.py):
  the failure with its message, curl line and the answer it quotes (over 100 KiB), where a
  `<script>`, an `<img onerror>`, NUL and a right-to-left override are shown as text, exactly,
  and none of them becomes part of the page;
- the traffic report of a HAR file recorded from the same server.

Needs tools/node_modules (`make node-tools`) and a Chromium (tests/browser.py).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import require_chromium
from tests.report_pages import OWN_TAGS, probe
from tests.selftest.processes import running_selftest_server
from tests.selftest.variants import LONG_NOTE, MARKUP_COMMENT
from tests.traffic_har import HarRecorder
from vpbx_spec.document import REPOSITORY_ROOT

# One worker for the whole module: its module-scoped fixtures (make contract runs and Chromium) then run once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("contract_report")]
TOKEN = "report-token-7d41e0"
VARIANT = "echoes-markup-in-comment"
SETTINGS = ("BASE_URL", "API_TOKEN", "ALLOW_WRITES", "SEED", "MAX_EXAMPLES", "OPERATIONS", "NUMBERS",
            "MAX_WRITES", "REQUIRE_COMPLETE", "OTHER_API_TOKEN", "FAIL_FAST", "REPORT_DIR", "CLIENTS")


def make(target: str, *settings: str) -> subprocess.CompletedProcess[str]:
    """`make <target> VAR=value …` as a user types it, none of the caller's settings inherited."""
    environment = {key: value for key, value in os.environ.items() if key not in SETTINGS}
    return subprocess.run(["make", "--no-print-directory", target, *settings], cwd=REPOSITORY_ROOT,
                          env=environment, capture_output=True, text=True, timeout=300)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def chromium() -> Path:
    return require_chromium()  # before any run: skipping costs nothing


@pytest.fixture(scope="module")
def variant_url(chromium: Path) -> Iterator[str]:
    with running_selftest_server(TOKEN) as url:
        yield f"{url}/{VARIANT}"


@pytest.fixture(scope="module")
def passing(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """(contract-run.json, what the browser shows) of a run against the bundled mock."""
    reports = tmp_path_factory.mktemp("passing")
    result = make("contract", f"REPORT_DIR={reports}", "MAX_EXAMPLES=10", "SEED=7")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert f"contract: HTML report {reports / 'contract-report.html'}" in output
    assert result.stdout.splitlines()[-1] == "contract: PASS"  # the verdict stays the last line
    return read_json(reports / "contract-run.json"), probe(reports / "contract-report.html", chromium)


@pytest.fixture(scope="module")
def failing(chromium: Path, variant_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(contract-run.json, what the browser shows, the page's source) of a run against the variant."""
    reports = tmp_path_factory.mktemp("failing")
    result = make("contract", f"BASE_URL={variant_url}", f"API_TOKEN={TOKEN}", f"REPORT_DIR={reports}",
                  "MAX_EXAMPLES=5", "SEED=1", "FAIL_FAST=1")
    output = result.stdout + result.stderr
    assert result.returncode == 2, output[-3000:]  # make's status for the command's 1
    assert result.stdout.splitlines()[-1].startswith("contract: FAIL"), output[-3000:]
    page = reports / "contract-report.html"
    return read_json(reports / "contract-run.json"), probe(page, chromium), page.read_text(encoding="utf-8")


def shown(seen: dict[str, Any], key: str) -> str:
    """The exact text of the element named `key` on the page."""
    assert key in seen["keyed"], f"nothing named {key} on the page"
    text: str = seen["keyed"][key]["exact"]
    return text


def test_a_passing_run_shows_its_verdict_and_what_ran(passing):
    run, seen = passing
    assert shown(seen, "verdict") == run["verdict"] == "contract: PASS"
    assert seen["title"].startswith("PASS: contract run against http://127.0.0.1:")
    assert shown(seen, "checks-ran") == f"{run['completeness']['ran']} of {run['completeness']['checks']}"
    assert shown(seen, "setting/seed") == "SEED=7" and shown(seen, "setting/max_examples") == "MAX_EXAMPLES=10"
    assert seen["errors"] == [] and seen["refused"] == []  # nothing fetched, nothing failed
    for name, count in run["edge_cases"].items():
        assert shown(seen, f"edge/{name}") == str(count)


def test_a_passing_run_shows_full_coverage_tables(passing):
    """Every cell of every table says what contract-run.json says."""
    run, seen = passing
    operations = run["coverage"]["operations"]
    columns = {int(s) for data in operations.values() for s in [*data["statuses"]["documented"],
                                                                  *data["statuses"]["observed"]]}
    cells = 0
    for name, data in operations.items():
        documented, observed = set(data["statuses"]["documented"]), data["statuses"]["observed"]
        for status in columns:
            count = observed.get(str(status))
            expected = ("" if count is None and status not in documented else "not seen" if count is None
                        else f"{count:,}" if status in documented else f"{count:,} undocumented")
            assert shown(seen, f"status/{name}/{status}") == expected, (name, status)
            cells += 1
        for field, values in data["enums"].items():
            for state, text in (("seen", "seen"), ("not_seen", "not seen"), ("outside_the_enum", "outside the enum")):
                for value in values[state]:
                    assert shown(seen, f"enum/{name}/{field}/{value}") == f"{value}: {text}"
                    cells += 1
        for state, fields in data["nullable"].items():
            for field in fields:
                assert shown(seen, f"nullable/{name}/{field}") == state.replace("_", " ").replace("non null", "non-null")
                cells += 1
    assert cells > 150, cells
    # The mock answers with every status the contract suite can provoke from it (as in contract-coverage.json).
    assert shown(seen, "status/addMobileNumber/201") == f"{operations['addMobileNumber']['statuses']['observed']['201']:,}"


def test_a_failing_run_shows_the_failure_with_its_curl_line(failing):
    run, seen, _ = failing
    assert shown(seen, "verdict") == run["verdict"] and run["verdict"].startswith("contract: FAIL")
    assert seen["title"].startswith("FAIL: contract run against")
    assert len(run["failures"]) == 1, run["failures"]  # FAIL_FAST: the first one
    failure = run["failures"][0]
    assert shown(seen, "failure-count") == "1"
    assert shown(seen, "finding/1/rule") == run["findings"][0]["rule"] == failure["rules"][0]["check"] == "echoes_request_fields"
    assert "D13" in shown(seen, "finding/1/decisions") and shown(seen, "finding/1/reproduction") == run["findings"][0]["reproduction"]
    assert shown(seen, "failure/1/curl") == failure["curl"]
    assert failure["curl"].startswith("curl -sS -i -X POST ") and "${API_TOKEN}" in failure["curl"]
    assert failure["curl"] in seen["text"]  # as a reader sees it, not only in the DOM
    assert shown(seen, "failure/1/message") == failure["message"]
    assert shown(seen, "failure/1/status") == str(failure["exchange"]["response"]["status"])
    assert shown(seen, "failure/1/request/body") == failure["exchange"]["request"]["body"]["text"]


def test_markup_a_server_echoes_is_shown_as_text_and_never_becomes_part_of_the_page(failing):
    run, seen, _ = failing
    assert set(seen["tags"]) <= OWN_TAGS, set(seen["tags"]) - OWN_TAGS  # no script, img, or anything else
    assert "document.title" not in seen["title"] and seen["errors"] == [] and seen["refused"] == []
    # The message quotes the comment (Python's repr: NUL and the override written as escapes) ...
    assert repr(MARKUP_COMMENT) in shown(seen, "failure/1/message")
    assert '<script>document.title="injected"</script><img src=x onerror=' in seen["text"]
    # ... and the answer holds it raw: the override and its end shown as boxes, kept exactly.
    answer = run["failures"][0]["exchange"]["response"]["body"]
    assert json.dumps(MARKUP_COMMENT, ensure_ascii=False) in answer["text"]
    assert shown(seen, "failure/1/response/body") == answer["text"]
    assert seen["boxes"] >= 2 and "U+202E" in seen["keyed"]["failure/1/response/body"]["text"]


def test_an_answer_over_100_kib_is_shown_whole(failing):
    run, seen, _ = failing
    answer = run["failures"][0]["exchange"]["response"]["body"]
    assert answer["bytes"] > 100 * 1024 and not answer["truncated"]
    assert LONG_NOTE in shown(seen, "failure/1/response/body")
    assert "failure/1/response/body/truncated" not in seen["keyed"]


def test_the_token_is_in_no_page(failing):
    _, _, source = failing
    assert TOKEN not in source and "${API_TOKEN}" in source


def test_the_traffic_report_shows_the_verdict_and_each_violation(chromium: Path, variant_url: str, tmp_path: Path):
    recorder = HarRecorder()
    with httpx.Client(base_url=variant_url, headers={"Authorization": TOKEN}, event_hooks=recorder.hooks) as client:
        offered = client.get("/numbers/def-virtual-number-capacity").json()
        added = client.post("/numbers/unconfirmed", json={"number": offered[0]["number"], "dgn_number": "74951234567",
                                                          "purpose": "company", "type": "def", "comment": "note"})
        assert added.status_code == 201, added.text
    har = recorder.save(tmp_path / "markup.har")
    result = make("validate-traffic", f"HAR={har}", f"BASE_URL={variant_url}", f"REPORT_DIR={tmp_path}")
    assert result.returncode == 2, result.stdout + result.stderr  # make's status for the command's 1
    page = tmp_path / "traffic-report.html"
    assert f"report: {page}" in result.stdout
    seen = probe(page, chromium)
    verdict = next(line for line in result.stdout.splitlines() if line.startswith("traffic: "))
    assert shown(seen, "verdict") == verdict and verdict.startswith("traffic: FAIL (1 violations")
    (violation,) = read_json(tmp_path / "traffic-violations.json")["items"]
    assert violation["rule"] == "echoes_request_fields"
    assert shown(seen, "violation/1/message") == violation["message"] and "<script>" in violation["message"]
    assert shown(seen, "tally/checked") == "2" and shown(seen, "source") == str(har)
    assert set(seen["tags"]) <= OWN_TAGS and seen["errors"] == [] and seen["refused"] == []
    assert TOKEN not in page.read_text(encoding="utf-8")
