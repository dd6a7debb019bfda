"""One HTTP exchange as the validator sees it, whatever recorded it (a HAR file or the proxy),
and the redaction that keeps credentials out of every line and report."""

from __future__ import annotations

from dataclasses import dataclass, field

Headers = list[tuple[str, str]]

# Request headers whose values are secrets. They are never copied into any output; the
# Redactor also scrubs their values from any text that might quote them.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
REDACTED = "[Filtered]"


@dataclass
class Exchange:
    index: int            # position in the HAR file, or the proxy's exchange counter (from 0)
    started: str | None   # ISO 8601 time the request started, when known
    method: str
    url: str
    request_headers: Headers
    request_body: bytes | None  # None: no body recorded
    status: int
    response_headers: Headers
    response_body: bytes | None  # decoded (no Content-Encoding); None: not recorded
    elapsed: float = 0.0  # seconds
    too_large: bool = False  # a body was over the cap: the exchange is counted, not judged

    def header(self, name: str, *, response: bool = False) -> str | None:
        wanted = name.lower()
        headers = self.response_headers if response else self.request_headers
        return next((value for key, value in headers if key.lower() == wanted), None)

    def secrets(self) -> list[str]:
        """The secret values this request carried (the whole value and a Bearer token alone)."""
        found = []
        for name, value in self.request_headers:
            if name.lower() in SECRET_HEADERS and value.strip():
                found.append(value.strip())
                scheme, _, token = value.strip().partition(" ")
                if token.strip() and scheme.lower() in {"bearer", "basic", "token"}:
                    found.append(token.strip())
        return found


@dataclass
class Redactor:
    """Remembers every secret seen and removes them from text meant for output."""

    secrets: set[str] = field(default_factory=set)

    def learn(self, exchange: Exchange) -> None:
        # Very short values would blank out ordinary words; a real token is longer.
        self.secrets.update(secret for secret in exchange.secrets() if len(secret) >= 4)

    def scrub(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text
