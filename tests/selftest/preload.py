"""What the self-test's fork server does once, so that each of its ~150 runs does not.

Imported (by tests/selftest/suite_runs.py) into the fork server only, before any run: every module
of the suite that reads no setting when imported (not the target tests, which do), the libraries
a run imports later (httpx's transport, pytest's own plugins), and schemathesis's one
process-wide cache that does not depend on the document (the coverage phase's candidates for an
invalid enum value: a quarter of a second of CPU a run). What a run computes from its settings
and the document stays its own.
"""

from __future__ import annotations

import importlib
import pkgutil

import vpbx_model
import vpbx_suite

# Imported lazily by the libraries, so a run paid for them each time: the HTTP transport, the
# plugins pytest loads at start-up, and what the findings and the model import.
LIBRARIES = ["httpcore", "h11", "httpx._transports.default", "pytest", "_pytest.junitxml", "_pytest.skipping",
             "_pytest.faulthandler", "_pytest.helpconfig", "_pytest.pastebin", "_pytest.setuponly",
             "_pytest.setupplan", "_pytest.threadexception", "_pytest.tracemalloc", "_pytest.unittest",
             "_pytest.warnings", "_pytest.debugging", "pytest_timeout", "_hypothesis_pytestplugin",
             "xml.etree.ElementTree", "phonenumbers"]


def _package_modules(package, skip: tuple[str, ...] = ()) -> list[str]:
    return [f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)
            if info.name not in skip]


def _warm_schemathesis() -> None:
    try:
        from schemathesis.specs.openapi.coverage._schema import _invalid_enum_candidates
    except ImportError:  # another schemathesis: only the saving is lost
        return
    _invalid_enum_candidates()
    # hypothesis notes the first value drawn outside a test, to warn when its pytest plugin is
    # loaded after it; this one is deliberate, and each run's plugin must not see it.
    from hypothesis.configuration import notice_initialization_restarted

    notice_initialization_restarted(warn=False)


_warm_schemathesis()
for _name in [*LIBRARIES, *_package_modules(vpbx_suite, skip=("target_tests", "__main__")),
              *_package_modules(vpbx_model), "vpbx_numbering.population"]:
    importlib.import_module(_name)
