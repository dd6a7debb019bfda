"""Settings.from_environment: what `make mock` and `python -m vpbx_mock` read."""

from __future__ import annotations

import re

import dataclasses
import hashlib

import pytest
import uvicorn

from vpbx_mock.__main__ import main
from vpbx_mock.settings import LOCAL_DEFAULT_TOKEN, LOCAL_SECOND_TOKEN, Settings

ALL_SET = {"HOST": "0.0.0.0", "PORT": "9000", "API_TOKEN": "s3cret",
           "MOCK_DB": "/tmp/numbers.sqlite3", "MOCK_ACCESS_LOG": "0", "MOCK_CONNECTABLE": "any"}
# The defaults README documents, by Settings field.
DEFAULTS = {"host": "127.0.0.1", "port": 8080, "tokens": ("local-dev-token",),
            "database": ".data/mock.sqlite3", "access_log": True,
            "connectable": {"pool_size": 5000, "any_number": False}, "faults": None}
FIELD_OF = {"HOST": "host", "PORT": "port", "API_TOKEN": "tokens", "MOCK_DB": "database",
            "MOCK_ACCESS_LOG": "access_log", "MOCK_CONNECTABLE": "connectable"}


def test_defaults():
    settings = Settings.from_environment({})
    assert dataclasses.asdict(settings) == DEFAULTS
    assert settings.uses_default_token
    assert (LOCAL_DEFAULT_TOKEN,) == DEFAULTS["tokens"]


def test_every_setting_is_read():
    settings = Settings.from_environment(ALL_SET)
    assert dataclasses.asdict(settings) == {"host": "0.0.0.0", "port": 9000, "tokens": ("s3cret",),
                                            "database": "/tmp/numbers.sqlite3", "access_log": False,
                                            "connectable": {"pool_size": 5000, "any_number": True},
                                            "faults": None}
    assert not settings.uses_default_token


@pytest.mark.parametrize("name", ALL_SET)
def test_an_empty_value_counts_as_unset(name):
    # `make mock PORT=` passes PORT="" to the process. (HOST stays loopback: an unset
    # API_TOKEN on 0.0.0.0 is refused, see the protected-mode tests.)
    settings = Settings.from_environment({**ALL_SET, "HOST": "127.0.0.2", name: ""})
    expected = {**dataclasses.asdict(Settings.from_environment({**ALL_SET, "HOST": "127.0.0.2"})),
                FIELD_OF[name]: DEFAULTS[FIELD_OF[name]]}
    assert dataclasses.asdict(settings) == expected


@pytest.mark.parametrize("port", ["abc", "0", "65536", "-1", "80.5", " 8080", "0x1f90", "\u00b2"],
                         ids=["letters", "zero", "too large", "negative", "decimal",
                              "leading space", "hex", "superscript two"])
def test_an_invalid_port_raises_value_error(port):
    with pytest.raises(ValueError, match=r"PORT must be a TCP port number, got " + re.escape(repr(port))):
        Settings.from_environment({"PORT": port})


@pytest.mark.parametrize("port", ["1", "65535"])
def test_the_port_range_edges_are_accepted(port):
    assert Settings.from_environment({"PORT": port}).port == int(port)


@pytest.mark.parametrize(("value", "access_log"), [
    ("0", False), ("false", False), ("no", False), ("1", True), ("yes", True), ("", True),
])
def test_mock_access_log(value, access_log):
    assert Settings.from_environment({"MOCK_ACCESS_LOG": value}).access_log is access_log


def test_a_custom_token_equal_to_the_default_still_counts_as_default():
    assert Settings.from_environment({"API_TOKEN": LOCAL_DEFAULT_TOKEN}).uses_default_token


def test_without_an_argument_the_process_environment_is_read(monkeypatch):
    for name in ALL_SET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("API_TOKEN", "from-env")
    settings = Settings.from_environment()
    assert (settings.port, settings.token, settings.host) == (9123, "from-env", "127.0.0.1")


def test_the_process_refuses_an_invalid_port_with_status_2(monkeypatch, capsys):
    monkeypatch.setenv("PORT", "not-a-port")
    monkeypatch.setenv("MOCK_DB", ":memory:")
    assert main() == 2  # before opening a database or a socket
    assert "PORT" in capsys.readouterr().err


# --- MOCK_CONNECTABLE (D20) ------------------------------------------------------------------

@pytest.mark.parametrize(("value", "pool_size", "any_number"), [
    ("any", 5000, True), ("ANY", 5000, True), ("0", 0, False), ("300", 300, False),
    ("1000000", 1_000_000, False), ("", 5000, False),
])
def test_mock_connectable_is_a_pool_size_or_any(value, pool_size, any_number):
    connectable = Settings.from_environment({"MOCK_CONNECTABLE": value}).connectable
    assert (connectable.pool_size, connectable.any_number) == (pool_size, any_number)


@pytest.mark.parametrize("value", ["some", "-1", "1.5", "1000001", "\u00b2", "0x10"])
def test_an_invalid_mock_connectable_raises_value_error(value):
    with pytest.raises(ValueError, match="MOCK_CONNECTABLE"):
        Settings.from_environment({"MOCK_CONNECTABLE": value})


# --- protected mode: the published token only on loopback --------------------------------------

@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org", "10.0.0.1"])
@pytest.mark.parametrize("token", [None, LOCAL_DEFAULT_TOKEN], ids=["unset", "set to the default"])
def test_the_default_token_on_a_reachable_address_is_refused(host, token):
    environ = {"HOST": host} if token is None else {"HOST": host, "API_TOKEN": token}
    with pytest.raises(ValueError, match="API_TOKEN"):
        Settings.from_environment(environ)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_the_default_token_on_loopback_is_accepted(host):
    assert Settings.from_environment({"HOST": host}).uses_default_token


def test_a_token_of_ones_own_may_listen_anywhere():
    assert Settings.from_environment({"HOST": "0.0.0.0", "API_TOKEN": "s3cret"}).host == "0.0.0.0"


def test_the_process_refuses_protected_mode_with_status_2_and_one_line(monkeypatch, capsys):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.delenv("API_TOKEN", raising=False)
    monkeypatch.setenv("MOCK_DB", ":memory:")

    def serve(*args: object, **kwargs: object) -> None:
        raise AssertionError("the mock started serving")

    monkeypatch.setattr(uvicorn, "run", serve)
    assert main() == 2  # before opening a database or a socket
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "set API_TOKEN" in lines[0] and "0.0.0.0" in lines[0]


# --- API_TOKENS: one account per token (D31) --------------------------------------------------

SECRET_A, SECRET_B = "own-secret-a-4d1f", "own-secret-b-8e27"


@pytest.mark.parametrize(("value", "tokens"), [
    (f"{SECRET_A},{SECRET_B}", (SECRET_A, SECRET_B)),
    (f" {SECRET_A} ,\t{SECRET_B} ", (SECRET_A, SECRET_B)),
    (SECRET_A, (SECRET_A,)),
    ("local-dev-token,local-dev-token-2", (LOCAL_DEFAULT_TOKEN, LOCAL_SECOND_TOKEN)),
], ids=["two", "spaces around entries", "one", "the two published ones"])
def test_api_tokens_names_one_account_per_token(value, tokens):
    settings = Settings.from_environment({"API_TOKENS": value})
    assert settings.tokens == tokens and settings.token == tokens[0]


def test_an_empty_api_token_beside_api_tokens_counts_as_unset():
    assert Settings.from_environment({"API_TOKEN": "", "API_TOKENS": "a,b"}).tokens == ("a", "b")
    assert Settings.from_environment({"API_TOKEN": "a", "API_TOKENS": ""}).tokens == ("a",)


@pytest.mark.parametrize(("environ", "expected"), [
    ({"API_TOKEN": SECRET_A, "API_TOKENS": f"{SECRET_A},{SECRET_B}"}, "not both"),
    ({"API_TOKENS": f"{SECRET_A},,{SECRET_B}"}, "entry 2 of 3 is empty"),
    ({"API_TOKENS": f"{SECRET_A},"}, "entry 2 of 2 is empty"),
    ({"API_TOKENS": f",{SECRET_A}"}, "entry 1 of 2 is empty"),
    ({"API_TOKENS": " , "}, "entry 1 of 2 is empty"),
    ({"API_TOKENS": f"{SECRET_A},{SECRET_B},{SECRET_A}"}, "entries 1 and 3 are the same token"),
    ({"API_TOKENS": f"{SECRET_A}, {SECRET_A}"}, "entries 1 and 2 are the same token"),
], ids=["both set", "empty inside", "empty last", "empty first", "only spaces", "duplicate",
        "duplicate but for a space"])
def test_bad_token_settings_raise_value_error_without_naming_a_token(environ, expected):
    with pytest.raises(ValueError, match=expected) as raised:
        Settings.from_environment(environ)
    assert SECRET_A not in str(raised.value) and SECRET_B not in str(raised.value)


@pytest.mark.parametrize("value", [f"{LOCAL_SECOND_TOKEN},{SECRET_A}", f"{SECRET_A},{LOCAL_DEFAULT_TOKEN}",
                                   LOCAL_SECOND_TOKEN])
def test_any_published_token_in_api_tokens_is_refused_on_a_reachable_address(value):
    with pytest.raises(ValueError, match="set API_TOKENS to secrets of your own") as raised:
        Settings.from_environment({"HOST": "0.0.0.0", "API_TOKENS": value})
    assert "0.0.0.0" in str(raised.value) and SECRET_A not in str(raised.value)
    assert Settings.from_environment({"API_TOKENS": value}).uses_default_token  # loopback: fine


def test_the_second_published_token_alone_is_refused_on_a_reachable_address():
    with pytest.raises(ValueError, match=f"'{LOCAL_SECOND_TOKEN}': set API_TOKEN"):
        Settings.from_environment({"HOST": "0.0.0.0", "API_TOKEN": LOCAL_SECOND_TOKEN})


def test_tokens_of_ones_own_may_listen_anywhere():
    settings = Settings.from_environment({"HOST": "0.0.0.0", "API_TOKENS": f"{SECRET_A},{SECRET_B}"})
    assert settings.host == "0.0.0.0" and not settings.uses_default_token


@pytest.mark.parametrize(("environ", "shown", "first_line"), [
    ({}, [LOCAL_DEFAULT_TOKEN], "one account: send 'Authorization: local-dev-token'"),
    ({"API_TOKEN": SECRET_A}, [], "one account: send 'Authorization: <your token>'"),
    ({"API_TOKENS": "local-dev-token,local-dev-token-2"}, [LOCAL_DEFAULT_TOKEN, LOCAL_SECOND_TOKEN],
     "2 accounts, one per token of API_TOKENS"),
    ({"API_TOKENS": f"{SECRET_A},{LOCAL_SECOND_TOKEN},{SECRET_B}"}, [LOCAL_SECOND_TOKEN],
     "3 accounts, one per token of API_TOKENS"),
], ids=["default", "own token", "the two published ones", "mixed"])
def test_the_startup_lines_show_only_published_tokens(environ, shown, first_line):
    settings = Settings.from_environment(environ)
    lines = settings.token_lines()
    assert lines[0].startswith(first_line)
    text = "\n".join(lines)
    for token in settings.tokens:
        assert (f"'Authorization: {token}'" in text) == (token in shown)
        assert hashlib.sha256(token.encode()).hexdigest() not in text
    if len(settings.tokens) > 1:  # one line per account, in the order of API_TOKENS
        assert len(lines) == 1 + len(settings.tokens)
        for index, (line, token) in enumerate(zip(lines[1:], settings.tokens), start=1):
            sent = token if token in shown else f"<token {index} of API_TOKENS>"
            assert line.startswith(f"  account {index}: send 'Authorization: {sent}'")


def test_the_process_refuses_api_token_and_api_tokens_together_with_status_2(monkeypatch, capsys):
    monkeypatch.setenv("API_TOKEN", SECRET_A)
    monkeypatch.setenv("API_TOKENS", f"{SECRET_A},{SECRET_B}")
    monkeypatch.setenv("MOCK_DB", ":memory:")
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: pytest.fail("the mock started"))
    assert main() == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "API_TOKEN" in lines[0] and "API_TOKENS" in lines[0]
    assert SECRET_A not in captured.err and SECRET_B not in captured.err
