"""`python -m vpbx_suite` (`vpbx contract`, `make contract`): check a server against openapi/openapi.yaml.

Without BASE_URL it starts the bundled mock on a free port with a fresh temporary database
(accepting every valid number when NUMBERS is not the connectable listing, so that the numbers
the suite sends are connectable), runs the suite against it and stops it. The last line is the
verdict, with what did not run (vpbx_suite.completeness). Exit status: 0 the server conforms,
1 it does not, 2 the run could not start (bad settings, refused writes, mock did not start),
3 it conforms in what ran but some checks did not run and REQUIRE_COMPLETE=1.
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from vpbx_suite.cleanup import clean_up
from vpbx_suite.completeness import verdict_line
from vpbx_suite.coverage import REPORT_NAME as COVERAGE_REPORT
from vpbx_suite.findings import with_findings
from vpbx_suite.html_report import HTML_REPORT, write_html_report
from vpbx_suite.ledger import WriteBudget
from vpbx_suite.model_sequences import model_line
from vpbx_suite.run_report import RUN_REPORT, run_summary, write_json
from vpbx_suite.mock_process import running_mock
from vpbx_suite.run import SuiteRun, start_run
from vpbx_suite.settings import CONNECTABLE, SettingsError, SuiteSettings, Target, write_refusal

TARGET_TESTS = Path(__file__).resolve().parent / "target_tests"
JUNIT_REPORT = "contract-junit.xml"
EXIT_CONFORMS, EXIT_DOES_NOT, EXIT_NOT_STARTED, EXIT_INCOMPLETE = 0, 1, 2, 3
# The pytest plugins of a run: schemathesis's, hypothesis's, and pytest-timeout (pytest.ini's timeout).
PLUGINS = ("schemathesis.pytest.plugin", "_hypothesis_pytestplugin", "pytest_timeout")


@contextmanager
def target_server(settings: SuiteSettings) -> Iterator[tuple[str, str, str | None, str]]:
    """(base URL, token, another account's token, description) of the server under test;
    starts the mock if needed."""
    if settings.base_url is not None:
        assert settings.token is not None
        yield settings.base_url, settings.token, settings.other_token, "external server"
        return
    token, other = secrets.token_urlsafe(16), secrets.token_urlsafe(16)  # fresh for each run; never printed
    # The mock as `make mock` runs it (its access log on), so the defaults are what is checked,
    # with two accounts (D31); numbers that do not come from its connectable listing are
    # accepted (D20 needs the listing).
    environment: dict[str, str | None] = {"API_TOKENS": f"{token},{other}", "API_TOKEN": None, "MOCK_ACCESS_LOG": "1"}
    if settings.numbers_source() != CONNECTABLE:
        environment["MOCK_CONNECTABLE"] = "any"
    # Faults only when asked for here: the mock never inherits them (vpbx_suite.mock_process).
    environment.update(settings.mock_faults)
    faults = "".join(f", {name}={value!r}" for name, value in settings.mock_faults)
    with tempfile.TemporaryDirectory(prefix="vpbx-contract-") as scratch:
        with running_mock(Path(scratch) / "mock.sqlite3", environment) as mock:
            yield mock.base_url, token, other, f"bundled mock, two accounts, fresh database{faults}"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # pytest stops as on Ctrl-C; cleanup still runs


def main(environ: Mapping[str, str] | None = None) -> int:
    """`environ`: the settings (default: the process's environment); `vpbx contract` passes its options."""
    try:
        settings = SuiteSettings.from_environment(environ)
    except SettingsError as error:
        print(f"contract: {error}", file=sys.stderr)
        return EXIT_NOT_STARTED
    refusal = write_refusal(settings)
    if refusal is not None:
        print(f"contract: {refusal}", file=sys.stderr)
        return EXIT_NOT_STARTED
    seed = settings.seed if settings.seed is not None else random.randrange(2**31)
    report_dir = settings.report_dir.resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    junit = report_dir / JUNIT_REPORT

    started = time.monotonic()
    try:
        with target_server(settings) as (base_url, token, other_token, kind):
            target = Target.resolve(settings, base_url, token, seed, other_token)
            print(f"contract: target {base_url} ({kind}); MAX_EXAMPLES={settings.max_examples} "
                  f"SEED={seed}", flush=True)
            print(f"contract: operations {','.join(target.operations)}; NUMBERS={target.numbers}; "
                  f"MAX_WRITES={'unlimited' if target.max_writes is None else target.max_writes}", flush=True)
            run = start_run(SuiteRun(operations=target.operations, budget=WriteBudget(target.max_writes)))
            os.environ.update(target.to_environment())
            arguments = [str(TARGET_TESTS), "-c", str(TARGET_TESTS / "pytest.ini"), "-p", "no:cacheprovider",
                         "--no-header", "-v",
                         # A failure's text is its finding's (target_tests/conftest.py); pytest's own
                         # "short" traceback, parsed from each frame's source and then replaced,
                         # took 90% of a failing run (0.3 s a failure). Python's is cheap, and
                         # stays for what is not a finding.
                         "--tb=native", f"--rootdir={TARGET_TESTS}",
                         "-o", "junit_suite_name=contract",
                         f"--junitxml={junit}",
                         # The tests' assertions carry their own messages. Rewriting them would
                         # also rewrite every module of schemathesis (a pytest plugin): 3 s a run.
                         "--assert=plain",
                         # The tests print nothing of their own: Python's streams are captured,
                         # not the file descriptors (two dup2 calls around every test phase).
                         "--capture=sys",
                         # Its three garbage collections at the end cost half a second a run;
                         # an unraisable exception of a test's thread is no finding.
                         "-p", "no:unraisableexception",
                         # Only the plugins the suite runs on, whatever else is installed beside
                         # it (a plugin that reorders or reruns tests would change the verdict;
                         # xdist and typeguard cost a quarter of a second of imports a run).
                         "--disable-plugin-autoload", *(argument for plugin in PLUGINS for argument in ("-p", plugin))]
            previous = signal.signal(signal.SIGTERM, _interrupt)
            try:
                status = pytest.main([*arguments, "-x"] if settings.fail_fast else arguments)
            finally:
                # Also after a failure or Ctrl-C: never leave what the run added behind.
                cleanup_lines = clean_up(run, base_url, token, other_token)
                signal.signal(signal.SIGTERM, previous)
    except (RuntimeError, SettingsError) as error:  # the bundled mock did not start; bad NUMBERS
        print(f"contract: {error}", file=sys.stderr)
        return EXIT_NOT_STARTED
    elapsed = time.monotonic() - started

    responses = run.coverage.responses
    rate = responses / elapsed if elapsed else 0.0
    conforms = status == pytest.ExitCode.OK
    completeness = run.completeness
    for line in cleanup_lines:
        print(f"contract: {line}")
    edges = sum(run.edge_cases.values())
    print(f"contract: {edges} edge cases ran" + (f" ({', '.join(f'{k} {v}' for k, v in sorted(run.edge_cases.items()))})" if edges else ""))
    if run.model["requests"]:
        print(f"contract: {model_line(run.model)}")
    rate_limiting = run.patience.summary()
    if rate_limiting is not None:
        print(f"contract: {rate_limiting}")
    print(f"contract: {responses} responses checked in {elapsed:.1f} s ({rate:.0f}/s); "
          f"reproduce with SEED={seed}")
    verdict = ("contract: FAIL (no test ran)" if status == pytest.ExitCode.NO_TESTS_COLLECTED
               else with_findings(verdict_line(conforms, completeness, settings.require_complete), run.findings))
    summary = run_summary(run, target, kind, verdict, cleanup_lines, elapsed)
    write_json(report_dir / RUN_REPORT, summary)
    try:
        write_html_report(report_dir / HTML_REPORT, summary)
        html_line = f"contract: HTML report {report_dir / HTML_REPORT}"
    except Exception as error:  # noqa: BLE001 (a page that cannot be drawn must not cost the verdict)
        html_line = f"contract: HTML report not written: {type(error).__name__}: {error}"
    print(f"contract: JUnit report {junit}")
    print(f"contract: coverage report {report_dir / COVERAGE_REPORT}")
    print(f"contract: run report {report_dir / RUN_REPORT}")
    print(html_line)
    if status == pytest.ExitCode.NO_TESTS_COLLECTED:
        print(verdict)
        return EXIT_DOES_NOT
    for number, finding in enumerate(run.findings, start=1):
        print(f"contract: finding {number}: {finding['rule']}"
              + (f" on {finding['operation']}" if finding["operation"] else "")
              + f" ({', '.join(finding['decisions'])}), {finding['tests']} test(s)")
    print(f"contract: {completeness.checks - len(completeness.not_run)} of {completeness.checks} checks ran; "
          + ("the server conforms to the contract in all of them" if conforms else "the server does not conform"))
    print(verdict)  # the last line: the verdict
    if not conforms:
        return EXIT_DOES_NOT
    return EXIT_INCOMPLETE if settings.require_complete and not completeness.complete else EXIT_CONFORMS


if __name__ == "__main__":
    sys.exit(main())
