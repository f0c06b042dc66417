"""Check a downloaded ERA5 file against the request that produced it, before it gets its final name.

CDS downloads can be truncated, miss hours or carry unexpected units; catching
that here stops a broken month from silently poisoning training statistics.
The same checks apply to the synthetic source.
"""

from __future__ import annotations

import os

import numpy as np
import xarray as xr

from ambs.extraction.requests import CdsRequest, request_times, request_variables
from ambs.extraction.variables import Era5Variable

DIMS = ("time", "latitude", "longitude")
GRID_TOLERANCE = 1e-3  # degrees
RANGE_TOLERANCE = 1e-3  # GRIB packing may put a fraction's extremes a little outside [0, 1]


class Era5FileError(ValueError):
    """A downloaded or cropped ERA5 file is unusable; the message names the file and the problem."""


def validate_download(path: str | os.PathLike[str], request: CdsRequest) -> None:
    """Raise Era5FileError unless ``path`` holds every variable, hour and grid point of ``request``."""
    wanted = request_variables(request.dataset, request.body)
    try:
        with xr.open_dataset(path) as ds:
            ds.load()
    except Exception as error:  # netCDF4/h5 raise OSError, RuntimeError or ValueError for broken files
        raise Era5FileError(f"{path}: cannot read netCDF ({type(error).__name__}: {error})") from error
    problems = _problems(ds, wanted, request)
    if problems:
        raise Era5FileError(f"{path}: " + "; ".join(problems))


def _problems(ds: xr.Dataset, wanted: list[Era5Variable], request: CdsRequest) -> list[str]:
    missing_dims = [d for d in DIMS if d not in ds.dims]
    if missing_dims:
        return [f"dimension(s) {missing_dims} missing (has {list(ds.dims)})"]
    problems = [p for v in wanted for p in _variable_problems(ds, v)]
    problems += _time_problems(ds, request)
    problems += _grid_problems(ds, request.body["area"])
    return problems


def _variable_problems(ds: xr.Dataset, variable: Era5Variable) -> list[str]:
    name = variable.short_name
    if name not in ds:
        return [f"variable '{name}' ({variable.name}) is missing (has {list(ds.data_vars)})"]
    data = ds[name]
    problems = []
    if set(data.dims) != set(DIMS):
        problems.append(f"variable '{name}' has dims {data.dims}, expected {DIMS}")
    units = data.attrs.get("units")
    if units != variable.units:
        problems.append(f"variable '{name}' has units {units!r}, expected {variable.units!r}")
    if not np.isfinite(data.values).all():
        problems.append(f"variable '{name}' contains NaN or infinite values")
    elif variable.valid_range is not None:
        low, high = variable.valid_range
        have = (float(data.min()), float(data.max()))
        if have[0] < low - RANGE_TOLERANCE or have[1] > high + RANGE_TOLERANCE:
            problems.append(f"variable '{name}' ranges {have[0]:g}..{have[1]:g}, outside its {low:g}..{high:g}")
    return problems


def _time_problems(ds: xr.Dataset, request: CdsRequest) -> list[str]:
    have = ds["time"].values
    if not np.issubdtype(have.dtype, np.datetime64):
        return [f"time is not decodable as dates (dtype {have.dtype})"]
    missing = np.setdiff1d(request_times(request.body), have.astype("datetime64[ns]"))
    if missing.size:
        shown = ", ".join(str(t)[:13] for t in missing[:5])
        return [f"{missing.size} requested hour(s) missing, e.g. {shown}"]
    return []


def _grid_problems(ds: xr.Dataset, area: list[float]) -> list[str]:
    north, west, south, east = (float(v) for v in area)
    lat, lon = ds["latitude"].values, ds["longitude"].values
    if lat.size == 0 or lon.size == 0:
        return ["the latitude/longitude grid is empty"]
    covered = (
        lat.max() >= north - GRID_TOLERANCE
        and lat.min() <= south + GRID_TOLERANCE
        and lon.min() <= west + GRID_TOLERANCE
        and lon.max() >= east - GRID_TOLERANCE
    )
    if not covered:
        return [
            f"grid lat {lat.min()}..{lat.max()}, lon {lon.min()}..{lon.max()} "
            f"does not cover the requested area N{north} W{west} S{south} E{east}"
        ]
    return []
