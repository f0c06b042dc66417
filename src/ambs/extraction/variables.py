"""Catalogue of the ERA5 variables the benchmark supports, keyed by their config name.

One place maps a config name (``z500``) to what the CDS calls it, what the
downloaded file calls it and which units it must carry, so requests, the
synthetic source and validation cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

SINGLE_LEVELS = "reanalysis-era5-single-levels"
PRESSURE_LEVELS = "reanalysis-era5-pressure-levels"


@dataclass(frozen=True)
class Era5Variable:
    """One supported variable; ``level`` is the pressure level in hPa, None for single levels."""

    name: str
    short_name: str
    cds_name: str
    dataset: str
    units: str
    long_name: str
    standard_name: str
    level: int | None


VARIABLES: dict[str, Era5Variable] = {
    v.name: v
    for v in (
        Era5Variable(
            "t2m", "t2m", "2m_temperature", SINGLE_LEVELS, "K", "2 metre temperature", "air_temperature", None
        ),
        Era5Variable(
            "msl",
            "msl",
            "mean_sea_level_pressure",
            SINGLE_LEVELS,
            "Pa",
            "Mean sea level pressure",
            "air_pressure_at_mean_sea_level",
            None,
        ),
        Era5Variable("z500", "z", "geopotential", PRESSURE_LEVELS, "m**2 s**-2", "Geopotential", "geopotential", 500),
    )
}


def lookup(name: str) -> Era5Variable:
    """The catalogue entry of ``name``; a ValueError lists the supported names so a config typo is obvious."""
    try:
        return VARIABLES[name]
    except KeyError:
        raise ValueError(f"unknown ERA5 variable {name!r}; supported: {', '.join(VARIABLES)}") from None
