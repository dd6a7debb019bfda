"""Which operation of the document an exchange belongs to, if any.

An exchange belongs to the target when its origin is the target's and its path is under the
target's path prefix; the rest of the path and the method must then match an operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from vpbx_suite.contract import ContractFacts, OperationFacts

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Route:
    operation: OperationFacts
    path: str  # the path under the target's prefix, e.g. /numbers/virtual-number/7
    path_parameters: dict[str, Any]
    query: dict[str, Any]


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)


@dataclass(frozen=True)
class Target:
    """The server whose traffic is judged: an origin with an optional path prefix."""

    base_url: str

    @property
    def prefix(self) -> str:
        return urlsplit(self.base_url).path.rstrip("/")

    def path_of(self, url: str) -> str | None:
        """The path under the prefix, or None for another host or a path outside the prefix."""
        if _origin(url) != _origin(self.base_url):
            return None
        path = urlsplit(url).path or "/"
        if not self.prefix:
            return path
        if path == self.prefix or not path.startswith(self.prefix + "/"):
            return None
        return path[len(self.prefix):]


def route(facts: ContractFacts, method: str, path: str, query_string: str) -> Route | None:
    operation = facts.by_route(method, path)
    if operation is None:
        return None
    # A parameter sent once is a string, as schemathesis generates it; repeated, a list.
    query = {name: values[0] if len(values) == 1 else values
             for name, values in parse_qs(query_string, keep_blank_values=True).items()}
    return Route(operation, path, operation.path_parameters_of(path) or {}, query)
