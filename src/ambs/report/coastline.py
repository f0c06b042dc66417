"""Coastlines for the maps, read from the small polyline file shipped in resources/ (no download).

The file is a GeoJSON Feature with a MultiLineString geometry of lon/lat pairs
(see resources/README.md for its source). A field is drawn with coastlines only
when its grid is geographic in the CF sense; index grids of non-ERA5 datasets
get plain images.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xarray as xr


def load_coastlines(path: Path) -> list[np.ndarray]:
    """The polylines of ``path`` as (n, 2) lon/lat arrays."""
    try:
        geometry = json.loads(Path(path).read_text())["geometry"]
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(f"{path}: not a GeoJSON Feature with a geometry ({error})") from None
    if geometry.get("type") != "MultiLineString":
        raise ValueError(f"{path}: geometry is {geometry.get('type')!r}, expected 'MultiLineString'")
    return [np.asarray(line, float) for line in geometry["coordinates"]]


def lines_in_box(lines: list[np.ndarray], west: float, east: float, south: float, north: float) -> list[np.ndarray]:
    """The polylines with a segment whose bounding box meets the box (whole lines: the axes clip the rest)."""
    kept = []
    for line in lines:
        low, high = np.minimum(line[:-1], line[1:]), np.maximum(line[:-1], line[1:])
        meets = (low[:, 0] <= east) & (high[:, 0] >= west) & (low[:, 1] <= north) & (high[:, 1] >= south)
        if meets.any():
            kept.append(line)
    return kept


def is_geographic(field: xr.DataArray) -> bool:
    """True when the last two dims are CF latitude and longitude (degrees_north / degrees_east)."""
    if field.dims[-2:] != ("latitude", "longitude"):
        return False
    return (
        field["latitude"].attrs.get("units") == "degrees_north"
        and field["longitude"].attrs.get("units") == "degrees_east"
    )
