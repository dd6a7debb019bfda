"""The async client: the same methods as Client, awaited (asyncio or trio, through anyio)."""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Literal

import anyio
import httpx

from generated.models import (
    ConnectableNumber,
    DeletedNumber,
    EditedMobileNumber,
    VirtualNumber,
)
from vpbx_client.calls import Answer, Calls, Exchange, drive_async
from vpbx_client.client import NumberType
from vpbx_client.options import (
    DEFAULT_TIMEOUT,
    as_timeout,
    client_options,
    redacted_base_url,
    request_arguments,
)
from vpbx_client.retry import RetryPolicy


class AsyncClient:
    """Client's twin for async code: same parameters, same exceptions, same retries.

        async with AsyncClient(base_url="http://127.0.0.1:8080", token="local-dev-token") as client:
            numbers = await client.list_virtual_numbers(type="def")
    """

    def __init__(self, *, base_url: str, token: str, timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
                 retry: RetryPolicy = RetryPolicy(), transport: httpx.AsyncBaseTransport | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
                 jitter: Callable[[], float] = random.random,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self._timeout = as_timeout(timeout)
        self._http = httpx.AsyncClient(transport=transport, **client_options(base_url, token, self._timeout))
        self._calls = Calls(token, retry, clock, jitter, wall_clock)
        self._clock = clock
        self._sleep = sleep
        self._base_url = redacted_base_url(base_url)

    def __repr__(self) -> str:
        return f"<AsyncClient base_url={self._base_url!r}>"

    # --- the operations, named after their operationId ---------------------------------

    async def list_connectable_mobile_numbers(self) -> list[ConnectableNumber]:
        """listConnectableMobileNumbers: the numbers the account may add."""
        return await drive_async(self._calls.list_connectable_mobile_numbers(), self._exchange, self._sleep)

    async def add_mobile_number(self, *, number: str, dgn_number: str,
                                purpose: Literal["company", "not_specified"], type: Literal["def"],
                                comment: str | None = None) -> VirtualNumber:
        """addMobileNumber, exactly once (see Client.add_mobile_number)."""
        fields = {"number": number, "dgn_number": dgn_number, "purpose": purpose, "type": type,
                  "comment": comment}
        return await drive_async(self._calls.add_mobile_number(fields), self._exchange, self._sleep)

    async def list_virtual_numbers(self, *, type: NumberType | None = None) -> list[VirtualNumber]:
        """listVirtualNumbers: every number on the account, or those of one `type`."""
        return await drive_async(self._calls.list_virtual_numbers(type), self._exchange, self._sleep)

    async def get_virtual_number(self, *, id: int) -> VirtualNumber:
        """getVirtualNumber: the stored record of one number."""
        return await drive_async(self._calls.get_virtual_number(id), self._exchange, self._sleep)

    async def edit_mobile_number(self, *, id: int, purpose: Literal["employee", "company", "not_specified"],
                                 employee_id: int | None = None, comment: str | None = None
                                 ) -> EditedMobileNumber:
        """editMobileNumber (see Client.edit_mobile_number)."""
        fields = {"id": id, "purpose": purpose, "employee_id": employee_id, "comment": comment}
        return await drive_async(self._calls.edit_mobile_number(fields), self._exchange, self._sleep)

    async def delete_virtual_number(self, *, id: int) -> DeletedNumber:
        """deleteVirtualNumber (see Client.delete_virtual_number)."""
        return await drive_async(self._calls.delete_virtual_number(id), self._exchange, self._sleep)

    # --- the connection -------------------------------------------------------------------

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> None:
        await self.aclose()

    async def _exchange(self, exchange: Exchange) -> Answer:
        time_left = exchange.deadline - self._clock()
        request = self._http.build_request(**request_arguments(exchange, time_left, self._timeout))
        # The whole attempt, body included, ends by the deadline.
        with anyio.move_on_after(max(time_left, 0.0)) as scope:
            response = await self._http.send(request, stream=True)
            try:
                content = await response.aread()
            finally:
                await response.aclose()
        if scope.cancelled_caught:
            raise httpx.ReadTimeout("the call's deadline passed before the answer was read", request=request)
        return Answer(response.status_code, response.headers, content)
