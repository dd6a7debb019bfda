"""Fresh mobile numbers, so that no generated request collides with an earlier one.

A fuzzer reuses the example number; after the first success the duplicate rule answers
409 to everything, which hides whether a request was really accepted or rejected. Every
request the suite sends therefore carries a number nobody has used, unless the case is
about duplicates.
"""

from __future__ import annotations

import itertools
import random
import threading
from typing import Any

import jsonschema

from vpbx_suite.contract import REQUEST_SCHEMA
from vpbx_spec.document import DocumentSchemas, bundled_schemas

_MOBILE_PREFIX = "79"
_SUBSCRIBER_DIGITS = 9
_SPACE = 10**_SUBSCRIBER_DIGITS


class FreshNumbers:
    """Unique Russian mobile numbers, valid under the document's `number` schema.

    The start is random (not derived from SEED): two runs against the same persistent
    server should not collide, even when they reproduce the same generated cases.
    """

    def __init__(self, schemas: DocumentSchemas | None = None, start: int | None = None) -> None:
        schemas = schemas or bundled_schemas()
        self._number_schema: jsonschema.Draft202012Validator = schemas.validator_at(
            f"/components/schemas/{REQUEST_SCHEMA}/properties/number")
        first = random.SystemRandom().randrange(_SPACE) if start is None else start
        self._counter = itertools.count(first)
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            value = next(self._counter) % _SPACE
        number = f"{_MOBILE_PREFIX}{value:0{_SUBSCRIBER_DIGITS}d}"
        if not self.is_valid(number):  # the document changed its rule for numbers
            raise RuntimeError(f"fresh number {number} is not valid under the document")
        return number

    def is_valid(self, value: Any) -> bool:
        return self._number_schema.is_valid(value)

    def refresh(self, body: Any) -> Any:
        """The body with a fresh `number` if it carries a valid one; anything else untouched.

        An invalid number is what a negative case is about, so it is left as generated.
        """
        if isinstance(body, dict) and self.is_valid(body.get("number")):
            return {**body, "number": self.next()}
        return body
