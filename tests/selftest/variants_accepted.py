"""Broken variants that refuse or rewrite one form of a request the document accepts: a media
type parameter, a JSON escape, whitespace, an integer form, a city number's area code, or
text that storage "cleans". Each is caught by the accepted space (vpbx_suite.accepted_space)."""

from __future__ import annotations

from dataclasses import replace

import re
import unicodedata
from collections.abc import Callable

from tests.selftest.accepted_faults import RefuseForm, body_has, raw_key_missing, unsupported_media
from tests.selftest.edge_faults import RejectValid, StoresRewritten
from tests.selftest.faults import Fault
from tests.selftest.variant import Variant

HARAKAT_AND_NIQQUD = re.compile("[\u064b-\u065f\u0670\u0591-\u05c7]")


def _stores(rewrite: Callable[[str], str]) -> Callable[[str], list[Fault]]:
    return lambda token: [StoresRewritten(rewrite)]


def _refuses(fault: Fault) -> Callable[[str], list[Fault]]:
    return lambda token: [fault]


def _forms() -> list[Variant]:
    kind = "accepted: forms"
    return [
        Variant("Content-Type compared whole (a charset parameter refused)", kind,
                _refuses(unsupported_media(lambda value: value != "application/json"))),
        Variant("media type compared case-sensitively", kind,
                _refuses(unsupported_media(lambda value: not value.startswith("application/json")))),
        Variant("charset compared case-sensitively (UTF-8 refused)", kind,
                _refuses(unsupported_media(lambda value: "charset=" in value.replace(" ", "").lower()
                                           and "charset=utf-8" not in value.replace(" ", "")))),
        Variant("a body that does not start with '{' refused", kind,
                _refuses(RefuseForm(lambda exchange: not exchange.request_body.startswith(b"{")))),
        Variant("JSON reader without the \\/ escape", kind, _refuses(RefuseForm(body_has(rb"\\/")))),
        Variant("surrogate-pair escapes refused as unpaired surrogates", kind,
                _refuses(RefuseForm(body_has(rb"\\u[dD][89abAB][0-9a-fA-F]{2}")))),
        Variant("keys found by their text (escaped keys missed)", kind, _refuses(RefuseForm(raw_key_missing))),
        Variant("integers with a zero fraction (5.0) refused", kind,
                _refuses(RefuseForm(body_has(rb"[:,\[]\s*-?[0-9]+\.0+\s*[,}\]]")))),
    ]


def _values() -> list[Variant]:
    kind = "accepted: values"
    return [
        Variant("ДГН refused unless its area code is geographic (7 then 3, 4 or 8)", kind,
                lambda token: [RejectValid(lambda body: isinstance(body.get("dgn_number"), str)
                                           and body["dgn_number"][1:2] not in ("3", "4", "8"))]),
        Variant("left-to-right and right-to-left marks stripped on store", kind,
                _stores(lambda text: re.sub("[\u200e\u200f\u061c]", "", text))),
        Variant("Arabic harakat and Hebrew niqqud stripped on store", kind,
                _stores(lambda text: HARAKAT_AND_NIQQUD.sub("", text))),
        Variant("no-break and ideographic spaces stored as spaces", kind,
                _stores(lambda text: re.sub("[\u00a0\u202f\u3000]", " ", text))),
        Variant("private use characters replaced on store", kind,
                _stores(lambda text: "".join("\ufffd" if unicodedata.category(c) == "Co" else c for c in text))),
    ]


def accepted_variants() -> list[Variant]:
    """Forms break what D18 accepts; values what D3 (the ДГН) or D4 (the comment, stored as sent) do."""
    forms = [replace(variant, decisions=("D18",)) for variant in _forms()]
    values = [replace(variant, decisions=("D3",) if "ДГН" in variant.name else ("D4", "D23")) for variant in _values()]
    return [*forms, *values]
