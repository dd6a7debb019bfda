"""The mock's settings, read from the environment."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from vpbx_mock.faults import FaultPlan
from vpbx_mock.pool import Connectable

# The documented token for local use. It is only a default: set API_TOKEN for anything
# reachable by others.
LOCAL_DEFAULT_TOKEN = "local-dev-token"
DEFAULT_DATABASE = Path(".data") / "mock.sqlite3"
MAX_BODY_BYTES = 64 * 1024


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and "localhost"; any other name or address may be reachable by others."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    token: str = LOCAL_DEFAULT_TOKEN
    database: str = str(DEFAULT_DATABASE)  # a file path, or ":memory:"
    access_log: bool = True
    connectable: Connectable = field(default_factory=Connectable)  # MOCK_CONNECTABLE
    faults: FaultPlan | None = None  # MOCK_FAULTS and MOCK_FAULTS_SEED; None: no faults

    @property
    def uses_default_token(self) -> bool:
        return self.token == LOCAL_DEFAULT_TOKEN

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Settings:
        """The settings, or ValueError (the process exits 2) for a bad value, or for a
        published token on an address others can reach (protected mode, as in Redis)."""
        env = os.environ if environ is None else environ
        # Empty values count as unset: `make mock PORT=` must not mean port "".
        def get(name: str, default: str) -> str:
            return env.get(name) or default

        port = get("PORT", str(cls.port))
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"PORT must be a TCP port number, got {port!r}")
        settings = cls(
            host=get("HOST", cls.host),
            port=int(port),
            token=get("API_TOKEN", LOCAL_DEFAULT_TOKEN),
            database=get("MOCK_DB", str(DEFAULT_DATABASE)),
            access_log=get("MOCK_ACCESS_LOG", "1") not in ("0", "false", "no"),
            connectable=Connectable.parse(env.get("MOCK_CONNECTABLE") or None),
            faults=(FaultPlan.parse(env["MOCK_FAULTS"], env.get("MOCK_FAULTS_SEED") or None)
                    if env.get("MOCK_FAULTS", "").strip() else None),
        )
        if settings.uses_default_token and not is_loopback(settings.host):
            raise ValueError(
                f"refusing to listen on {settings.host} with the published default token"
                f" {LOCAL_DEFAULT_TOKEN!r}: set API_TOKEN to a secret of your own"
                " (e.g. API_TOKEN=$(openssl rand -hex 16)), or use HOST=127.0.0.1")
        return settings
