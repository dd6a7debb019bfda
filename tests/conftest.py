from __future__ import annotations

import pytest

from tests.browser import find_chromium, in_ci, missing_line
from vpbx_spec.document import DocumentSchemas, bundled_schemas


# Fixtures that start a real process (a mock, a proxy, the variants' server, Optic, Chromium):
# a test that uses one is slow (`make test-fast` leaves it out), marked here once for all.
# ("mock" is not among them: test_mock_accounts.py has an in-process one of that name.)
PROCESS_FIXTURES = {"proxy", "variants", "server", "verdicts", "rendered", "installed"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def schemas() -> DocumentSchemas:
    """Validators for the schemas of the bundled document."""
    return bundled_schemas()


def pytest_report_header(config: pytest.Config) -> str:
    """One line before the tests start: which browser the browser tests use, or why they skip."""
    found = find_chromium()
    if found is not None:
        return f"browser tests: {found}"
    return missing_line().replace("skipped", "will fail" if in_ci() else "will be skipped")
