"""The mock's settings, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# The documented token for local use. It is only a default: set API_TOKEN for anything
# reachable by others.
LOCAL_DEFAULT_TOKEN = "local-dev-token"
DEFAULT_DATABASE = Path(".data") / "mock.sqlite3"
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    token: str = LOCAL_DEFAULT_TOKEN
    database: str = str(DEFAULT_DATABASE)  # a file path, or ":memory:"
    access_log: bool = True

    @property
    def uses_default_token(self) -> bool:
        return self.token == LOCAL_DEFAULT_TOKEN

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        # Empty values count as unset: `make mock PORT=` must not mean port "".
        def get(name: str, default: str) -> str:
            return env.get(name) or default

        port = get("PORT", str(cls.port))
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"PORT must be a TCP port number, got {port!r}")
        return cls(
            host=get("HOST", cls.host),
            port=int(port),
            token=get("API_TOKEN", LOCAL_DEFAULT_TOKEN),
            database=get("MOCK_DB", str(DEFAULT_DATABASE)),
            access_log=get("MOCK_ACCESS_LOG", "1") not in ("0", "false", "no"),
        )
