"""An HTTP client for the explicit tests: it sends exactly the bytes a test crafts to any
operation, remembers how to reproduce it (curl), and judges every answer by the whole
contract (vpbx_suite.judge), so crafted requests are held to the same rules as generated ones."""

from __future__ import annotations

import functools
import json
import ssl
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from schemathesis.specs.openapi.schemas import OpenApiSchema

from vpbx_client.calls import AddedByAnother, stored_by_this_add
from vpbx_suite.contract import JSON_MEDIA_TYPE, NUMBER_FIELD, OperationFacts
from vpbx_suite.exchanges import exchange_record
from vpbx_suite.judge import NOT_JSON, judge
from vpbx_suite.reproduce import curl_command
from vpbx_suite.ledger import id_in_path
from vpbx_suite.patience import StoredDespiteRefusal
from vpbx_suite.run import MAIN, SuiteRun, acting_as

USE_TOKEN = object()  # send the run's token (the default)
TIMEOUT_SECONDS = 10.0


class NoAnswer(AssertionError):
    """The server did not answer (timeout, refused or dropped connection)."""


class NotSent(RuntimeError):
    """The request would edit or delete a number the run did not add; it was not sent."""


@dataclass(frozen=True)
class Sent:
    content: bytes
    content_type: str | None
    body: Any  # the JSON value sent, or NOT_JSON
    headers: tuple[tuple[str, str], ...] = ()
    # Transfer-Encoding: chunked, no Content-Length: a server must not depend on the length
    # being declared up front.
    chunked: bool = False


def as_json(body: Any) -> Sent:
    return Sent(json.dumps(body, ensure_ascii=False).encode("utf-8"), JSON_MEDIA_TYPE, body)


def raw(content: bytes, content_type: str | None = JSON_MEDIA_TYPE) -> Sent:
    return Sent(content, content_type, NOT_JSON)


# A connection idle this long is not used again. Servers close idle ones after a few seconds
# (uvicorn and Node after 5); a request sent on one just as the server closes it gets no answer.
# httpx's default is also 5 s, and the waits for a 503 without Retry-After (0.5 to 4 s) left
# connections idle for about that long: a conforming server that rate-limits was once failed
# with "no answer" on a loaded machine.
KEEPALIVE_SECONDS = 2.0


@functools.cache
def tls() -> ssl.SSLContext:
    """httpx's default TLS settings, made once: each client would load the CA bundle again
    (about 50 ms of CPU each, a dozen clients a run)."""
    return httpx.create_ssl_context()


class TargetApi:
    """`account`: which of the run's accounts the token is (its ledger and id registry judge
    the answers); `secrets`: every token and how a report shows it; `transport`: httpx's
    (a test's stand-in for the network)."""

    def __init__(self, base_url: str, token: str, schema: OpenApiSchema, run: SuiteRun, *,
                 account: str = MAIN, secrets: Mapping[str, str] | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=TIMEOUT_SECONDS, transport=transport, verify=tls(),
                                    limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS))
        self.base_url = base_url
        self._token = token
        self._schema = schema
        self.run = run
        self.account = account
        self._secrets = dict(secrets or {token: "${API_TOKEN}"})
        self._adding: Counter[str] = Counter()  # adds of each number in flight (a race sends several)
        self._adding_lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def operation(self, operation_id: str) -> OperationFacts:
        return self.run.facts.operations[operation_id]

    def call(self, operation_id: str, sent: Sent | None = None, *, path: Mapping[str, Any] | None = None,
             query: Mapping[str, Any] | None = None, token: Any = USE_TOKEN,
             authorization: list[str] | None = None, token_expressions: Mapping[str, str] | None = None,
             judged: bool = True, across: bool = False) -> httpx.Response:
        """Send one request; judge and record the answer. token=None omits the header;
        `authorization` sends these Authorization values instead (several headers); `across`:
        an edit or delete of a number another account of the run added (a cross-account check,
        which may only reach the run's own numbers)."""
        adding = sent if operation_id == self.run.facts.lifecycle.add else None
        with acting_as(self.account), self._in_flight(adding):
            return self._call(operation_id, sent, path, query, token, authorization, token_expressions,
                              judged, across)

    @contextmanager
    def _in_flight(self, sent: Sent | None) -> Iterator[None]:
        """Counts the adds of one number in flight: a number stored meanwhile may be another's."""
        number = sent.body.get(NUMBER_FIELD) if sent is not None and isinstance(sent.body, dict) else None
        with self._adding_lock:
            self._adding[str(number)] += 1
        try:
            yield
        finally:
            with self._adding_lock:
                self._adding[str(number)] -= 1

    def _call(self, operation_id: str, sent: Sent | None, path: Mapping[str, Any] | None,
              query: Mapping[str, Any] | None, token: Any, authorization: list[str] | None,
              token_expressions: Mapping[str, str] | None, judged: bool, across: bool) -> httpx.Response:
        operation = self.operation(operation_id)
        path_parameters = dict(path or {})
        lifecycle = self.run.facts.lifecycle
        if across:
            owned = any(ledger.owns(id_in_path(path_parameters.get("id")) or 0) for ledger in self.run.ledgers.values())
            if not owned:
                raise NotSent(f"{operation.label} for id {path_parameters.get('id')}: no account of the run added it")
        elif operation_id in (lifecycle.edit, lifecycle.delete) and "id" in path_parameters:
            if self.run.ledger.guard_target(operation.method, path_parameters["id"]) != path_parameters["id"]:
                raise NotSent(f"{operation.label} for id {path_parameters['id']}: not added by this run")
        url_path = operation.url_path(**path_parameters)
        headers: list[tuple[str, str]] = []
        if sent is not None and sent.content_type is not None:
            headers.append(("Content-Type", sent.content_type))
        headers += list(sent.headers if sent else ())
        token = self._token if token is USE_TOKEN else token
        for value in authorization if authorization is not None else ([] if token is None else [token]):
            headers.append(("Authorization", value))
        content = sent.content if sent is not None else None
        chunked = sent is not None and sent.chunked
        # httpx sends an iterable chunked and adds the header itself; curl needs it spelt out.
        # A list, not an iterator: read() below iterates it again for the judges.
        request = self._client.build_request(operation.method.upper(), url_path, params=dict(query or {}),
                                             headers=headers,
                                             content=[content or b""] if chunked else content)
        self.run.last_request = curl_command(
            request.method, str(request.url),
            headers + [("Transfer-Encoding", "chunked")] if chunked else headers, content,
            self._token, token_expressions, self._secrets[self._token][2:-1])  # "${NAME}" -> NAME
        shown = headers + [("Transfer-Encoding", "chunked")] if chunked else headers
        self.run.last_exchange = exchange_record(request.method, str(request.url), shown, content, self._secrets, None)
        adding = operation_id == lifecycle.add and sent is not None and isinstance(sent.body, dict)
        if adding:
            self.run.ledger.sending(sent.body.get("number"))  # type: ignore[union-attr]
        try:
            # A 429/503 is waited out and the request sent again (an add only once the listing
            # shows it stored nothing): the judges see the answer after the wait.
            response = self.run.patience.send(
                operation.label, lambda: self._client.send(request), lambda answer: answer.status_code,
                lambda answer: answer.headers.get("Retry-After"),
                (lambda answer: self.stored_nothing(sent.body)) if adding else None)  # type: ignore[union-attr]
            if chunked:
                request.read()  # the judges read the request's content
        except httpx.TransportError as error:
            raise NoAnswer(f"{operation.label}: no answer ({type(error).__name__}: {error}; "
                           f"timeout {TIMEOUT_SECONDS:.0f} s)") from None
        if adding:
            self.run.ledger.answered(sent.body.get("number"))  # type: ignore[union-attr]
        self.run.last_exchange = exchange_record(request.method, str(request.url), shown, content, self._secrets,
                                                 response)
        received = json_or_none(response)
        if judged:
            judge(self._schema, self.run, operation, path_parameters=path_parameters,
                  query=dict(query or {}), body=sent.body if sent else None,
                  media_type=sent.content_type if sent else None, response=response, received=received)
        else:
            self.run.observe(operation, path_parameters, response.status_code, received)
        return response

    def stored_nothing(self, body: dict[str, Any]) -> None:
        """Before an add refused 429/503 is sent again: the listing must not show its number
        (vpbx_client's test for an earlier attempt); when it does, the add is not resent."""
        number, listing = body.get(NUMBER_FIELD), self.run.facts.lifecycle.listing
        if not isinstance(number, str) or listing is None or not self.run.checks(listing):
            return  # nothing to look up: a 429/503 refuses a request before processing it
        shown = self.run.last_request, self.run.last_exchange
        answer = self._call(listing, None, None, None, USE_TOKEN, None, None, True, False)
        self.run.last_request, self.run.last_exchange = shown
        listed = json_or_none(answer)
        if answer.status_code != 200 or not isinstance(listed, list):
            raise NotSent(f"{self.operation(self.run.facts.lifecycle.add or '').label} of {number}: answered "
                          f"429/503, and the listing that would show whether it stored the number answered "
                          f"{answer.status_code}: not sent again")
        try:
            stored = stored_by_this_add([item for item in listed if isinstance(item, dict)], number,
                                        body.get("dgn_number"), body.get("type"))
        except AddedByAnother:
            return  # another add's: this one stored nothing
        with self._adding_lock:
            racing = self._adding[number] > 1
        if stored is not None and (racing or self.run.ledger.owns(stored.get("id"))):
            return  # an add the run sent before, or at the same time: sent again, it must be refused
        if stored is not None:
            self.run.ledger.added(stored)  # the run cleans it up
            raise StoredDespiteRefusal(
                f"{self.operation(self.run.facts.lifecycle.add or '').label} of {number}: answered 429/503, "
                f"which refuses a request before processing it (RFC 6585 §4, RFC 9110 §15.6.4), yet the "
                f"listing shows the number stored (id {stored.get('id')}); the add was not sent again")


def json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
