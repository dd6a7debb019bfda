"""Fixtures for a run against one target, failures with their curl, what did not run (and why),
and the contract-coverage summary at the end. Cleanup of what the run added happens in
vpbx_suite.__main__, after pytest returns, so that it also runs when the tests fail or the run
is interrupted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _pytest.runner import CallInfo
from schemathesis.core.failures import FailureGroup, as_reported_failure

import vpbx_suite.schemathesis_checks  # noqa: F401  (registers the domain checks)
import vpbx_suite.strategies  # noqa: F401  (registers the generation hook)
from vpbx_suite.completeness import OPERATIONS, NotRun
from vpbx_suite.coverage import REPORT_NAME as COVERAGE_REPORT
from vpbx_suite.failures import REPORT_NAME as FAILURES_REPORT
from vpbx_suite.failures import broken_rules, failure_message
from vpbx_suite import generated_ahead
from vpbx_suite.findings import finding_title, group_findings, summary_lines, verdict_detail, with_origins
from vpbx_suite.run import SuiteRun, current_run
from vpbx_suite.run_report import write_json
from vpbx_suite.schemathesis_config import load_schema
from vpbx_suite.fresh_numbers import FreshNumbers, OfferedNumbers, numbers_from_file
from vpbx_suite.settings import CONNECTABLE, GENERATED, Target
from vpbx_suite.target_api import TargetApi
from vpbx_suite.target_tests.helpers import connectable_numbers, free_idle_numbers


@pytest.fixture(scope="session")
def target() -> Target:
    return Target.from_environment()


@pytest.fixture(scope="session")
def run() -> SuiteRun:
    return current_run()


@pytest.fixture(scope="session")
def api(target: Target, run: SuiteRun) -> Iterator[TargetApi]:
    schema = load_schema(target.base_url, target.token, target.max_examples, target.seed)
    client = TargetApi(target.base_url, target.token, schema, run, secrets=target.secrets())
    yield client
    client.close()


@pytest.fixture(scope="session", autouse=True)
def number_source(target: Target, run: SuiteRun, api: TargetApi) -> None:
    """NUMBERS: the server's connectable listing (read first by the precondition test, read
    again whenever it runs dry, each read judged like any answer), a file, or generated
    numbers. Offered numbers are recycled: see vpbx_suite.fresh_numbers."""
    if target.numbers == GENERATED:
        run.fresh = FreshNumbers()
        return

    # Never while a generated add is out (vpbx_suite.generated_ahead): its number is neither
    # handed out again nor freed.
    def free() -> int:
        generated_ahead.settle()
        return free_idle_numbers(api, target.concurrency)

    def settled(read: Callable[[], list[str]]) -> Callable[[], list[str]]:
        def read_when_settled() -> list[str]:
            generated_ahead.settle()
            return read()
        return read_when_settled

    if target.numbers == CONNECTABLE:
        run.fresh = OfferedNumbers([], "the connectable listing", read=settled(lambda: connectable_numbers(api)),
                                   held=run.held_numbers, free=free)
    else:
        numbers = numbers_from_file(Path(target.numbers).read_text(encoding="utf-8"))
        run.fresh = OfferedNumbers(numbers, f"the file {target.numbers}", read=settled(lambda: numbers),
                                   held=run.held_numbers, free=free)


@pytest.fixture(autouse=True)
def one_test(run: SuiteRun) -> Iterator[None]:
    """Numbers a test took or pinned are its own until it ends."""
    run.fresh.start_test()
    yield
    run.ledger.pinned.clear()


# The order a run spends its write budget in (MAX_WRITES), most contract per write first: the
# documented examples, the life of a number, the edges of the edit (one number for all of
# them), what costs no write, duplicates; then the races, the edges of the add (one number
# each) and generated cases.
BUDGET_ORDER = (
    "test_the_source_of_numbers_is_usable",
    # Accounts first: while the accounts hold few numbers, per-account ids (D36) collide least.
    "test_another_accounts_id_reads_as_an_id_that_does_not_exist", "test_another_account_cannot_edit_a_number",
    "test_another_account_cannot_delete_a_number", "test_another_accounts_listings_neither_show_nor_offer_a_number",
    "test_another_account_cannot_add_a_number_held_elsewhere",
    "test_documented_example_is_added_and_echoed", "test_a_number_reads_back_exactly_as_added",
    "test_a_number_is_listed_as_added_and_by_its_type", "test_an_edit_is_stored_and_visible",
    "test_an_edit_naming_another_id_is_refused_and_changes_nothing", "test_a_deleted_number_is_gone",
    "test_a_deleted_id_is_never_given_again", "test_a_deleted_number_can_be_added_again",
    "test_an_added_number_leaves_the_connectable_listing",
    "test_edit_edge", "test_an_edit_in_an_accepted_form_is_stored_exactly", "test_parameter_edge",
    "test_a_token_that_is_almost_right_is_refused",
    "test_a_missing_token_is_401", "test_two_authorization_headers_are_refused",
    "test_adding_the_same_number_twice_is_a_conflict", "test_a_number_the_listing_does_not_offer_is_refused",
    "test_parallel_adds_of_distinct_numbers_get_distinct_ids", "test_parallel_adds_of_one_number_give_one_success",
    "test_add_edge", "test_rejected_adds_stored_nothing", "test_an_add_in_an_accepted_form_is_stored_exactly",
    "test_the_listing_shows_the_accepted_records_as_written", "test_generated_cases", "test_stateful_links",
    "test_another_accounts_object_is_answered_as_one_that_never_existed",
    "test_requests_at_once_are_answered_as_in_some_order", "test_random_sequences_agree_with_the_model",
    # Last: when the run holds the most numbers (unless recycling checked it at its fullest).
    "test_the_listing_shows_every_number_the_run_holds",
)


def _budget_rank(item: pytest.Item) -> int:
    name = getattr(item, "originalname", item.name)
    return BUDGET_ORDER.index(name) if name in BUDGET_ORDER else len(BUDGET_ORDER)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Only the tests of the operations checked; a test names what it needs with
    `@pytest.mark.needs("add", "read", …)` (roles of vpbx_suite.contract.Lifecycle). A test
    marked `only_with_numbers(...)` exists only for those NUMBERS settings."""
    items.sort(key=_budget_rank)  # stable: parametrized cases keep their order
    run = current_run()
    numbers = Target.from_environment().numbers
    setting = numbers if numbers in (CONNECTABLE, GENERATED) else "file"
    deselected = [item for item in items if (marker := item.get_closest_marker("only_with_numbers"))
                  and setting not in marker.args]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]
    run.completeness.checks = len(items)
    run.collected = [item.nodeid.split("::", 1)[-1] for item in items]
    for item in items:
        marker = item.get_closest_marker("needs")
        if marker is None:
            continue
        missing = [role for role in marker.args if not run.checks(getattr(run.facts.lifecycle, role))]
        if missing:
            names = ", ".join(str(getattr(run.facts.lifecycle, role) or role) for role in missing)
            item.add_marker(pytest.mark.skip(reason=f"{OPERATIONS}: needs {names}"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs(*roles): the lifecycle operations a test uses")
    config.addinivalue_line("markers", "only_with_numbers(*settings): NUMBERS settings the test exists for")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    run = current_run()
    if report.when == "setup" and report.passed:
        # A failure of the call names its own request; one of the setup, the setup's (below).
        run.last_request = run.last_exchange = None
    if report.when == "call" or report.skipped or report.failed:
        run.completeness.ended(item.nodeid.split("::", 1)[-1])
    if report.skipped:
        error = call.excinfo.value if call.excinfo is not None else None
        message = str(error.msg) if isinstance(error, NotRun) else (
            str(report.longrepr[2]).removeprefix("Skipped: ") if isinstance(report.longrepr, tuple) else "skipped")
        run.completeness.skipped(item.nodeid.split("::", 1)[-1], message)
    if report.failed and call.excinfo is not None:
        exchange = run.last_exchange
        rules = broken_rules(call.excinfo.value, exchange)
        message = _hidden(failure_message(rules, exchange))
        run.failures.append({"test": item.nodeid.split("::", 1)[-1], "rules": rules, "message": message,
                             "curl": run.last_request, "exchange": exchange,
                             "steps": with_origins(list(run.steps), run.added_steps)})
        # JUnit and the per-test section say which finding the failure counts under, in words.
        report.longrepr = "finding: " + "; ".join(finding_title(rule) for rule in rules) + "\n" + message


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Iterator[object]:
    """A generated test's cases go out CONCURRENCY at a time; a failure met ahead runs the test
    again one case at a time, for hypothesis to shrink (vpbx_suite.generated_ahead)."""
    if getattr(pyfuncitem, "originalname", "") != "test_generated_cases" or generated_ahead.current() is not None:
        return (yield)
    run = current_run()
    with generated_ahead.sending_ahead(run, Target.from_environment().concurrency) as ahead:
        result = yield
    if ahead.failed is None or ahead.failed.error is None:
        return result
    error = ahead.failed.error
    generated_ahead.rerun_one_at_a_time(pyfuncitem.runtest, run,
                                        as_reported_failure(error) if isinstance(error, FailureGroup) else error,
                                        ahead.failed)
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    current_run().steps = []  # a finding's reproduction: the requests of its test, setup included


def _hidden(text: str) -> str:
    for token, shown in Target.from_environment().secrets().items():
        text = text.replace(token, shown)
    return text


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Before the terminal summary (and also when the run was interrupted): the findings."""
    current_run().findings = group_findings(current_run().failures)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> Iterator[None]:
    """The verdict and the findings first, then pytest's per-test failures, then the rest."""
    run = current_run()
    if run.findings:
        terminalreporter.section("findings")
        terminalreporter.write_line(f"contract: FAIL ({verdict_detail(run.findings)}), most tests explained first; "
                                    "each test's own failure follows")
        for line in summary_lines(run.findings):
            terminalreporter.write_line(line)
    outcome = yield
    _coverage_and_what_did_not_run(terminalreporter)
    return outcome


def _coverage_and_what_did_not_run(terminalreporter: pytest.TerminalReporter) -> None:
    run = current_run()
    run.completeness.not_reached(run.collected)
    terminalreporter.section("contract coverage")
    terminalreporter.write_line(run.coverage.render())
    if run.edge_cases:
        terminalreporter.section("edge cases")
        total = sum(run.edge_cases.values())
        terminalreporter.write_line(f"{total} edge cases ran: " + ", ".join(
            f"{name} {count}" for name, count in sorted(run.edge_cases.items())))
    if (rate_limiting := run.patience.summary()) is not None:
        terminalreporter.section("rate limiting by the server (429/503 waited out)")
        terminalreporter.write_line(rate_limiting)
    if run.budget.left_out:
        terminalreporter.section("left out by the write budget (MAX_WRITES)")
        for check, count in sorted(run.budget.left_out.items()):
            terminalreporter.write_line(f"{check}: {count} test(s) or request(s) not run")
    if not run.completeness.complete:
        terminalreporter.section("not run")
        terminalreporter.write_line(run.completeness.summary())
        for test, message in run.completeness.not_run.items():
            terminalreporter.write_line(f"{test}: {message}")
    if run.ledger.guarded:
        terminalreporter.section("requests kept off numbers this run did not add")
        for what, count in sorted(run.ledger.guarded.items()):
            terminalreporter.write_line(f"{what}: {count}")
    report_dir = Target.from_environment().report_dir
    report_dir.mkdir(parents=True, exist_ok=True)
    write_json(report_dir / COVERAGE_REPORT, {**run.coverage.as_dict(),
                                               "completeness": run.completeness.as_dict()})
    write_json(report_dir / FAILURES_REPORT, run.failures)
