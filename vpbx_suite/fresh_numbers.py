"""Where the suite's numbers come from (setting NUMBERS), so no request collides with an earlier one.

A fuzzer reuses the example number; after the first success the duplicate rule answers 409 to
everything, which hides whether a request was really accepted or rejected. Every add the suite
sends therefore carries a number nobody has used, unless the case is about duplicates:

- `GeneratedNumbers`: random mobile numbers (a server that offers no connectable listing);
- `OfferedNumbers`: numbers the server's connectable listing offers, or that a file lists
  (numbers the user owns); each is handed out once.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Iterable
from typing import Any

import jsonschema

from vpbx_suite.contract import NUMBER_FIELD, bundled_facts
from vpbx_spec.document import DocumentSchemas, bundled_schemas

_MOBILE_PREFIX = "79"
_SUBSCRIBER_DIGITS = 9
_SPACE = 10**_SUBSCRIBER_DIGITS


class OutOfNumbers(RuntimeError):
    """Every number of the source has been handed out."""


def number_validator(schemas: DocumentSchemas | None = None) -> jsonschema.Draft202012Validator:
    """The document's rule for the number an add carries."""
    schemas = schemas or bundled_schemas()
    add = bundled_facts().operations[bundled_facts().lifecycle.add or ""]
    return schemas.validator_at(f"{add.request_pointer}/properties/{NUMBER_FIELD}")


class NumberSource:
    """Hands out numbers valid under the document, each once."""

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
    """Numbers from a list (the connectable listing, or a file), in random order, each once."""

    def __init__(self, numbers: Iterable[str], description: str) -> None:
        super().__init__()
        unique = [number for number in dict.fromkeys(numbers) if self.is_valid(number)]
        random.SystemRandom().shuffle(unique)
        self._numbers = unique
        self.description = description

    def __len__(self) -> int:
        return len(self._numbers)

    def _take(self) -> str:
        if not self._numbers:
            raise OutOfNumbers(f"every number of the source ({self.description}) was used")
        return self._numbers.pop()

    def remaining(self) -> int:
        return len(self._numbers)


def numbers_from_file(text: str) -> list[str]:
    """One number a line; blank lines and `#` comments ignored."""
    return [line.split("#", 1)[0].strip() for line in text.splitlines()
            if line.split("#", 1)[0].strip()]
