"""Redocly CLI's lint in `make check`: silent on the repository, loud on damage it knows.

Needs tools/node_modules (`make node-tools`, which `make test` runs first).
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from vpbx_spec.document import REPOSITORY_ROOT, bundled_document
from vpbx_spec.redocly import redocly_lint

pytestmark = pytest.mark.slow  # every test runs Redocly CLI (Node)


def write(document: dict, tmp_path: Path) -> Path:
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def rules(findings) -> set[str]:
    return {finding.rule for finding in findings}


def test_the_repository_has_no_findings():
    assert redocly_lint() == []


def test_the_location_switched_off_is_only_that_location(tmp_path):
    # The ignore file names openapi/openapi.yaml; the same content elsewhere is linted whole,
    # which proves the finding is real and switched off at one place, not everywhere.
    findings = redocly_lint(write(bundled_document(), tmp_path))
    assert [(f.rule, f.pointer) for f in findings] == [
        ("no-illogical-composition-keywords",
         "#/components/schemas/Error/properties/error/anyOf/1")]


def test_the_licence_rule_is_off_for_a_reason_stated_in_the_config():
    config = (REPOSITORY_ROOT / "redocly.yaml").read_text(encoding="utf-8")
    assert "info-license: off" in config
    assert "publishes\n  # no licence" in config
    assert "license" not in bundled_document()["info"]


def test_damage_only_the_ecosystem_rules_know_is_reported(tmp_path):
    document = copy.deepcopy(bundled_document())
    document["servers"][0]["url"] += "/"
    operation = document["paths"]["/numbers/unconfirmed"]["post"]
    operation["responses"] = {"200": operation["responses"]["200"]}  # no 4xx at all
    findings = redocly_lint(write(document, tmp_path))
    assert {"no-server-trailing-slash", "operation-4xx-response"} <= rules(findings)
    trailing = next(f for f in findings if f.rule == "no-server-trailing-slash")
    assert trailing.pointer == "#/servers/0/url" and trailing.line


def test_make_check_fails_on_a_redocly_finding(tmp_path):
    document = copy.deepcopy(bundled_document())
    document["servers"][0]["url"] += "/"
    result = subprocess.run([sys.executable, "-m", "vpbx_spec", "--document",
                             str(write(document, tmp_path))], cwd=REPOSITORY_ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "redocly no-server-trailing-slash (error): " in result.stdout, result.stdout
    assert "#/servers/0/url" in result.stdout
    assert "check: FAILED" in result.stdout
