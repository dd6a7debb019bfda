"""Every failure comes with a curl command that reproduces it, without the token."""

from __future__ import annotations

import shlex
import subprocess

from vpbx_suite.reproduce import curl_command

TOKEN = "s3cret-Token"


def _argv_of(command: str) -> list[str]:
    """What the shell would run (after expanding $API_TOKEN), without running curl."""
    script = f"API_TOKEN={shlex.quote(TOKEN)}; set -- {command.split('|')[-1].strip()[len('curl '):]}; " \
             'printf "%s\\0" "$@"'
    done = subprocess.run(["bash", "-c", script], capture_output=True, check=True)
    return done.stdout.decode().split("\0")[:-1]


def test_the_token_is_shown_as_a_variable_and_expands_back():
    command = curl_command("POST", "http://h/x", [("Authorization", TOKEN), ("Content-Type", "application/json")],
                           '{"comment": "Заметка"}'.encode(), TOKEN)
    assert TOKEN not in command and "${API_TOKEN}" in command
    argv = _argv_of(command)
    assert f"Authorization: {TOKEN}" in argv and '{"comment": "Заметка"}' in argv


def test_near_miss_tokens_are_shell_expressions():
    truncated = TOKEN[:-1]
    command = curl_command("GET", "http://h/x", [("Authorization", truncated)], None, TOKEN,
                           {truncated: "${API_TOKEN%?}"})
    assert truncated not in command
    assert f"Authorization: {truncated}" in _argv_of(command)


def test_bodies_with_control_characters_go_through_printf():
    body = b'{"comment": "a\x00b\x1f"}'
    command = curl_command("POST", "http://h/x", [("Authorization", TOKEN)], body, TOKEN)
    assert command.startswith("printf '") and "--data-binary @-" in command
    printed = subprocess.run(["bash", "-c", command.split(" | ")[0]], capture_output=True, check=True).stdout
    assert printed == body
