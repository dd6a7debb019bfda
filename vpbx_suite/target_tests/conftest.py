"""Fixtures for a run against one target, and the contract-coverage summary at the end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.runner import CallInfo

import vpbx_suite.schemathesis_checks  # noqa: F401  (registers the domain checks)
from vpbx_suite.coverage import REPORT_NAME as COVERAGE_REPORT
from vpbx_suite.failures import REPORT_NAME as FAILURES_REPORT
from vpbx_suite.failures import broken_rules
from vpbx_suite.run import SuiteRun, current_run
from vpbx_suite.schemathesis_config import load_schema
from vpbx_suite.settings import Target
from vpbx_suite.target_api import TargetApi


@pytest.fixture(scope="session")
def target() -> Target:
    return Target.from_environment()


@pytest.fixture(scope="session")
def run() -> SuiteRun:
    return current_run()


@pytest.fixture(scope="session")
def api(target: Target, run: SuiteRun) -> Iterator[TargetApi]:
    schema = load_schema(target.base_url, target.token, target.max_examples, target.seed)
    client = TargetApi(target.base_url, target.token, schema, run)
    yield client
    client.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.excinfo is not None:
        test_name = getattr(item, "originalname", item.name)
        current_run().failures.append({"test": item.nodeid.split("::", 1)[-1],
                                       "rules": broken_rules(call.excinfo.value, test_name)})


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    run = current_run()
    terminalreporter.section("contract coverage")
    terminalreporter.write_line(run.coverage.render())
    if run.failures:
        broken = sorted({rule["check"] for failure in run.failures for rule in failure["rules"]})
        terminalreporter.section("broken rules")
        terminalreporter.write_line(", ".join(broken))
    report_dir = Target.from_environment().report_dir
    report_dir.mkdir(parents=True, exist_ok=True)
    _write_json(report_dir / COVERAGE_REPORT, run.coverage.as_dict())
    _write_json(report_dir / FAILURES_REPORT, run.failures)
