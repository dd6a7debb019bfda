"""`make selftest`: run the contract suite against every variant of the catalog, and Prism.

Each variant is checked by the real command's entry point (what `vpbx contract --base-url … --api-token …`
runs), each run a process of its own forked from one that imported the suite once
(tests/selftest/suite_runs.py). Broken variants must fail it for the right reason — a finding of
contract-run.json names one of the decisions the variant breaks — and conforming ones must pass
it. It prints how often the first finding names the broken decision, and how many findings a
one-bug variant gets. Prism (a third-party mock that
generates answers from our schemas) must pass every schema check and fail the echo check.
Prints a table and `caught N/N broken, passed M/M conforming`; exits 1 on any miss.
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from tests.selftest.processes import running_prism, running_selftest_server
from tests.selftest.suite_runs import run_suite
from tests.selftest.variants import CATALOG, Variant
from vpbx_suite.failures import REPORT_NAME as FAILURES_REPORT
from vpbx_suite.run_report import RUN_REPORT

MAX_EXAMPLES = os.environ.get("SELFTEST_MAX_EXAMPLES", "10")
SEED = os.environ.get("SELFTEST_SEED", "1")
WORKERS = int(os.environ.get("SELFTEST_WORKERS", str((os.cpu_count() or 1) + 1)))
# Only the variants whose name or class contains this text (and no Prism run); for working
# on one rule. The score line then counts only those.
ONLY = os.environ.get("SELFTEST_ONLY", "").lower()
# Broken variants stop at their first failing test (FAIL_FAST) unless this is 0: slower, but
# every finding of a one-bug server is counted.
FAIL_FAST = os.environ.get("SELFTEST_FAIL_FAST", "1") != "0"
FIRST_FINDING_TARGET, MOST_FINDINGS = 0.9, 3
# SELFTEST_SAMPLE=1: the first variant of each class only (and no Prism run), for `make
# test-fast`; the full catalog is `make test`'s.
SAMPLE = os.environ.get("SELFTEST_SAMPLE", "") == "1"

# Checks that judge a response against the document's schemas. Prism's answers are drawn
# from those schemas, so none of these may fail against it.
SCHEMA_CHECKS = {"response_schema_conformance", "response_headers_conformance",
                 "status_code_conformance", "content_type_conformance",
                 "enum_values_have_no_lookalikes"}
ECHO_CHECK = "echoes_request_fields"


@dataclass
class Outcome:
    label: str
    kind: str
    expected: str  # "pass" or "fail"
    got: str       # "pass", "fail" or "error"
    seconds: float
    rules: list[str]
    leaked_token: bool
    decisions: tuple[str, ...] = ()  # what a broken variant breaks
    findings: list[dict] = field(default_factory=list)  # contract-run.json's findings

    def names_decision(self, finding: dict) -> bool:
        return bool(set(finding.get("decisions", [])) & set(self.decisions))

    @property
    def caught_for_its_reason(self) -> bool:
        return any(self.names_decision(finding) for finding in self.findings)

    @property
    def first_finding_names_it(self) -> bool:
        return bool(self.findings) and self.names_decision(self.findings[0])

    @property
    def as_expected(self) -> bool:
        reason = self.expected != "fail" or not self.decisions or self.caught_for_its_reason
        return self.got == self.expected and reason and not self.leaked_token


def run_contract(base_url: str, token: str, report_dir: Path, fail_fast: bool,
                 other_token: str | None = None) -> tuple[str, float, str]:
    """(verdict, seconds, everything printed) of `vpbx contract` against one server."""
    settings = {"BASE_URL": base_url, "API_TOKEN": token, **({"OTHER_API_TOKEN": other_token} if other_token else {}),
                "MAX_EXAMPLES": MAX_EXAMPLES, "SEED": SEED, "REPORT_DIR": str(report_dir),
                "FAIL_FAST": "1" if fail_fast else "0"}
    started = time.monotonic()
    status, output = run_suite(settings)
    return verdict_of(status, output), time.monotonic() - started, output


def verdict_of(status: int, output: str) -> str:
    """pass (a complete PASS), partial (a PASS that left checks out: a conforming variant must
    be checked completely), fail, or error; the suite's own last line says which."""
    verdicts = [line for line in output.splitlines() if line.startswith("contract: PASS")
                or line.startswith("contract: FAIL")]
    last = verdicts[-1] if verdicts else ""
    if status == 0 and last == "contract: PASS":
        return "pass"
    if status == 0 and last.startswith("contract: PASS (partial"):
        return "partial"
    return "fail" if last.startswith("contract: FAIL") else "error"


def failed_rules(report_dir: Path) -> list[str]:
    path = report_dir / FAILURES_REPORT
    if not path.exists():
        return []
    failures = json.loads(path.read_text(encoding="utf-8"))
    return sorted({check for failure in failures for rule in failure["rules"]
                   for check in rule["check"].split(",")})


def run_findings(report_dir: Path) -> list[dict]:
    path = report_dir / RUN_REPORT
    return json.loads(path.read_text(encoding="utf-8")).get("findings", []) if path.exists() else []


def token_leaked(tokens: list[str], printed: str, report_dir: Path) -> bool:
    reports = [path.read_text(encoding="utf-8") for path in report_dir.glob("contract-*")]
    return any(token in text for token in tokens for text in [printed, *reports])


def check_variant(variant: Variant, server_url: str, token: str, other_token: str, scratch: Path) -> Outcome:
    report_dir = scratch / variant.slug
    verdict, seconds, printed = run_contract(f"{server_url}/{variant.slug}", token, report_dir,
                                             fail_fast=FAIL_FAST and not variant.must_pass, other_token=other_token)
    return Outcome(variant.name, variant.kind, "pass" if variant.must_pass else "fail", verdict,
                   seconds, failed_rules(report_dir), token_leaked([token, other_token], printed, report_dir),
                   variant.decisions, run_findings(report_dir))


def check_prism(prism_url: str, scratch: Path) -> tuple[Outcome, list[str]]:
    """Prism must fail (it does not echo) with the echo check failing and every schema check silent."""
    report_dir = scratch / "prism"
    token = "prism-" + secrets.token_hex(8)
    verdict, seconds, printed = run_contract(prism_url, token, report_dir, fail_fast=False)
    rules = failed_rules(report_dir)
    problems = []
    if ECHO_CHECK not in rules:
        problems.append(f"the echo check did not fail against Prism (failed: {rules})")
    if SCHEMA_CHECKS & set(rules):
        problems.append(f"schema checks failed against Prism: {sorted(SCHEMA_CHECKS & set(rules))}")
    outcome = Outcome("Prism 5.16 (dynamic mode) on our document", "interoperability", "fail",
                      verdict, seconds, rules, token_leaked([token], printed, report_dir))
    return outcome, problems


def print_table(outcomes: list[Outcome]) -> None:
    width = max(len(outcome.label) for outcome in outcomes)
    print(f"{'variant':<{width}}  {'class':<18}  expected  got    seconds  breaks / first finding (findings) or failed rules")
    for outcome in outcomes:
        mark = "" if outcome.as_expected else "   <-- MISS"
        if outcome.got == "fail" and outcome.decisions and not outcome.caught_for_its_reason:
            mark = "   <-- MISS (no finding names it)"
        leak = " (TOKEN PRINTED)" if outcome.leaked_token else ""
        rules = ", ".join(outcome.rules[:3]) + (" …" if len(outcome.rules) > 3 else "")
        if outcome.findings:
            first = outcome.findings[0]
            rules = (f"{'/'.join(outcome.decisions)}: {first['rule']} ({', '.join(first['decisions'])})"
                     f"{'' if outcome.first_finding_names_it else ' (not it)'} ({len(outcome.findings)})")
        print(f"{outcome.label:<{width}}  {outcome.kind:<18}  {outcome.expected:<8}  {outcome.got:<5}  "
              f"{outcome.seconds:7.1f}  {rules or '-'}{leak}{mark}")


def first_finding_note(outcome: Outcome) -> str:
    """For a broken variant: its first finding, whether it names the broken decision, how many."""
    if outcome.expected != "fail" or not outcome.findings:
        return ""
    first = outcome.findings[0]
    verdict = "names it" if outcome.first_finding_names_it else (
        "a later one names it" if outcome.caught_for_its_reason else "NONE names it")
    return (f" (breaks {'/'.join(outcome.decisions)}; first finding {first['rule']} "
            f"{'/'.join(first['decisions'])}: {verdict}; {len(outcome.findings)} finding(s))")


def findings_figures(broken: list[Outcome]) -> str:
    """How often the first finding names the broken decision; findings per one-bug variant."""
    if not broken:
        return "findings: no broken variant ran"
    first = sum(outcome.first_finding_names_it for outcome in broken)
    counts = [len(outcome.findings) for outcome in broken]
    rate = first / len(broken)
    return (f"findings: the first finding names the broken decision for {first}/{len(broken)} broken variants "
            f"({rate:.0%}, target {FIRST_FINDING_TARGET:.0%}); findings per one-bug variant: median "
            f"{statistics.median(counts):g}, max {max(counts)} (target 1, at most {MOST_FINDINGS})"
            f"; {'each stopped at its first failing test (SELFTEST_FAIL_FAST=0 runs them whole)' if FAIL_FAST else 'whole runs'}")


def main() -> int:
    token, other_token = "selftest-" + secrets.token_hex(8), "selftest-other-" + secrets.token_hex(8)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="vpbx-selftest-") as scratch_name:
        scratch = Path(scratch_name)
        catalog = [v for v in CATALOG if ONLY in v.name.lower() or ONLY in v.kind.lower()]
        if SAMPLE:
            catalog = [v for v in catalog if v is next(w for w in catalog if w.kind == v.kind)]
        checks_prism = not (ONLY or SAMPLE)
        prism = running_prism() if checks_prism else nullcontext("(not started)")
        with running_selftest_server(token, other_token) as server_url, prism as prism_url:
            print(f"selftest: {len(catalog)} variants on {server_url}/<variant>, Prism on {prism_url}; "
                  f"{WORKERS} at a time, MAX_EXAMPLES={MAX_EXAMPLES} SEED={SEED}", flush=True)
            with ThreadPoolExecutor(WORKERS) as pool:
                prism_job = pool.submit(check_prism, prism_url, scratch) if checks_prism else None
                # Conforming variants run whole, broken ones stop at their first failure: the
                # longest runs start first, so that the last minute is not one run left alone.
                started_first = sorted(catalog, key=lambda v: not v.must_pass)
                futures = {variant.slug: pool.submit(check_variant, variant, server_url, token, other_token, scratch)
                           for variant in started_first}
                jobs = [futures[variant.slug] for variant in catalog]
                outcomes = []
                for done, job in enumerate(jobs, start=1):
                    outcomes.append(job.result())
                    print(f"selftest: [{done}/{len(jobs)}] {outcomes[-1].label}: {outcomes[-1].got}"
                          f"{first_finding_note(outcomes[-1])}", flush=True)
                prism_outcome, prism_problems = prism_job.result() if prism_job else (None, [])
    print()
    print_table([*outcomes, *([prism_outcome] if prism_outcome else [])])
    broken = [o for o in outcomes if o.expected == "fail"]
    conforming = [o for o in outcomes if o.expected == "pass"]
    caught = sum(o.as_expected for o in broken)
    passed = sum(o.as_expected for o in conforming)
    print()
    if prism_outcome is not None:
        print(f"prism: {'; '.join(prism_problems) if prism_problems else 'schema checks silent, echo check failed, as expected'}"
              f" (failed rules: {', '.join(prism_outcome.rules) or '-'})")
    print(findings_figures(broken))
    print(f"selftest: caught {caught}/{len(broken)} broken, passed {passed}/{len(conforming)} conforming "
          f"in {time.monotonic() - started:.0f} s")
    prism_ok = prism_outcome is None or (not prism_problems and prism_outcome.as_expected)
    return 0 if caught == len(broken) and passed == len(conforming) and prism_ok else 1


if __name__ == "__main__":
    sys.exit(main())
