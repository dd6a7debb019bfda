"""`pip install .` gives a `vpbx` command that works from any directory: the wheel carries the
document, the decision log, the provider's pages and the suite's own tests as package data.

Builds the wheel, installs it (with the pinned dependencies) into a new virtual environment
outside the checkout, and runs the command from an empty directory."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from vpbx_spec.document import REPOSITORY_ROOT

# One worker for the whole module: its module-scoped fixtures (a wheel and a new virtual environment) then run once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]


def clean_copy(destination: Path) -> Path:
    """The checkout's files as git sees them (tracked, and new ones not ignored): a wheel built
    here cannot pick up a stale build/ folder or a file that is not part of the project."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPOSITORY_ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPOSITORY_ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a fresh virtual environment with the wheel installed."""
    scratch = tmp_path_factory.mktemp("wheel")
    source = clean_copy(scratch / "source")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(source),
                    "--wheel-dir", str(scratch / "dist")], check=True, capture_output=True, timeout=300)
    (wheel,) = (scratch / "dist").glob("*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(scratch / "venv")], check=True, timeout=120)
    bin_dir = scratch / "venv" / "bin"
    # --no-compile: pip would byte-compile every module of every dependency (8 s of CPU); the
    # commands below compile what they import, as a user's first run does.
    install = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet",
                              "--disable-pip-version-check", "--no-compile", "--constraint",
                              str(REPOSITORY_ROOT / "constraints.txt"), str(wheel)],
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    return bin_dir


def clean_environment(bin_dir: Path) -> dict[str, str]:
    """No setting of the caller's, and the new environment's bin/ first on the PATH."""
    kept = {"HOME", "LANG", "LC_ALL", "TMPDIR"}
    return {**{k: v for k, v in os.environ.items() if k in kept},
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


def vpbx(bin_dir: Path, where: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(bin_dir / "vpbx"), *args], cwd=where, env=clean_environment(bin_dir),
                          capture_output=True, text=True, timeout=timeout)


def test_the_wheel_carries_the_contract_and_its_data(installed: Path):
    (wheel,) = (installed.parent.parent / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("vpbx_openapi/openapi.yaml", "vpbx_openapi/DECISIONS.md", "vpbx_provider/pages.yaml",
                   "vpbx_provider/pages/add-mobile-number.md", "vpbx_suite/target_tests/conftest.py",
                   "vpbx_suite/target_tests/pytest.ini", "vpbx_suite/templates/contract-report.html",
                   "generated/models.py"):
        assert needed in names, needed
    packages = {path.parent.name for path in REPOSITORY_ROOT.glob("vpbx_*/__init__.py")}
    assert packages <= {name.split("/")[0] for name in names}, "a vpbx_* package is not in the wheel"


def test_vpbx_help_lists_every_command(installed: Path, tmp_path: Path):
    result = vpbx(installed, tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    for command in ("contract", "mock", "check", "validate-traffic", "proxy"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.M), result.stdout


def test_vpbx_contract_passes_against_the_bundled_mock_from_any_directory(installed: Path, tmp_path: Path):
    result = vpbx(installed, tmp_path, "contract", "--max-examples", "5", "--seed", "3")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "contract: PASS" in output.splitlines()[-1], output[-1500:]
    assert (tmp_path / "reports" / "contract-junit.xml").is_file()
    # The HTML report's templates are package data: rendered from the installed copy.
    assert "contract: PASS" in (tmp_path / "reports" / "contract-report.html").read_text(encoding="utf-8")


def test_vpbx_check_runs_what_it_can_and_says_what_it_could_not(installed: Path, tmp_path: Path):
    result = vpbx(installed, tmp_path, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "openapi-spec-validator: OK" in result.stdout and "0 uncovered" in result.stdout
    assert result.stdout.splitlines()[-1].startswith(
        "check: OK (partial: not run: redocly lint, spectral lint, model drift)")
    strict = vpbx(installed, tmp_path, "check", "--require-complete")
    assert strict.returncode == 1 and strict.stdout.splitlines()[-1].startswith("check: FAILED (partial")
