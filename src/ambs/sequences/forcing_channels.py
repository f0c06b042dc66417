"""The forcing channels of the windows: the time forcings at every hour and the static fields, on the windows' grid.

Each channel is brought to order one, like the normalised variables, with a scale of its own: the
training statistics (statistics.json) are per variable, and a forcing is known exactly, so it needs
none. The TOA flux is divided by the solar constant (the other time forcings are sines and cosines
already); a static field is z-scored over the region's cells (it has no time to average over), and a
constant one (a region all land) becomes zero. The static fields come from the ERA5 invariants file
(raw/static.nc, rule extract_static), cropped here to the grid of the windows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ambs.catalogue import STATIC_FORCINGS
from ambs.extraction.variables import VARIABLES
from ambs.preprocessing.netcdf_variables import read_variables
from ambs.sequences.forcings import FORCINGS, SOLAR_CONSTANT
from ambs.sequences.meta import SequenceError

TIME_SCALES = {"toa_incident_solar_radiation": SOLAR_CONSTANT}  # W m-2 -> about 0..1; the others: 1
GRID_TOLERANCE = 1e-6  # degrees: the static grid point of a window's cell is the same 0.25 degree point


def static_fields(path: Path, names: list[str], lat: np.ndarray, lon: np.ndarray) -> dict[str, np.ndarray]:
    """The named invariants of ``path`` at the points of the grid (lat, lon), each z-scored over them."""
    short_names = {name: VARIABLES[name].short_name for name in names}
    try:
        ds = read_variables(path, list(short_names.values()))
    except (OSError, ValueError) as error:
        raise SequenceError(f"{path}: cannot read the static fields {names} ({error})") from error
    fields = {}
    for name, short in short_names.items():
        if short not in ds:
            raise SequenceError(f"{path}: static field '{short}' (forcing {name!r}) is missing")
        field = ds[short].isel(time=0) if "time" in ds[short].dims else ds[short]
        try:
            cropped = field.sel(latitude=lat, longitude=lon, method="nearest", tolerance=GRID_TOLERANCE).values
        except KeyError as error:
            raise SequenceError(
                f"{path}: static field '{short}' does not cover the grid of the windows "
                f"(lat {lat.min()}..{lat.max()}, lon {lon.min()}..{lon.max()})"
            ) from error
        spread = cropped.std()
        fields[name] = ((cropped - cropped.mean()) / (spread if spread > 0 else 1.0)).astype(np.float32)
    return fields


def forcing_channels(
    names: list[str], times: np.ndarray, lat: np.ndarray, lon: np.ndarray, static: Path | None
) -> np.ndarray:
    """The named forcings on the hours ``times`` and the grid, scaled, in the order of ``names``: (time, lat, lon, n)."""
    unknown = sorted(set(names) - set(FORCINGS) - set(STATIC_FORCINGS))
    if unknown:
        raise SequenceError(f"unknown forcings {unknown}; expected any of {[*FORCINGS, *STATIC_FORCINGS]}")
    wanted = [name for name in names if name in STATIC_FORCINGS]
    fixed: dict[str, np.ndarray] = {}
    if wanted:
        if static is None:
            raise SequenceError(f"forcings {wanted} are static fields: they need the ERA5 invariants (raw/static.nc)")
        fixed = static_fields(static, wanted, lat, lon)
    channels = np.empty((len(times), len(lat), len(lon), len(names)), np.float32)
    for channel, name in enumerate(names):
        if name in fixed:
            channels[..., channel] = fixed[name]
        else:
            channels[..., channel] = FORCINGS[name](times, lat, lon) / TIME_SCALES.get(name, 1.0)
    return channels
