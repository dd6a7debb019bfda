"""`make check` lints the adoptable workflow: SchemaStore's workflow schema (check-jsonschema)
and zizmor's audits. The committed workflow passes both; each kind of damage is caught."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vpbx_spec.document import REPOSITORY_ROOT

WORKFLOW = REPOSITORY_ROOT / ".github" / "workflows" / "contract.yml"
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(not (BIN / "zizmor").exists(),
                                reason="the workflow linters are installed by `make check` (requirements-lint.txt)")


def schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
                          capture_output=True, text=True, timeout=120)


def zizmor(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "zizmor"), "--offline", "--quiet", "--config",
                           str(REPOSITORY_ROOT / ".github" / "zizmor.yml"), str(path)],
                          capture_output=True, text=True, timeout=120)


def damaged(tmp_path: Path, old: str, new: str) -> Path:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "contract.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_committed_workflow_passes_both():
    assert schema_check(WORKFLOW).returncode == 0
    assert zizmor(WORKFLOW).returncode == 0, zizmor(WORKFLOW).stdout


def test_a_misspelt_key_fails_the_schema(tmp_path: Path):
    assert schema_check(damaged(tmp_path, "    runs-on: ubuntu-latest", "    runs_on: ubuntu-latest")).returncode != 0


def test_a_template_expanded_into_a_script_fails_zizmor(tmp_path: Path):
    path = damaged(tmp_path, '"origin/$BASE_REF"', '"origin/${{ github.head_ref }}"')
    result = zizmor(path)
    assert result.returncode != 0 and "template-injection" in result.stdout + result.stderr


def test_persisted_credentials_fail_zizmor(tmp_path: Path):
    result = zizmor(damaged(tmp_path, "actions/checkout@v4\n        with:\n          persist-credentials: false\n",
                            "actions/checkout@v4\n"))
    assert result.returncode != 0 and "artipacked" in result.stdout + result.stderr
