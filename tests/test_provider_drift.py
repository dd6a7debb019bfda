"""Provider drift: the vendored pages against the document, and each kind of page change caught.

Every mutation edits a copy of the vendored pages, as the provider would edit its own, and
the check must name the operation, the field and the value in its message.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from vpbx_spec.document import REPOSITORY_ROOT, bundled_document
from vpbx_spec.provider_drift import DIFFERENCES_PATH, DriftReport, check_drift
from vpbx_spec.provider_pages import PAGES_DIR, load_mapping, parse_page, read_page, row_facts

ADD = "add-mobile-number.md"


def drift_of(pages: Path, **kwargs) -> DriftReport:
    return check_drift(bundled_document(), pages_dir=pages, **kwargs)


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    """A copy of the vendored pages that a test may change."""
    return Path(shutil.copytree(PAGES_DIR, tmp_path / "pages"))


def edit(pages: Path, file: str, old: str, new: str, count: int = 1) -> None:
    path = pages / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} is not in {file}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# --- the repository as it is --------------------------------------------------------------


def test_every_difference_of_the_vendored_pages_is_covered_by_a_decision():
    report = drift_of(PAGES_DIR)
    assert not report.failed, "\n".join(report.lines())
    assert report.pages == 7
    assert report.differences, "the pages and the document do differ (D1, D2, ...)"
    assert set(report.by_decision) >= {"D1", "D2", "D5", "D29"}


def test_the_vendored_pages_are_the_reference_pages_verbatim():
    mapping = load_mapping()
    assert len(mapping.commit) == 40 and mapping.repository
    reference = REPOSITORY_ROOT.parent / "shared" / "reference"
    if not reference.is_dir():
        pytest.skip("the reference copies are not beside this clone")
    for page in mapping.pages:
        assert (PAGES_DIR / page.file).read_bytes() == (reference / page.file).read_bytes(), \
            page.file


def test_every_vendored_page_is_in_the_mapping():
    mapped = {page.file for page in load_mapping().pages}
    assert mapped == {path.name for path in PAGES_DIR.glob("*.md")}


# --- the parser ---------------------------------------------------------------------------


def test_tables_are_read_with_types_required_and_allowed_values():
    page = read_page(ADD)
    assert page.operation == "POST /numbers/unconfirmed"  # "numbers/unconfirmed " normalised
    request = {facts.name: facts for facts in map(row_facts, page.tables[0].rows)}
    assert request["purpose"].values == ("company", "not_specified")
    assert request["purpose"].required == "yes"
    assert request["comment"].required == "no"
    assert request["type"].values == ("def",)  # "Строго только “`def`”"
    response = {facts.name: facts for facts in map(row_facts, page.tables[1].rows)}
    assert response["purpose"].values == ("\u0441ompany", "employee", "not_specified")
    assert (response["group_id"].type, response["group_id"].nullable) == ("integer", True)
    assert (response["scenario_id"].type, response["scenario_id"].nullable) == ("integer", False)
    assert response["from_redirect_numbers"].type == "array"
    assert response["is_scenario_active"].values is None  # `true`, `false` is not an enum


def test_examples_are_json_and_a_request_line_before_the_json_is_skipped():
    page = read_page(ADD)
    assert [example.section for example in page.examples] == ["request", "response"]
    assert page.examples[0].value["purpose"] == "not_specified"
    assert page.examples[1].value["id"] == 331


def test_the_garbled_example_is_reported_as_not_json():
    (example,) = read_page("get-virtual-number.md").examples
    assert example.value is None and example.error and example.error.startswith("not JSON")


def test_bold_names_and_conditional_requirements():
    get = {f.name: f for f in map(row_facts, read_page("get-mobile-number.md").tables[0].rows)}
    assert get["dgn_number"].type == "string"  # written **dgn_number** | **string**
    edit_page = read_page("edit-mobile-number.md")
    rows = {f.name: f for f in map(row_facts, edit_page.tables[0].rows)}
    assert rows["employee_id"].required == "conditional"  # "Да, если ... `employee`"


def test_a_markdoc_table_without_a_header_row_is_empty():
    page = parse_page("{% table %}\n\n{% /table %}\n")
    assert [table.rows for table in page.tables] == [()]


# --- each provider change is caught, with the value named ----------------------------------

PROVIDER_CHANGES: dict[str, tuple[Callable[[Path], None], str]] = {
    "new allowed value": (
        lambda p: edit(p, ADD, "`company`, `not_specified`", "`company`, `not_specified`, `vip`"),
        "add-mobile-number.md: POST /numbers/unconfirmed: request table: field `purpose`: "
        "the page lists value `vip`, the document does not; no decision covers it"),
    "optional field becomes required": (
        lambda p: edit(p, ADD, "string\n\n*  Нет", "string\n\n*  Да"),
        "add-mobile-number.md: POST /numbers/unconfirmed: request table: field `comment`: "
        "the page says required `yes`, the document says `no`"),
    "new required field": (
        lambda p: edit(p, ADD, "{% /table %}\n\n## Структура запроса",
                       "---\n\n*  {% isHeader=true %}\n\n   region\n\n*  string\n\n*  Да\n\n"
                       "*  \\-\n\n*  Регион\n\n{% /table %}\n\n## Структура запроса"),
        "add-mobile-number.md: POST /numbers/unconfirmed: request table: field `region`: "
        "the page lists field `region`, the document does not"),
    "changed type": (
        lambda p: edit(p, "list-mobile-numbers.md", "   app_id\n\n*  {% colwidth=[106] %}\n\n"
                       "   integer", "   app_id\n\n*  {% colwidth=[106] %}\n\n   string"),
        "list-mobile-numbers.md: GET /numbers/virtual-number: response table: field `app_id`: "
        "the page types it `string`, the document allows `integer`"),
    "field becomes nullable": (
        lambda p: edit(p, "list-connectable-mobile-numbers.md", "number\n\n*  string",
                       "number\n\n*  string или null"),
        "list-connectable-mobile-numbers.md: GET /numbers/def-virtual-number-capacity: "
        "response table: field `number`: the page types it `string или null`, the document "
        "does not allow null"),
    "changed response example": (
        lambda p: edit(p, ADD, '"id": 331', '"id": 332'),
        "add-mobile-number.md: POST /numbers/unconfirmed: response example: field `/id`: "
        "the page's example has 332, the document's closest example (`seed`) has 331"),
    "changed request example": (
        lambda p: edit(p, "edit-mobile-number.md", '"employee_id": 123', '"employee_id": 124'),
        "edit-mobile-number.md: PUT /numbers/virtual-number/{id}: request example: field "
        "`/employee_id`: the page's example has 124, the document's closest example (`seed`) "
        "has 123"),
    "new field in an example": (
        lambda p: edit(p, "delete-virtual-number.md", '"id": 101', '"id": 101, "state": "gone"'),
        "delete-virtual-number.md: DELETE /numbers/virtual-number/{id}: response example: "
        "field `/state`: the page's example has \"gone\", the document's closest example "
        "(`seed`) has (absent)"),
    "changed item of a listing example": (
        lambda p: edit(p, "list-mobile-numbers.md", '"nc_type": "custom",', '"nc_type": "x",'),
        "list-mobile-numbers.md: GET /numbers/virtual-number: response example: field "
        "`/1/nc_type`: the page's example has \"x\""),
    "value dropped from the page": (
        lambda p: edit(p, "list-connectable-mobile-numbers.md", ", `error`", ""),
        "list-connectable-mobile-numbers.md: GET /numbers/def-virtual-number-capacity: "
        "response table: field `state`: the document allows value `error`, the page does not "
        "list it"),
    "Cyrillic look-alike in a request table": (
        lambda p: edit(p, ADD, "`company`, `not_specified`", "`\u0441ompany`, `not_specified`"),
        "request table: field `purpose`: the page lists value `\u0441ompany` (U+0441)"),
    "heading names another path": (
        lambda p: edit(p, "delete-virtual-number.md", "### `DELETE /numbers/virtual-number/{id}`",
                       "### `DELETE /numbers/virtual-numbers/{id}`"),
        "delete-virtual-number.md: DELETE /numbers/virtual-number/{id}: heading: the page's "
        "heading names `DELETE /numbers/virtual-numbers/{id}`"),
}


@pytest.mark.parametrize("change", PROVIDER_CHANGES, ids=str)
def test_each_provider_change_fails_with_a_message_naming_it(pages, change):
    mutate, expected = PROVIDER_CHANGES[change]
    mutate(pages)
    report = drift_of(pages)
    assert report.failed
    assert any(expected in line for line in report.lines()), "\n".join(report.lines())


def test_a_known_difference_that_left_the_page_is_reported_obsolete(pages):
    # The provider fixes its typo: `сompany` becomes `company` in the listing's table.
    edit(pages, "list-mobile-numbers.md", "`\u0441ompany`", "`company`")
    report = drift_of(pages)
    assert report.failed and not report.uncovered
    assert ("list-mobile-numbers.md: response table: field `purpose`: value-not-in-document "
            "`\u0441ompany` no longer differs") in "\n".join(report.obsolete)


def test_the_garbled_example_repaired_makes_its_decision_obsolete(pages):
    path = pages / "get-virtual-number.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("``` «sip_uri»")] + "```\n", encoding="utf-8")
    report = drift_of(pages)
    assert any("example-not-json `not JSON` no longer differs" in line and "(D29)" in line
               for line in report.obsolete), report.lines()


def known_differences_copy(tmp_path: Path, change: Callable[[list[dict]], None]) -> Path:
    data = yaml.safe_load(DIFFERENCES_PATH.read_text(encoding="utf-8"))
    change(data["differences"])
    path = tmp_path / "provider-differences.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_known_difference_must_cite_an_existing_decision(tmp_path):
    path = known_differences_copy(tmp_path, lambda items: items[0].update(decision="D999"))
    report = drift_of(PAGES_DIR, differences_path=path)
    assert report.failed
    assert any("decision D999 is not in openapi/DECISIONS.md" in e for e in report.errors)


def test_a_known_difference_must_say_why(tmp_path):
    path = known_differences_copy(tmp_path, lambda items: items[0].pop("why"))
    report = drift_of(PAGES_DIR, differences_path=path)
    assert any("entry 1: missing why" in error for error in report.errors)


def test_removing_a_known_difference_uncovers_it(tmp_path):
    def drop_d29(items: list[dict]) -> None:
        items[:] = [item for item in items if item["decision"] != "D29"]

    report = drift_of(PAGES_DIR, differences_path=known_differences_copy(tmp_path, drop_d29))
    assert [str(d) for d in report.uncovered] == [
        "get-virtual-number.md: GET /numbers/virtual-number/{id}: response example: example 1 "
        "is not JSON: Extra data: line 27 column 1 (char 592)"]


def test_a_page_with_a_table_the_mapping_does_not_describe_is_an_error(pages):
    edit(pages, "delete-virtual-number.md", "## Структура запроса",
         "{% table %}\n\n---\n\n*  Название\n\n---\n\n*  id\n\n{% /table %}\n\n## Структура запроса")
    report = drift_of(pages)
    assert "delete-virtual-number.md: the page has 1 table(s), provider/pages.yaml describes 0" \
        in report.errors


@pytest.mark.slow
def test_make_check_fails_on_a_provider_change_and_names_the_value(pages):
    edit(pages, ADD, "`company`, `not_specified`", "`company`, `not_specified`, `vip`")
    result = subprocess.run([sys.executable, "-m", "vpbx_spec", "--provider-pages", str(pages)],
                            cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("provider drift: add-mobile-number.md: POST /numbers/unconfirmed: request table: "
            "field `purpose`: the page lists value `vip`, the document does not; no decision "
            "covers it") in result.stdout
    assert "check: FAILED" in result.stdout


def test_a_parameters_table_is_compared_with_the_operations_parameters(tmp_path):
    # No page documents parameters in a table today; the mapping supports it for when one does.
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "list.md").write_text(
        "### `GET /numbers/virtual-number?type=def`\n\n{% table %}\n\n---\n\n"
        "*  Название\n*  Тип\n*  Обязательный\n*  Допустимые значения\n\n---\n\n"
        "*  type\n*  string\n*  Да\n*  `def`, `abc`, `sip_registration`, `sip_redirection`, "
        "`toll_free`, `fax`\n\n{% /table %}\n", encoding="utf-8")
    mapping = tmp_path / "pages.yaml"
    mapping.write_text(yaml.safe_dump({
        "repository": "r", "commit": "c", "folder": "f",
        "pages": [{"file": "list.md", "source": "s", "operation": "GET /numbers/virtual-number",
                   "tables": ["parameters"], "examples": []}]}), encoding="utf-8")
    empty = tmp_path / "differences.yaml"
    empty.write_text("differences: []\n", encoding="utf-8")
    report = drift_of(pages, mapping_path=mapping, differences_path=empty)
    assert sorted(str(d) for d in report.uncovered) == [
        "list.md: GET /numbers/virtual-number: parameters table: field `type`: the page lists "
        "value `fax`, the document does not",
        "list.md: GET /numbers/virtual-number: parameters table: field `type`: the page says "
        "required `yes`, the document says `no`",
    ]
