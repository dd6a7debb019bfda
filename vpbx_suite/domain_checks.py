"""Rules of the contract that JSON Schema cannot express, as plain functions.

Each function takes what was sent and what came back, and returns a list of problems
(empty when the rule holds). vpbx_suite.schemathesis_checks registers them with
schemathesis; the explicit tests call them directly.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from confusable_homoglyphs import confusables

_MISSING = object()


def is_success(status: int) -> bool:
    return 200 <= status < 300


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_json_value(a: Any, b: Any) -> bool:
    # JSON numbers are equal when their values are (5 and 5.0, as JSON Schema compares them);
    # a boolean is never a number, although Python says 1 == True.
    if _is_number(a) and _is_number(b):
        return a == b
    return type(a) is type(b) and a == b


def echo_problems(sent: Any, status: int, received: Any, echoed: Iterable[str],
                  when_omitted: Mapping[str, Any] | None = None) -> list[str]:
    """A success answers with every echoed request property as sent (D13, D25). An omitted
    property is expected as `when_omitted` says (the stored value an edit keeps), else `null`;
    one `when_omitted` does not know is not judged."""
    if not (is_success(status) and isinstance(sent, dict) and isinstance(received, dict)):
        return []
    problems = []
    for name in echoed:
        if name in sent:
            expected = sent[name]
        elif when_omitted is None:
            expected = None
        elif name in when_omitted:
            expected = when_omitted[name]
        else:
            continue
        actual = received.get(name, _MISSING)
        if actual is _MISSING:
            problems.append(f"{name}: sent {expected!r}, the answer has no {name!r}")
        elif not _same_json_value(actual, expected):
            problems.append(f"{name}: sent {expected!r}, answered {actual!r}")
    return problems


class IdRegistry:
    """Remembers which id the server gave to which number during one run."""

    def __init__(self) -> None:
        self._numbers_by_id: dict[int, Any] = {}
        self._lock = threading.Lock()

    def problems(self, status: int, received: Any) -> list[str]:
        """An id handed out twice, to two different numbers, is reused (ids are unique).
        Records read back (one, or a listing's items) are held to the same mapping."""
        if not is_success(status):
            return []
        items = received if isinstance(received, list) else [received]
        return [problem for item in items if isinstance(item, dict) for problem in self._problems(item)]

    def _problems(self, received: dict[str, Any]) -> list[str]:
        record_id, number = received.get("id"), received.get("number")
        if not isinstance(record_id, int) or isinstance(record_id, bool) or not isinstance(number, str):
            return []  # not a record with an id: response schema conformance judges it
        with self._lock:
            # The same answer seen again (schemathesis replays while shrinking) is no reuse.
            earlier = self._numbers_by_id.setdefault(record_id, number)
        if earlier != number:
            return [f"id {record_id} was already given to number {earlier!r}; now to {number!r}"]
        return []


def _homoglyphs(char: str) -> list[dict[str, str]]:
    """Unicode's confusables (confusables.txt) of one character: [{"c": char, "n": name}]."""
    found = confusables.is_confusable(char, greedy=True)
    return found[0]["homoglyphs"] if found else []


def latin_skeleton(value: str) -> str:
    """The value with every character that imitates an ASCII character replaced by it."""
    letters = []
    for char in value:
        ascii_twins = [] if char.isascii() else [h["c"] for h in _homoglyphs(char) if h["c"].isascii()]
        letters.append(ascii_twins[0] if ascii_twins else char)
    return "".join(letters)


def describe_non_ascii(value: str) -> str:
    return ", ".join(f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED')} at index {index}"
                     for index, char in enumerate(value) if not char.isascii())


def lookalike_problems(status: int, received: Any, enums: Mapping[str, Iterable[str]]) -> list[str]:
    if isinstance(received, list):
        return [p for item in received for p in lookalike_problems(status, item, enums)]
    return _lookalike_problems(status, received, enums)


def _lookalike_problems(status: int, received: Any, enums: Mapping[str, Iterable[str]]) -> list[str]:
    """An enum value spelled with a look-alike letter ("сompany" with a Cyrillic "с").

    Schema conformance already rejects such a value; this names the letter, which is
    otherwise invisible in a report.
    """
    if not (is_success(status) and isinstance(received, dict)):
        return []
    problems = []
    for name, allowed in enums.items():
        value = received.get(name)
        if isinstance(value, str) and not value.isascii():
            skeleton = latin_skeleton(value)
            if skeleton in allowed:
                problems.append(f"{name}: {value!r} imitates {skeleton!r} with {describe_non_ascii(value)}")
    return problems


def cyrillic_lookalike(word: str) -> str | None:
    """The word with its first ASCII letter that has a Cyrillic look-alike replaced by it."""
    for index, char in enumerate(word):
        if not (char.isascii() and char.isalpha()):
            continue
        for homoglyph in _homoglyphs(char):
            if homoglyph["n"].startswith("CYRILLIC "):
                return word[:index] + homoglyph["c"] + word[index + 1:]
    return None
