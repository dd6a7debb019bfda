"""The connectable pool: mobile numbers the account may add, each with a ДГН (D20).

The ДГН are real Russian city numbers: area codes are taken from phonenumbers' own geocoder
data (prefixes of country code 7 with a Russian place name), completed with random digits,
and kept only when phonenumbers calls the result a valid Russian number with a region. About
one in ten has no ДГН (an empty string), as in the provider's example.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import phonenumbers

from vpbx_mock.regions import region_for
from vpbx_numbering import city_number, russian_area_codes

ANY = "any"
DEFAULT_POOL_SIZE = 5000
MAX_POOL_SIZE = 1_000_000
EMPTY_DGN_SHARE = 10  # one in this many pool numbers has no ДГН
POOL_SEED = 20  # the pool is reproducible: the same size gives the same numbers (D20)


@dataclass(frozen=True)
class ConnectableEntry:
    STATE: ClassVar[str] = "active"  # a number that may be connected is in service

    number: str
    dgn_number: str
    state: str = STATE


@dataclass(frozen=True)
class Connectable:
    """The pool policy: how many numbers to generate, and whether any valid number may be added."""

    pool_size: int = DEFAULT_POOL_SIZE
    any_number: bool = False

    @classmethod
    def parse(cls, value: Connectable | int | str | None) -> Connectable:
        """None: the default pool; an int or its digits: a pool of that size; "any"."""
        if value is None:
            return cls()
        if isinstance(value, Connectable):
            return value
        if isinstance(value, str):
            text = value.strip().lower()
            if text == ANY:
                return cls(any_number=True)
            if not (text.isascii() and text.isdigit()):
                raise ValueError(f"MOCK_CONNECTABLE must be a pool size or {ANY!r}, got {value!r}")
            value = int(text)
        if isinstance(value, bool) or not 0 <= value <= MAX_POOL_SIZE:
            raise ValueError(f"MOCK_CONNECTABLE must be between 0 and {MAX_POOL_SIZE}, got {value!r}")
        return cls(pool_size=value)


def _russian_city_number(rng: random.Random, area_codes: tuple[str, ...]) -> str:
    # The area codes include Kazakhstan's (+7 too): keep what phonenumbers places in Russia.
    while True:
        prefix = rng.choice(area_codes)
        candidate = city_number(prefix, "".join(rng.choice("0123456789") for _ in range(11 - len(prefix))))
        parsed = phonenumbers.parse("+" + candidate)
        if (phonenumbers.is_valid_number(parsed)
                and phonenumbers.region_code_for_number(parsed) == "RU"
                and region_for(candidate) is not None):
            return candidate


@functools.lru_cache(maxsize=4)
def generate_pool(size: int, seed: int = POOL_SEED) -> tuple[ConnectableEntry, ...]:
    """`size` distinct mobile numbers 79XXXXXXXXX with their ДГН (cached: every in-memory
    store of a test run or of the self-test gets the same pool without recomputing it)."""
    return tuple(_pool_entries(size, seed))


def _pool_entries(size: int, seed: int) -> Iterator[ConnectableEntry]:
    rng = random.Random(seed)
    area_codes = russian_area_codes()
    seen: set[str] = set()
    while len(seen) < size:
        number = f"79{rng.randrange(10**9):09d}"
        if number in seen:
            continue
        seen.add(number)
        dgn_number = "" if rng.randrange(EMPTY_DGN_SHARE) == 0 else _russian_city_number(rng, area_codes)
        yield ConnectableEntry(number, dgn_number)
