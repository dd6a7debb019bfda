"""region_name for a ДГН, from the phonenumbers geocoder (Russian place names)."""

from __future__ import annotations

import functools

import phonenumbers
from phonenumbers import geocoder


@functools.lru_cache(maxsize=4096)
def region_for(dgn_number: str) -> str | None:
    """E.g. "74991234567" -> "г. Москва"; None when only the country is known (D7)."""
    try:
        parsed = phonenumbers.parse("+" + dgn_number)
    except phonenumbers.NumberParseException:
        return None
    region = geocoder.description_for_number(parsed, "ru")
    # For numbers without geographic data the geocoder falls back to the country name,
    # which is not a region.
    if not region or region == geocoder.country_name_for_number(parsed, "ru"):
        return None
    return region
