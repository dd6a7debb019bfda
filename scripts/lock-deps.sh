#!/usr/bin/env bash
# Re-resolve the dependencies of pyproject.toml in a throwaway venv and write every
# installed version to constraints.txt. Run after changing a pin in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"${PYTHON:-python3}" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check .
{
  echo "# Every package the project installs, pinned. Written by scripts/lock-deps.sh; do not edit."
  "$tmp/venv/bin/python" -m pip freeze --exclude vpbx-numbers-contract
} > constraints.txt
echo "constraints.txt: $(grep -vc '^#' constraints.txt) packages pinned"
