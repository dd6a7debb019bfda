"""The oracle: the reference mock's application over an in-memory store, one request at a time.

A contract run mirrors the server's accounts in it: each of the run's accounts gets a token of
its own here, the numbers the server offers and holds are seeded (`offer`, `seed`), and every
request the run sends to the server is sent here too (`send`). Its ids are its own: the caller
maps them to the server's (`IdMap`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from vpbx_mock.app import create_app
from vpbx_mock.pool import ConnectableEntry
from vpbx_mock.store import ANY, NumberStore

_TOKEN_PREFIX = "oracle-token-"


@dataclass(frozen=True)
class Answer:
    status: int
    media_type: str | None
    body: Any  # the parsed JSON, or None
    text: str


def answer_of(status: int, content_type: str | None, content: bytes) -> Answer:
    text = content.decode("utf-8", errors="replace")
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    media_type = content_type.split(";", 1)[0].strip().lower() if content_type else None
    return Answer(status, media_type, body, text)


class Oracle:
    """`accounts`: the names of the run's accounts ("main", "other"); `any_number`: every valid
    number may be added (the server is not held to its connectable listing), else only the
    numbers `offer`ed."""

    def __init__(self, accounts: Sequence[str], any_number: bool, *, store: NumberStore | None = None) -> None:
        self.accounts = tuple(accounts)
        self.any_number = any_number
        self._store = store or NumberStore.open(":memory:", connectable=ANY if any_number else 0)
        self._app = create_app(self._store, [self.token(name) for name in self.accounts])
        self._loop = asyncio.new_event_loop()

    @staticmethod
    def token(account: str) -> str:
        return _TOKEN_PREFIX + account

    def close(self) -> None:
        self._loop.close()
        self._store.close()

    def copy(self) -> Oracle:
        """The same state in a new oracle (to try an order of concurrent requests on)."""
        return Oracle(self.accounts, self.any_number, store=self._store.snapshot())

    # --- mirroring the server's state --------------------------------------------------------

    def offer(self, number: str, dgn_number: str = "") -> None:
        if not self.any_number:
            self._store.offer([ConnectableEntry(number, dgn_number)])

    def seed(self, account: str, record: dict[str, Any]) -> int:
        """A record the server already holds on the account; its id here."""
        self.offer(record["number"], record.get("dgn_number") or "")
        stored = self._store.account(self.token(account)).add(
            number=record["number"], dgn_number=record.get("dgn_number") or "",
            purpose=record.get("purpose") or "not_specified", comment=record.get("comment"),
            type=record.get("type") or "def", state=record.get("state") or "active",
            region_name=record.get("region_name"),
            employee_id=record.get("employee_id") if isinstance(record.get("employee_id"), int) else None)
        return stored.id

    # --- requests ----------------------------------------------------------------------------

    def send(self, account: str | None, method: str, raw_path: str, *, query: str = "",
             headers: Iterable[tuple[str, str]] = (), content: bytes = b"") -> Answer:
        """The model's answer to a request. `account`: whose token the request carried (it
        replaces every Authorization value); None: the request's own Authorization headers, as
        sent (a missing or wrong token)."""
        sent = [(name, value) for name, value in headers if name.lower() != "authorization" or account is None]
        if account is not None:
            sent.append(("Authorization", self.token(account)))
        if content and not any(name.lower() == "content-length" for name, _ in sent):
            sent.append(("Content-Length", str(len(content))))
        return self._loop.run_until_complete(self._call(method, raw_path, query, sent, content))

    async def _call(self, method: str, raw_path: str, query: str, headers: list[tuple[str, str]],
                    content: bytes) -> Answer:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method.upper(),
                 "scheme": "http", "path": unquote(raw_path), "raw_path": raw_path.encode("latin-1"),
                 "query_string": query.encode("latin-1"), "root_path": "",
                 "headers": [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers],
                 "server": ("oracle", 80), "client": ("127.0.0.1", 1)}
        pending = [{"type": "http.request", "body": content, "more_body": False}]
        status, content_type, chunks = 0, None, []

        async def receive() -> dict[str, Any]:
            return pending.pop() if pending else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                content_type = next((value.decode("latin-1") for name, value in message.get("headers", ())
                                     if name.lower() == b"content-type"), None)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self._app(scope, receive, send)
        return answer_of(status, content_type, b"".join(chunks))


@dataclass
class IdMap:
    """Server ids and the oracle's, mapped when both create a record (D36: ids may be per
    account, so a server id is read in the account that names it). A server id that names
    nothing of the run's gets an oracle id that exists nowhere."""

    _to_model: dict[tuple[str, int], int] = field(default_factory=dict)
    _to_server: dict[tuple[str, int], int] = field(default_factory=dict)
    _unknown: dict[int, int] = field(default_factory=dict)
    UNKNOWN_BASE = 10**15  # above any id the oracle gives in a run

    def bind(self, account: str, server_id: int, model_id: int) -> None:
        self._to_model[(account, server_id)] = model_id
        self._to_server[(account, model_id)] = server_id

    def to_model(self, account: str, server_id: Any, others: Sequence[str] = ()) -> Any:
        """The oracle's id for a server id the `account` names: its own record's, else a record
        of another account of the run (which the oracle then refuses as the server must), else
        an id that exists nowhere. Anything but an integer passes unchanged (invalid ids)."""
        if isinstance(server_id, bool) or not isinstance(server_id, int):
            return server_id
        for name in (account, *others):
            if (name, server_id) in self._to_model:
                return self._to_model[(name, server_id)]
        return self._unknown.setdefault(server_id, self.UNKNOWN_BASE + len(self._unknown))

    def to_server(self, account: str, model_id: int) -> int | None:
        return self._to_server.get((account, model_id))

    def server_ids(self, account: str) -> list[int]:
        return [server_id for (name, server_id) in self._to_model if name == account]
