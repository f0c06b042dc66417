"""Generated sequences on disk (one netCDF per split) and the training split's statistics.

These files play the part of ERA5's raw months and ``statistics.json``: the
sequences rule normalises every split with the statistics of the training split.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xarray as xr

from ambs.atomic import atomic_path
from ambs.preprocessing.moments import Moments, to_json


def write_raw(sequences: xr.DataArray, path: Path) -> None:
    """Store (sequence, time, y, x) values with their name and units as netCDF, atomically."""
    with atomic_path(path) as tmp:
        sequences.to_dataset().to_netcdf(tmp)


def read_raw(path: Path) -> xr.DataArray:
    """The single variable of a file written by ``write_raw``; the error names the file if it is not one."""
    with xr.open_dataset(path) as ds:
        names = list(ds.data_vars)
        if len(names) != 1 or ds[names[0]].dims != ("sequence", "time", "y", "x"):
            raise ValueError(f"{path}: expected one variable over (sequence, time, y, x), found {names}")
        return ds[names[0]].load()


def raw_statistics(path: Path) -> dict[str, dict[str, Any]]:
    """Mean, std, min and max of the variable in ``path``, in the layout of ERA5's statistics.json."""
    sequences = read_raw(path)
    return to_json({str(sequences.name): Moments.of(sequences.values)})
