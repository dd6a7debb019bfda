"""Settings.from_environment: what `make mock` and `python -m vpbx_mock` read."""

from __future__ import annotations

import dataclasses

import pytest

from vpbx_mock.__main__ import main
from vpbx_mock.settings import LOCAL_DEFAULT_TOKEN, Settings

ALL_SET = {"HOST": "0.0.0.0", "PORT": "9000", "API_TOKEN": "s3cret",
           "MOCK_DB": "/tmp/numbers.sqlite3", "MOCK_ACCESS_LOG": "0"}
# The defaults README documents, by Settings field.
DEFAULTS = {"host": "127.0.0.1", "port": 8080, "token": "local-dev-token",
            "database": ".data/mock.sqlite3", "access_log": True}
FIELD_OF = {"HOST": "host", "PORT": "port", "API_TOKEN": "token", "MOCK_DB": "database",
            "MOCK_ACCESS_LOG": "access_log"}


def test_defaults():
    settings = Settings.from_environment({})
    assert dataclasses.asdict(settings) == DEFAULTS
    assert settings.uses_default_token
    assert LOCAL_DEFAULT_TOKEN == DEFAULTS["token"]


def test_every_setting_is_read():
    settings = Settings.from_environment(ALL_SET)
    assert dataclasses.asdict(settings) == {"host": "0.0.0.0", "port": 9000, "token": "s3cret",
                                            "database": "/tmp/numbers.sqlite3", "access_log": False}
    assert not settings.uses_default_token


@pytest.mark.parametrize("name", ALL_SET)
def test_an_empty_value_counts_as_unset(name):
    # `make mock PORT=` passes PORT="" to the process.
    settings = Settings.from_environment({**ALL_SET, name: ""})
    expected = {**dataclasses.asdict(Settings.from_environment(ALL_SET)),
                FIELD_OF[name]: DEFAULTS[FIELD_OF[name]]}
    assert dataclasses.asdict(settings) == expected


@pytest.mark.parametrize("port", ["abc", "0", "65536", "-1", "80.5", " 8080", "0x1f90", "\u00b2"],
                         ids=["letters", "zero", "too large", "negative", "decimal",
                              "leading space", "hex", "superscript two"])
def test_an_invalid_port_raises_value_error(port):
    with pytest.raises(ValueError):
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
