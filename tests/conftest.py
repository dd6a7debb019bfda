from __future__ import annotations

import pytest

from tests.browser import find_chromium, in_ci, missing_line
from vpbx_spec.document import DocumentSchemas, bundled_schemas


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
