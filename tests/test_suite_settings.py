"""Settings of `make contract`, and the safety switch for hosts other than this machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpbx_suite.settings import SettingsError, SuiteSettings, Target, is_loopback, write_refusal


def test_defaults_mean_the_bundled_mock():
    settings = SuiteSettings.from_environment({})
    assert settings == SuiteSettings(base_url=None, token=None)
    assert write_refusal(settings) is None


def test_empty_values_count_as_unset():
    settings = SuiteSettings.from_environment({"BASE_URL": "", "API_TOKEN": " ", "SEED": "", "MAX_EXAMPLES": ""})
    assert settings.base_url is None and settings.seed is None and settings.max_examples == 50


def test_external_server_settings():
    settings = SuiteSettings.from_environment({
        "BASE_URL": "https://staging.example/api/", "API_TOKEN": "t", "MAX_EXAMPLES": "7",
        "SEED": "0", "ALLOW_WRITES": "1", "REPORT_DIR": "out", "FAIL_FAST": "1"})
    assert settings == SuiteSettings("https://staging.example/api", "t", 7, 0, True, Path("out"), True)


@pytest.mark.parametrize(("env", "message"), [
    ({"BASE_URL": "http://127.0.0.1:1"}, "API_TOKEN is required"),
    ({"BASE_URL": "ftp://host", "API_TOKEN": "t"}, "must be an http(s) URL"),
    ({"BASE_URL": "localhost:8080", "API_TOKEN": "t"}, "must be an http(s) URL"),
    ({"MAX_EXAMPLES": "0"}, "MAX_EXAMPLES must be a whole number >= 1"),
    ({"MAX_EXAMPLES": "many"}, "MAX_EXAMPLES must be a whole number"),
    ({"SEED": "-1"}, "SEED must be a whole number >= 0"),
])
def test_bad_settings_are_explained(env, message):
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        SuiteSettings.from_environment(env)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://127.9.9.9", "http://localhost:1",
                                 "http://[::1]:8080/api"])
def test_loopback_hosts(url):
    assert is_loopback(url)


@pytest.mark.parametrize("url", ["https://simple-api.cp.megafon.ru", "http://10.0.0.1",
                                 "http://localhost.example.com", "http://0.0.0.0:8080"])
def test_other_hosts(url):
    assert not is_loopback(url)


def test_writes_to_another_host_need_allow_writes():
    env = {"BASE_URL": "https://simple-api.cp.megafon.ru", "API_TOKEN": "secret-token"}
    refusal = write_refusal(SuiteSettings.from_environment(env))
    assert refusal is not None and "simple-api.cp.megafon.ru" in refusal and "ALLOW_WRITES=1" in refusal
    assert "secret-token" not in refusal and "\n" not in refusal
    assert write_refusal(SuiteSettings.from_environment({**env, "ALLOW_WRITES": "1"})) is None
    assert write_refusal(SuiteSettings.from_environment({**env, "ALLOW_WRITES": "yes"})) is not None


def test_target_round_trips_through_the_environment():
    target = Target("http://127.0.0.1:9", "t", 5, 42, Path("reports"))
    assert Target.from_environment(target.to_environment()) == target
    with pytest.raises(SettingsError, match="make contract"):
        Target.from_environment({})
