"""`make test` runs pytest on every CPU and keeps each xdist_group on one worker: the load tests
must not run beside one another, and a group's expensive fixtures are set up once. pytest-xdist
3.8.0 marks a group by rewriting a test's node id, which pytest 9.2.0 no longer reads; the
groups then fell apart without a word. This runs a group under the Makefile's own options."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from vpbx_spec.document import REPOSITORY_ROOT

pytestmark = pytest.mark.slow  # it starts pytest and its workers

GROUPED = """
import os, time, pytest
pytestmark = pytest.mark.xdist_group("together")

@pytest.mark.parametrize("n", range(8))
def test_grouped(n):
    time.sleep(0.2)  # long enough for the other worker to be idle and ask for more
    with open(os.path.join(os.environ["GROUP_OUT"], f"grouped-{n}"), "w") as out:
        out.write(os.environ["PYTEST_XDIST_WORKER"])
"""

LOOSE = """
import pytest

@pytest.mark.parametrize("n", range(8))
def test_loose(n):
    pass
"""


def makefile_parallel_options() -> list[str]:
    found = re.search(r"^PYTEST_PARALLEL := (.+)$", (REPOSITORY_ROOT / "Makefile").read_text(), re.M)
    assert found, "the Makefile names pytest's parallel options in PYTEST_PARALLEL"
    return found.group(1).split()


def test_a_group_runs_on_one_worker(tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\n")
    (project / "test_grouped.py").write_text(GROUPED)
    (project / "test_loose.py").write_text(LOOSE)
    out = tmp_path / "out"
    out.mkdir()
    options = [option.replace("$(PYTEST_WORKERS)", "2") for option in makefile_parallel_options()]
    result = subprocess.run([sys.executable, "-m", "pytest", *options, "-q", "-p", "no:cacheprovider"],
                            cwd=project, env={**os.environ, "GROUP_OUT": str(out)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    ran_on = [path.read_text() for path in out.glob("grouped-*")]
    assert len(ran_on) == 8
    workers = set(ran_on)
    assert len(workers) == 1, f"the group ran on {sorted(workers)}"
