"""make clients: third-party generators against the document, and their clients against the mock.

For each generator (pinned: requirements-clients.txt, clients/package.json): generate a client
from openapi/openapi.yaml into build/clients/, type-check it with its driver (mypy --strict,
tsc --strict), then run the driver's walk (clients/python/scenario.py,
clients/typescript/scenario.ts) against the bundled mock with two accounts, and judge every
answer: its status, the parsed values against what the mock stored. A generator that cannot
run here is said in one line and fails the target.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vpbx_mock.records import virtual_number
from vpbx_mock.store import NumberStore
from vpbx_suite.mock_process import free_port, wait_until_answering

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ROOT / "clients"
BUILD = ROOT / "build" / "clients"
DOCUMENT = "openapi/openapi.yaml"
VENV_BIN = Path(sys.executable).parent
NODE_BIN = CLIENTS / "node_modules" / ".bin"
TOKENS = ("clients-account-a", "clients-account-b")
LARGEST_ID = 9007199254740991  # the walk's employee_id and unknown id: 2^53 - 1 (D30)

# What the walk must get at each step: the statuses the document allows, and for an error the
# reference mock's code (docs/mock.md).
EXPECTED: dict[str, tuple[set[int], str | None]] = {
    "offers": ({200}, None), "added": ({200, 201}, None), "read": ({200}, None),
    "listed": ({200}, None), "edited": ({200}, None), "deleted": ({200}, None),
    "kept": ({200, 201}, None), "kept_edited": ({200}, None), "kept_read": ({200}, None),
    "unauthorized": ({401}, "unauthorized"), "gone": ({404}, "not_found"),
    "largest_id": ({404}, "not_found"), "other_account": ({404}, "not_found"),
    "duplicate": ({409}, "duplicate_number"), "held_elsewhere": ({422}, "number_not_connectable"),
}


@dataclass(frozen=True)
class Generator:
    name: str
    output: str  # folder under build/clients
    command: Sequence[str]
    driver: Sequence[str]  # how to run its walk
    python_path: str = ""  # the generated package's folder, for a Python driver
    mypy_config: str | None = None


def _generators() -> list[Generator]:
    ogen = [str(VENV_BIN / "openapi-generator-cli"), "generate", "--input-spec", DOCUMENT]
    node = ["node"]
    js = BUILD / "js" / "clients" / "typescript"
    return [
        Generator("openapi-python-client", "openapi-python-client",
                  [str(VENV_BIN / "openapi-python-client"), "generate", "--path", DOCUMENT,
                   "--output-path", "build/clients/openapi-python-client", "--overwrite",
                   "--config", "clients/python/openapi-python-client.yaml"],
                  [sys.executable, "clients/python/openapi_python_client.py"],
                  python_path="build/clients/openapi-python-client"),
        Generator("openapi-generator python", "openapi-generator-python",
                  [*ogen, "--generator-name", "python", "--output", "build/clients/openapi-generator-python",
                   "--package-name", "vpbx_ogen"],
                  [sys.executable, "clients/python/openapi_generator_python.py"],
                  python_path="build/clients/openapi-generator-python",
                  mypy_config="clients/python/mypy-openapi-generator.ini"),
        Generator("openapi-generator typescript-fetch", "openapi-generator-typescript-fetch",
                  [*ogen, "--generator-name", "typescript-fetch",
                   "--output", "build/clients/openapi-generator-typescript-fetch"],
                  [*node, str(js / "openapi_generator.js")]),
        Generator("openapi-typescript + openapi-fetch", "openapi-typescript",
                  [str(NODE_BIN / "openapi-typescript"), DOCUMENT,
                   "--output", "build/clients/openapi-typescript/schema.d.ts"],
                  [*node, str(js / "openapi_fetch.js")]),
        Generator("@hey-api/openapi-ts", "hey-api",
                  [str(NODE_BIN / "openapi-ts"), "--file", "clients/openapi-ts.config.mjs"],
                  [*node, str(js / "hey_api.js")]),
    ]


def _environment(**extra: str) -> dict[str, str]:
    # ruff (openapi-python-client formats with it) and the JRE are found on PATH;
    # the TypeScript code in build/ finds its packages in clients/node_modules.
    return {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "NODE_PATH": str(CLIENTS / "node_modules"), **extra}


def _run(command: Sequence[str], timeout: float = 600, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=_environment(**extra))


def _tail(result: subprocess.CompletedProcess[str], lines: int = 15) -> str:
    return "\n".join(("    " + line) for line in (result.stdout + result.stderr).strip().splitlines()[-lines:])


def _cannot_run(generator: Generator) -> str | None:
    """Why this generator cannot run on this machine, in one line; None when it can."""
    tool = Path(generator.command[0])
    if not tool.exists():
        return f"{tool.relative_to(ROOT)} is not installed (make clients installs it)"
    if "openapi-generator" in generator.name and shutil.which("java") is None:
        return "no Java runtime on PATH (Debian: apt-get install default-jre-headless)"
    if generator.driver[0] == "node" and shutil.which("node") is None:
        return "no Node.js on PATH"
    return None


def _same(parsed: Any, expected: dict[str, Any], where: str) -> list[str]:
    """Every field of `expected` as parsed (a field a client leaves out counts as null)."""
    if not isinstance(parsed, dict):
        return [f"{where}: parsed {parsed!r}, not an object"]
    return [f"{where}.{name}: parsed {parsed.get(name)!r}, expected {value!r}"
            for name, value in expected.items() if parsed.get(name) != value]


def judge(steps: dict[str, Any], store: NumberStore) -> list[str]:
    """What is wrong with one walk: statuses, error codes, and the parsed values against
    what the mock stored."""
    problems = []
    for name, (statuses, code) in EXPECTED.items():
        step = steps.get(name)
        if step is None:
            problems.append(f"{name}: not in the transcript")
            continue
        if step["status"] not in statuses:
            problems.append(f"{name}: status {step['status']}, expected {sorted(statuses)}: {step['body']!r}"[:400])
        elif code is not None and ((step["body"] or {}).get("error") or {}).get("code") != code:
            problems.append(f"{name}: error body {step['body']!r}, expected code {code!r}")
    if problems:
        return problems
    first, second = [offer for offer in steps["offers"]["body"] if offer["dgn_number"]][:2]
    added, kept = steps["added"]["body"], steps["kept"]["body"]
    problems += _same(added, {"number": first["number"], "dgn_number": first["dgn_number"],
                              "purpose": "company", "type": "def", "comment": "added"}, "added")
    problems += _same(steps["read"]["body"], added, "read")
    listed = [item for item in steps["listed"]["body"] if item.get("id") == added["id"]]
    problems += _same(listed[0], added, "listed") if len(listed) == 1 else [f"listed: {len(listed)} entries of id {added['id']}"]
    problems += _same(steps["edited"]["body"], {"id": added["id"], "purpose": "employee",
                                                "employee_id": 125, "comment": "edited"}, "edited")
    problems += _same(steps["deleted"]["body"], {"id": added["id"]}, "deleted")
    if store.by_id(added["id"]) is not None:
        problems.append(f"deleted: the mock still stores id {added['id']}")
    stored = store.by_id(kept["id"])
    if stored is None:
        return [*problems, f"kept: the mock stores no id {kept['id']}"]
    record = json.loads(virtual_number(stored))  # the stored row, as the mock writes it
    problems += _same(record, {"number": second["number"], "purpose": "employee",
                               "employee_id": LARGEST_ID, "comment": ""}, "stored")
    problems += _same(steps["kept_edited"]["body"], {name: record[name] for name in ("id", "purpose", "employee_id", "comment")},
                      "kept_edited")
    problems += _same(steps["kept_read"]["body"], record, "kept_read")
    return problems


def _start_mock(database: Path, log: Any) -> tuple[subprocess.Popen[bytes], str]:
    """`vpbx mock` with two accounts on a free port (docs/mock.md, docs/accounts.md)."""
    port = free_port()
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("HOST", "API_TOKEN", "MOCK_FAULTS", "MOCK_CONNECTABLE")}
    environment.update({"PORT": str(port), "MOCK_DB": str(database), "API_TOKENS": ",".join(TOKENS),
                        "MOCK_ACCESS_LOG": "0"})
    process = subprocess.Popen([str(VENV_BIN / "vpbx"), "mock"], cwd=ROOT, env=environment,
                               stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


def main() -> int:
    with tempfile.TemporaryDirectory() as folder, open(Path(folder) / "mock.log", "w+b") as log:
        database = Path(folder) / "mock.sqlite3"
        # Started first: it starts while the generators run.
        process, base_url = _start_mock(database, log)
        try:
            return _generate_check_and_walk(database, process, base_url, log)
        finally:
            process.terminate()
            process.wait(30)


def _generate_check_and_walk(database: Path, process: subprocess.Popen[bytes], base_url: str, log: Any) -> int:
    generators = _generators()
    failed: list[str] = []
    ready: list[Generator] = []
    shutil.rmtree(BUILD, ignore_errors=True)
    if _cannot_run(generators[1]) is None:
        # openapi-generator's own validation, without --skip-validate-spec (issue 25).
        result = _run([str(VENV_BIN / "openapi-generator-cli"), "validate", "--input-spec", DOCUMENT])
        if result.returncode != 0 or "No validation issues detected" not in result.stdout:
            print(f"clients: openapi-generator validate: the document is refused:\n{_tail(result)}")
            failed.append("openapi-generator validate")
        else:
            print("clients: openapi-generator validate: no validation issues")
    for generator in generators:
        reason = _cannot_run(generator)
        if reason is not None:
            print(f"clients: {generator.name}: cannot run here: {reason}")
            failed.append(generator.name)
            continue
        started = time.monotonic()
        result = _run(generator.command)
        if result.returncode != 0 or not (BUILD / generator.output).exists():
            print(f"clients: {generator.name}: generation failed (exit {result.returncode}):\n{_tail(result)}")
            failed.append(generator.name)
            continue
        print(f"clients: {generator.name}: generated in {time.monotonic() - started:.0f} s")
        ready.append(generator)

    checked: list[Generator] = []
    typescript = [generator for generator in ready if generator.driver[0] == "node"]
    if typescript:
        result = _run([str(NODE_BIN / "tsc"), "--project", "clients/tsconfig.json"])
        if result.returncode != 0:
            print(f"clients: tsc --strict failed:\n{_tail(result, 40)}")
            failed += [generator.name for generator in typescript]
        else:
            print(f"clients: tsc --strict: {', '.join(g.name for g in typescript)}: no errors")
            checked += typescript
    for generator in ready:
        if generator.driver[0] == "node":
            continue
        config = ["--config-file", generator.mypy_config] if generator.mypy_config else []
        result = _run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", *config, generator.driver[1]],
                      MYPYPATH=f"clients/python{os.pathsep}{generator.python_path}")
        if result.returncode != 0:
            print(f"clients: {generator.name}: mypy --strict failed:\n{_tail(result, 40)}")
            failed.append(generator.name)
            continue
        print(f"clients: {generator.name}: mypy --strict: no errors")
        checked.append(generator)

    def output() -> str:
        log.flush()
        log.seek(0)
        return log.read().decode("utf-8", errors="replace")

    wait_until_answering(process, base_url + "/", output, timeout=120)
    store = NumberStore.open(str(database))
    try:
        for generator in (g for g in generators if g in checked):
            result = _run(generator.driver, timeout=120, BASE_URL=base_url, API_TOKEN=TOKENS[0],
                          OTHER_API_TOKEN=TOKENS[1], PYTHONPATH=f"clients/python{os.pathsep}{generator.python_path}")
            try:
                steps = json.loads(result.stdout)
            except json.JSONDecodeError:
                print(f"clients: {generator.name}: the walk stopped (exit {result.returncode}):\n{_tail(result)}")
                failed.append(generator.name)
                continue
            problems = judge(steps, store)
            if problems:
                print(f"clients: {generator.name}: {len(problems)} problem(s):")
                print("\n".join(f"    {problem}" for problem in problems))
                failed.append(generator.name)
            else:
                print(f"clients: {generator.name}: 6 operations and 401, 404, 409, 422: "
                      f"{len(steps)} answers as the mock stored them")
    finally:
        store.close()
    if failed:
        print(f"clients: FAILED: {', '.join(dict.fromkeys(failed))}")
        return 1
    print(f"clients: OK: {len(generators)} generated clients")
    return 0


if __name__ == "__main__":
    sys.exit(main())
