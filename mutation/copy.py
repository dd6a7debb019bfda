"""Isolated copies of the repository's committed files, where mutants may be written.

cosmic-ray rewrites the module under test in place. Mutating the working tree would break
whoever else is running or editing the mock, so every worker gets `git archive <ref>` in its own
temporary directory, and the test command runs there with `PYTHONPATH` pointing at that copy
(the shared venv's editable install points at the working tree; `PYTHONPATH` comes first).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def revision(ref: str) -> str:
    """The commit a ref names, so the report says exactly which suite and mock were used."""
    return subprocess.run(["git", "rev-parse", ref], cwd=REPOSITORY, check=True,
                          capture_output=True, text=True).stdout.strip()


def extract(commit: str, destination: Path, *paths: str) -> None:
    """Write the committed tree of `commit` (or `paths` of it) into `destination`.

    Uncommitted edits in the working tree are never part of a copy.
    """
    archive = subprocess.Popen(["git", "archive", commit, *paths], cwd=REPOSITORY,
                               stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(destination)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise RuntimeError(f"git archive {commit} failed")


@contextmanager
def copies(commit: str, count: int, mock_from: tuple[str, str] | None = None
           ) -> Iterator[list[Path]]:
    """`count` independent copies of `commit`, removed afterwards whatever happens.

    `mock_from` = (package, commit) replaces that package with its version at another commit:
    a re-run mutates the mock its session was made from while testing with today's suite.
    """
    root = Path(tempfile.mkdtemp(prefix="vpbx-mutation-"))
    try:
        paths = []
        for index in range(count):
            path = root / f"copy{index}"
            path.mkdir()
            extract(commit, path)
            if mock_from is not None:
                package, mock_commit = mock_from
                shutil.rmtree(path / package)
                extract(mock_commit, path, package)
            paths.append(path)
        yield paths
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_environment(copy: Path) -> dict[str, str]:
    """The environment of the test command in `copy`: the copy's code, a fast seeded run.

    FAIL_FAST stops at the first failure (only the verdict matters), and a fixed SEED with 10
    examples per phase makes a survivor reproducible.
    """
    environment = dict(os.environ)
    environment.update({
        "PYTHONPATH": str(copy),
        "FAIL_FAST": "1",
        "MAX_EXAMPLES": "10",
        "SEED": "1",
        "REPORT_DIR": str(copy / ".mutation-reports"),
    })
    # Settings that would point the suite at another server are never inherited.
    for name in ("BASE_URL", "API_TOKEN", "OPERATIONS", "NUMBERS", "ALLOW_WRITES", "MAX_WRITES"):
        environment.pop(name, None)
    return environment
