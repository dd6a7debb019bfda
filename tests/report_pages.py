"""Reading the HTML reports in tests: the tags a report is made of, a parser for the rendered
text (no browser), and the browser probe (tests/report_probe.mjs) for the real thing."""

from __future__ import annotations

import json
import os
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from vpbx_spec.document import REPOSITORY_ROOT

PROBE = REPOSITORY_ROOT / "tests" / "report_probe.mjs"

# The tags a report is made of; a quoted text must add none.
OWN_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "h4", "p", "ul", "li",
            "b", "table", "tr", "th", "td", "code", "span", "nav", "a", "section", "article", "pre", "footer",
            "details", "summary", "div", "tbody"}  # tbody: the browser adds it to each table


class Page(HTMLParser):
    """What the tests need of a page: its tags, links, and the exact text of each data-key
    element (each box put back as its character, as tests/report_probe.mjs does)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.links: list[str] = []
        self.keyed: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []  # (tag, data-key) of each open element
        self._in_box = 0
        self.title = ""
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.add(tag)
        if tag == "a":
            self.links.append(found.get("href") or "")
        if tag in ("meta", "br"):
            return
        if found.get("class") == "cp":
            for key in self._keys():
                self.keyed[key] += chr(int(found["data-cp"] or "", 16))
            self._in_box += 1
        key = found.get("data-key")
        if key is not None:
            self.keyed[key] = ""
        self._open.append((tag, key))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            opened, _ = self._open.pop()
            if opened == "span" and self._in_box:
                self._in_box -= 1
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1][0] == "title":
            self.title += data
        if self._in_box:
            return  # the box's label (U+XXXX); its character was added at the start tag
        for key in self._keys():
            self.keyed[key] += data

    def _keys(self) -> list[str]:
        return [key for _, key in self._open if key is not None]


def probe(page: Path, chromium: Path, screenshot: Path | None = None) -> dict[str, Any]:
    """What headless Chromium shows of `page` (see tests/report_probe.mjs for the fields)."""
    command = ["node", str(PROBE), str(page), *([str(screenshot)] if screenshot else [])]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=REPOSITORY_ROOT,
                            env={**os.environ, "CHROMIUM": str(chromium)})
    assert result.returncode == 0, result.stderr[-2000:]
    seen: dict[str, Any] = json.loads(result.stdout)
    return seen
