"""The client example of docs/client.md and of the README (the same block) runs as written
against a mock started as `make mock` starts it (default token, the connectable pool), and
through the faults docs/client.md suggests."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from vpbx_spec.document import REPOSITORY_ROOT
from vpbx_suite.mock_process import running_mock

PAGE = REPOSITORY_ROOT / "docs" / "client.md"
README = REPOSITORY_ROOT / "README.md"
MAKE_MOCK_URL = "http://127.0.0.1:8080"


def example() -> str:
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## Example", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return block[1]


def test_the_readme_shows_the_same_example():
    assert f"```python\n{example()}```" in README.read_text(encoding="utf-8")


def test_the_example_is_short_and_covers_the_life_of_a_number():
    code = example()
    assert len(code.splitlines()) <= 15
    for call in ("list_connectable_mobile_numbers", "add_mobile_number", "get_virtual_number",
                 "edit_mobile_number", "delete_virtual_number"):
        assert f"client.{call}(" in code
    assert MAKE_MOCK_URL in code and '"local-dev-token"' in code


@pytest.mark.slow
@pytest.mark.parametrize("faults", [None, "status=503@10%; reset-after@5%"])
def test_the_example_runs_against_the_mock(tmp_path, faults):
    with running_mock(tmp_path / "db.sqlite3", {"API_TOKEN": None, "MOCK_FAULTS": faults,
                                                 "MOCK_FAULTS_SEED": "1"}) as mock:
        code = example().replace(MAKE_MOCK_URL, mock.base_url)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, str(PAGE), "exec"), {})
    lines = printed.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["added", "edited", "deleted"]
    assert lines[1] == "edited employee 125 now an employee's number"
