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


@functools.cache
def area_codes_by_population() -> tuple[str, ...]:
    """The area codes of Russian regions (those whose numbers phonenumbers calls Russian), the
    most populous regions first (vpbx_numbering.population); a region's second code comes
    after the first code of every region."""
    import phonenumbers
    from phonenumbers.geodata import GEOCODE_DATA

    from vpbx_numbering.population import THOUSANDS

    by_region: dict[str, list[str]] = {}
    for code in russian_area_codes():
        sample = phonenumbers.parse("+" + city_number(code, "2345678901"))
        if phonenumbers.region_code_for_number(sample) == "RU":
            by_region.setdefault(GEOCODE_DATA[code]["ru"], []).append(code)
    regions = sorted(by_region, key=lambda region: (-THOUSANDS.get(region, 0), region))
    rounds = max(len(codes) for codes in by_region.values())
    return tuple(by_region[region][turn] for turn in range(rounds) for region in regions
                 if turn < len(by_region[region]))


def russian_city_number(area_code: str, rng: random.Random, tries: int = 200) -> str | None:
    """A number under `area_code` that phonenumbers calls a valid Russian number with a region
    of its own, or None if `tries` random completions found none."""
    import phonenumbers
    from phonenumbers import geocoder

    for _ in range(tries):
        candidate = city_number(area_code, "".join(rng.choice("0123456789") for _ in range(11)))
        parsed = phonenumbers.parse("+" + candidate)
        if (phonenumbers.is_valid_number(parsed) and phonenumbers.region_code_for_number(parsed) == "RU"
                and geocoder.description_for_number(parsed, "ru") != geocoder.country_name_for_number(parsed, "ru")):
            return candidate
    return None


class SpreadCityNumbers:
    """City numbers for one run: each from an area code the run has not used yet, the most
    populous regions first, starting over once every code was used. An answer that depends
    on the region (a geocoder table with a hole, a region name that breaks a column) then
    shows up in an ordinary run."""

    def __init__(self, seed: int | None = None) -> None:
        self._codes = [code for code in area_codes_by_population()]
        self._rng = random.Random(seed)
        self._turn = 0

    def next(self) -> str:
        for _ in range(len(self._codes)):
            code = self._codes[self._turn % len(self._codes)]
            self._turn += 1
            number = russian_city_number(code, self._rng)
            if number is not None:
                return number
        raise RuntimeError("no area code gives a valid Russian city number")  # phonenumbers changed
