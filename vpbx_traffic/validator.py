"""Judging exchanges: the request against the operation's request schema, the answer through
vpbx_suite.judge (schemathesis's response checks and the suite's domain checks, the very
functions the contract suite runs), coverage recorded in one SuiteRun per file or session."""

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
from vpbx_suite.run import SuiteRun, start_run
from vpbx_suite.schemathesis_config import load_schema
from vpbx_spec.document import bundled_schemas
from vpbx_traffic.exchange import Exchange, Redactor
from vpbx_traffic.routes import Route, Target, route

REQUEST_SCHEMA_RULE = "request_schema_conformance"
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

    def line(self) -> str:
        code = f" {self.code}" if self.code else ""
        return (f"violation: entry {self.entry} ({self.time or 'time unknown'}) {self.method} {self.path}"
                f" -> {self.status}: {self.rule}{code}: {self.message}")


@dataclass
class Tally:
    entries: int = 0
    checked: int = 0
    conforming: int = 0
    violating: int = 0
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
    violations: list[Violation] = field(default_factory=list)
    redactor: Redactor = field(default_factory=Redactor)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        # The domain checks read the run from vpbx_suite.run: this one, for this file or session.
        start_run(self.run)
        self.schema = load_schema(self.target.base_url, _UNUSED_TOKEN, 1, 0)

    def check(self, exchange: Exchange) -> list[Violation]:
        """Judge one exchange; the violations it broke (empty if it conforms or is not judged)."""
        with self._lock:  # the run's ledger and id registry see exchanges one at a time
            self.tally.entries += 1
            self.redactor.learn(exchange)
            found = self._check(exchange)
            self.violations.extend(found)
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
        found = [self._violation(exchange, matched, rule, code, message)
                 for rule, code, message in [*self._request_problems(exchange, matched),
                                             *self._response_problems(exchange, matched)]]
        if found:
            self.tally.violating += 1
        else:
            self.tally.conforming += 1
        return found

    def _request_problems(self, exchange: Exchange, matched: Route) -> list[tuple[str, str | None, str]]:
        pointer = matched.operation.request_pointer
        if pointer is None:
            return []
        body = _json_or(exchange.request_body, NOT_JSON)
        if body is NOT_JSON:
            return [(REQUEST_SCHEMA_RULE, None, "the request body is not a JSON document")]
        errors = sorted(bundled_schemas().validator_at(pointer).iter_errors(body), key=jsonschema.exceptions.relevance)
        if not errors:
            return []
        best = jsonschema.exceptions.best_match(errors)
        where = "/".join(str(part) for part in best.absolute_path) or "(the body)"
        return [(REQUEST_SCHEMA_RULE, None, f"{where}: {best.message}"[:_MESSAGE_LIMIT])]

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
            rules = broken_rules(error, "judge")
            return [(rule["check"], rule["code"], _detail(leaf)) for rule, leaf in zip(rules, _leaves(error))]
        return []

    def _violation(self, exchange: Exchange, matched: Route, rule: str, code: str | None,
                   message: str) -> Violation:
        return Violation(entry=exchange.index, time=exchange.started, operation=matched.operation.operation_id,
                         method=exchange.method, path=matched.path, status=exchange.status, rule=rule,
                         code=code, message=self.redactor.scrub(message))

    def summary(self) -> dict[str, Any]:
        with self._lock:
            return {"target": self.target.base_url, "exchanges": asdict(self.tally),
                    "violations": len(self.violations)}
