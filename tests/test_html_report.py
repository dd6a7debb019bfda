"""The HTML reports rendered from made-up runs, without a browser (tests/test_contract_report.py
opens real ones in Chromium): every quoted text escaped and shown exactly, invisible characters
boxed, a cut body marked, nothing fetched, no secret of the traffic in any form."""

from __future__ import annotations

import copy
import html
import json
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from tests.report_pages import OWN_TAGS, Page
from vpbx_suite.html_coverage import NOT_SEEN, SEEN, UNDOCUMENTED, coverage_view
from vpbx_suite.html_render import shown
from vpbx_suite.html_report import render_contract_report
from vpbx_traffic.exchange import Exchange
from vpbx_traffic.reports import write_reports
from vpbx_traffic.routes import Target
from vpbx_traffic.validator import TrafficValidator, Violation

# Markup, an event handler, a closing tag, NUL, a right-to-left override, Hebrew, an entity.
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"></pre><!-- \x00 \u202eevil\u202c שלום &amp; {{ 1 }}'


def body(text: str, truncated: bool = False) -> dict[str, Any]:
    return {"text": text, "bytes": len(text.encode()), "truncated": truncated}


def failure(text: str) -> dict[str, Any]:
    return {"test": f"test_echo[{text}]", "rules": [{"check": "echoes_request_fields", "code": "ST901"}],
            "message": f"comment: sent {text!r}, answered {text}", "curl": f"curl -sS -i -X POST http://h/n --data-binary '{text}'",
            "exchange": {"request": {"method": "POST", "url": "http://h/n", "headers": [["X-Echo", text]],
                                     "body": body(text)},
                         "response": {"status": 201, "headers": [["x-echo", text]], "body": body(text)}}}


def finding(text: str) -> dict[str, Any]:
    return {"rule": "echoes_request_fields", "decisions": ["D13", "D25"], "operation": "addMobileNumber",
            "pointer": "/components/schemas/VirtualNumber/properties/comment", "message": f"comment: sent {text!r}",
            "tests": 3, "reproduction": f"#!/usr/bin/env bash\ncurl -sS -i -X POST http://h/n --data-binary '{text}'\n"}


def coverage(text: str = HOSTILE) -> dict[str, Any]:
    return {"responses": 12, "operations": {"getVirtualNumber": {
        "responses": 12,
        "statuses": {"documented": [200, 404, 422], "observed": {"200": 9, "404": 2, "500": 1},
                     "documented_not_observed": [422], "undocumented_observed": [500]},
        "enums": {"state": {"seen": ["active"], "not_seen": ["freeze"], "outside_the_enum": [text]}},
        "nullable": {"null_and_non_null": ["comment"], "only_null": ["reason"], "only_non_null": [],
                     "never_seen": ["sip_uri"]}}}}


def summary(text: str = HOSTILE, **changes: Any) -> dict[str, Any]:
    """A run whose every text field quotes `text`."""
    run = {"verdict": "contract: FAIL", "passed": False, "complete": True,
           "settings": {"target": "http://127.0.0.1:9/" + text, "kind": "external server",
                        "operations": ["getVirtualNumber"], "numbers": "connectable", "max_writes": 20,
                        "max_examples": 5, "seed": 7},
           "seconds": 1.5, "responses": 12, "cleanup": [f"cleanup: {text}"],
           "completeness": {"checks": 3, "ran": 3, "complete": True, "not_run_by_reason": {}, "not_run": [],
                            "requests_not_sent": {}},
           "findings": [finding(text)], "failures": [failure(text)], "edge_cases": {text: 3},
           "coverage": coverage(text)}
    run.update(changes)
    return run


def test_shown_escapes_markup_and_boxes_what_cannot_be_seen():
    assert shown("<b a=\"1\">&</b>") == "&lt;b a=&#34;1&#34;&gt;&amp;&lt;/b&gt;"
    assert shown(Markup("<b>")) == "&lt;b&gt;"  # data is never trusted as markup, even as Markup
    assert shown("a\x00b") == 'a<span class="cp" data-cp="0000" title="U+0000">U+0000</span>b'
    assert 'data-cp="202E" title="U+202E RIGHT-TO-LEFT OVERRIDE"' in shown("\u202e")
    for invisible in ("\u00a0", "\u200b", "\ufeff", "\u2028", "\r", "\x7f", "\ud800"):
        assert f'data-cp="{ord(invisible):04X}"' in shown(invisible), repr(invisible)
    assert shown("Москва שלום\ttab\nline ~") == "Москва שלום\ttab\nline ~"  # readable text as it is


def test_every_quoted_text_is_escaped_and_shown_exactly():
    run = summary()
    page = Page(render_contract_report(run))
    assert page.tags <= OWN_TAGS, page.tags - OWN_TAGS
    assert page.title == "FAIL: contract run against http://127.0.0.1:9/" + HOSTILE.replace(
        "\x00", "U+0000").replace("\u202e", "U+202E").replace("\u202c", "U+202C")
    shown_exactly = {"failure/1/test": run["failures"][0]["test"], "failure/1/message": run["failures"][0]["message"],
                     "failure/1/curl": run["failures"][0]["curl"], "failure/1/request/body": HOSTILE,
                     "failure/1/response/body": HOSTILE, f"edge/{HOSTILE}": "3", "setting/target": run["settings"]["target"],
                     "verdict": "contract: FAIL", "finding/1/message": run["findings"][0]["message"],
                     "finding/1/reproduction": run["findings"][0]["reproduction"],
                     "finding/1/rule": "echoes_request_fields", "finding/1/decisions": "D13, D25", "finding/1/tests": "3"}
    for key, text in shown_exactly.items():
        assert page.keyed[key] == text, key
    assert f"enum/getVirtualNumber/state/{HOSTILE}" in page.keyed  # outside the enum, named exactly


def test_a_cut_body_says_so_and_a_whole_one_does_not():
    run = summary()
    run["failures"][0]["exchange"]["response"]["body"] = body("x" * 10, truncated=True) | {"bytes": 300_000}
    page = Page(render_contract_report(run))
    assert "failure/1/response/body/truncated" in page.keyed and "failure/1/request/body/truncated" not in page.keyed
    assert "first 10 characters are shown" in page.keyed["failure/1/response/body/truncated"]


def test_a_failure_without_request_or_answer_reads_as_such():
    run = summary()
    run["failures"].append({**failure("b"), "curl": None, "exchange": None})
    run["failures"].append({**failure("c"), "exchange": {**failure("c")["exchange"], "response": None}})
    text = render_contract_report(run)
    assert "No request was recorded for this failure" in text
    assert Page(text).keyed["failure/3/status"] == "No answer came."


def test_the_page_needs_nothing_from_anywhere():
    text = render_contract_report(summary("plain text"))
    page = Page(text)
    assert all(link.startswith("#") for link in page.links), page.links
    assert "default-src 'none'" in text
    for outside in ("<script", "<link", "<img", "src=", "url(", "@import"):
        assert outside not in text, outside


def test_coverage_cells_say_documented_against_observed():
    view = coverage_view(coverage())
    assert view.columns == [200, 404, 422, 500]
    (operation,) = view.operations
    assert [(c.status, c.kind, c.text) for c in operation.statuses] == [
        (200, SEEN, "9"), (404, SEEN, "2"), (422, NOT_SEEN, "not seen"), (500, UNDOCUMENTED, "1 undocumented")]
    assert operation.statuses_seen == (2, 3) and operation.enum_values_seen == (1, 2)
    assert operation.nullable_both_ways == (1, 3)
    page = Page(render_contract_report(summary()))
    assert page.keyed["status/getVirtualNumber/422"] == "not seen"
    assert page.keyed["nullable/getVirtualNumber/reason"] == "only null"
    assert page.keyed["enum/getVirtualNumber/state/freeze"] == "freeze: not seen"


def test_the_findings_come_before_the_failed_tests_and_each_failure_links_its_finding():
    run = summary("plain")
    run["failures"][0]["findings"] = [1]
    text = render_contract_report(run)
    assert text.index('id="findings"') < text.index('id="failures"')
    assert 'href="#finding-1"' in text and Page(text).keyed["finding-count"] == "1"
    assert "(also seen in 2 more)" in text


def test_a_passing_complete_run_and_a_partial_one():
    passing = Page(render_contract_report(summary(verdict="contract: PASS", passed=True, failures=[])))
    assert passing.keyed["verdict"] == "contract: PASS"
    partial = copy.deepcopy(summary(verdict="contract: PASS (partial: 1 of 3 checks not run: other 1)", passed=True,
                                    complete=False, failures=[]))
    partial["completeness"].update(ran=2, complete=False, not_run_by_reason={"other": 1},
                                   not_run=[{"test": "test_x", "reason": "other", "detail": HOSTILE}])
    page = Page(render_contract_report(partial))
    assert page.keyed["not-run/other"] == "1" and page.keyed["checks-ran"] == "2 of 3"


SECRET = "tok&<en>\"'\\-4d1e"  # every character JSON or HTML would escape


def test_no_traffic_report_holds_a_secret_in_any_form(tmp_path: Path):
    """A secret the validator saw, quoted where nothing else scrubs it (a violation's path):
    no file holds it raw, HTML-escaped or JSON-escaped."""
    validator = TrafficValidator(Target("http://127.0.0.1:9"))
    validator.check(Exchange(0, None, "GET", "http://elsewhere.example/", [("Authorization", SECRET)], None,
                             200, [], b"{}"))  # another host: counted, and its secret learned
    validator.violations.append(Violation(0, None, "getVirtualNumber", "GET", f"/numbers/{SECRET}{HOSTILE}",
                                          200, "rule", None, f"quoted {SECRET}"))
    paths = write_reports(validator, tmp_path, source=f"file {SECRET}.har")
    assert [path.name for path in paths][-1] == "traffic-report.html"
    forms = {SECRET, html.escape(SECRET), html.escape(SECRET, quote=False), json.dumps(SECRET)[1:-1]}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert "[Filtered]" in text
        for form in forms:
            assert form not in text, (path.name, form)
    page = Page(paths[-1].read_text(encoding="utf-8"))
    assert page.tags <= OWN_TAGS
    assert page.keyed["violation/1/message"] == "quoted [Filtered]"
    assert page.keyed["verdict"].startswith("traffic: NOTHING JUDGED")


@pytest.mark.parametrize("clients,verdict", [("lenient", "traffic: PASS"), ("strict", "traffic: FAIL")])
def test_the_traffic_page_shows_the_verdict_of_its_clients_setting(tmp_path: Path, clients: str, verdict: str):
    validator = TrafficValidator(Target("http://127.0.0.1:9"))
    validator.tally.entries = validator.tally.checked = 1
    validator.client_problems.append(Violation(0, "2026-01-01T00:00:00Z", "addMobileNumber", "POST",
                                               "/numbers/unconfirmed", 400, "request_schema_conformance", None,
                                               HOSTILE, party="client"))
    (page_path,) = [p for p in write_reports(validator, tmp_path, "x.har", clients=clients) if p.suffix == ".html"]
    page = Page(page_path.read_text(encoding="utf-8"))
    assert page.keyed["verdict"].startswith(verdict) and page.keyed["client-problem/1/message"] == HOSTILE
    assert page.keyed["tally/checked"] == "1" and page.tags <= OWN_TAGS
