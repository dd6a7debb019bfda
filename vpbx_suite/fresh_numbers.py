"""Where the suite's numbers come from (setting NUMBERS), so no request collides with an earlier one.

A fuzzer reuses the example number; after the first success the duplicate rule answers 409 to
everything, which hides whether a request was really accepted or rejected. Every add the suite
sends therefore carries a number nobody holds, unless the case is about duplicates:

- `FreshNumbers`: random mobile numbers (a server that offers no connectable listing);
- `OfferedNumbers`: numbers the server's connectable listing offers, or that a file lists
  (numbers the user owns). They are recycled: when the queue runs dry the source is read
  again (a number the run deleted is offered again, D21), and if that gives nothing the run
  frees the numbers it holds and no test is using, then reads again. A small account (25
  connectable numbers) so runs every test a large one runs.
"""

from __future__ import annotations

import functools
import itertools
import random
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import jsonschema

from vpbx_suite.contract import NUMBER_FIELD, OperationFacts, bundled_facts
from vpbx_spec.document import DocumentSchemas, bundled_schemas

if TYPE_CHECKING:
    from vpbx_suite.run import SuiteRun

_MOBILE_PREFIX = "79"
_SUBSCRIBER_DIGITS = 9
_SPACE = 10**_SUBSCRIBER_DIGITS


class OutOfNumbers(RuntimeError):
    """The source offers no number the run could add now, even after freeing its own."""


class SourceFailed(RuntimeError):
    """Reading the source broke the contract (a failed precondition, reported once)."""


def number_validator(schemas: DocumentSchemas | None = None) -> jsonschema.Draft202012Validator:
    """The document's rule for the number an add carries."""
    schemas = schemas or bundled_schemas()
    add = bundled_facts().operations[bundled_facts().lifecycle.add or ""]
    return schemas.validator_at(f"{add.request_pointer}/properties/{NUMBER_FIELD}")


class NumberSource:
    """Hands out numbers valid under the document, none twice while it may be in use."""

    description = "numbers"

    def __init__(self) -> None:
        self._validator = number_validator()
        self._lock = threading.Lock()

    def _take(self) -> str:
        raise NotImplementedError

    def next(self) -> str:
        with self._lock:
            number = self._take()
        if not self.is_valid(number):  # the document changed its rule for numbers
            raise RuntimeError(f"number {number} is not valid under the document")
        return number

    def start_test(self) -> None:
        """A new test (or generated case) begins: numbers handed out before it, now either on
        the account or refused, may be handed out again."""

    def is_valid(self, value: Any) -> bool:
        return self._validator.is_valid(value)

    def refresh(self, body: Any) -> Any:
        """The body with a fresh number if it carries a valid one; anything else untouched.

        An invalid number is what a negative case is about, so it is left as generated.
        """
        if isinstance(body, dict) and self.is_valid(body.get(NUMBER_FIELD)):
            return {**body, NUMBER_FIELD: self.next()}
        return body


class FreshNumbers(NumberSource):
    """Unique random Russian mobile numbers. The start is random (not derived from SEED): two
    runs against the same persistent server should not collide."""

    description = "generated (random fresh numbers)"

    def __init__(self, start: int | None = None) -> None:
        super().__init__()
        first = random.SystemRandom().randrange(_SPACE) if start is None else start
        self._counter = itertools.count(first)

    def _take(self) -> str:
        return f"{_MOBILE_PREFIX}{next(self._counter) % _SPACE:0{_SUBSCRIBER_DIGITS}d}"


class OfferedNumbers(NumberSource):
    """Numbers from a list (the connectable listing, or a file), in random order, recycled.

    `read`: the numbers offered now (the listing read again; a file's numbers); `held`: the
    numbers the run holds (never handed out); `free`: frees the run's idle numbers and says
    how many. A number handed out in the current test is not handed out again in it.
    """

    def __init__(self, numbers: Iterable[str], description: str, *,
                 read: Callable[[], Iterable[str]] | None = None,
                 held: Callable[[], set[str]] = set, free: Callable[[], int] | None = None) -> None:
        super().__init__()
        self.description = description
        self._read, self._held, self._free = read, held, free
        self._queue: list[str] = []
        self._in_this_test: set[str] = set()
        self._failure: str | None = None
        self.reads = 0  # how often the source was read again (recycling)
        self._restock(numbers)

    def __len__(self) -> int:
        return len(self._queue)

    def remaining(self) -> int:
        return len(self._queue)

    def start_test(self) -> None:
        with self._lock:
            self._in_this_test.clear()

    @property
    def failure(self) -> str | None:
        """Why the source cannot be used (its read broke the contract), or None."""
        return self._failure

    def prime(self) -> int:
        """Read the source now (the precondition test does it first); how many numbers it offers."""
        with self._lock:
            self._reread()
            return len(self._queue)

    def _restock(self, numbers: Iterable[str]) -> None:
        excluded = self._held() | self._in_this_test | set(self._queue)
        fresh = [n for n in dict.fromkeys(numbers) if self.is_valid(n) and n not in excluded]
        random.SystemRandom().shuffle(fresh)
        self._queue = fresh + self._queue

    def _reread(self) -> None:
        if self._read is None:
            return
        try:
            offered = list(self._read())
        except BaseException as error:  # the read was judged and broke the contract
            self._failure = f"{self.description} could not be read: {str(error).splitlines()[0][:300]}"
            raise
        self.reads += 1
        self._restock(offered)

    def _take(self) -> str:
        if self._failure is not None:
            raise SourceFailed(self._failure)
        # What is queued, else the source read again, else read again after freeing the run's own.
        for refill in (None, self._reread, self._free_and_reread):
            if refill is not None:
                refill()
            # Queued numbers the run came to hold since they were queued (added without the
            # queue: a documented example's number, the second account's) are dropped as they
            # come up: filtering the whole queue at every take cost a second a run.
            held = self._held()
            while self._queue:
                number = self._queue.pop()
                if number not in held:
                    self._in_this_test.add(number)
                    return number
        raise OutOfNumbers(f"{self.description} offers no number the run does not hold "
                           "(read again after freeing the run's own)")

    def _free_and_reread(self) -> None:
        if self._free is not None and self._free():
            self._reread()


# --- city numbers (the ДГН): spread over regions -------------------------------------------

_SAMPLE_CITY_NUMBER = "74991234567"


def city_number_properties(operation: OperationFacts) -> tuple[str, ...]:
    """The request properties that take a city number (a pattern a Russian city number meets,
    the add's own number aside): the ДГН, as the document says, not as a name says."""
    return _city_number_properties(operation.operation_id)


@functools.cache
def _city_number_properties(operation_id: str) -> tuple[str, ...]:
    names = []
    for name, schema in bundled_facts().operations[operation_id].request_properties.items():
        if name == NUMBER_FIELD or "pattern" not in schema:
            continue
        rule = jsonschema.Draft202012Validator({k: v for k, v in schema.items() if k != "$ref"})
        if rule.is_valid(_SAMPLE_CITY_NUMBER):
            names.append(name)
    return tuple(names)


def spread_city_numbers(run: SuiteRun, operation: OperationFacts, body: Any) -> Any:
    """The body with each valid city number replaced by one of a region the run has not used
    yet (vpbx_numbering.SpreadCityNumbers); an invalid one is what a case is about: kept."""
    if not isinstance(body, dict):
        return body
    for name in city_number_properties(operation):
        rule = bundled_schemas().validator_at(f"{operation.request_pointer}/properties/{name}")
        if rule.is_valid(body.get(name)):
            body[name] = run.dgn.next()
    return body


def numbers_from_file(text: str) -> list[str]:
    """One number a line; blank lines and `#` comments ignored."""
    return [line.split("#", 1)[0].strip() for line in text.splitlines()
            if line.split("#", 1)[0].strip()]
