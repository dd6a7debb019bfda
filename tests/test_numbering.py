"""City numbers spread like real ones: each from an area code a run has not used yet, the most
populous regions first; every Russian region phonenumbers knows has a population."""

from __future__ import annotations

import phonenumbers
from phonenumbers.geodata import GEOCODE_DATA

from vpbx_numbering import SpreadCityNumbers, area_codes_by_population, russian_area_codes
from vpbx_numbering.population import THOUSANDS


def region(number: str) -> str:
    return next(GEOCODE_DATA[code]["ru"] for code in sorted(russian_area_codes(), key=len, reverse=True)
                if number.startswith(code))


def test_every_russian_region_of_the_geocoder_has_a_population():
    regions = {GEOCODE_DATA[code]["ru"] for code in area_codes_by_population()}
    assert regions <= set(THOUSANDS), sorted(regions - set(THOUSANDS))
    assert len(regions) >= 85


def test_the_most_populous_regions_come_first():
    first = [GEOCODE_DATA[code]["ru"] for code in area_codes_by_population()[:4]]
    assert first == ["г. Москва", "Московская обл.", "Краснодарский край", "г. Санкт-Петербург"]
    populations = [THOUSANDS[GEOCODE_DATA[code]["ru"]] for code in area_codes_by_population()[:80]]
    regions_in_order = list(dict.fromkeys(GEOCODE_DATA[code]["ru"] for code in area_codes_by_population()))
    assert populations[:10] == sorted(populations[:10], reverse=True)
    assert [THOUSANDS[r] for r in regions_in_order] == sorted((THOUSANDS[r] for r in regions_in_order), reverse=True)


def test_each_number_of_a_run_comes_from_an_area_code_not_used_yet():
    spread = SpreadCityNumbers(seed=1)
    codes = area_codes_by_population()
    numbers = [spread.next() for _ in range(len(codes))]
    used = [next(code for code in codes if number.startswith(code)) for number in numbers]
    assert len(set(used)) == len(codes), "an area code came twice before every one was used"
    for number in numbers:
        parsed = phonenumbers.parse("+" + number)
        assert phonenumbers.is_valid_number(parsed) and phonenumbers.region_code_for_number(parsed) == "RU"
    assert len({region(number) for number in numbers[:30]}) == 30  # thirty regions in thirty adds
