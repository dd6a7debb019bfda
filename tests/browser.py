"""The Chromium the browser tests drive (through playwright-core, which never downloads one).

Found at $CHROMIUM, else as Debian's `chromium` or Google Chrome on the PATH. Without one the
browser tests are skipped, with one line that says why and how to install it; under CI=true
(GitHub Actions sets it, .ci/run too) a missing browser fails them instead, so a CI machine
cannot pass by skipping.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL = "sudo apt-get install chromium (Debian, Ubuntu), or set CHROMIUM=/path/to/chrome"


def find_chromium() -> Path | None:
    named = os.environ.get("CHROMIUM", "").strip()
    if named:
        return Path(named) if Path(named).is_file() else None
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def missing_line() -> str:
    named = os.environ.get("CHROMIUM", "").strip()
    what = f"CHROMIUM={named} does not exist" if named else "no Chromium or Chrome on the PATH"
    return f"browser tests: skipped, {what}; install it: {INSTALL} (CI=true makes them fail)"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_chromium() -> Path:
    """The browser's path; skips the test without one (fails it under CI=true)."""
    found = find_chromium()
    if found is not None:
        return found
    if in_ci():
        pytest.fail(missing_line().replace("skipped", "failed") + " [CI=true]", pytrace=False)
    pytest.skip(missing_line())
