from __future__ import annotations

import pytest

from vpbx_spec.document import DocumentSchemas, bundled_schemas


@pytest.fixture(scope="session")
def schemas() -> DocumentSchemas:
    """Validators for the schemas of the bundled document."""
    return bundled_schemas()
