"""Redocly CLI's lint: the OpenAPI ecosystem's own rules, beside ours.

The CLI is pinned in tools/package.json and installed by `make node-tools`; its rules and
the findings switched off (each with its reason) are in redocly.yaml and
.redocly.lint-ignore.yaml at the repository root. Every finding, warnings included, fails.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from vpbx_spec.document import DOCUMENT_PATH, REPOSITORY_ROOT

TOOLS_BIN = REPOSITORY_ROOT / "tools" / "node_modules" / ".bin"
REDOCLY = TOOLS_BIN / "redocly"
CONFIG_PATH = REPOSITORY_ROOT / "redocly.yaml"

# No usage reports, no update notices (Redocly's, Optic's): nothing may depend on the network.
QUIET_ENV = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
             "OPTIC_TELEMETRY_LEVEL": "off", "NO_COLOR": "1"}


class ToolMissing(RuntimeError):
    """A node tool is not installed; `make node-tools` installs it."""


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    pointer: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"redocly {self.rule} ({self.severity}): {where}{self.pointer}: {self.message}"


def run_node_tool(tool: Path, *args: str, timeout: float = 120,
                  cwd: Path = REPOSITORY_ROOT) -> subprocess.CompletedProcess[str]:
    if not tool.exists():
        raise ToolMissing(f"{tool.relative_to(REPOSITORY_ROOT)} is not installed; "
                          "in a checkout, `make node-tools` installs it")
    return subprocess.run([str(tool), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **QUIET_ENV})


def redocly_lint(document: Path = DOCUMENT_PATH) -> list[Finding]:
    """Redocly's findings for the document (relative paths keep the ignore file's keys)."""
    target = os.path.relpath(document, REPOSITORY_ROOT)
    result = run_node_tool(REDOCLY, "lint", target, "--format=json",
                           f"--config={CONFIG_PATH}")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return [Finding("cli", "error", "", None,
                        f"redocly lint exited {result.returncode} without a JSON report: "
                        f"{(result.stderr or result.stdout).strip()[-400:]}")]
    findings = []
    for problem in report.get("problems") or ():
        location = (problem.get("location") or [{}])[0]
        findings.append(Finding(problem.get("ruleId", "?"), problem.get("severity", "?"),
                                location.get("pointer", ""),
                                (location.get("start") or {}).get("line"),
                                problem.get("message", "")))
    return findings
