"""contract-report.html: the run of contract-run.json (the same summary dict, nothing else) as
one page a person reads: the verdict, completeness and settings first, then the findings (what
broke, once each, with its decisions and reproduction), then each failed test with its rule,
message, request, answer and curl, then the coverage tables and the edge classes.

Self-contained (inline CSS, no script, no image, nothing fetched: a Content-Security-Policy
says so to the browser too) and readable without JavaScript.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vpbx_suite.html_coverage import coverage_view
from vpbx_suite.html_render import render

HTML_REPORT = "contract-report.html"


def render_contract_report(summary: dict[str, Any]) -> str:
    return render("contract-report.html", run={"findings": [], **summary},
                  coverage=coverage_view(summary["coverage"]))


def write_html_report(path: Path, summary: dict[str, Any]) -> None:
    path.write_text(render_contract_report(summary), encoding="utf-8")
