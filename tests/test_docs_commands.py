"""Every command the README and the guides (docs/*.md) show works as written.

- A `make` line: the target exists and make accepts the line (`make -n`), and each VAR=value
  is a setting that target reads (an option's variable of the `vpbx` command it runs, or a
  variable the Makefile or the code reads).
- A `vpbx` line: the options parse against the command's own definition (as `--help` lists
  them); `vpbx … --help` lines run.
- A `python -m` line: the module exists.
- A block that talks to the local mock (http://127.0.0.1:8080) and has no placeholder runs for
  real, under bash with `set -euo pipefail`, against a mock started for the test.
- Any other command must be one the guides may show without running (installers, other
  people's tools); a new kind of command fails here until it is classified.
Inline mentions (`make X`, `vpbx X`) must name a target or subcommand that exists.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from vpbx_cli.main import cli
from vpbx_suite.mock_process import running_mock
from vpbx_spec.document import REPOSITORY_ROOT

pytestmark = pytest.mark.slow
PAGES = [REPOSITORY_ROOT / "README.md", *sorted((REPOSITORY_ROOT / "docs").glob("*.md"))]
MAKEFILE = (REPOSITORY_ROOT / "Makefile").read_text(encoding="utf-8")
MOCK_URL = "http://127.0.0.1:8080"
# Shown, never run here: they install things, or need someone else's server or tool.
NOT_RUN = {"pip", "pipx", "sudo", "apt-get", "mitmdump", "git", "export", "cd", "npm", "npx",
           "openapi-python-client", "openapi-generator-cli",  # generators, docs/clients.md
           "schemathesis", "st", "openssl"}
PLACEHOLDER = re.compile(r"\.\.\.|…|<[^>]*>|\$TOKEN|staging\.example|s3cret")
_BLOCK = re.compile(r"^```(sh|bash|shell)\n(.*?)^```", re.M | re.S)
_INLINE = re.compile(r"`((?:make|vpbx) [a-z][a-z-]*)")


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    text: str

    @property
    def commands(self) -> list[str]:
        """Logical lines: continuations joined, comments and blank lines dropped."""
        joined = self.text.replace("\\\n", " ")
        return [line for line in (raw.strip() for raw in joined.splitlines())
                if line and not line.startswith("#")]


def blocks() -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            found.append(Block(page.relative_to(REPOSITORY_ROOT).as_posix(),
                               text[: match.start()].count("\n") + 1, match.group(2)))
    return found


BLOCKS = blocks()
COMMANDS = [(block, command) for block in BLOCKS for command in block.commands]


def words(command: str) -> list[str]:
    return shlex.split(command, comments=True)


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", MAKEFILE, re.M))


def recipe(target: str) -> str:
    match = re.search(rf"^{re.escape(target)}:.*?\n((?:\t.*\n?)*)", MAKEFILE, re.M)
    return match.group(1) if match else ""


def settings_of(target: str) -> set[str]:
    """The variables a target reads: its vpbx command's options, the Makefile's own, and any
    variable the code reads from the environment."""
    known = set(re.findall(r"\$\((?:or )?\$?\(?([A-Z_]+)\)", MAKEFILE))
    for subcommand in re.findall(r"/vpbx ([a-z-]+)", recipe(target)):
        command = cli.get_command(click.Context(cli), subcommand)
        known |= {param.envvar for param in command.params if isinstance(param.envvar, str)}
    if "/vpbx " not in recipe(target):
        sources = [*REPOSITORY_ROOT.glob("vpbx_*/**/*.py"), *REPOSITORY_ROOT.glob("tests/**/*.py"),
                   *REPOSITORY_ROOT.glob("bench/*.py"), *REPOSITORY_ROOT.glob("mutation/*.py")]
        for source in sources:
            known |= set(re.findall(r"environ(?:\.get)?[(\[]\s*\"([A-Z_]+)\"", source.read_text(encoding="utf-8")))
    return known


SHELL = "shell"  # an assignment or echo: nothing to check on its own


def kind(command: str) -> str:
    """The program a line runs: `make` in `VAR=1 make x`, `curl` in `id=$(curl …)`, SHELL for
    a plain assignment or an echo."""
    argv = words(command)
    captured = re.match(r"^[A-Za-z_][A-Za-z0-9_]*=\$\((\S+)", argv[0] if argv else "")
    if captured:
        return captured.group(1)
    program = next((word for word in argv if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", word)), None)
    if program is None or program == "echo":
        return SHELL
    return program


def command_id(item: tuple[Block, str]) -> str:
    block, command = item
    return f"{block.page}:{block.line}: {command[:60]}"


@pytest.mark.parametrize("item", COMMANDS, ids=[command_id(c) for c in COMMANDS])
def test_every_shown_command_is_of_a_known_kind(item):
    block, command = item
    first = kind(command)
    assert first in {"make", "vpbx", "python", "python3", "curl", SHELL} | NOT_RUN or first.endswith("/python"), (
        f"{block.page}:{block.line}: `{command}`: classify this kind of command in {__file__}")


MAKE_LINES = [(b, c) for b, c in COMMANDS if kind(c) == "make"]


@pytest.mark.parametrize("item", MAKE_LINES, ids=[command_id(c) for c in MAKE_LINES])
def test_make_lines_name_a_target_and_its_settings(item):
    block, command = item
    argv = words(command)
    argv = argv[argv.index("make") + 1:]
    targets = [word for word in argv if "=" not in word and not word.startswith("-")]
    assignments = [word.split("=", 1)[0] for word in argv if "=" in word]
    assert targets, f"{block.page}:{block.line}: `{command}` names no target"
    for target in targets:
        assert target in make_targets(), f"{block.page}:{block.line}: no make target {target!r}"
        unknown = [name for name in assignments if name not in settings_of(target)]
        assert not unknown, f"{block.page}:{block.line}: make {target} reads no {unknown}"
    dry = subprocess.run(["make", "-n", "--no-print-directory", *argv], cwd=REPOSITORY_ROOT,
                         capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, f"{block.page}:{block.line}: make -n: {dry.stderr}"


VPBX_LINES = [(b, c) for b, c in COMMANDS if kind(c) == "vpbx"]


@pytest.mark.parametrize("item", VPBX_LINES, ids=[command_id(c) for c in VPBX_LINES])
def test_vpbx_lines_parse_against_the_command(item):
    block, command = item
    argv = words(command)[1:]
    if "--help" in argv or "--version" in argv:
        result = subprocess.run([sys.executable, "-m", "vpbx_cli", *argv], capture_output=True, text=True,
                                timeout=60, cwd=REPOSITORY_ROOT)
        assert result.returncode == 0, result.stderr
        return
    subcommand = cli.get_command(click.Context(cli), argv[0])
    assert subcommand is not None, f"{block.page}:{block.line}: no vpbx command {argv[0]!r}"
    subcommand.make_context(argv[0], argv[1:])  # raises on an unknown option or a bad value


PYTHON_LINES = [(b, c) for b, c in COMMANDS if kind(c).endswith("python") and "-m" in words(c)]


@pytest.mark.parametrize("item", PYTHON_LINES, ids=[command_id(c) for c in PYTHON_LINES])
def test_python_modules_exist(item):
    block, command = item
    argv = words(command)
    module = argv[argv.index("-m") + 1]
    assert importlib.util.find_spec(module) is not None, f"{block.page}:{block.line}: no module {module}"


def test_inline_mentions_name_targets_and_commands_that_exist():
    subcommands = set(cli.list_commands(click.Context(cli)))
    for page in PAGES:
        for mention in _INLINE.findall(page.read_text(encoding="utf-8")):
            tool, name = mention.split(" ", 1)
            known = make_targets() if tool == "make" else subcommands
            assert name in known, f"{page.name}: `{mention}` does not exist"


MOCK_BLOCKS = [b for b in BLOCKS if MOCK_URL in b.text and not PLACEHOLDER.search(b.text)
               and all(kind(c) in ("curl", SHELL) for c in b.commands)]


def test_some_blocks_run_against_the_mock():
    assert MOCK_BLOCKS, "no guide shows a runnable exchange with the mock"


@pytest.mark.parametrize("block", MOCK_BLOCKS, ids=[f"{b.page}:{b.line}" for b in MOCK_BLOCKS])
def test_blocks_that_talk_to_the_mock_run(block, tmp_path: Path):
    # The published tokens, the one `make mock` uses, and the second when the block needs two accounts.
    tokens = {"API_TOKENS": "local-dev-token,local-dev-token-2"} if "local-dev-token-2" in block.text else {}
    with running_mock(tmp_path / "db.sqlite3", {"API_TOKEN": None, **tokens}) as mock:
        script = "set -euo pipefail\n" + block.text.replace(MOCK_URL, mock.base_url)
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60,
                                env={**os.environ})
    assert result.returncode == 0, f"{block.page}:{block.line}:\n{result.stdout}\n{result.stderr}"


def test_make_help_names_every_target_and_only_those():
    helped = subprocess.run(["make", "--no-print-directory", "help"], cwd=REPOSITORY_ROOT, capture_output=True,
                            text=True, timeout=60).stdout
    named = set(re.findall(r"^make ([a-z][a-z-]*)", helped, re.M))
    phony = set(re.search(r"^\.PHONY: (.*)$", MAKEFILE, re.M).group(1).split()) - {"help"}
    assert named == phony, f"make help lists {sorted(named - phony)} too many, lacks {sorted(phony - named)}"


def test_vpbx_help_lists_every_subcommand_with_its_settings():
    result = subprocess.run([sys.executable, "-m", "vpbx_cli", "--help"], capture_output=True, text=True,
                            timeout=60, cwd=REPOSITORY_ROOT)
    for name in ("contract", "mock", "check", "validate-traffic", "proxy"):
        assert re.search(rf"^\s+{name}\s", result.stdout, re.M), f"vpbx --help lacks {name}"
        sub = subprocess.run([sys.executable, "-m", "vpbx_cli", name, "--help"], capture_output=True,
                             text=True, timeout=60, cwd=REPOSITORY_ROOT).stdout
        command = cli.get_command(click.Context(cli), name)
        for param in command.params:
            if isinstance(param.envvar, str):
                shown = " ".join(sub.split())
                assert f"env var: {param.envvar}" in shown or f"${param.envvar}" in shown, (
                    f"vpbx {name} --help does not name {param.envvar}")


def test_the_readme_links_every_guide_and_every_guide_links_back():
    readme = (REPOSITORY_ROOT / "README.md").read_text(encoding="utf-8")
    for guide in sorted((REPOSITORY_ROOT / "docs").glob("*.md")):
        assert f"docs/{guide.name}" in readme, f"README does not link {guide.name}"
        assert "[README](../README.md)" in guide.read_text(encoding="utf-8").split("\n\n")[1], guide.name


def test_the_readme_fits_a_screen_or_two():
    lines = (REPOSITORY_ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= 250, f"README.md has {lines} lines; move the depth to docs/"


@pytest.mark.parametrize("page,command", [("contract-suite.md", "contract"), ("mock.md", "mock")])
def test_every_setting_a_guide_lists_is_an_option_of_its_command(page: str, command: str):
    """A settings table row `| `NAME` | default | meaning |` names an environment variable
    that `vpbx <command>` reads as an option, and the option lists it in --help."""
    text = (REPOSITORY_ROOT / "docs" / page).read_text(encoding="utf-8")
    table = text[text.index("| setting | default | meaning |"):].split("\n\n", 1)[0]
    listed = {name for row in table.splitlines()[2:] for name in re.findall(r"`([A-Z_]+)`", row.split("|")[1])}
    options = {param.envvar for param in cli.get_command(click.Context(cli), command).params
               if isinstance(param.envvar, str)}
    assert listed and listed <= options, f"{page} lists {sorted(listed - options)}, not options of vpbx {command}"
