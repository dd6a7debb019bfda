"""How the HTML reports are rendered: one Jinja2 environment over vpbx_suite/templates/, with
escaping on for every template, and every interpolated value shown exactly.

The reports quote what a server sent: bodies, headers, messages that repeat them. Such text is
data, never markup, so each `{{ value }}` passes through `shown`: HTML-escaped, and every
character a reader could not see or tell apart (NUL and the other controls, the bidirectional
overrides that reorder a line, zero-width and non-breaking spaces, lone surrogates) drawn as a
visible `U+XXXX` box that keeps the code point in `data-cp`. Only the templates' own macros
produce markup (Markup passes through unchanged). In attributes values are escaped plainly
(`|e`), and in <title>, which cannot hold markup, written with `|plain`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).resolve().parent / "templates"

# Everything outside printable ASCII is looked at; most of it (Cyrillic, Hebrew) is shown as is.
_CANDIDATE = re.compile(r"[^\t\n\x20-\x7e]")
# Controls, formats (bidi overrides, zero-width), surrogates, private use, unassigned, line and
# paragraph separators; and every space that is not the plain one.
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"}


def _box(match: re.Match[str]) -> str:
    char = match.group()
    if unicodedata.category(char) not in _INVISIBLE:
        return char
    code = f"{ord(char):04X}"
    title = f"U+{code} {unicodedata.name(char, '')}".strip()  # names are A-Z, 0-9, space, hyphen
    return f'<span class="cp" data-cp="{code}" title="{title}">U+{code}</span>'


def shown(value: object) -> Markup:
    """`value` as text in HTML: escaped, with invisible characters boxed."""
    # str.__str__ makes a plain str of anything, a Markup too: data is never trusted as markup.
    text = str(escape(str.__str__(str(value))))
    return Markup(_CANDIDATE.sub(_box, text))


def _code_point(match: re.Match[str]) -> str:
    char = match.group()
    return f"U+{ord(char):04X}" if unicodedata.category(char) in _INVISIBLE else char


def plain(value: object) -> Markup:
    """`value` escaped, invisible characters written as U+XXXX: for <title>, which holds no markup."""
    return escape(_CANDIDATE.sub(_code_point, str.__str__(str(value))))


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):  # a macro's output, or the templates' own markup
        return value
    return shown("" if value is None else value)


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      finalize=_finalize, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["plain"] = plain
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
