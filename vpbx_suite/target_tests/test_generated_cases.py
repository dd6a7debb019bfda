"""schemathesis over the document: examples, coverage and fuzzing phases, positive and
negative data, every response checked by schemathesis's checks and the domain checks."""

from __future__ import annotations

from schemathesis import Case
from schemathesis.specs.openapi.checks import ignored_auth

from vpbx_suite.run import current_run
from vpbx_suite.schemathesis_checks import response_json
from vpbx_suite.schemathesis_config import load_schema
from vpbx_suite.settings import Target

_target = Target.from_environment()
schema = load_schema(_target.base_url, _target.token, _target.max_examples, _target.seed)


@schema.parametrize()
def test_generated_cases(case: Case) -> None:
    run = current_run()
    case.body = run.fresh.refresh(case.body)
    response = case.call()
    run.coverage.record(response.status_code, response_json(response))
    # ignored_auth re-sends a success without the token and with a wrong one. schemathesis's
    # own runner confirms that once per operation; its pytest integration would do it after
    # every success (two more requests each). Confirm once, as the runner does; the explicit
    # token tests check the same rule on their own requests.
    excluded = [ignored_auth] if run.auth_enforcement_confirmed else []
    case.validate_response(response, excluded_checks=excluded)
    if 200 <= response.status_code < 300:
        run.auth_enforcement_confirmed = True
