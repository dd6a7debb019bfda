"""Which account a request's token names (D31), found in constant time.

The presented token is compared with every configured one, none skipped once one matched,
and each comparison is of SHA-256 digests: always 32 bytes against 32, so the time taken
tells neither the tokens' lengths nor how far a guess got, nor which token matched.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from vpbx_mock.store import Account, NumberStore


def _digest(token: bytes) -> bytes:
    return hashlib.sha256(token).digest()


class Tokens:
    """The configured tokens, each with the account it names in the store."""

    def __init__(self, store: NumberStore, tokens: Sequence[str]) -> None:
        if not tokens:
            raise ValueError("at least one token is needed")
        if not all(tokens):
            raise ValueError("a token may not be empty")
        if len(set(tokens)) != len(tokens):
            raise ValueError("each token names its own account: no token may be given twice")
        # In the order given: the first token registered in a file is its first account.
        self._accounts = [(_digest(token.encode("utf-8")), store.account(token))
                          for token in tokens]

    def account_for(self, presented: bytes) -> Account | None:
        """The account of the presented token (the raw bytes of the header), or None."""
        digest = _digest(presented)
        found = None
        for expected, account in self._accounts:
            if hmac.compare_digest(digest, expected):
                found = account
        return found
