"""MOCK_FAULTS: which failures the mock injects, and the seeded draws that pick their requests.

The grammar (docs/mock-faults.md has examples of every kind):

    MOCK_FAULTS = rule *(";" rule)
    rule        = [operationId ":"] fault          no operationId: every operation
    fault       = "latency=" duration ["-" duration] ["@" share]
                | "status=" code "@" share         answered at once; the request is not processed
                | "status-after=" code "@" share   processed, then its answer replaced by the code
                | "reset-before@" share            connection reset; the request is not processed
                | "reset-after@" share             processed (an add is stored), then reset
                | "slow-body=" bytes "/" duration ["@" share]   the answer trickles
                | "retry-after=" (seconds | "none")  Retry-After of injected 429 and 503 (default 1)
    duration    = number ("ms" | "s")              a range may give the unit once: 10-200ms
    share       = number "%"
    code        = 429 | 500 | 502 | 503 | 504

Only requests of the document's operations are touched (other paths, such as a readiness
probe of "/", never draw), so the same seed and the same sequence of operations give the
same faults. Every decision comes from one random.Random(seed).
"""

from __future__ import annotations

import functools
import random
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

INJECTED_STATUSES = (429, 500, 502, 503, 504)
RETRY_AFTER_STATUSES = frozenset({429, 503})
DEFAULT_RETRY_AFTER_S = 1
MAX_SEED = 2**64 - 1
_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_DURATION = re.compile(rf"(?P<value>{_NUMBER})(?P<unit>ms|s)")
_RANGE = re.compile(rf"(?P<low>{_NUMBER})(?P<low_unit>ms|s)?-(?P<high>{_NUMBER})(?P<unit>ms|s)")
_SHARE = re.compile(rf"(?P<value>{_NUMBER})%")
_OPERATION_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_MAX_LATENCY_S = 600.0

OutcomeKind = Literal["status", "status-after", "reset-before", "reset-after"]


@dataclass(frozen=True)
class Latency:
    low_s: float
    high_s: float  # equal to low_s: a fixed latency
    share: float   # 0 < share <= 1


@dataclass(frozen=True)
class Outcome:
    """What replaces the normal answer for a share of requests."""
    kind: OutcomeKind
    share: float
    status: int | None = None  # for "status" and "status-after"

    @property
    def label(self) -> str:
        return f"{self.kind} {self.status}" if self.status else self.kind

    @property
    def processed(self) -> bool:
        """Whether the mock processes the request (stores the add) before the fault."""
        return self.kind in ("status-after", "reset-after")


@dataclass(frozen=True)
class SlowBody:
    chunk_bytes: int
    interval_s: float
    share: float


@dataclass(frozen=True)
class RetryAfter:
    seconds: int | None  # None: injected 429 and 503 carry no Retry-After


Fault = Latency | Outcome | SlowBody | RetryAfter


@dataclass(frozen=True)
class Rule:
    operation: str | None  # None: every operation
    fault: Fault
    text: str  # as written in MOCK_FAULTS

    def describe(self) -> str:
        scope = self.operation or "every operation"
        return f"{scope}: {_describe(self.fault)}  [{self.text}]"


@dataclass(frozen=True)
class OperationFaults:
    """The rules that apply to one operation, combined."""
    latencies: tuple[Latency, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    slow_body: SlowBody | None = None
    retry_after_s: int | None = DEFAULT_RETRY_AFTER_S


@dataclass(frozen=True)
class Decision:
    """What happens to one request."""
    latency_s: float = 0.0
    outcome: Outcome | None = None
    slow_body: SlowBody | None = None
    retry_after_s: int | None = DEFAULT_RETRY_AFTER_S


@dataclass(frozen=True)
class FaultPlan:
    rules: tuple[Rule, ...]
    seed: int
    seed_given: bool  # False: drawn at random at start (printed, so the run can be repeated)
    by_operation: dict[str, OperationFaults] = field(compare=False, repr=False)

    @classmethod
    def parse(cls, spec: str, seed: str | None = None) -> FaultPlan:
        """The plan of MOCK_FAULTS and MOCK_FAULTS_SEED, or ValueError with one line."""
        known = document_operations()
        rules = tuple(_rule(text.strip(), known) for text in spec.split(";") if text.strip())
        if not rules:
            raise ValueError(f"MOCK_FAULTS: {spec!r} has no rule; e.g. 'status=503@10%'"
                             " (docs/mock-faults.md), or leave it empty for no faults")
        by_operation = {operation: _combine(operation, rules) for operation in known}
        if seed is None:
            return cls(rules, secrets.randbelow(1_000_000), False, by_operation)
        if not seed.isascii() or not seed.isdigit() or int(seed) > MAX_SEED:
            raise ValueError(f"MOCK_FAULTS_SEED must be a whole number from 0 to {MAX_SEED},"
                             f" got {seed!r}")
        return cls(rules, int(seed), True, by_operation)

    def describe(self) -> list[str]:
        """The lines printed at start: the seed, then one per rule."""
        origin = ("from MOCK_FAULTS_SEED" if self.seed_given else
                  f"drawn at random; MOCK_FAULTS_SEED={self.seed} repeats these faults for the same requests")
        return [f"MOCK_FAULTS: faults injected on purpose, seed {self.seed} ({origin})",
                *(rule.describe() for rule in self.rules)]


class FaultDraws:
    """The seeded random source of one server: decides, request by request, what happens."""

    def __init__(self, plan: FaultPlan) -> None:
        self._plan = plan
        self._random = random.Random(plan.seed)

    def decide(self, operation: str) -> Decision:
        faults = self._plan.by_operation[operation]
        draw = self._random.random
        latency = 0.0
        for rule in faults.latencies:
            if rule.share >= 1 or draw() < rule.share:
                latency += rule.low_s if rule.low_s == rule.high_s else self._random.uniform(rule.low_s, rule.high_s)
        outcome = None
        if faults.outcomes:
            # One draw splits [0, 1) between the outcomes: each gets exactly its share.
            point, edge = draw(), 0.0
            for candidate in faults.outcomes:
                edge += candidate.share
                if point < edge:
                    outcome = candidate
                    break
        slow = faults.slow_body
        if slow is not None and slow.share < 1 and draw() >= slow.share:
            slow = None
        return Decision(latency, outcome, slow, faults.retry_after_s)


@functools.cache
def document_operations() -> dict[str, tuple[str, str]]:
    """operationId -> (METHOD, path template), read from the bundled document."""
    from vpbx_spec.document import bundled_schemas
    from vpbx_spec.walk import iter_operations

    result = {}
    for _, label, operation in iter_operations(bundled_schemas().document):
        method, _, path = label.partition(" ")
        result[operation["operationId"]] = (method.upper(), path)
    return result


def _rule(text: str, known: Iterable[str]) -> Rule:
    operation, fault_text = None, text
    head, colon, rest = text.partition(":")
    if colon:
        operation, fault_text = head.strip(), rest.strip()
        if not _OPERATION_ID.fullmatch(operation) or operation not in known:
            raise _error(text, f"{operation!r} is not an operationId of the document"
                               f" (one of {', '.join(known)})")
    return Rule(operation, _fault(text, fault_text), text)


def _fault(text: str, fault: str) -> Fault:
    kind, _, value = fault.partition("=")
    kind = kind.strip()
    if "@" in kind:  # reset-before@5% has no "=" part
        kind, _, share_text = kind.partition("@")
        value = "@" + share_text
    value, _, share_text = value.partition("@")
    value, share_text = value.strip(), share_text.strip()
    if kind == "latency":
        low, high = _latency(text, value)
        return Latency(low, high, _share(text, share_text, default=True))
    if kind in ("status", "status-after"):
        if not value.isdigit() or int(value) not in INJECTED_STATUSES:
            raise _error(text, f"{kind} must be one of {', '.join(map(str, INJECTED_STATUSES))}")
        return Outcome(kind, _share(text, share_text), int(value))  # type: ignore[arg-type]
    if kind in ("reset-before", "reset-after"):
        if value:
            raise _error(text, f"{kind} takes only a share, e.g. {kind}@5%")
        return Outcome(kind, _share(text, share_text))  # type: ignore[arg-type]
    if kind == "slow-body":
        size, slash, interval = value.partition("/")
        if not slash or not size.strip().isdigit() or int(size) < 1:
            raise _error(text, "slow-body is <bytes per chunk>/<interval>, e.g. slow-body=16/50ms")
        return SlowBody(int(size), _duration(text, interval.strip()), _share(text, share_text, default=True))
    if kind == "retry-after":
        if share_text:
            raise _error(text, "retry-after takes no share")
        if value == "none":
            return RetryAfter(None)
        if not value.isdigit() or not value.isascii():
            raise _error(text, "retry-after is a whole number of seconds or 'none', e.g. retry-after=0")
        return RetryAfter(int(value))
    raise _error(text, "unknown fault; the kinds are latency, status, status-after, reset-before,"
                       " reset-after, slow-body, retry-after")


def _latency(text: str, value: str) -> tuple[float, float]:
    match = _RANGE.fullmatch(value)
    if match:
        low = _seconds(match["low"], match["low_unit"] or match["unit"])
        high = _seconds(match["high"], match["unit"])
        if low > high:
            raise _error(text, "a latency range goes from low to high, e.g. latency=10-200ms")
    else:
        low = high = _duration(text, value)
    if high > _MAX_LATENCY_S:
        raise _error(text, f"latency is at most {_MAX_LATENCY_S:g}s")
    return low, high


def _duration(text: str, value: str) -> float:
    match = _DURATION.fullmatch(value)
    if match is None:
        raise _error(text, f"{value!r} is not a duration such as 20ms or 1.5s")
    return _seconds(match["value"], match["unit"])


def _seconds(number: str, unit: str) -> float:
    return float(number) / (1000 if unit == "ms" else 1)


def _share(text: str, share: str, default: bool = False) -> float:
    if not share:
        if default:
            return 1.0
        raise _error(text, "give the share of requests, e.g. @10%")
    match = _SHARE.fullmatch(share)
    if match is None or not 0 < float(match["value"]) <= 100:
        raise _error(text, f"{share!r} is not a share above 0% and up to 100%, e.g. @10%")
    return float(match["value"]) / 100


def _combine(operation: str, rules: tuple[Rule, ...]) -> OperationFaults:
    """Every-operation rules first, then the operation's own: latencies add up, outcomes
    split the requests, the operation's own slow-body and retry-after win."""
    applying = [rule for rule in rules if rule.operation is None] + \
               [rule for rule in rules if rule.operation == operation]
    latencies = tuple(rule.fault for rule in applying if isinstance(rule.fault, Latency))
    outcomes = tuple(rule.fault for rule in applying if isinstance(rule.fault, Outcome))
    if sum(outcome.share for outcome in outcomes) > 1 + 1e-9:
        shares = " + ".join(f"{outcome.share * 100:g}%" for outcome in outcomes)
        raise ValueError(f"MOCK_FAULTS: the statuses and resets of {operation} add up to more"
                         f" than 100% ({shares})")
    combined = OperationFaults(latencies, outcomes)
    for rule in applying:
        if isinstance(rule.fault, SlowBody):
            combined = OperationFaults(latencies, outcomes, rule.fault, combined.retry_after_s)
        elif isinstance(rule.fault, RetryAfter):
            combined = OperationFaults(latencies, outcomes, combined.slow_body, rule.fault.seconds)
    return combined


def _describe(fault: Fault) -> str:
    if isinstance(fault, RetryAfter):
        return ("injected 429 and 503 carry no Retry-After" if fault.seconds is None
                else f"injected 429 and 503 carry Retry-After: {fault.seconds}")
    some = f"{fault.share * 100:g}% of" if fault.share < 1 else ""
    if isinstance(fault, Latency):
        wait = (_ms(fault.low_s) if fault.low_s == fault.high_s
                else f"between {_ms(fault.low_s)} and {_ms(fault.high_s)} (uniform)")
        return f"{some or 'every'} request{'s' if some else ''} wait{'' if some else 's'} {wait} before processing"
    if isinstance(fault, SlowBody):
        return (f"{some or 'every'} answer{'s' if some else ''}: the body sent {fault.chunk_bytes} bytes"
                f" every {_ms(fault.interval_s)}")
    return f"{some or 'every'} request{'s' if some else ''}: " + {
        "status": f"answered {fault.status} at once, not processed"
                  + (" (with Retry-After)" if fault.status in RETRY_AFTER_STATUSES else ""),
        "status-after": f"processed (an add is stored), then answered {fault.status} instead",
        "reset-before": "connection reset before processing (nothing stored or changed)",
        "reset-after": "processed (an add is stored), then the connection reset: the answer is lost",
    }[fault.kind]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:g} ms"


def _error(text: str, problem: str) -> ValueError:
    return ValueError(f"MOCK_FAULTS: {text!r}: {problem} (see docs/mock-faults.md)")
