"""Spectral's lint (`spectral:oas`, Stoplight's OpenAPI rules), beside ours and Redocly's.

The CLI is pinned in tools/package.json and installed by `make node-tools`; its ruleset is
.spectral.yaml at the repository root, where any rule switched off says why. Every finding,
hints included, fails.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from vpbx_spec.document import DOCUMENT_PATH, REPOSITORY_ROOT, escape_pointer_token
from vpbx_spec.redocly import TOOLS_BIN, run_node_tool

SPECTRAL = TOOLS_BIN / "spectral"
RULESET_PATH = REPOSITORY_ROOT / ".spectral.yaml"
_SEVERITIES = ("error", "warning", "information", "hint")  # Spectral's 0 to 3


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    pointer: str  # a JSON Pointer, as Redocly's findings give it
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"spectral {self.rule} ({self.severity}): {where}{self.pointer}: {self.message}"


def spectral_lint(document: Path = DOCUMENT_PATH) -> list[Finding]:
    """Spectral's findings for the document."""
    result = run_node_tool(SPECTRAL, "lint", os.path.relpath(document, REPOSITORY_ROOT),
                           f"--ruleset={RULESET_PATH}", "--format=json", "--quiet",
                           "--fail-severity=hint")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, list):
        return [Finding("cli", "error", "", None,
                        f"spectral lint exited {result.returncode} without a JSON report: "
                        f"{(result.stderr or result.stdout).strip()[-400:]}")]
    findings = []
    for problem in report:
        severity = problem.get("severity")
        line = ((problem.get("range") or {}).get("start") or {}).get("line")
        findings.append(Finding(
            problem.get("code", "?"),
            _SEVERITIES[severity] if isinstance(severity, int) and 0 <= severity < 4 else str(severity),
            "#" + "".join("/" + escape_pointer_token(str(token)) for token in problem.get("path") or ()),
            None if line is None else line + 1,  # Spectral counts lines from 0
            problem.get("message", "")))
    return findings
