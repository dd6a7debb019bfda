"""Findings: the run's failures grouped by what broke — the rule, the operation, the field —
not by the test that noticed. A test whose setup or earlier step broke a rule already found
counts under that finding ("also seen in N tests"). Each finding carries its decisions, its
place in the document, one sentence, and the shortest reproduction the run saw: a bash script
of the requests that show it (what added the number it names, and for a rule about a sequence
the test's writes before it), whose last step gets the wrong answer."""

from __future__ import annotations

import json
import re
from typing import Any

from vpbx_suite.rules import RULES

Failure = dict[str, Any]
WRITES = ("POST", "PUT", "DELETE")


def finding_key(violation: dict[str, Any]) -> tuple[str, str | None, str | None]:
    return violation["check"], violation.get("operation"), violation.get("field")


def finding_title(violation: dict[str, Any]) -> str:
    check, operation, field = finding_key(violation)
    return check + (f" on {operation}" if operation else "") + (f", field {field}" if field else "")


def answered_id(step: dict[str, Any]) -> int | None:
    exchange = step.get("exchange") or {}
    response = exchange.get("response") or {}
    if exchange.get("request", {}).get("method") != "POST" or not 200 <= response.get("status", 0) < 300:
        return None
    try:
        record = json.loads((response.get("body") or {}).get("text") or "")
    except ValueError:
        return None
    record_id = record.get("id") if isinstance(record, dict) else None
    return record_id if isinstance(record_id, int) and not isinstance(record_id, bool) else None


# A URL up to its path's last slash, in an unquoted and in a single-quoted word: an id is
# matched only in the path (a host such as 127.0.0.1 may begin with the id's digits).
_URL_PATH, _QUOTED_URL_PATH = r"https?://[^\s/']+(?:/[^\s']*)?", r"'https?://[^'/]+(?:/[^']*)?"


def _names(step: dict[str, Any], record_id: int) -> bool:
    return re.search(rf"{_URL_PATH}/{record_id}(?![0-9])|\"id\": ?{record_id}(?![0-9])", step["curl"] or "") is not None


def with_origins(steps: list[dict[str, Any]], added: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The test's steps, after the earlier adds (of the run, before the test) of the ids they name."""
    answered = {answered_id(step) for step in steps}
    origins = [step for record_id, step in added.items() if record_id not in answered
               and any(_names(own, record_id) for own in steps)]
    return [*origins, *steps]


def minimal_steps(steps: list[dict[str, Any]], replay: str) -> list[dict[str, Any]]:
    """The steps a reproduction needs: the last (the wrong answer), each add whose id a kept step
    names, and for a sequence rule every write before it."""
    steps = [step for step in steps if step.get("curl")]
    if not steps:
        return []
    kept = {len(steps) - 1}
    if replay == "sequence":
        kept |= {index for index, step in enumerate(steps[:-1])
                 if (step.get("exchange") or {}).get("request", {}).get("method") in WRITES}
    changed = True
    while changed:  # the adds the kept steps depend on, and what those depend on
        changed = False
        for index, step in enumerate(steps):
            record_id = answered_id(step)
            if index in kept or record_id is None:
                continue
            if any(later > index and _names(steps[later], record_id) for later in kept):
                kept.add(index)
                changed = True
    return [steps[index] for index in sorted(kept)]


_ID_EXTRACT = ("python3 -c 'import json, sys; "
               "print(json.loads(sys.stdin.read().split(\"\\r\\n\\r\\n\", 1)[1])[\"id\"])'")


def _with_ids(curl: str, ids: dict[int, str]) -> str:
    """The command with each id an earlier step of the script was answered written as its variable."""
    text = curl
    for record_id, name in ids.items():
        # An unquoted URL word takes ${NAME} as is; inside single quotes it closes and reopens them.
        variable, in_quotes = "${" + name + "}", "'\"${" + name + "}\"'"
        text = re.sub(rf"(\s)({_URL_PATH})/{record_id}(?![0-9])", lambda m: f"{m[1]}{m[2]}/{variable}", text)
        text = re.sub(rf"({_QUOTED_URL_PATH})/{record_id}(?![0-9])", lambda m: f"{m[1]}/{in_quotes}", text)
        text = re.sub(rf"(\"id\": ?){record_id}(?![0-9])", lambda m: f"{m[1]}{in_quotes}", text)
    return text


def reproduction_script(finding: dict[str, Any], steps: list[dict[str, Any]]) -> str:
    """A bash script: set API_TOKEN (and OTHER_API_TOKEN when a step is the second account's)."""
    lines = ["#!/usr/bin/env bash",
             f"# {finding['rule']}: {RULES[finding['rule']].says}",
             f"# ({', '.join(finding['decisions'])}; #{finding['pointer']})",
             "# The last step gets the wrong answer. Run it against the server the suite tested.",
             "set -u",
             ': "${API_TOKEN:?set API_TOKEN to the token the run used}"']
    if any("OTHER_API_TOKEN" in (step["curl"] or "") for step in steps):
        lines.append(': "${OTHER_API_TOKEN:?set OTHER_API_TOKEN to the second account\'s token}"')
    ids: dict[int, str] = {}
    needed = {record_id for step in steps for record_id in [answered_id(step)] if record_id is not None
              and any(_names(other, record_id) for other in steps if other is not step)}
    for number, step in enumerate(steps, start=1):
        command = _with_ids(step["curl"], ids)
        lines.append(f"echo '--- step {number} of {len(steps)}'")
        record_id = answered_id(step)
        if record_id in needed and record_id not in ids:
            name = f"ID_{len(ids) + 1}"
            lines += [f"answer=$({command})", 'printf \'%s\\n\' "$answer"',
                      f'{name}=$(printf \'%s\' "$answer" | {_ID_EXTRACT})']
            ids[record_id] = name
        else:
            lines.append(command)
    return "\n".join(lines) + "\n"


def group_findings(failures: list[Failure]) -> list[dict[str, Any]]:
    """The findings, most tests explained first (ties: in the order the run met them); each
    failure gets `findings`, the 1-based numbers of the findings it counts under."""
    groups: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}
    for failure in failures:
        for violation in failure["rules"]:
            group = groups.setdefault(finding_key(violation), {"violation": violation, "tests": [],
                                                               "best": None, "steps": None})
            if failure["test"] not in group["tests"]:
                group["tests"].append(failure["test"])
            steps = minimal_steps(failure.get("steps") or [], RULES[violation["check"]].replay)
            if steps and (group["steps"] is None or len(steps) < len(group["steps"])):
                group["best"], group["steps"] = failure, steps
            elif group["best"] is None:
                group["best"] = failure
    ordered = sorted(groups.items(), key=lambda item: -len(item[1]["tests"]))
    findings = []
    for key, group in ordered:
        violation = next(v for v in group["best"]["rules"] if finding_key(v) == key)
        finding = {"rule": violation["check"], "decisions": violation["decisions"],
                   "operation": violation.get("operation"), "pointer": violation["pointer"],
                   "message": _sentence_of(group["best"], violation), "tests": len(group["tests"]),
                   "reproduction": None}
        if group["steps"]:
            finding["reproduction"] = reproduction_script(finding, group["steps"])
        findings.append(finding)
    numbers = {key: number for number, (key, _) in enumerate(ordered, start=1)}
    for failure in failures:
        failure["findings"] = sorted({numbers[finding_key(v)] for v in failure["rules"]})
    return findings


def _sentence_of(failure: Failure, violation: dict[str, Any]) -> str:
    from vpbx_suite.failures import violation_sentence
    return violation_sentence(violation, failure.get("exchange"))


def verdict_detail(findings: list[dict[str, Any]]) -> str:
    return f"{len(findings)} finding{'' if len(findings) == 1 else 's'}"


def with_findings(verdict: str, findings: list[dict[str, Any]]) -> str:
    """`contract: FAIL` -> `contract: FAIL (2 findings)`; a partial run's detail follows them."""
    if not findings or not verdict.startswith("contract: FAIL"):
        return verdict
    rest = verdict.removeprefix("contract: FAIL").strip()
    detail = verdict_detail(findings) + (f"; {rest[1:-1]}" if rest.startswith("(") and rest.endswith(")") else "")
    return f"contract: FAIL ({detail})"


def summary_lines(findings: list[dict[str, Any]]) -> list[str]:
    """The findings as the terminal shows them, before the per-test failures."""
    lines = []
    for number, finding in enumerate(findings, start=1):
        also = finding["tests"] - 1
        lines.append(f"{number}. {finding['rule']}" + (f" on {finding['operation']}" if finding["operation"] else "")
                     + f" ({', '.join(finding['decisions'])}; #{finding['pointer']})"
                     + f": {finding['tests']} test{'' if finding['tests'] == 1 else 's'}"
                     + (f" (also seen in {also} more)" if also else ""))
        lines += ["   " + line for line in finding["message"].splitlines()]
        if finding["reproduction"]:
            lines.append("   reproduce (bash, with API_TOKEN set):")
            lines += ["     " + line for line in finding["reproduction"].splitlines()]
    return lines
