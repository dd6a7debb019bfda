"""Broken variants at the edges of the rules: each is right on the happy path and wrong at one
edge that real implementations get wrong. Every edge class of vpbx_suite.edges has one."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable
from typing import Any

from tests.selftest.edge_faults import (LooseToken, RacyIds, RacyUniqueness, RefusedEditKeepsItsComment, RejectValid,
                                       StoresRewritten, ascii_digits)
from tests.selftest.faults import Fault, LooseValidation
from tests.selftest.variant import Variant
from vpbx_suite.contract import bundled_facts

ADD = bundled_facts().operations[bundled_facts().lifecycle.add or ""]
COMMENT_MAX = ADD.request_properties["comment"]["maxLength"]
NUMBERS = ("number", "dgn_number")
ENUMS = ADD.enum_request_properties
Body = dict[str, Any]


def _loose(applies: Callable[[Body], bool], repair: Callable[[Body], Body]) -> Callable[[str], list[Fault]]:
    return lambda token: [LooseValidation(applies, repair)]


def _numbers(body: Body, test: Callable[[str], bool]) -> bool:
    return any(isinstance(body.get(name), str) and test(body[name]) for name in NUMBERS)


def _fix_numbers(body: Body, change: Callable[[str], str]) -> Body:
    return {**body, **{name: change(body[name]) for name in NUMBERS if isinstance(body.get(name), str)}}


def _enum_near(body: Body, normalize: Callable[[str], str]) -> bool:
    return any(isinstance(body.get(name), str) and body[name] not in allowed and normalize(body[name]) in allowed
               for name, allowed in ENUMS.items())


def _fix_enums(body: Body, normalize: Callable[[str], str]) -> Body:
    return {**body, **{name: normalize(body[name]) for name in ENUMS if isinstance(body.get(name), str)}}


def _comment(test: Callable[[str], bool]) -> Callable[[Body], bool]:
    return lambda body: isinstance(body.get("comment"), str) and test(body["comment"])


def _validation() -> list[Variant]:
    kind = "edges: validation"
    trimmed = lambda body: {k: v.strip() if isinstance(v, str) else v for k, v in body.items()}  # noqa: E731
    return [
        Variant("digits checked with \\d (Arabic-Indic digits accepted)", kind,
                _loose(lambda b: _numbers(b, lambda v: ascii_digits(v) != v), lambda b: _fix_numbers(b, ascii_digits)), decisions=("D3",)),
        Variant("pattern checked with re.match and $ (trailing newline accepted)", kind,
                _loose(lambda b: _numbers(b, lambda v: v.endswith("\n")), lambda b: _fix_numbers(b, str.rstrip)), decisions=("D3",)),
        Variant("values trimmed before the check", kind,
                lambda token: [LooseValidation(lambda b: trimmed(b) != b, trimmed, echo_original=False)],
                decisions=("D3", "D1", "D17", "D13")),  # the trimmed value is stored and echoed (D13)
        Variant("national 8 prefix accepted", kind,
                _loose(lambda b: _numbers(b, lambda v: v.startswith("8") and len(v) == 11 and v.isdigit()),
                       lambda b: _fix_numbers(b, lambda v: "7" + v[1:] if v.startswith("8") else v)), decisions=("D3",)),
        Variant("empty ДГН accepted", kind,
                _loose(lambda b: b.get("dgn_number") == "", lambda b: {**b, "dgn_number": "74950000000"}), decisions=("D3",)),
        Variant("enum values bound case-insensitively", kind,
                _loose(lambda b: _enum_near(b, str.lower), lambda b: _fix_enums(b, str.lower)), decisions=("D1", "D17")),
        Variant("enum values accepted with surrounding whitespace", kind,
                _loose(lambda b: _enum_near(b, str.strip), lambda b: _fix_enums(b, str.strip)), decisions=("D1", "D17")),
        Variant("comment length counted in UTF-8 bytes", kind,
                lambda token: [RejectValid(_comment(lambda c: len(c.encode("utf-8")) > COMMENT_MAX))], decisions=("D4",)),
        Variant("comment length counted in UTF-16 code units", kind,
                lambda token: [RejectValid(_comment(lambda c: len(c.encode("utf-16-le")) // 2 > COMMENT_MAX))], decisions=("D4",)),
        Variant("empty comment refused", kind, lambda token: [RejectValid(_comment(lambda c: c == ""))], decisions=("D4",)),
    ]


def _no_controls(text: str) -> str:
    return "".join(char for char in text if unicodedata.category(char) != "Cc")


REWRITTEN_BEFORE_VALIDATION = ("D1", "D3", "D17")  # purpose (D1, D17) and the numbers (D3)


def _storage() -> list[Variant]:
    kind = "edges: storage"

    def stores(rewrite: Callable[[str], str]) -> Callable[[str], list[Fault]]:
        return lambda token: [StoresRewritten(rewrite)]
    return [
        # The first, second and fifth rewrite the request before the mock validates it, so they
        # also take a purpose or a number the request's schema refuses ("company\x01", " 79…").
        Variant("NUL characters dropped on store", kind, stores(lambda s: s.replace("\x00", "")),
                decisions=("D23", *REWRITTEN_BEFORE_VALIDATION)),
        Variant("control characters stripped on store", kind, stores(_no_controls),
                decisions=("D23", *REWRITTEN_BEFORE_VALIDATION)),
        Variant("text normalized to NFC on store", kind, stores(lambda s: unicodedata.normalize("NFC", s)), decisions=("D23",)),
        Variant("characters outside the BMP replaced on store (utf8mb3)", kind,
                stores(lambda s: "".join("?" if ord(c) > 0xFFFF else c for c in s)), decisions=("D23",)),
        Variant("whitespace trimmed on store", kind, stores(str.strip), decisions=("D23", *REWRITTEN_BEFORE_VALIDATION)),
        Variant("HTML escaped on store", kind, stores(lambda s: html.escape(s, quote=False)), decisions=("D23",)),
        # Refused for naming another id too (D26: nothing is changed), which the lifecycle finds first.
        Variant("a refused edit has stored its comment already", kind, lambda token: [RefusedEditKeepsItsComment()],
                decisions=("D10", "D26")),
    ]


def _races() -> list[Variant]:
    kind = "edges: races"
    return [
        Variant("uniqueness checked, then inserted 30 ms later", kind, lambda token: [RacyUniqueness()], decisions=("D11",)),
        Variant("next id read, then written back 20 ms later", kind, lambda token: [RacyIds()],
                decisions=("D36", "D23")),  # the id it answers is its own counter's: it reads back as nothing,
    ]


def _tokens() -> list[Variant]:
    kind = "edges: auth"

    def loose(matches: Callable[[str, str], bool]) -> Callable[[str], list[Fault]]:
        return lambda token: [LooseToken(token, matches)]
    return [
        Variant("token compared as a prefix", kind, loose(lambda v, t: bool(v) and t.startswith(v)), decisions=("D14",)),
        Variant("token compared case-insensitively", kind, loose(lambda v, t: v.lower() == t.lower()), decisions=("D14",)),
        Variant("token found anywhere in the header", kind, loose(lambda v, t: t in v), decisions=("D14",)),
        Variant("any Bearer token accepted", kind, loose(lambda v, t: v.startswith("Bearer ")), decisions=("D14",)),
        # Both accounts' tokens share their first 8 characters: the second reaches the first (D31, D33).
        Variant("only the first 8 characters compared", kind, loose(lambda v, t: len(v) >= 8 and v[:8] == t[:8]),
                decisions=("D14", "D31", "D33")),
        Variant("last character ignored", kind, loose(lambda v, t: len(v) == len(t) and v[:-1] == t[:-1]), decisions=("D14",)),
        Variant("two Authorization headers: a valid one wins", kind, loose(lambda v, t: v == t), decisions=("D14",)),
    ]


def edge_variants() -> list[Variant]:
    return [*_validation(), *_storage(), *_races(), *_tokens()]
