"""schemathesis over the document: examples, coverage and fuzzing phases, positive and
negative data, for every operation checked; then the stateful phase over the document's
links. Every response is judged by schemathesis's checks and the domain checks."""

from __future__ import annotations

import hypothesis
import hypothesis.errors
import pytest
from schemathesis import Case
from schemathesis.specs.openapi.checks import ignored_auth

from vpbx_suite.completeness import NOT_APPLICABLE, OPERATIONS, not_run
from vpbx_suite.generated_ahead import send_generated
from vpbx_suite.prepare import addressed_id, prepare
from vpbx_suite.exchanges import exchange_record
from vpbx_suite.patient_transport import wait_out_rate_limiting
from vpbx_suite.reproduce import case_request, curl_for_case
from vpbx_suite.run import current_run
from vpbx_suite.schemathesis_checks import operation_of, response_json
from vpbx_suite.schemathesis_config import load_schema
from vpbx_suite.settings import Target
from vpbx_suite.target_api import TargetApi
from vpbx_suite.target_tests.helpers import record_listing_at_fullest

_target = Target.from_environment()
schema = load_schema(_target.base_url, _target.token, _target.max_examples, _target.seed, _target.operations)
_api: list[TargetApi] = []  # the run's client, for the look-up before an add is sent again


def _stored_nothing(case: Case) -> None:
    """An add refused 429/503 is sent again only once the listing shows it stored nothing."""
    operation = operation_of(case, current_run())
    if _api and isinstance(case.body, dict) and operation is not None \
            and operation.operation_id == current_run().facts.lifecycle.add:
        _api[0].stored_nothing(case.body)


wait_out_rate_limiting(schema, lambda: current_run().patience, _stored_nothing)


def _send_and_judge(case: Case, **kwargs: object):
    run = current_run()
    run.last_request = curl_for_case(case, _target.base_url, _target.token)
    method, url, headers, content = case_request(case, _target.base_url, _target.token)
    run.last_exchange = exchange_record(method, url, headers, content, _target.secrets(), None)
    operation = operation_of(case, run)
    adding = isinstance(case.body, dict) and operation is not None and operation.operation_id == run.facts.lifecycle.add
    if adding:
        run.ledger.sending(case.body.get("number"))
    response = case.call(**kwargs)
    if adding:
        run.ledger.answered(case.body.get("number"))
    run.last_exchange = exchange_record(method, url, headers, content, _target.secrets(), response)
    # ignored_auth re-sends a success without the token and with a wrong one. schemathesis's
    # own runner confirms that once per operation; its pytest integration would do it after
    # every success (two more requests each). Confirm once, as the runner does; the explicit
    # token tests check the same rule on their own requests.
    excluded = [ignored_auth] if run.auth_enforcement_confirmed else []
    try:
        case.validate_response(response, excluded_checks=excluded)
    finally:
        if operation is not None:
            run.observe(operation, case.path_parameters, response.status_code, response_json(response))
    if 200 <= response.status_code < 300:
        run.auth_enforcement_confirmed = True
    return response


@pytest.fixture(scope="module", autouse=True)
def the_listing_before_generation(api: TargetApi) -> None:
    """The run holds the most numbers now: generated deletes are about to take some."""
    _api[:] = [api]
    record_listing_at_fullest(api)


@schema.parametrize()
def test_generated_cases(case: Case) -> None:
    run = current_run()
    if prepare(case, run):
        # CONCURRENCY at a time where order does not matter (vpbx_suite.generated_ahead).
        send_generated(lambda: _send_and_judge(case), addressed_id(case, run))


_stateful_schema = load_schema(_target.base_url, _target.token, _target.max_examples, _target.seed,
                               _target.operations, stateful=True)


# schemathesis builds the machine's rules on the class it returns (a subclass would define
# none), so the guard and the judging are put on that class itself.
_StateMachine = _stateful_schema.as_state_machine()
_schemathesis_step = _StateMachine.step


def _guarded_step(self, input):  # noqa: A002 (schemathesis's name)
    if not prepare(input.case, current_run()):
        hypothesis.reject()  # over budget, or an edit/delete of a number the run did not add
    return _schemathesis_step(self, input)


_StateMachine.step = _guarded_step
_StateMachine.call = lambda self, case, **kwargs: _send_and_judge(case, **kwargs)
_StateMachine.validate_response = lambda self, response, case, additional_checks=None, **kwargs: None


STATEFUL_STEP_COUNTS = (6, 5, 7)


@pytest.mark.needs("add")
def test_stateful_links() -> None:
    """Sequences that follow the links: add, then read, edit, delete what was added."""
    facts = current_run().facts
    if not any(current_run().checks(target) for target in facts.operations[facts.lifecycle.add or ""].links):
        not_run(OPERATIONS, "no operation the add links to is checked")
    # The machine's next steps depend on the server's answers (which links yield an id), so
    # hypothesis, when it revisits a sequence, may see it go another way and stop with
    # "inconsistent data generation": a limit of the tool, not a finding about the server
    # (every answer was judged as it came). The run is then explored again with other step
    # counts (still derived from SEED); a contract violation is reported at once, never retried.
    for steps in STATEFUL_STEP_COUNTS:
        settings = hypothesis.settings(max_examples=max(_target.max_examples // 5, 3), stateful_step_count=steps,
                                       deadline=None, derandomize=True, database=None,
                                       suppress_health_check=list(hypothesis.HealthCheck))
        try:
            _StateMachine.run(settings=settings)
            return
        except hypothesis.errors.FlakyStrategyDefinition:
            continue
    not_run(NOT_APPLICABLE, f"hypothesis could not replay the state machine's sequences with {STATEFUL_STEP_COUNTS} "
                            "steps: they went another way with the server's answers each time")
