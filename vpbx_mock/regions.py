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


RUSSIA = "7"  # country calling code: every ДГН the contract accepts starts with it (D3)


def keep_only_russian_geodata() -> int:
    """Drop the geocoder's place names of every other country code; returns the prefixes kept.

    phonenumbers loads its whole geocoder table (about 290,000 prefixes, every language) on
    first use: about 100 MiB of the mock's memory, for the few hundred +7 prefixes it asks
    about. The kept entries are copied into new objects first, so that the memory of the
    originals can be returned as a whole; then the table is emptied, its data modules are
    unloaded, and the copies go back into the library's own table, where the geocoder reads
    them as before. Only for a process that looks up +7 numbers alone (the mock server): the
    geocoder answers nothing for other countries afterwards.
    """
    import gc
    import sys

    from phonenumbers import geodata

    def fresh(text: str) -> str:
        return (text + ".")[:-1]  # an equal string that is a new object

    kept = {fresh(prefix): {fresh(language): fresh(name) for language, name in names.items()}
            for prefix, names in geodata.GEOCODE_DATA.items() if prefix.startswith(RUSSIA)}
    geodata.GEOCODE_DATA.clear()
    for module_name in [name for name in sys.modules if name.startswith(geodata.__name__ + ".data")]:
        sys.modules.pop(module_name).__dict__.clear()
        vars(geodata).pop(module_name.rpartition(".")[2], None)
    gc.collect()
    geodata.GEOCODE_DATA.update(kept)
    region_for.cache_clear()
    return len(kept)
