"""What the README promises about Chromium is what `make test` does: without a browser the
browser tests are skipped, with one line saying so, and counted as skipped; under CI=true
they fail. Runs pytest on one browser test with CHROMIUM pointing nowhere."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.browser import INSTALL
from vpbx_spec.document import REPOSITORY_ROOT

pytestmark = pytest.mark.slow
ONE_BROWSER_TEST = "tests/test_docs_render.py::test_every_operation_is_on_the_page"


def run_without_browser(ci: bool) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env["CHROMIUM"] = "/nonexistent/chromium"
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", ONE_BROWSER_TEST, "-p", "no:cacheprovider", "-rs"],
                          cwd=REPOSITORY_ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_without_a_browser_the_browser_tests_are_skipped_and_say_why_once_up_front():
    result = run_without_browser(ci=False)
    assert result.returncode == 0, result.stdout[-2000:]
    assert re.search(r"\b1 skipped\b", result.stdout), result.stdout[-1000:]
    header = next(line for line in result.stdout.splitlines() if line.startswith("browser tests:"))
    assert "will be skipped" in header and INSTALL in header
    assert "SKIPPED" in result.stdout and "CHROMIUM=/nonexistent/chromium does not exist" in result.stdout


def test_under_ci_a_missing_browser_fails():
    result = run_without_browser(ci=True)
    assert result.returncode == 1, result.stdout[-2000:]
    assert re.search(r"\b1 (failed|error)\b", result.stdout), result.stdout[-1000:]


def test_the_readme_lists_the_browser_as_make_test_treats_it():
    readme = (REPOSITORY_ROOT / "README.md").read_text(encoding="utf-8")
    requirements = readme[readme.index("Requirements"):][:1500]
    assert "Chromium" in requirements and "apt-get install chromium" in requirements
    assert "skipped" in requirements and "CI=true" in requirements
