"""schemathesis over the document: examples, coverage and fuzzing phases, positive and
negative data, every response checked by schemathesis's checks and the domain checks."""

from __future__ import annotations

from schemathesis import Case

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
    case.validate_response(response)
