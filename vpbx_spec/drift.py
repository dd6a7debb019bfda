"""Are the committed models what datamodel-code-generator makes of the document today?"""

from __future__ import annotations

import difflib
import subprocess
import sys
import tempfile
import tomllib
from importlib import resources
from pathlib import Path

from vpbx_spec.document import DOCUMENT_PATH, REPOSITORY_ROOT

MODELS_PATH = Path(str(resources.files("generated"))) / "models.py"
# The generator's options live in the checkout's pyproject.toml [tool.datamodel-codegen];
# an installed toolkit has no checkout, and then the models cannot be regenerated to compare.
PYPROJECT = REPOSITORY_ROOT / "pyproject.toml"


def codegen_configured() -> bool:
    try:
        return "datamodel-codegen" in tomllib.loads(PYPROJECT.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False


def generate_models(document: Path, output: Path) -> None:
    """Run datamodel-codegen with the options of pyproject.toml [tool.datamodel-codegen]."""
    command = [sys.executable, "-m", "datamodel_code_generator",
               "--input", str(document), "--output", str(output)]
    # Run from the repository root: that is where the tool finds pyproject.toml.
    completed = subprocess.run(command, cwd=REPOSITORY_ROOT, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"datamodel-codegen failed:\n{completed.stderr.strip()}")


def model_drift(document: Path = DOCUMENT_PATH, models: Path = MODELS_PATH) -> list[str]:
    """A unified diff from the committed models to fresh ones; empty when they are in sync."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "models.py"
        generate_models(document, fresh)
        expected = fresh.read_text(encoding="utf-8").splitlines(keepends=True)
    actual = models.read_text(encoding="utf-8").splitlines(keepends=True) if models.exists() else []
    return list(difflib.unified_diff(actual, expected, fromfile=f"{models} (committed)",
                                     tofile="regenerated from the document"))
