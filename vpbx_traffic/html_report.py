"""traffic-report.html: what vpbx_traffic.reports writes as JSON, on one page: the verdict, the
tally of exchanges, the server's violations and the clients' problems, the contract coverage.

Rendered from a dict already scrubbed of every secret seen (vpbx_traffic.reports), by the
contract report's machinery (vpbx_suite.html_render: escaped, invisible characters boxed).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from vpbx_suite.html_coverage import coverage_view
from vpbx_suite.html_render import render

HTML_REPORT = "traffic-report.html"
# What each counter of the tally means, in the order the page lists them.
TALLY = {
    "entries": "exchanges read",
    "checked": "judged",
    "conforming": "conforming",
    "violating": "with a violation of the server's",
    "client_problems": "with a request that broke the contract (the client's problem)",
    "other_host": "ignored: another host, or outside the target's path prefix",
    "other_path": "ignored: no operation of the document",
    "too_large": "not judged: a body over the cap",
    "body_not_recorded": "not judged: no response body recorded",
}


def rule_counts(items: list[dict[str, Any]]) -> list[tuple[str, str | None, int]]:
    """(rule, code, how many), most frequent first."""
    counts = Counter((item["rule"], item["code"]) for item in items)
    return [(rule, code, count) for (rule, code), count in counts.most_common()]


def render_traffic_report(report: dict[str, Any]) -> str:
    """`report`: source, verdict, clients, target, exchanges (the tally), coverage, violations
    and client_problems (lists of Violation dicts)."""
    return render("traffic-report.html", report=report, tally=TALLY, coverage=coverage_view(report["coverage"]),
                  violation_rules=rule_counts(report["violations"]),
                  client_rules=rule_counts(report["client_problems"]))
