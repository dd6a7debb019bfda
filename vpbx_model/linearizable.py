"""Whether the answers to requests sent at once are those of some order of the same requests
(a linearizability check on a small history, as Knossos does: every order is tried, each on its
own copy of the model's state; a history of k requests has k! orders, so k stays small)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TypeVar

Request = TypeVar("Request")
Model = TypeVar("Model")


def linearizations(requests: Sequence[Request], start: Callable[[], Model],
                   agrees: Callable[[Model, Request], str | None],
                   final: Callable[[Model], str | None]) -> tuple[tuple[int, ...] | None, list[str]]:
    """The first order (indexes into `requests`) in which every answer agrees with the model
    started fresh by `start` and the final state does too; else None, with why each order failed.
    `agrees(model, request)` applies the request to the model and says how its real answer differs
    (None: it agrees); `final(model)` compares the states."""
    reasons = []
    for order in itertools.permutations(range(len(requests))):
        model = start()
        reason = None
        for position, index in enumerate(order):
            reason = agrees(model, requests[index])
            if reason is not None:
                reason = f"order {[i + 1 for i in order]}: request {index + 1} (at {position + 1}): {reason}"
                break
        if reason is None:
            reason = final(model)
            if reason is not None:
                reason = f"order {[i + 1 for i in order]}: the state afterwards: {reason}"
        if reason is None:
            return order, reasons
        reasons.append(reason)
    return None, reasons
