"""The same patience (vpbx_suite.patience) for every request schemathesis sends.

schemathesis sends a case's own request and the probes its checks send (ignored_auth without
the token, the Content-Type control) through one transport object, `schema.transport`; its
`send` is the one place that sees them all, so the waiting goes around it. The probes drop the
run's session, which is why a session-level hook would miss them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemathesis import Case
from schemathesis.specs.openapi.schemas import OpenApiSchema

from vpbx_suite.patience import Patience, header


def wait_out_rate_limiting(schema: OpenApiSchema, patience: Callable[[], Patience],
                           before_resend: Callable[[Case], None]) -> None:
    """Make `schema`'s transport wait out 429/503; `before_resend(case)` runs before each
    resend and raises to stop it (an add that is stored). Installed once per process."""
    transport = schema.transport
    if getattr(transport, "_waits_out_rate_limiting", False):
        return
    unpatient = transport.send

    def send(case: Case, **kwargs: Any) -> Any:
        return patience().send(case.operation.label, lambda: unpatient(case, **kwargs),
                               lambda answer: answer.status_code,
                               lambda answer: header(answer.headers, "retry-after"),
                               lambda answer: before_resend(case))

    transport.send = send  # type: ignore[method-assign]
    transport._waits_out_rate_limiting = True  # type: ignore[attr-defined]
