"""What the contract suite runs against, read from the environment.

`make contract` with no settings tests the bundled mock. BASE_URL and API_TOKEN name any
other server; MAX_EXAMPLES and SEED tune and reproduce a run; FAIL_FAST=1 stops at the first
failing test; ALLOW_WRITES=1 is required before the suite creates numbers on a host that is
not this machine, and MAX_WRITES caps how many it may add there. OPERATIONS picks the
operations to check (operationIds, comma-separated; default all); NUMBERS says where the
numbers it adds come from: `connectable` (the server's listing), `generated`, or a file.
REQUIRE_COMPLETE=1 makes a run in which some checks did not run fail (exit status 3).
OTHER_API_TOKEN names a second account on the same server, for the checks that accounts cannot
see each other's numbers (never printed, like API_TOKEN). CONCURRENCY bounds how many requests
whose order does not matter are in flight at once. MOCK_FAULTS and MOCK_FAULTS_SEED are handed
to the bundled mock (docs/mock-faults.md), to try the suite on a slow or rate-limiting server.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from vpbx_suite.contract import bundled_facts

DEFAULT_MAX_EXAMPLES = 50
DEFAULT_REPORT_DIR = Path("reports")
DEFAULT_MAX_WRITES = 20  # on a host that is not this machine; loopback is unlimited
# Requests in flight at once where order does not matter: enough to hide a far server's
# latency (4 requests share each round trip), few enough that a real staging server sees no
# more than a handful of clients would send, and its rate limiting is not provoked.
DEFAULT_CONCURRENCY = 4
MOCK_FAULT_VARIABLES = ("MOCK_FAULTS", "MOCK_FAULTS_SEED")
CONNECTABLE, GENERATED = "connectable", "generated"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class SuiteSettings:
    base_url: str | None  # None: start the bundled mock
    token: str | None
    other_token: str | None = None  # a second account's (OTHER_API_TOKEN); the bundled mock has one
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int | None = None
    allow_writes: bool = False
    report_dir: Path = DEFAULT_REPORT_DIR
    fail_fast: bool = False
    operations: tuple[str, ...] = ()   # empty: every operation of the document
    numbers: str | None = None         # CONNECTABLE, GENERATED, a file path; None: the default
    max_writes: int | None = None      # None: the default for the target
    require_complete: bool = False     # a partial PASS fails (exit status 3)
    concurrency: int = DEFAULT_CONCURRENCY
    mock_faults: tuple[tuple[str, str], ...] = ()  # MOCK_FAULTS, MOCK_FAULTS_SEED for the bundled mock

    def numbers_source(self) -> str:
        """NUMBERS as the run will use it: CONNECTABLE, GENERATED or a file path."""
        facts = bundled_facts()
        operations = self.operations or tuple(facts.operations)
        return self.numbers or (CONNECTABLE if facts.lifecycle.connectable in operations else GENERATED)

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
            if get("OTHER_API_TOKEN") is not None and get("OTHER_API_TOKEN") == get("API_TOKEN"):
                raise SettingsError("OTHER_API_TOKEN must be the token of another account than API_TOKEN's")
        operations = tuple(name.strip() for name in (get("OPERATIONS") or "").split(",") if name.strip())
        known = bundled_facts().operations
        unknown = [name for name in operations if name not in known]
        if unknown:
            raise SettingsError(f"OPERATIONS: {', '.join(unknown)} not in the document; "
                                f"its operations are {', '.join(known)}")
        numbers = get("NUMBERS")
        if numbers not in (None, CONNECTABLE, GENERATED):
            if not Path(numbers).is_file():
                raise SettingsError(f"NUMBERS must be {CONNECTABLE}, {GENERATED} or a file of numbers, "
                                    f"got {numbers!r}")
            _check_numbers_file(Path(numbers))
        mock_faults = tuple((name, value) for name in MOCK_FAULT_VARIABLES if (value := get(name)) is not None)
        if mock_faults and base_url is not None:
            raise SettingsError("MOCK_FAULTS and MOCK_FAULTS_SEED apply to the bundled mock only; unset them "
                                "with BASE_URL")
        return cls(
            concurrency=whole_number("CONCURRENCY", DEFAULT_CONCURRENCY, 1) or DEFAULT_CONCURRENCY,
            mock_faults=mock_faults,
            operations=operations,
            numbers=numbers,
            max_writes=whole_number("MAX_WRITES", None, 0),
            base_url=base_url,
            token=get("API_TOKEN") if base_url else None,
            other_token=get("OTHER_API_TOKEN") if base_url else None,
            max_examples=whole_number("MAX_EXAMPLES", DEFAULT_MAX_EXAMPLES, 1),
            seed=whole_number("SEED", None, 0),
            allow_writes=get("ALLOW_WRITES") == "1",
            report_dir=Path(get("REPORT_DIR") or DEFAULT_REPORT_DIR),
            fail_fast=get("FAIL_FAST") == "1",
            require_complete=get("REQUIRE_COMPLETE") == "1",
        )


def _check_numbers_file(path: Path) -> None:
    from vpbx_suite.fresh_numbers import number_validator, numbers_from_file

    listed = numbers_from_file(path.read_text(encoding="utf-8"))
    valid = [number for number in listed if number_validator().is_valid(number)]
    if not valid:
        raise SettingsError(f"NUMBERS: {path} holds no number the document accepts for an add "
                            f"({len(listed)} line(s) read)")


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
    operations: tuple[str, ...]  # operationIds to check
    numbers: str                 # CONNECTABLE, GENERATED or a file path
    max_writes: int | None       # None: unlimited
    other_token: str | None = None  # a second account's token; None: isolation is not checked
    concurrency: int = DEFAULT_CONCURRENCY  # requests in flight at once where order does not matter

    _VARIABLE = "VPBX_SUITE_TARGET"

    def secrets(self) -> dict[str, str]:
        """Each token and the variable it is shown as, wherever a request is reported."""
        shown = {self.token: "${API_TOKEN}"}
        if self.other_token:
            shown[self.other_token] = "${OTHER_API_TOKEN}"
        return shown

    @classmethod
    def resolve(cls, settings: SuiteSettings, base_url: str, token: str, seed: int,
                other_token: str | None = None) -> Target:
        """Fill in the defaults that depend on the target and on the chosen operations."""
        facts = bundled_facts()
        operations = settings.operations or tuple(facts.operations)
        numbers = settings.numbers_source()
        if numbers == CONNECTABLE and facts.lifecycle.connectable not in operations:
            raise SettingsError(f"NUMBERS={CONNECTABLE} needs {facts.lifecycle.connectable} in OPERATIONS")
        max_writes = settings.max_writes
        if max_writes is None and not is_loopback(base_url):
            max_writes = DEFAULT_MAX_WRITES
        return cls(base_url, token, settings.max_examples, seed, settings.report_dir.resolve(),
                   operations, str(Path(numbers).resolve()) if numbers not in (CONNECTABLE, GENERATED)
                   else numbers, max_writes, other_token, settings.concurrency)

    def to_environment(self) -> dict[str, str]:
        data = {**self.__dict__, "report_dir": str(self.report_dir), "operations": list(self.operations)}
        return {self._VARIABLE: json.dumps(data)}

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Target:
        env = os.environ if environ is None else environ
        if cls._VARIABLE not in env:
            raise SettingsError(f"{cls._VARIABLE} is not set: run the suite with `make contract`"
                                " or `python -m vpbx_suite`")
        data = json.loads(env[cls._VARIABLE])
        return cls(**{**data, "report_dir": Path(data["report_dir"]), "operations": tuple(data["operations"])})
