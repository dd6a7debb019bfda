"""Settings of `make contract`, and the safety switch for hosts other than this machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpbx_suite.contract import bundled_facts
from vpbx_suite.settings import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_WRITES,
    SettingsError,
    SuiteSettings,
    Target,
    is_loopback,
    write_refusal,
)


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
        "SEED": "0", "ALLOW_WRITES": "1", "REPORT_DIR": "out", "FAIL_FAST": "1", "OTHER_API_TOKEN": "u",
        "REQUIRE_COMPLETE": "1"})
    assert settings == SuiteSettings(base_url="https://staging.example/api", token="t", other_token="u",
                                     max_examples=7, seed=0, allow_writes=True, report_dir=Path("out"),
                                     fail_fast=True, require_complete=True)


def test_the_second_account_must_be_another_one():
    with pytest.raises(SettingsError, match="OTHER_API_TOKEN must be the token of another account"):
        SuiteSettings.from_environment({"BASE_URL": "http://127.0.0.1:1", "API_TOKEN": "t", "OTHER_API_TOKEN": "t"})


def test_operations_numbers_and_write_budget(tmp_path: Path):
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("79161234567\n", encoding="utf-8")
    settings = SuiteSettings.from_environment({"OPERATIONS": "addMobileNumber, getVirtualNumber",
                                               "NUMBERS": str(numbers), "MAX_WRITES": "3"})
    assert settings.operations == ("addMobileNumber", "getVirtualNumber")
    assert settings.numbers == str(numbers) and settings.max_writes == 3


def test_defaults_that_depend_on_the_target():
    everything = Target.resolve(SuiteSettings(None, None), "http://127.0.0.1:9", "t", 1)
    assert everything.numbers == "connectable" and everything.max_writes is None
    assert set(everything.operations) == set(bundled_facts().operations)
    remote = Target.resolve(SuiteSettings("https://h.example", "t", operations=("addMobileNumber",)),
                            "https://h.example", "t", 1)
    assert remote.numbers == "generated" and remote.max_writes == DEFAULT_MAX_WRITES
    with pytest.raises(SettingsError, match="NUMBERS=connectable needs"):
        Target.resolve(SuiteSettings("https://h.example", "t", operations=("addMobileNumber",),
                                     numbers="connectable"), "https://h.example", "t", 1)


@pytest.mark.parametrize(("env", "message"), [
    ({"BASE_URL": "http://127.0.0.1:1"}, "API_TOKEN is required"),
    ({"BASE_URL": "ftp://host", "API_TOKEN": "t"}, "must be an http(s) URL"),
    ({"BASE_URL": "localhost:8080", "API_TOKEN": "t"}, "must be an http(s) URL"),
    ({"MAX_EXAMPLES": "0"}, "MAX_EXAMPLES must be a whole number >= 1"),
    ({"MAX_EXAMPLES": "many"}, "MAX_EXAMPLES must be a whole number"),
    ({"SEED": "-1"}, "SEED must be a whole number >= 0"),
    ({"OPERATIONS": "addMobileNumber,deleteEverything"}, "OPERATIONS: deleteEverything not in the document"),
    ({"NUMBERS": "/no/such/file"}, "NUMBERS must be connectable, generated or a file"),
    ({"MAX_WRITES": "-2"}, "MAX_WRITES must be a whole number >= 0"),
    ({"CONCURRENCY": "0"}, "CONCURRENCY must be a whole number >= 1"),
    ({"BASE_URL": "http://127.0.0.1:1", "API_TOKEN": "t", "MOCK_FAULTS": "latency=50ms"},
     "MOCK_FAULTS and MOCK_FAULTS_SEED apply to the bundled mock only"),
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


def test_concurrency_and_the_bundled_mocks_faults():
    assert SuiteSettings.from_environment({}).concurrency == DEFAULT_CONCURRENCY == 4
    settings = SuiteSettings.from_environment({"CONCURRENCY": "8", "MOCK_FAULTS": "status=429@3%",
                                               "MOCK_FAULTS_SEED": "7"})
    assert settings.concurrency == 8
    assert settings.mock_faults == (("MOCK_FAULTS", "status=429@3%"), ("MOCK_FAULTS_SEED", "7"))
    assert Target.resolve(settings, "http://127.0.0.1:9", "t", 1).concurrency == 8


def test_target_round_trips_through_the_environment():
    target = Target("http://127.0.0.1:9", "t", 5, 42, Path("reports"), ("addMobileNumber",), "generated", 20,
                    concurrency=3)
    assert Target.from_environment(target.to_environment()) == target
    with pytest.raises(SettingsError, match="make contract"):
        Target.from_environment({})
