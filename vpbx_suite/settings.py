"""What the contract suite runs against, read from the environment.

`make contract` with no settings tests the bundled mock. BASE_URL and API_TOKEN name any
other server; MAX_EXAMPLES and SEED tune and reproduce a run; FAIL_FAST=1 stops at the first
failing test; ALLOW_WRITES=1 is required before the suite creates numbers on a host that is
not this machine.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_MAX_EXAMPLES = 50
DEFAULT_REPORT_DIR = Path("reports")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class SuiteSettings:
    base_url: str | None  # None: start the bundled mock
    token: str | None
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int | None = None
    allow_writes: bool = False
    report_dir: Path = DEFAULT_REPORT_DIR
    fail_fast: bool = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SuiteSettings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None  # `make contract BASE_URL=` means "not set"

        def whole_number(name: str, default: int | None, minimum: int) -> int | None:
            value = get(name)
            if value is None:
                return default
            if not value.isdigit() or int(value) < minimum:
                raise SettingsError(f"{name} must be a whole number >= {minimum}, got {value!r}")
            return int(value)

        base_url = get("BASE_URL")
        if base_url is not None:
            parts = urlsplit(base_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise SettingsError(f"BASE_URL must be an http(s) URL, got {base_url!r}")
            base_url = base_url.rstrip("/")
            if get("API_TOKEN") is None:
                raise SettingsError("API_TOKEN is required with BASE_URL: the operation needs a token")
        return cls(
            base_url=base_url,
            token=get("API_TOKEN") if base_url else None,
            max_examples=whole_number("MAX_EXAMPLES", DEFAULT_MAX_EXAMPLES, 1),
            seed=whole_number("SEED", None, 0),
            allow_writes=get("ALLOW_WRITES") == "1",
            report_dir=Path(get("REPORT_DIR") or DEFAULT_REPORT_DIR),
            fail_fast=get("FAIL_FAST") == "1",
        )


def is_loopback(url: str) -> bool:
    """True for localhost and loopback addresses only; a name that resolves there is not enough."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def write_refusal(settings: SuiteSettings) -> str | None:
    """The one-line reason to refuse the run, or None when it may create numbers."""
    if settings.base_url is None or settings.allow_writes or is_loopback(settings.base_url):
        return None
    host = urlsplit(settings.base_url).hostname
    return (f"refusing to run: the suite adds numbers on {host}, which is not this machine; "
            "set ALLOW_WRITES=1 to allow it")


@dataclass(frozen=True)
class Target:
    """A resolved run, handed to the pytest session through the environment."""

    base_url: str
    token: str
    max_examples: int
    seed: int
    report_dir: Path

    _PREFIX = "VPBX_SUITE_"

    def to_environment(self) -> dict[str, str]:
        return {f"{self._PREFIX}BASE_URL": self.base_url, f"{self._PREFIX}TOKEN": self.token,
                f"{self._PREFIX}MAX_EXAMPLES": str(self.max_examples),
                f"{self._PREFIX}SEED": str(self.seed),
                f"{self._PREFIX}REPORT_DIR": str(self.report_dir)}

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Target:
        env = os.environ if environ is None else environ
        try:
            return cls(base_url=env[f"{cls._PREFIX}BASE_URL"], token=env[f"{cls._PREFIX}TOKEN"],
                       max_examples=int(env[f"{cls._PREFIX}MAX_EXAMPLES"]),
                       seed=int(env[f"{cls._PREFIX}SEED"]),
                       report_dir=Path(env[f"{cls._PREFIX}REPORT_DIR"]))
        except KeyError as missing:
            raise SettingsError(f"{missing} is not set: run the suite with `make contract`"
                                " or `python -m vpbx_suite`") from None
