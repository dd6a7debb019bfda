"""Which account an exchange is, and whether an answer shows one account's number to another
(D31-D34; OWASP API1). Tokens are kept only as keyed hashes in memory (a key drawn for this
process), and named in output by the order they first appeared: account #1, #2, …"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from vpbx_suite.contract import NUMBER_FIELD

ANONYMOUS = "anonymous"  # no Authorization header
ISOLATION_RULE = "accounts_are_isolated"


def presented_token(authorization: str | None) -> str | None:
    if not authorization or not authorization.strip():
        return None
    value = authorization.strip()
    scheme, _, rest = value.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" and rest.strip() else value


@dataclass
class AccountWatch:
    """Remembers which account holds which number, from the answers seen, and says when an
    answer to another account shows it."""

    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    _names: dict[str, str] = field(default_factory=dict, repr=False)  # keyed hash -> "account #n"
    holder: dict[str, tuple[str, int]] = field(default_factory=dict)   # number -> (account, entry)
    numbers: dict[tuple[str, Any], str] = field(default_factory=dict)  # (account, id) -> number

    def account(self, authorization: str | None) -> str:
        """The account an exchange is sent as, named without its token."""
        token = presented_token(authorization)
        if token is None:
            return ANONYMOUS
        digest = hmac.new(self._key, token.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()
        return self._names.setdefault(digest, f"account #{len(self._names) + 1}")

    def problems(self, account: str, role: str | None, status: int, received: Any, path_id: Any,
                 entry: int) -> list[str]:
        """What the answer shows of another account's numbers; it updates who holds what."""
        if not 200 <= status < 300 or account == ANONYMOUS:
            return []
        if role == "delete":
            number = self.numbers.pop((account, str(path_id)), None)
            if number is not None and self.holder.get(number, ("",))[0] == account:
                del self.holder[number]  # it may be connected again, by anyone (D21)
            return []
        items = received if isinstance(received, list) else [received]
        found = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get(NUMBER_FIELD), str):
                continue
            number = item[NUMBER_FIELD]
            holder = self.holder.get(number)
            if role == "connectable":
                if holder is not None and holder[0] != account:
                    found.append(f"the connectable listing offers {number} to {account}, while {holder[0]} "
                                 f"holds it (entry {holder[1]}) (D34)")
                continue
            if holder is not None and holder[0] != account:
                found.append(f"{account} was answered the record of {number}, which {holder[0]} holds "
                             f"(entry {holder[1]}) (D31-D33)")
                continue
            if holder is None:
                self.holder[number] = (account, entry)
            self.numbers[(account, str(item.get("id")))] = number
        return found
