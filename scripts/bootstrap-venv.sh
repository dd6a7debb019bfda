#!/usr/bin/env bash
# Create .venv (if needed) and install the project with every dependency pinned:
# direct ones in pyproject.toml, transitive ones in constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
  --constraint constraints.txt --editable .
touch .venv/.ready
