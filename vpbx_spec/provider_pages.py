"""Read the provider's vendored pages: their operation heading, Markdoc tables and JSON examples.

The pages are Markdown with Markdoc tags. markdown-it-py parses the Markdown; a Markdoc
`{% table %}` block then is a run of bullet lists separated by horizontal rules (one list
per row, one item per cell), which this module turns into rows keyed by the header row.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Package data (`vpbx_provider`, the repository's provider/ folder): found from any directory.
PROVIDER_DIR = Path(str(resources.files("vpbx_provider")))
PAGES_DIR = PROVIDER_DIR / "pages"
MAPPING_PATH = PROVIDER_DIR / "pages.yaml"

# The columns of the provider's tables, by their Russian headers.
NAME, TYPE, REQUIRED, ALLOWED = "Название", "Тип", "Обязательный", "Допустимые значения"

_MARKDOC_TAG = re.compile(r"\{%.*?%\}", re.S)
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_HEADING_OPERATION = re.compile(r"^\s*(GET|POST|PUT|PATCH|DELETE)\s+(\S+)\s*$")
_JSON_START = re.compile(r"^\s*[\[{]", re.M)
_NULLABLE_SUFFIX = re.compile(r"\s+или\s+null\s*$")
_REQUEST_SECTION, _RESPONSE_SECTION = "Структура запроса", "Структура ответа"


@dataclass(frozen=True)
class Cell:
    text: str  # the cell's text, Markdoc tags and Markdown markup removed
    code: tuple[str, ...]  # the `code spans` in it, in order: the allowed values


@dataclass(frozen=True)
class Row:
    cells: dict[str, Cell]  # header -> cell; a row with an extra cell keeps it under ""


@dataclass(frozen=True)
class Table:
    index: int  # 0-based, in page order
    headers: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Example:
    index: int  # 0-based, in page order, over the page's ```json blocks
    section: str  # the last "Структура запроса/ответа" heading above it, or ""
    text: str
    value: Any = None
    error: str | None = None  # why the block is not JSON, when it is not


@dataclass(frozen=True)
class Page:
    file: str
    operation: str | None  # "METHOD /path" from the page's heading, normalised
    tables: tuple[Table, ...]
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class PageMapping:
    file: str
    source: str
    operation: str | None = None
    tables: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Provenance:
    repository: str
    commit: str
    folder: str
    pages: tuple[PageMapping, ...] = field(default_factory=tuple)


def load_mapping(path: Path = MAPPING_PATH) -> Provenance:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pages = tuple(
        PageMapping(file=item["file"], source=item["source"], operation=item.get("operation"),
                    tables=tuple(item.get("tables") or ()),
                    examples=tuple(item.get("examples") or ()))
        for item in data["pages"]
    )
    return Provenance(repository=data["repository"], commit=data["commit"],
                      folder=data["folder"], pages=pages)


def normalise_operation(method: str, path: str) -> str:
    """ "POST numbers/unconfirmed " -> "POST /numbers/unconfirmed"; the query is dropped."""
    path = path.strip().split("?", 1)[0]
    return f"{method.upper()} /{path.lstrip('/')}"


def _inline_text(token: Token) -> tuple[str, tuple[str, ...]]:
    parts: list[str] = []
    code: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        if child.type == "code_inline":
            code.append(child.content.strip())
    text = _MARKDOC_TAG.sub("", "".join(parts))
    return " ".join(text.replace("\xa0", " ").split()), tuple(code)


def _cell(tokens: list[Token]) -> Cell:
    texts: list[str] = []
    code: list[str] = []
    for token in tokens:
        if token.type == "inline":
            text, spans = _inline_text(token)
            if text:
                texts.append(text)
            code.extend(spans)
    return Cell(" ".join(texts), tuple(code))


def _rows(tokens: list[Token]) -> list[list[Cell]]:
    """One list of cells per top-level bullet list between {% table %} and {% /table %}."""
    rows: list[list[Cell]] = []
    depth = 0
    item: list[Token] | None = None
    for token in tokens:
        if token.type == "bullet_list_open":
            depth += 1
            if depth == 1:
                rows.append([])
        elif token.type == "bullet_list_close":
            depth -= 1
        elif token.type == "list_item_open" and depth == 1:
            item = []
        elif token.type == "list_item_close" and depth == 1 and item is not None:
            rows[-1].append(_cell(item))
            item = None
        elif item is not None:
            item.append(token)
    return rows


def _table(index: int, tokens: list[Token]) -> Table:
    rows = _rows(tokens)
    if not rows:
        return Table(index, (), ())
    headers = tuple(cell.text for cell in rows[0])
    body = []
    for cells in rows[1:]:
        keyed: dict[str, Cell] = {}
        for position, cell in enumerate(cells):
            header = headers[position] if position < len(headers) else ""
            keyed.setdefault(header, cell)
        body.append(Row(keyed))
    return Table(index, headers, tuple(body))


def _example(index: int, section: str, text: str) -> Example:
    # A block may open with the request line ("POST numbers/unconfirmed"); JSON starts at
    # the first line that opens an object or an array.
    start = _JSON_START.search(text)
    body = text[start.start():] if start else text
    try:
        return Example(index, section, text, value=json.loads(body))
    except json.JSONDecodeError as error:
        return Example(index, section, text, error=f"not JSON: {error}")


def parse_page(text: str, file: str = "<page>") -> Page:
    tokens = MarkdownIt("commonmark").parse(_FRONT_MATTER.sub("", text, count=1))
    operation: str | None = None
    tables: list[Table] = []
    examples: list[Example] = []
    section = ""
    in_table: list[Token] | None = None
    heading: str | None = None
    for token in tokens:
        if token.type == "heading_open":
            heading = token.tag
            continue
        if token.type == "heading_close":
            heading = None
            continue
        if token.type == "inline" and heading is not None:
            text_content, code = _inline_text(token)
            match = _HEADING_OPERATION.match(code[0]) if code else None
            if match and operation is None:
                operation = normalise_operation(match.group(1), match.group(2))
            if _REQUEST_SECTION in text_content:
                section = "request"
            elif _RESPONSE_SECTION in text_content:
                section = "response"
            continue
        if token.type == "inline" and token.content.strip() == "{% table %}":
            in_table = []
            continue
        if token.type == "inline" and token.content.strip() == "{% /table %}":
            tables.append(_table(len(tables), in_table or []))
            in_table = None
            continue
        if in_table is not None:
            in_table.append(token)
            continue
        if token.type == "fence" and token.info.strip().lower() == "json":
            examples.append(_example(len(examples), section, token.content))
    return Page(file, operation, tuple(tables), tuple(examples))


def read_page(file: str, pages_dir: Path = PAGES_DIR) -> Page:
    return parse_page((pages_dir / file).read_text(encoding="utf-8"), file)


# --- what one table row says about one field -------------------------------------------


@dataclass(frozen=True)
class FieldFacts:
    """What a table row says: the JSON type, whether null is allowed, required, values."""

    name: str
    type: str | None  # "string", "integer", "boolean", "array", "object", or None if unknown
    nullable: bool
    required: str | None  # "yes", "no", "conditional", or None when the table has no column
    values: tuple[str, ...] | None  # the allowed values, None when the table lists none


_TYPE_WORDS = {"string": "string", "integer": "integer", "boolean": "boolean",
               "number": "number", "object": "object", "array": "array"}


def _type(text: str) -> tuple[str | None, bool]:
    nullable = bool(_NULLABLE_SUFFIX.search(text))
    base = _NULLABLE_SUFFIX.sub("", text).strip().lower()
    first = base.split()[0] if base else ""
    return _TYPE_WORDS.get(first), nullable


def _required(text: str) -> str:
    text = text.strip().lower()
    if text.startswith("да"):
        return "conditional" if "если" in text else "yes"
    return "no" if text.startswith("нет") else text


def row_facts(row: Row) -> FieldFacts | None:
    name_cell = row.cells.get(NAME)
    if name_cell is None or not name_cell.text:
        return None
    field_type, nullable = _type(row.cells[TYPE].text) if TYPE in row.cells else (None, False)
    required = _required(row.cells[REQUIRED].text) if REQUIRED in row.cells else None
    allowed = row.cells.get(ALLOWED)
    values = allowed.code if allowed is not None and allowed.code else None
    if field_type == "boolean" and values is not None and set(values) <= {"true", "false"}:
        values = None  # "`true`, `false`" names the type's values, not an enumeration
    return FieldFacts(name_cell.text, field_type, nullable, required, values)
