"""The blocking client: one method per operation of the document."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from types import TracebackType
from typing import Literal

import httpx

from generated.models import (
    ConnectableNumber,
    DeletedNumber,
    EditedMobileNumber,
    VirtualNumber,
)
from vpbx_client.calls import Answer, Calls, Exchange, drive
from vpbx_client.options import (
    DEFAULT_TIMEOUT,
    as_timeout,
    client_options,
    redacted_base_url,
    request_arguments,
)
from vpbx_client.retry import RetryPolicy

NumberType = Literal["def", "abc", "sip_registration", "sip_redirection", "toll_free"]


class Client:
    """The Data API's mobile-number operations, typed with the generated models.

        with Client(base_url="http://127.0.0.1:8080", token="local-dev-token") as client:
            number = client.add_mobile_number(number="79161234567", dgn_number="74991234567",
                                              purpose="company", type="def")

    `timeout` bounds each attempt (seconds, or an httpx.Timeout); `retry` bounds the whole
    call (RetryPolicy.deadline) and says what is retried. `transport` replaces httpx's (tests);
    `clock`, `sleep`, `jitter` and `wall_clock` replace time.monotonic, time.sleep,
    random.random and time.time (deterministic tests of the retry timing).
    """

    def __init__(self, *, base_url: str, token: str, timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
                 retry: RetryPolicy = RetryPolicy(), transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 jitter: Callable[[], float] = random.random,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self._timeout = as_timeout(timeout)
        self._http = httpx.Client(transport=transport, **client_options(base_url, token, self._timeout))
        self._calls = Calls(token, retry, clock, jitter, wall_clock)
        self._clock = clock
        self._sleep = sleep
        self._base_url = redacted_base_url(base_url)

    def __repr__(self) -> str:
        return f"<Client base_url={self._base_url!r}>"

    # --- the operations, named after their operationId ---------------------------------

    def list_connectable_mobile_numbers(self) -> list[ConnectableNumber]:
        """listConnectableMobileNumbers: the numbers the account may add."""
        return drive(self._calls.list_connectable_mobile_numbers(), self._exchange, self._sleep)

    def add_mobile_number(self, *, number: str, dgn_number: str,
                          purpose: Literal["company", "not_specified"], type: Literal["def"],
                          comment: str | None = None) -> VirtualNumber:
        """addMobileNumber, exactly once: after an ambiguous failure the number is looked up
        before it is sent again. `comment` None: left out of the request."""
        fields = {"number": number, "dgn_number": dgn_number, "purpose": purpose, "type": type,
                  "comment": comment}
        return drive(self._calls.add_mobile_number(fields), self._exchange, self._sleep)

    def list_virtual_numbers(self, *, type: NumberType | None = None) -> list[VirtualNumber]:
        """listVirtualNumbers: every number on the account, or those of one `type`."""
        return drive(self._calls.list_virtual_numbers(type), self._exchange, self._sleep)

    def get_virtual_number(self, *, id: int) -> VirtualNumber:
        """getVirtualNumber: the stored record of one number."""
        return drive(self._calls.get_virtual_number(id), self._exchange, self._sleep)

    def edit_mobile_number(self, *, id: int, purpose: Literal["employee", "company", "not_specified"],
                           employee_id: int | None = None, comment: str | None = None
                           ) -> EditedMobileNumber:
        """editMobileNumber: `employee_id` only with purpose "employee" (D27); `comment` None
        keeps the stored comment."""
        fields = {"id": id, "purpose": purpose, "employee_id": employee_id, "comment": comment}
        return drive(self._calls.edit_mobile_number(fields), self._exchange, self._sleep)

    def delete_virtual_number(self, *, id: int) -> DeletedNumber:
        """deleteVirtualNumber. A 404 after an attempt that may have deleted it counts as done."""
        return drive(self._calls.delete_virtual_number(id), self._exchange, self._sleep)

    # --- the connection -------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def _exchange(self, exchange: Exchange) -> Answer:
        time_left = exchange.deadline - self._clock()
        request = self._http.build_request(**request_arguments(exchange, time_left, self._timeout))
        response = self._http.send(request, stream=True)
        try:
            # Read chunk by chunk: a body that trickles in outlasts the deadline by one read
            # at most (a blocking read cannot be cut short; the async client's can).
            chunks = []
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                if self._clock() > exchange.deadline and not _complete(response):
                    raise httpx.ReadTimeout("the call's deadline passed while the body was read",
                                            request=request)
        finally:
            response.close()
        return Answer(response.status_code, response.headers, b"".join(chunks))


def _complete(response: httpx.Response) -> bool:
    """Whether every byte Content-Length announced has arrived (the answer is whole)."""
    length = response.headers.get("content-length", "")
    return length.isdigit() and response.num_bytes_downloaded >= int(length)
