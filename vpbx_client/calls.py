"""What each call does, without doing any I/O: requests to send, waits, and decisions.

A call is a generator (a "flow") that yields an Exchange when it wants a request sent and a
Pause when it wants to wait; the driver (sync in client.py, async in async_client.py) does
it and sends the Answer back in, or throws httpx's TransportError in. So the retry policy and
the exactly-once add exist once, for both clients, and are tested without a network.

The add is not idempotent. After an ambiguous failure (no answer after sending, a timeout, a
5xx) the flow looks the number up in listVirtualNumbers (a number is unique on the account,
D11): there, it returns the stored record; absent, it sends the add again. A 409 (or 422, as
an added number leaves the connectable listing, D21) after an ambiguous attempt means that
attempt stored the number: it is looked up and returned. A 409 on a first attempt is raised.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from generated.models import (
    AddMobileNumberRequest,
    ConnectableNumber,
    DeletedNumber,
    EditedMobileNumber,
    EditMobileNumberRequest,
    Error,
    ErrorDetail,
    VirtualNumber,
)
from vpbx_client import routes
from vpbx_client.errors import (
    AddOutcomeUnknown,
    Conflict,
    NetworkError,
    UnexpectedResponse,
    VpbxError,
    describe_error,
    error_class,
    parse_error_body,
    transport_failure,
)
from vpbx_client.retry import Budget, RetryPolicy, parse_retry_after

logger = logging.getLogger("vpbx_client")
T = TypeVar("T")

# The add's answers after which the number may be stored though the call did not hear so.
AMBIGUOUS_ADD_STATUSES = frozenset({500, 502, 503, 504})
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"


@dataclass(frozen=True)
class Exchange:
    """A request the flow wants sent. The driver must end it by `deadline` (flow clock)."""
    route: routes.Route
    path: str
    params: dict[str, str] | None
    content: bytes | None
    deadline: float


@dataclass(frozen=True)
class Answer:
    status: int
    headers: httpx.Headers
    content: bytes


@dataclass(frozen=True)
class Pause:
    seconds: float


Step = Exchange | Pause
Flow = Generator[Step, Answer | None, T]


class Calls:
    """The flows of the six operations, for one base URL and token."""

    def __init__(self, token: str, policy: RetryPolicy, clock: Callable[[], float],
                 jitter: Callable[[], float], wall_clock: Callable[[], float]) -> None:
        self._token = token.encode("latin-1")
        self.policy = policy
        self.clock = clock
        self.jitter = jitter
        self.wall_clock = wall_clock

    # --- the operations ---------------------------------------------------------------

    def list_connectable_mobile_numbers(self) -> Flow[list[ConnectableNumber]]:
        return self._idempotent(self._budget(), routes.LIST_CONNECTABLE, routes.LIST_CONNECTABLE.path)

    def list_virtual_numbers(self, type: str | None) -> Flow[list[VirtualNumber]]:
        params = None if type is None else {"type": type}
        return self._idempotent(self._budget(), routes.LIST, routes.LIST.path, params=params)

    def get_virtual_number(self, id: int) -> Flow[VirtualNumber]:
        return self._idempotent(self._budget(), routes.GET, routes.GET.url_path(id=_id(id)))

    def edit_mobile_number(self, fields: dict[str, Any]) -> Flow[EditedMobileNumber]:
        body = EditMobileNumberRequest.model_validate(_given(fields))
        path = routes.EDIT.url_path(id=_id(body.root.id))
        return self._idempotent(self._budget(), routes.EDIT, path, content=body.model_dump_json().encode())

    def delete_virtual_number(self, id: int) -> Flow[DeletedNumber]:
        path = routes.DELETE.url_path(id=_id(id))
        # A 404 after an attempt that may have deleted it: that attempt did (D24).
        return self._idempotent(self._budget(), routes.DELETE, path,
                                gone=lambda: DeletedNumber(id=id))

    def add_mobile_number(self, fields: dict[str, Any]) -> Flow[VirtualNumber]:
        request = AddMobileNumberRequest.model_validate(_given(fields))
        return self._add(self._budget(), request)

    # --- retries ------------------------------------------------------------------------

    def _budget(self) -> Budget:
        return Budget(self.policy, self.clock, self.jitter)

    def _idempotent(self, budget: Budget, route: routes.Route, path: str, *,
                    params: dict[str, str] | None = None, content: bytes | None = None,
                    gone: Callable[[], Any] | None = None) -> Flow[Any]:
        """Reads, edits and deletes: sent again on 429/502/503/504 and on network failures."""
        exchange = Exchange(route, path, params, content, budget.deadline)
        maybe_done = False  # an earlier attempt may have been processed
        while True:
            answer, failure = yield from self._send(budget, exchange)
            if answer is not None:
                if 200 <= answer.status < 300:
                    return self._parse(exchange, answer)
                if answer.status == 404 and maybe_done and gone is not None:
                    return gone()
                failure = self._api_error(exchange, answer, budget)
                if answer.status not in self.policy.retry_statuses:
                    raise failure
                maybe_done = maybe_done or answer.status != 429
            elif isinstance(failure, NetworkError):
                if not failure.retryable:
                    raise failure
                maybe_done = maybe_done or failure.ambiguous
            assert failure is not None
            yield from self._wait_or_raise(budget, failure)

    def _add(self, budget: Budget, request: AddMobileNumberRequest) -> Flow[VirtualNumber]:
        exchange = Exchange(routes.ADD, routes.ADD.path, None,
                            request.model_dump_json().encode(), budget.deadline)
        ambiguous = False  # an earlier attempt may have stored the number
        while True:
            if ambiguous:
                stored = yield from self._look_up(budget, request)
                if stored is not None:
                    return stored
            answer, failure = yield from self._send(budget, exchange)
            if answer is not None:
                if 200 <= answer.status < 300:
                    added: VirtualNumber = self._parse(exchange, answer)
                    return added
                failure = self._api_error(exchange, answer, budget)
                if ambiguous and answer.status in (409, 422):
                    stored = yield from self._look_up(budget, request)
                    if stored is not None:
                        return stored
                    raise failure
                if answer.status in AMBIGUOUS_ADD_STATUSES:
                    ambiguous = True
                elif answer.status not in self.policy.retry_statuses:
                    raise failure  # 409 on a first attempt: a real conflict
            elif isinstance(failure, NetworkError):
                if not failure.retryable:
                    raise failure
                ambiguous = ambiguous or failure.ambiguous
            assert failure is not None
            if ambiguous:
                yield from self._wait_or_raise(budget, failure, unknown_add=request.number)
            else:
                yield from self._wait_or_raise(budget, failure)

    def _look_up(self, budget: Budget, request: AddMobileNumberRequest) -> Flow[VirtualNumber | None]:
        """The stored record of the requested number, if an earlier attempt stored it."""
        try:
            listed: list[VirtualNumber] = yield from self._idempotent(
                budget, routes.LIST, routes.LIST.path, params={"type": request.type})
        except VpbxError as error:
            raise self._unknown(budget, request.number, error) from None
        try:
            stored = stored_by_this_add(listed, request.number, request.dgn_number, request.type)
        except AddedByAnother as another:
            message = f"POST {routes.ADD.path}: {another}"
            detail = ErrorDetail(code="duplicate_number", message=message, field="number")
            conflict = Conflict(message, operation=routes.ADD.operation_id, method="POST",
                                path=routes.ADD.path, status=409, error=Error(error=detail))
            conflict.attempts = budget.sent
            raise conflict from None
        if stored is None:
            return None
        logger.info("POST %s: an earlier attempt stored %s (id %s): returned it, not added again",
                    routes.ADD.path, request.number, stored.id)
        return stored

    def _send(self, budget: Budget, exchange: Exchange
              ) -> Generator[Step, Answer | None, tuple[Answer | None, VpbxError | None]]:
        budget.sent += 1
        try:
            answer = yield exchange
        except httpx.TransportError as error:
            failure = transport_failure(error, **self._where(exchange))
            failure.attempts = budget.sent
            return None, failure
        assert answer is not None
        return answer, None

    def _wait_or_raise(self, budget: Budget, failure: VpbxError,
                       unknown_add: str | None = None) -> Generator[Step, Answer | None, None]:
        wait = budget.next_wait(getattr(failure, "retry_after", None))
        if wait is None:
            if unknown_add is not None:
                raise self._unknown(budget, unknown_add, failure)
            raise failure
        logger.debug("%s; retry %d of %d in %.3f s", failure, budget.retries,
                     self.policy.max_retries, wait)
        yield Pause(wait)

    # --- answers ------------------------------------------------------------------------

    def _parse(self, exchange: Exchange, answer: Answer) -> Any:
        try:
            return exchange.route.answer.validate_json(answer.content)
        except ValidationError as error:
            problem = error.errors(include_url=False, include_input=False)[0]
            where = ".".join(map(str, problem["loc"])) or "body"
            message = (f"{exchange.route.method} {exchange.path}: {answer.status} answer is not the"
                       f" document's model: {where}: {problem['msg']}")
            raise UnexpectedResponse(self._scrub(message), status=answer.status,
                                     **self._where(exchange)) from None

    def _api_error(self, exchange: Exchange, answer: Answer, budget: Budget) -> VpbxError:
        if answer.status < 400:
            failure: VpbxError = UnexpectedResponse(
                f"{exchange.route.method} {exchange.path}: undocumented status {answer.status}",
                status=answer.status, **self._where(exchange))
        else:
            error = parse_error_body(answer.content.replace(self._token, b"[token]"))
            cls = error_class(answer.status, exchange.route.operation_id,
                              error.error.code if isinstance(error.error, ErrorDetail) else None)
            retry_after = parse_retry_after(answer.headers.get("retry-after"), self.wall_clock())
            message = f"{exchange.route.method} {exchange.path}: {answer.status} {describe_error(error)}"
            failure = cls(self._scrub(message), status=answer.status, error=error,
                          retry_after=retry_after, **self._where(exchange))
        failure.attempts = budget.sent
        return failure

    def _unknown(self, budget: Budget, number: str, last: VpbxError) -> AddOutcomeUnknown:
        error = AddOutcomeUnknown(
            f"POST {routes.ADD.path}: whether {number} was added is unknown: an attempt failed"
            f" after it may have been processed, and the call gave up before finding out"
            f" (last: {last})", number=number, last_error=last, **self._where_add())
        error.attempts = budget.sent
        return error

    def _scrub(self, text: str) -> str:
        """A server could echo the token back: never let it into a message."""
        return text.replace(self._token.decode("latin-1"), "[token]")

    @staticmethod
    def _where(exchange: Exchange) -> dict[str, str]:
        return {"operation": exchange.route.operation_id, "method": exchange.route.method,
                "path": exchange.path}

    @staticmethod
    def _where_add() -> dict[str, str]:
        return {"operation": routes.ADD.operation_id, "method": "POST", "path": routes.ADD.path}


class AddedByAnother(ValueError):
    """The number is on the account, stored by another add than the one looked up."""


def _field(record: Any, name: str) -> Any:
    return record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)


def stored_by_this_add(listed: Iterable[Any], number: str, dgn_number: Any, type: Any) -> Any | None:
    """The record an earlier attempt of an add (number, dgn_number, type) stored, found in the
    account's listing (models or JSON objects), or None when the number is not there.

    dgn_number and type cannot be edited (D25): if they differ, another add stored this number,
    not ours (AddedByAnother). purpose and comment may have been edited since: still ours.
    The contract suite asks the same question after an add it must not send twice."""
    stored = next((record for record in listed if _field(record, "number") == number), None)
    if stored is None:
        return None
    if (_field(stored, "dgn_number"), _field(stored, "type")) != (dgn_number, type):
        raise AddedByAnother(f"the number {number} is on the account with dgn_number"
                             f" {_field(stored, 'dgn_number')!r}, type {_field(stored, 'type')!r}:"
                             " another add stored it, not this one")
    return stored


def _given(fields: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments the caller gave: None means "leave the property out"."""
    return {name: value for name, value in fields.items() if value is not None}


def _id(value: int) -> int:
    # bool is an int; the document's ids are not (StrictInt in the generated models).
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"id must be an int, got {type(value).__name__}")
    return value


def drive(flow: Flow[T], exchange: Callable[[Exchange], Answer],
          sleep: Callable[[float], None]) -> T:
    """Run a flow with blocking I/O."""
    try:
        step = next(flow)
        while True:
            if isinstance(step, Pause):
                sleep(step.seconds)
                step = flow.send(None)
                continue
            failure: httpx.TransportError | None = None
            try:
                answer = exchange(step)
            except httpx.TransportError as error:
                failure = error
            # Thrown outside the except block: our exception does not chain httpx's, whose
            # request holds the Authorization header.
            step = flow.throw(failure) if failure is not None else flow.send(answer)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def drive_async(flow: Flow[T], exchange: Callable[[Exchange], Awaitable[Answer]],
                      sleep: Callable[[float], Awaitable[None]]) -> T:
    """Run a flow with async I/O."""
    try:
        step = next(flow)
        while True:
            if isinstance(step, Pause):
                await sleep(step.seconds)
                step = flow.send(None)
                continue
            failure: httpx.TransportError | None = None
            try:
                answer = await exchange(step)
            except httpx.TransportError as error:
                failure = error
            step = flow.throw(failure) if failure is not None else flow.send(answer)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
