"""Before a generated case is sent: give an add a fresh number and a city number of a region
the run has not used (within the write budget), keep edits and deletes on the run's own
numbers, and make an edit's body name the id of its path (D26), which generation cannot know.
Headers that frame the HTTP message itself are taken out of a case (FRAMING_HEADERS). One
function for the stateless and stateful phases. A case that is not sent is counted
(vpbx_suite.completeness) under its reason."""

from __future__ import annotations

from schemathesis import Case

from vpbx_suite.completeness import PRECONDITION, TOO_FEW_NUMBERS, WRITE_BUDGET
from vpbx_suite.fresh_numbers import OutOfNumbers, SourceFailed, spread_city_numbers
from vpbx_suite.ledger import id_in_path
from vpbx_suite.run import SuiteRun
from vpbx_suite.schemathesis_checks import operation_of

GENERATED_ADDS = "generated adds"
# Headers of HTTP's message syntax (RFC 9112: framing, connection management), not of an
# operation. schemathesis's negative cases may add any header, these too; a server's HTTP layer
# answers a bad one before the API sees the request, as it likes (uvicorn: 400 text/plain to
# "Transfer-Encoding: ElV,r"; "chunked" with no body: a wait for a body that never comes). The
# document describes neither, so the suite never sends them as generated.
FRAMING_HEADERS = frozenset({"connection", "content-length", "expect", "host", "keep-alive", "proxy-connection",
                             "te", "trailer", "transfer-encoding", "upgrade"})


def without_framing_headers(case: Case) -> None:
    if case.headers and any(name.lower() in FRAMING_HEADERS for name in case.headers):
        case.headers = {name: value for name, value in case.headers.items() if name.lower() not in FRAMING_HEADERS}


def addressed_id(case: Case, run: SuiteRun) -> int | None:
    """The id of the run's (held or deleted) that a prepared edit or delete addresses, or None.
    No two such cases for one id may be out at once: an edit's echo is judged against the
    stored record, and two requests to one id at once are another check's (requests at once)."""
    operation = operation_of(case, run)
    lifecycle = run.facts.lifecycle
    if operation is None or operation.operation_id not in (lifecycle.edit, lifecycle.delete):
        return None
    addressed = id_in_path((case.path_parameters or {}).get("id"))
    return addressed if addressed is not None and run.ledger.owns(addressed) else None


def prepare(case: Case, run: SuiteRun) -> bool:
    """Rewrite `case` in place; False when it must not be sent (budget, or no id of its own)."""
    without_framing_headers(case)
    operation = operation_of(case, run)
    if operation is None:
        return True
    lifecycle = run.facts.lifecycle
    if operation.operation_id == lifecycle.add:
        if isinstance(case.body, dict) and run.fresh.is_valid(case.body.get("number")):
            if not run.budget.take():
                run.budget.refuse(GENERATED_ADDS)
                run.completeness.left_unsent(WRITE_BUDGET)
                return False
            run.fresh.start_test()  # each case is sent at once: its number is settled by then
            try:
                case.body = spread_city_numbers(run, operation, run.fresh.refresh(case.body))
            except (OutOfNumbers, SourceFailed) as error:
                run.budget.give_back()
                run.completeness.left_unsent(TOO_FEW_NUMBERS if isinstance(error, OutOfNumbers) else PRECONDITION)
                return False
        return True
    if operation.operation_id in (lifecycle.edit, lifecycle.delete) and "id" in (case.path_parameters or {}):
        target = run.ledger.guard_target(case.method, case.path_parameters["id"])
        if target is None:
            run.completeness.left_unsent(TOO_FEW_NUMBERS)  # the run holds no number to send it to
            return False
        case.path_parameters = {**case.path_parameters, "id": target}
    if operation.operation_id == lifecycle.edit and isinstance(case.body, dict):
        path_id = id_in_path((case.path_parameters or {}).get("id"))
        if path_id is not None and id_in_path(case.body.get("id")) is not None and not isinstance(
                case.body.get("id"), str):
            case.body = {**case.body, "id": path_id}  # an id the schema accepts (5 or 5.0)
    return True
