"""Invalid requests a generic fuzzer is unlikely to send, each one a single broken rule.

Every case starts from a valid body carrying a fresh number and breaks exactly one thing.
Values come from the document where they can (enums, required fields, comment length).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vpbx_suite.contract import JSON_MEDIA_TYPE, ContractFacts
from vpbx_suite.domain_checks import cyrillic_lookalike

NOT_JSON = object()  # the body sent is not a JSON document


@dataclass(frozen=True)
class Sent:
    content: bytes
    content_type: str | None
    body: Any  # the JSON value sent, or NOT_JSON


def as_json(body: Any) -> Sent:
    return Sent(json.dumps(body, ensure_ascii=False).encode("utf-8"), JSON_MEDIA_TYPE, body)


def raw(content: bytes, content_type: str | None = JSON_MEDIA_TYPE) -> Sent:
    return Sent(content, content_type, NOT_JSON)


Breaker = Callable[[dict[str, Any]], Sent]


def _set(name: str, value: Any) -> Breaker:
    return lambda body: as_json({**body, name: value})


def _change(name: str, change: Callable[[str], Any]) -> Breaker:
    return lambda body: as_json({**body, name: change(body[name])})


def _drop(name: str) -> Breaker:
    return lambda body: as_json({key: value for key, value in body.items() if key != name})


NUMBER_FORMS: dict[str, Callable[[str], Any]] = {
    "of 10 digits": lambda number: number[:-1],
    "of 12 digits": lambda number: number + "0",
    "with +7": lambda number: "+" + number,
    "with 8 instead of 7": lambda number: "8" + number[1:],
    "with a letter": lambda number: number[:-1] + "A",
    "as an integer": int,
}


def invalid_requests(facts: ContractFacts) -> dict[str, Breaker]:
    """name -> how to break a valid body; each must be rejected with a 4xx."""
    cases: dict[str, Breaker] = {}
    for name, allowed in facts.request_enums.items():
        for value in facts.response_enums.get(name, ()):
            if value not in allowed:
                cases[f"{name} {value} (response-only value)"] = _set(name, value)
        for value in allowed:
            lookalike = cyrillic_lookalike(value)
            if lookalike is not None:
                cases[f"{name} {ascii(lookalike)} (Cyrillic look-alike of {value})"] = _set(name, lookalike)
    for name in facts.request_required:
        cases[f"{name} missing"] = _drop(name)
    for name in ("number", "dgn_number"):
        for form, change in NUMBER_FORMS.items():
            cases[f"{name} {form}"] = _change(name, change)
    cases[f"comment of {facts.comment_max_length + 1} characters"] = _set(
        "comment", "x" * (facts.comment_max_length + 1))
    cases["comment null"] = _set("comment", None)
    cases["unknown property"] = _set("coment", "misspelt comment")
    # 100 KiB: over the mock's 64 KiB limit (413); a server without a limit says 400 instead.
    cases["body of 100 KiB"] = _set("comment", "x" * 100 * 1024)
    cases["JSON array"] = lambda body: as_json([body])
    cases["empty body"] = lambda body: raw(b"")
    cases["malformed JSON"] = lambda body: raw(as_json(body).content[:-1])
    cases["text/plain content type"] = lambda body: Sent(as_json(body).content, "text/plain", NOT_JSON)
    return cases
