"""The mock's settings, read from the environment."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from vpbx_mock.faults import FaultPlan
from vpbx_mock.pool import Connectable

# The documented tokens for local use: the default, and a second one for two accounts on one
# machine (API_TOKENS=local-dev-token,local-dev-token-2). Published, so never secret: set
# API_TOKEN or API_TOKENS to secrets of your own for anything reachable by others.
LOCAL_DEFAULT_TOKEN = "local-dev-token"
LOCAL_SECOND_TOKEN = "local-dev-token-2"
PUBLISHED_TOKENS = (LOCAL_DEFAULT_TOKEN, LOCAL_SECOND_TOKEN)
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
    tokens: tuple[str, ...] = (LOCAL_DEFAULT_TOKEN,)  # one account per token (D31)
    database: str = str(DEFAULT_DATABASE)  # a file path, or ":memory:"
    access_log: bool = True
    connectable: Connectable = field(default_factory=Connectable)  # MOCK_CONNECTABLE
    faults: FaultPlan | None = None  # MOCK_FAULTS and MOCK_FAULTS_SEED; None: no faults

    @property
    def token(self) -> str:
        """The first token: the only one with API_TOKEN; its account holds the numbers of a
        file from before accounts."""
        return self.tokens[0]

    @property
    def uses_default_token(self) -> bool:
        """Whether any token is a published one (protected mode applies)."""
        return any(token in PUBLISHED_TOKENS for token in self.tokens)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings, or ValueError (the process exits 2) for a bad value, or for a
        published token on an address others can reach (protected mode, as in Redis)."""
        env = os.environ if environ is None else environ
        # Empty values count as unset: `make mock PORT=` must not mean port "".
        def get(name: str, default: str) -> str:
            return env.get(name) or default

        port = get("PORT", str(cls.port))
        # isdigit() alone takes "²" too, which int() then refuses with its own message.
        if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
            raise ValueError(f"PORT must be a TCP port number, got {port!r}")
        settings = cls(
            host=get("HOST", cls.host),
            port=int(port),
            tokens=_tokens(env.get("API_TOKEN") or None, env.get("API_TOKENS") or None),
            database=get("MOCK_DB", str(DEFAULT_DATABASE)),
            access_log=get("MOCK_ACCESS_LOG", "1") not in ("0", "false", "no"),
            connectable=Connectable.parse(env.get("MOCK_CONNECTABLE") or None),
            faults=(FaultPlan.parse(env["MOCK_FAULTS"], env.get("MOCK_FAULTS_SEED") or None)
                    if env.get("MOCK_FAULTS", "").strip() else None),
        )
        if settings.uses_default_token and not is_loopback(settings.host):
            published = next(token for token in settings.tokens if token in PUBLISHED_TOKENS)
            if env.get("API_TOKENS"):
                advice = ("set API_TOKENS to secrets of your own (each e.g. from"
                          " `openssl rand -hex 16`; docs/accounts.md)")
            else:
                advice = ("set API_TOKEN to a secret of your own"
                          " (e.g. API_TOKEN=$(openssl rand -hex 16))")
            raise ValueError(
                f"refusing to listen on {settings.host} with the published default token"
                f" {published!r}: {advice}, or use HOST=127.0.0.1")
        return settings

    def token_lines(self) -> list[str]:
        """How to authenticate, for the startup output. Only published tokens are shown: a
        token of one's own, or any hash of it, never appears in any output."""
        def shown(index: int, token: str) -> str:
            if token in PUBLISHED_TOKENS:
                return f"send 'Authorization: {token}' (a documented local default)"
            return f"send 'Authorization: <token {index} of API_TOKENS>'"

        if len(self.tokens) > 1:
            return ([f"{len(self.tokens)} accounts, one per token of API_TOKENS; each sees only"
                     " its own numbers (docs/accounts.md)"]
                    + [f"  account {index}: {shown(index, token)}"
                       for index, token in enumerate(self.tokens, start=1)])
        if self.uses_default_token:
            return [f"one account: send 'Authorization: {self.token}' (the documented local"
                    " default; set API_TOKEN to change it)"]
        return ["one account: send 'Authorization: <your token>' (the value of API_TOKEN"
                " or API_TOKENS)"]


def _tokens(single: str | None, several: str | None) -> tuple[str, ...]:
    """API_TOKEN (one account) or API_TOKENS (comma-separated, one account each); messages
    name entries by position, never by value: a token is a secret."""
    if single is not None and several is not None:
        raise ValueError("set API_TOKEN (one account) or API_TOKENS (one account per token),"
                         " not both")
    if several is None:
        return (single or LOCAL_DEFAULT_TOKEN,)
    # Spaces around an entry cannot be sent in a header (its value is stripped): dropped.
    tokens = tuple(entry.strip(" \t") for entry in several.split(","))
    for index, token in enumerate(tokens, start=1):
        if not token:
            raise ValueError(f"API_TOKENS: entry {index} of {len(tokens)} is empty;"
                             " give tokens separated by commas, e.g. API_TOKENS=tok1,tok2")
        first = tokens.index(token) + 1
        if first != index:
            raise ValueError(f"API_TOKENS: entries {first} and {index} are the same token;"
                             " each token names its own account")
    return tokens
