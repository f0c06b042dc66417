"""Catalogue of the ERA5 variables the benchmark supports, keyed by their config name.

One place maps a config name (``z500``) to what the CDS calls it, what the
downloaded file calls it and which units it must carry, so requests, the
synthetic source and validation cannot drift apart. It also holds ERA5's
invariants (land-sea mask, surface geopotential), marked ``static``: the static
file serves them, the monthly files never do.
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
    static: bool = False  # an ERA5 invariant: the same field at every time
    valid_range: tuple[float, float] | None = None  # physical bounds, e.g. of a fraction


FRACTION = "(0 - 1)"  # how ERA5 writes the units of a fraction (cloud cover, land-sea mask)

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
        Era5Variable(
            "tcc",
            "tcc",
            "total_cloud_cover",
            SINGLE_LEVELS,
            FRACTION,
            "Total cloud cover",
            "cloud_area_fraction",
            None,
            valid_range=(0.0, 1.0),
        ),
        Era5Variable("z500", "z", "geopotential", PRESSURE_LEVELS, "m**2 s**-2", "Geopotential", "geopotential", 500),
        Era5Variable("t850", "t", "temperature", PRESSURE_LEVELS, "K", "Temperature", "air_temperature", 850),
        Era5Variable(
            "lsm",
            "lsm",
            "land_sea_mask",
            SINGLE_LEVELS,
            FRACTION,
            "Land-sea mask",
            "land_binary_mask",
            None,
            static=True,
            valid_range=(0.0, 1.0),
        ),
        Era5Variable(
            "z", "z", "geopotential", SINGLE_LEVELS, "m**2 s**-2", "Geopotential", "geopotential", None, static=True
        ),
    )
}
STATIC_FIELDS = [name for name, v in VARIABLES.items() if v.static]  # lsm and the surface geopotential (orography)


def lookup(name: str) -> Era5Variable:
    """The catalogue entry of ``name``; a ValueError lists the supported names so a config typo is obvious."""
    try:
        return VARIABLES[name]
    except KeyError:
        raise ValueError(f"unknown ERA5 variable {name!r}; supported: {', '.join(VARIABLES)}") from None
