"""What HTTP lets a server answer to a method its path does not declare (D10).

A method the API implements on another path is refused `405` with `Allow`. A method it
implements on no path (PATCH, TRACE, QUERY, …) may instead be answered `501 Not Implemented`
(RFC 9110 §9.1, §15.6.2), as many HTTP stacks do before routing. schemathesis's
`unsupported_method` wants 405 and its `not_a_server_error` counts every 5xx, so both run here
with that one exception. Importing this module registers the checks.
"""

from __future__ import annotations

import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import unsupported_method

from vpbx_suite.contract import bundled_facts

NOT_IMPLEMENTED = 501


def not_implemented_as_http_allows(method: str, status: int) -> bool:
    """A 501 to a method the API implements on no path."""
    return status == NOT_IMPLEMENTED and method.upper() not in bundled_facts().implemented_methods


def _allowed_501(response: Response) -> bool:
    return not_implemented_as_http_allows(str(response.request.method), response.status_code)


@schemathesis.check
def no_server_error(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """schemathesis's not_a_server_error, but for a 501 to a method implemented on no path."""
    if _allowed_501(response):
        return None
    return not_a_server_error(ctx, response, case)


@schemathesis.check
def undeclared_method_refused(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """schemathesis's unsupported_method (405 with Allow), but for a 501 to a method
    implemented on no path."""
    if _allowed_501(response):
        return None
    return unsupported_method(ctx, response, case)
