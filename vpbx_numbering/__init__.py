"""Russian numbering, read from phonenumbers' own data (never copied by hand): the area codes
of Russian places, and real-looking city numbers (ДГН) under them. The mock spreads its
connectable pool over them; the suite draws generated ДГН from them."""

from __future__ import annotations

import functools
import random


@functools.cache
def russian_area_codes() -> tuple[str, ...]:
    """Prefixes of +7 that phonenumbers' geocoder names in Russian (Kazakhstan's among them:
    callers that need Russia only check the number with phonenumbers)."""
    from phonenumbers.geodata import GEOCODE_DATA

    return tuple(sorted(prefix for prefix, names in GEOCODE_DATA.items()
                        if prefix.startswith("7") and "ru" in names))


def city_number(area_code: str, digits: str) -> str:
    """An 11-digit number: the area code, completed with `digits` (as many as needed)."""
    return (area_code + digits)[:11]


def random_city_number(rng: random.Random) -> str:
    area_code = rng.choice(russian_area_codes())
    return city_number(area_code, "".join(rng.choice("0123456789") for _ in range(11)))
