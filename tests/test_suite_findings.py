"""Findings: every rule of the suite declares its decisions and its place in the document; every
assertion of the target tests names a rule and says a sentence; failures group by what broke;
each finding's reproduction is a bash script that runs."""

from __future__ import annotations

import ast
import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from vpbx_suite.contract import bundled_facts
from vpbx_suite.findings import group_findings, minimal_steps, reproduction_script, with_findings, with_origins
from vpbx_suite.rules import CHECK_ALIASES, RULES, logged_decisions, resolve_pointer
from vpbx_suite.schemathesis_checks import DOMAIN_CHECKS

TARGET_TESTS = Path(__file__).resolve().parent.parent / "vpbx_suite" / "target_tests"


def test_every_rule_declares_decisions_that_exist_and_a_place_in_the_document():
    logged = logged_decisions()
    assert len(logged) >= 37 and {"D1", "D23", "D37"} <= logged
    operations = set(bundled_facts().operations)
    for rule in RULES.values():
        assert rule.decisions, f"{rule.name} names no decision"
        assert set(rule.decisions) <= logged, f"{rule.name}: {set(rule.decisions) - logged} not in DECISIONS.md"
        assert rule.operation is None or rule.operation in operations, rule.name
        assert rule.pointer.startswith("/"), rule.name
        resolve_pointer(rule.pointer)  # KeyError when the document has no such place
        assert rule.says and rule.says[0].islower() and not rule.says.endswith("."), rule.name
        assert rule.replay in ("request", "sequence"), rule.name


def test_every_check_a_run_enables_has_a_rule():
    """The checks schemathesis_config turns on or configures, and the domain checks."""
    source = (TARGET_TESTS.parent / "schemathesis_config.py").read_text(encoding="utf-8")
    source = source[source.rindex('"checks": {'):]  # the run's checks, not its phases
    configured = set(re.findall(r'"([a-z_]+)": \{\s*"(?:enabled": True|expected-statuses)', source))
    assert {"no_server_error", "negative_data_rejection", "ignored_auth"} <= configured, configured
    for name in configured | {check.__name__ for check in DOMAIN_CHECKS}:
        assert CHECK_ALIASES.get(name, name) in RULES, f"the check {name} has no rule"


def _target_test_modules() -> list[tuple[Path, ast.Module]]:
    modules = [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(TARGET_TESTS.glob("*.py"))]
    assert len(modules) >= 7
    return modules


def test_the_target_tests_never_assert_bare_and_never_unpack_a_listing():
    """A bare `assert` fails with Python's AssertionError; `(item,) = [...]` with "too many values
    to unpack" when a listing holds a record twice. Both say nothing about the server."""
    for path, module in _target_test_modules():
        for node in ast.walk(module):
            assert not isinstance(node, ast.Assert), f"{path.name}:{node.lineno}: an assert; use expect(..., RULE, ...)"
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    assert not isinstance(target, (ast.Tuple, ast.List)) or not isinstance(
                        node.value, (ast.ListComp, ast.List)), f"{path.name}:{node.lineno}: unpacking"
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = getattr(node.exc.func, "id", "")
                message = node.exc.args[0].value if node.exc.args and isinstance(node.exc.args[0], ast.Constant) else ""
                assert name != "AssertionError" or message == "unreachable", f"{path.name}:{node.lineno}"


def test_every_expectation_of_the_target_tests_names_a_declared_rule_and_says_a_sentence():
    import vpbx_suite.rules as rules
    expectations = 0
    for path, module in _target_test_modules():
        for node in ast.walk(module):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "expect"):
                continue
            expectations += 1
            assert len(node.args) == 3, f"{path.name}:{node.lineno}: expect(condition, RULE, message)"
            rule = node.args[1]
            # A rule constant of vpbx_suite.rules, or a helper's `rule` parameter (given one by its callers).
            assert isinstance(rule, ast.Name) and (getattr(rules, rule.id, None) in RULES or rule.id == "rule"), (
                f"{path.name}:{node.lineno}: {ast.unparse(rule)} is not a rule of vpbx_suite.rules")
            message = node.args[2]
            assert isinstance(message, (ast.JoinedStr, ast.BinOp, ast.Call)), (
                f"{path.name}:{node.lineno}: the message must quote what was sent or answered")
    assert expectations >= 50, expectations


def _step(method: str, url: str, status: int, answer: str, body: str | None = None) -> dict:
    curl = f"curl -sS -i -X {method} {url} -H \"Authorization: ${{API_TOKEN}}\"" + (
        f" --data-binary '{body}'" if body else "")
    return {"curl": curl, "exchange": {"request": {"method": method, "url": url, "headers": [],
                                                   "body": {"text": body} if body else None},
                                       "response": {"status": status, "headers": [], "body": {"text": answer}}}}


ADD = _step("POST", "http://h:1/numbers/unconfirmed", 201, '{"id": 5, "number": "79261234567"}',
            '{"number": "79261234567"}')
OTHER_ADD = _step("POST", "http://h:1/numbers/unconfirmed", 201, '{"id": 6}', '{"number": "79261234568"}')
LISTING = _step("GET", "http://h:1/numbers/virtual-number", 200, "[]")
EDIT = _step("PUT", "http://h:1/numbers/virtual-number/5", 200, '{"id": 5, "comment": "x"}',
             '{"id": 5, "purpose": "company"}')
READ = _step("GET", "http://h:1/numbers/virtual-number/5", 200, '{"id": 5, "comment": "y"}')


def _violation(check: str, field: str | None = "comment", operation: str = "getVirtualNumber") -> dict:
    return {"check": check, "code": None, "operation": operation, "field": field, "decisions": list(RULES[check].decisions),
            "pointer": RULES[check].pointer, "problem": f"{field}: answered otherwise"}


def _failure(test: str, *violations: dict, steps: list | None = None) -> dict:
    return {"test": test, "rules": list(violations), "message": "m", "curl": None, "exchange": None,
            "steps": steps or []}


def test_failures_group_by_rule_operation_and_field_most_tests_first():
    echo = _violation("echoes_request_fields", "dgn_number", "addMobileNumber")
    read = _violation("read_back_as_answered")
    failures = [_failure("test_a", read, steps=[ADD, READ]),
                _failure("test_edit_edge[1]", echo, steps=[ADD]),   # the edge's setup add broke the echo
                _failure("test_edit_edge[2]", echo),
                _failure("test_b", echo, read),                      # a group: counted under both
                _failure("test_edit_edge[2]", echo)]                 # one test counts once
    findings = group_findings(failures)
    assert [(f["rule"], f["operation"], f["tests"]) for f in findings] == [
        ("echoes_request_fields", "addMobileNumber", 3), ("read_back_as_answered", "getVirtualNumber", 2)]
    assert set(findings[0]) == {"rule", "decisions", "operation", "pointer", "message", "tests", "reproduction"}
    assert findings[0]["decisions"] == ["D13", "D25"]
    assert [failure["findings"] for failure in failures] == [[2], [1], [1], [1, 2], [1]]
    assert "79261234567" in findings[0]["reproduction"] and findings[1]["reproduction"].count("--- step") == 2


def test_a_reproduction_keeps_the_add_a_request_depends_on_and_drops_the_rest():
    assert minimal_steps([ADD, OTHER_ADD, LISTING, EDIT], "request") == [ADD, EDIT]
    assert minimal_steps([OTHER_ADD, LISTING, READ], "request") == [READ]
    assert minimal_steps([ADD, OTHER_ADD, LISTING, READ], "sequence") == [ADD, OTHER_ADD, READ]
    # An add of an earlier test (a fixture's number) is put back in front of the test's own steps.
    assert with_origins([LISTING, EDIT], {5: ADD, 6: OTHER_ADD}) == [ADD, LISTING, EDIT]


def test_the_reproduction_is_a_bash_script_whose_steps_use_the_id_the_add_answers(tmp_path: Path):
    finding = {"rule": "edit_is_stored", "decisions": ["D25"], "pointer": "/components/schemas"}
    script = reproduction_script(finding, [ADD, EDIT, READ])
    fake = tmp_path / "curl"  # answers like a server that gives id 77 to the add, and echoes the rest
    fake.write_text("#!/usr/bin/env bash\n"
                    "if [[ \" $* \" == *' POST '* ]]; then printf 'HTTP/1.1 201 Created\\r\\n\\r\\n{\"id\": 77}'\n"
                    "else echo \"sent: $*\"; fi\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    environment = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "API_TOKEN": "secret-token"}
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=environment, timeout=30)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "--- step 3 of 3" in lines
    assert any(line.startswith("sent: -sS -i -X PUT http://h:1/numbers/virtual-number/77 ") and '{"id": 77,' in line
               for line in lines), result.stdout
    assert lines[-1].startswith("sent: -sS -i -X GET http://h:1/numbers/virtual-number/77 ")
    assert "Authorization: secret-token" in result.stdout
    unset = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30,
                           env={k: v for k, v in environment.items() if k != "API_TOKEN"})
    assert unset.returncode != 0 and "set API_TOKEN" in unset.stderr


@pytest.mark.parametrize(("verdict", "expected"), [
    ("contract: FAIL", "contract: FAIL (2 findings)"),
    ("contract: FAIL (partial: 3 of 9 checks not run: other 3)",
     "contract: FAIL (2 findings; partial: 3 of 9 checks not run: other 3)"),
    ("contract: PASS", "contract: PASS"),
])
def test_the_verdict_counts_the_findings_and_keeps_its_prefix(verdict: str, expected: str):
    findings = [{"rule": "a"}, {"rule": "b"}]
    assert with_findings(verdict, findings) == expected
    assert with_findings("contract: FAIL", findings[:1]) == "contract: FAIL (1 finding)"


def test_every_broken_variant_of_the_self_test_declares_decisions_that_exist():
    from tests.selftest.variants import CATALOG
    broken = [variant for variant in CATALOG if not variant.must_pass]
    assert len(broken) > 100
    for variant in broken:
        assert variant.decisions, f"{variant.name} names no decision it breaks"
        assert set(variant.decisions) <= logged_decisions(), variant.name
    assert not any(variant.decisions for variant in CATALOG if variant.must_pass)


def test_an_id_that_begins_the_host_is_neither_a_step_named_nor_written_as_a_variable():
    """On http://127.0.0.1 a read of id 92 does not name id 127, and its host stays as it is."""
    first = _step("POST", "http://127.0.0.1:8/numbers/unconfirmed", 201, '{"id": 92}', '{"number": "79261234567"}')
    second = _step("POST", "http://127.0.0.1:8/numbers/unconfirmed", 201, '{"id": 127}', '{"number": "79261234568"}')
    read = _step("GET", "http://127.0.0.1:8/numbers/virtual-number/92", 200, '{"id": 92}')
    assert minimal_steps([first, second, read], "request") == [first, read]
    finding = {"rule": "edit_is_stored", "decisions": ["D25"], "pointer": "/components/schemas"}
    script = reproduction_script(finding, [first, second, read])
    assert script.splitlines()[-1].startswith("curl -sS -i -X GET http://127.0.0.1:8/numbers/virtual-number/${ID_1} ")
