"""contract-report.html: the run of contract-run.json (the same summary dict, nothing else) as
one page a person reads: the verdict, completeness and settings first, then each failure with
its rule, message, request, answer and curl, then the coverage tables and the edge classes.

Self-contained (inline CSS, no script, no image, nothing fetched: a Content-Security-Policy
says so to the browser too) and readable without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vpbx_suite.html_coverage import coverage_view
from vpbx_suite.html_render import render

HTML_REPORT = "contract-report.html"


@dataclass(frozen=True)
class BrokenRule:
    """One rule with the failures that broke it (a failure may break several)."""
    check: str
    code: str | None
    failures: list[int]  # 1-based, the failures' anchors


def broken_rules(failures: list[dict[str, Any]]) -> list[BrokenRule]:
    """Each rule broken, most failures first; ties in the order the run met them."""
    found: dict[tuple[str, str | None], list[int]] = {}
    for number, failure in enumerate(failures, start=1):
        for rule in failure["rules"]:
            numbers = found.setdefault((rule["check"], rule["code"]), [])
            if number not in numbers:
                numbers.append(number)
    rules = [BrokenRule(check, code, numbers) for (check, code), numbers in found.items()]
    return sorted(rules, key=lambda rule: -len(rule.failures))


def render_contract_report(summary: dict[str, Any]) -> str:
    return render("contract-report.html", run=summary, broken=broken_rules(summary["failures"]),
                  coverage=coverage_view(summary["coverage"]))


def write_html_report(path: Path, summary: dict[str, Any]) -> None:
    path.write_text(render_contract_report(summary), encoding="utf-8")
