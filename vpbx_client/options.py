"""What both clients configure the same way: the token, the headers, the timeouts."""

from __future__ import annotations

import re
from typing import Any

import httpx

from vpbx_client.calls import JSON_CONTENT_TYPE, Exchange

__version__ = "0.1.0"

# Per attempt; the call as a whole is bounded by RetryPolicy.deadline.
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_TOKEN = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")  # printable ASCII, no edge spaces
_BODY_HEADERS = {"Content-Type": JSON_CONTENT_TYPE}


def checked_token(token: str) -> str:
    """The token, or ValueError saying what is wrong with it (never quoting it)."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise ValueError("token must be a non-empty string of printable ASCII characters"
                         " without spaces at either end")
    return token


def as_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
    parts = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    if any(part is None or part <= 0 for part in parts):
        raise ValueError("timeout: every part (connect, read, write, pool) must be a positive"
                         " number of seconds; calls are bounded, never open-ended")
    return timeout


def attempt_timeout(timeout: httpx.Timeout, time_left: float) -> httpx.Timeout:
    """The attempt's timeouts, none longer than what is left of the call's deadline."""
    left = max(time_left, 1e-6)  # past the deadline: an attempt that times out at once
    return httpx.Timeout(connect=min(timeout.connect or left, left), read=min(timeout.read or left, left),
                         write=min(timeout.write or left, left), pool=min(timeout.pool or left, left))


def client_options(base_url: str, token: str, timeout: httpx.Timeout) -> dict[str, Any]:
    """Keyword arguments for httpx.Client / httpx.AsyncClient. httpx masks the Authorization
    header in its reprs, and its logs never print request headers."""
    return {"base_url": base_url, "timeout": timeout, "follow_redirects": False,
            "headers": {"Authorization": checked_token(token), "Accept": "application/json",
                        "User-Agent": f"vpbx-client/{__version__}"}}


def request_arguments(exchange: Exchange, time_left: float, timeout: httpx.Timeout) -> dict[str, Any]:
    """Keyword arguments for build_request."""
    return {"method": exchange.route.method, "url": exchange.path, "params": exchange.params,
            "content": exchange.content,
            "headers": _BODY_HEADERS if exchange.content is not None else None,
            "timeout": attempt_timeout(timeout, time_left)}


def redacted_base_url(base_url: str) -> str:
    """The base URL for reprs: without user:password, should a caller put them there."""
    url = httpx.URL(base_url)
    return str(url.copy_with(username=None, password=None)) if url.userinfo else str(url)
