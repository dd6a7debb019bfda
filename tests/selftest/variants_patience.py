"""Variants of a loaded server: one that rate-limits now and then (429 with Retry-After, 503
without it), which HTTP lets any server do and a run must pass; one whose 429 never ends for
reads, which a run must fail as persistent rate limiting."""

from __future__ import annotations

from tests.selftest.patience_faults import RateLimitEvery, RateLimitForever
from tests.selftest.variant import CONFORMING, Variant


def conforming_patience_variants() -> list[Variant]:
    return [
        # Retry-After: 0 and few 503s keep the self-test's waits short (0.5 s each without it).
        Variant("rate limits now and then (429 with Retry-After, 503 without)", CONFORMING,
                lambda token: [RateLimitEvery(23, 429, "0"), RateLimitEvery(151, 503, None)]),
    ]


def patience_variants() -> list[Variant]:
    return [
        Variant("reads answered 429 for ever", "rate limiting", lambda token: [RateLimitForever("read")],
                decisions=("D10",)),
    ]
