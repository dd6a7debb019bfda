"""Judging exchanges: the request against the operation's request schema and parameters, the
answer through vpbx_suite.judge (schemathesis's response checks and the suite's domain checks,
the very functions the contract suite runs), coverage recorded in one SuiteRun per file or
session.

Exchanges are grouped by the account (token) they were sent as: each account has its own
ledger and id registry (ids may be per account, D36), and an answer that shows one account's
number to another is a violation (vpbx_traffic.accounts).

Whose fault it is, is part of the verdict. A request that breaks the contract is the client's
problem (recorded apart: production traffic always holds some); the server's part is to refuse
it, so an invalid request answered with a success is the server's violation, as is every
answer that breaks the contract.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema

from vpbx_suite.failures import broken_rules
from vpbx_suite.judge import NOT_JSON, judge
from vpbx_suite.run import SuiteRun, acting_as, start_run
from vpbx_suite.schemathesis_config import load_schema
from vpbx_spec.document import bundled_schemas
from vpbx_traffic.accounts import ISOLATION_RULE, AccountWatch
from vpbx_traffic.exchange import Exchange, Redactor
from vpbx_traffic.routes import Route, Target, route

REQUEST_SCHEMA_RULE = "request_schema_conformance"
INVALID_ACCEPTED_RULE = "invalid_request_accepted"
SERVER, CLIENT = "server", "client"
# load_schema needs a token to build generation settings; nothing is ever sent with it.
_UNUSED_TOKEN = "unused"
_MESSAGE_LIMIT = 500


@dataclass(frozen=True)
class Violation:
    entry: int
    time: str | None
    operation: str
    method: str
    path: str
    status: int
    rule: str
    code: str | None
    message: str
    party: str = SERVER  # whose problem: SERVER (its answer) or CLIENT (its request)

    def line(self) -> str:
        code = f" {self.code}" if self.code else ""
        kind = "violation" if self.party == SERVER else "client problem"
        return (f"{kind}: entry {self.entry} ({self.time or 'time unknown'}) {self.method} {self.path}"
                f" -> {self.status}: {self.rule}{code}: {self.message}")


@dataclass
class Tally:
    entries: int = 0
    checked: int = 0
    conforming: int = 0
    violating: int = 0         # judged exchanges with a violation of the server's
    client_problems: int = 0   # judged exchanges whose request broke the contract
    other_host: int = 0        # ignored: another origin, or outside the target's path prefix
    other_path: int = 0        # ignored: the target's, but no operation of the document
    too_large: int = 0         # not judged: a body over the cap
    body_not_recorded: int = 0  # not judged: the recording has no response body


def _detail(error: BaseException) -> str:
    """The sentence that says what broke: schemathesis messages are a title, then the detail."""
    paragraphs = [p.strip() for p in str(error).split("\n\n") if p.strip()]
    text = paragraphs[1] if len(paragraphs) > 1 else (paragraphs[0] if paragraphs else type(error).__name__)
    return " ".join(text.split())[:_MESSAGE_LIMIT]


def _leaves(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]


def _parameter_problems(matched: Route) -> list[str]:
    """Path and query parameters the document refuses (an id that is no id, an unknown type)."""
    operation, problems = matched.operation, []
    for location, values, schemas in (("path", matched.path_parameters, operation.path_parameters),
                                      ("query", matched.query, operation.query_parameters)):
        for name, schema in schemas.items():
            if name not in values:
                continue
            value: Any = values[name]
            if isinstance(value, str) and schema.get("type") == "integer" and value.lstrip("-").isdecimal() \
                    and value.lstrip("-").isascii():
                value = int(value)  # the text of a URL: "542" is the integer the schema means
            if not bundled_schemas().validator_for(schema).is_valid(value):
                problems.append(f"{location} parameter {name}={values[name]!r} breaks its schema")
    return problems


def _json_or(body: bytes | None, default: Any) -> Any:
    try:
        return json.loads(body) if body else default
    except (ValueError, UnicodeDecodeError):
        return default


@dataclass
class TrafficValidator:
    """Judges exchanges against the contract and keeps the tallies, coverage and violations."""

    target: Target
    run: SuiteRun = field(default_factory=SuiteRun)
    tally: Tally = field(default_factory=Tally)
    violations: list[Violation] = field(default_factory=list)       # the server's
    client_problems: list[Violation] = field(default_factory=list)  # the clients' requests
    redactor: Redactor = field(default_factory=Redactor)
    accounts: AccountWatch = field(default_factory=AccountWatch)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        # The domain checks read the run from vpbx_suite.run: this one, for this file or session.
        start_run(self.run)
        self.schema = load_schema(self.target.base_url, _UNUSED_TOKEN, 1, 0)

    def check(self, exchange: Exchange) -> list[Violation]:
        """Judge one exchange; what it broke, the server's and the client's (empty if it
        conforms or is not judged)."""
        with self._lock:  # the run's ledger and id registry see exchanges one at a time
            self.tally.entries += 1
            self.redactor.learn(exchange)
            found = self._check(exchange)
            self.violations.extend(v for v in found if v.party == SERVER)
            self.client_problems.extend(v for v in found if v.party == CLIENT)
            return found

    def _check(self, exchange: Exchange) -> list[Violation]:
        path = self.target.path_of(exchange.url)
        if path is None:
            self.tally.other_host += 1
            return []
        matched = route(self.run.facts, exchange.method, path, urlsplit(exchange.url).query)
        if matched is None:
            self.tally.other_path += 1
            return []
        if exchange.too_large:
            self.tally.too_large += 1
            return []
        if exchange.response_body is None:
            self.tally.body_not_recorded += 1
            return []
        self.tally.checked += 1
        account = self.accounts.account(exchange.header("authorization"))
        requested = [self._violation(exchange, matched, rule, code, message, CLIENT)
                     for rule, code, message in self._request_problems(exchange, matched)]
        with acting_as(account):  # the account's own ledger and ids
            answered = [self._violation(exchange, matched, rule, code, message)
                        for rule, code, message in self._response_problems(exchange, matched)]
        answered += [self._violation(exchange, matched, ISOLATION_RULE, None, message)
                     for message in self._isolation_problems(exchange, matched, account)]
        if requested and 200 <= exchange.status < 300:
            answered.append(self._violation(
                exchange, matched, INVALID_ACCEPTED_RULE, None,
                f"the request breaks the contract ({requested[0].message}) and was answered {exchange.status}; "
                "a server must refuse it"))
        self.tally.client_problems += bool(requested)
        self.tally.violating += bool(answered)
        self.tally.conforming += not answered and not requested
        return [*requested, *answered]

    def _request_problems(self, exchange: Exchange, matched: Route) -> list[tuple[str, str | None, str]]:
        problems = [(REQUEST_SCHEMA_RULE, None, problem) for problem in _parameter_problems(matched)]
        pointer = matched.operation.request_pointer
        if pointer is None:
            return problems
        body = _json_or(exchange.request_body, NOT_JSON)
        if body is NOT_JSON:
            return [*problems, (REQUEST_SCHEMA_RULE, None, "the request body is not a JSON document")]
        errors = sorted(bundled_schemas().validator_at(pointer).iter_errors(body), key=jsonschema.exceptions.relevance)
        if not errors:
            return problems
        best = jsonschema.exceptions.best_match(errors)
        where = "/".join(str(part) for part in best.absolute_path) or "(the body)"
        return [*problems, (REQUEST_SCHEMA_RULE, None, f"{where}: {best.message}"[:_MESSAGE_LIMIT])]

    def _isolation_problems(self, exchange: Exchange, matched: Route, account: str) -> list[str]:
        lifecycle = self.run.facts.lifecycle
        role = next((name for name in ("add", "read", "edit", "delete", "listing", "connectable")
                     if getattr(lifecycle, name) == matched.operation.operation_id), None)
        return self.accounts.problems(account, role, exchange.status, _json_or(exchange.response_body, None),
                                      matched.path_parameters.get("id"), exchange.index)

    def _response_problems(self, exchange: Exchange, matched: Route) -> list[tuple[str, str | None, str]]:
        operation = matched.operation
        body = _json_or(exchange.request_body, NOT_JSON) if operation.has_body else None
        response = httpx.Response(exchange.status, headers=exchange.response_headers,
                                  content=exchange.response_body or b"",
                                  request=httpx.Request(exchange.method, exchange.url))
        response.elapsed = timedelta(seconds=exchange.elapsed)
        try:
            judge(self.schema, self.run, operation, path_parameters=matched.path_parameters,
                  query=matched.query, body=body, media_type=exchange.header("content-type"),
                  response=response, received=_json_or(exchange.response_body, None))
        except (Exception, BaseExceptionGroup) as error:  # a failure, a FailureGroup, an AssertionError
            rules = broken_rules(error)
            return [(rule["check"], rule["code"], _detail(leaf)) for rule, leaf in zip(rules, _leaves(error))]
        return []

    def _violation(self, exchange: Exchange, matched: Route, rule: str, code: str | None,
                   message: str, party: str = SERVER) -> Violation:
        return Violation(entry=exchange.index, time=exchange.started, operation=matched.operation.operation_id,
                         method=exchange.method, path=matched.path, status=exchange.status, rule=rule,
                         code=code, message=self.redactor.scrub(message), party=party)

    def nothing_judged(self) -> str | None:
        """Why no exchange was judged, or None when some were: a verdict on nothing is none."""
        tally = self.tally
        if tally.checked:
            return None
        if not tally.entries:
            return "there is no exchange to judge"
        if tally.other_host == tally.entries:
            return (f"no exchange belongs to {self.target.base_url} ({tally.other_host} for other hosts or "
                    "prefixes); set BASE_URL (--base-url) to the server the traffic was recorded from")
        return (f"none of the {tally.entries} exchanges could be judged: {tally.other_host} for other hosts, "
                f"{tally.other_path} for no operation of the document, {tally.body_not_recorded} without a "
                f"recorded answer body, {tally.too_large} over the body cap")

    def summary(self) -> dict[str, Any]:
        with self._lock:
            return {"target": self.target.base_url, "exchanges": asdict(self.tally),
                    "violations": len(self.violations), "client_problems": len(self.client_problems)}
