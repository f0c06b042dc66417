"""Hour-of-day climatology of the target from the training months: the reference for ACC."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from ambs.atomic import atomic_path


def hourly_climatology(paths: list[Path], variable: str) -> xr.DataArray:
    """Mean of ``variable`` for each hour of day (0-23) and grid point over the given files."""
    months = []
    for path in paths:
        with xr.open_dataset(path) as ds:
            months.append(ds[variable].load())
    field = xr.concat(months, dim="time")
    clim = field.groupby("time.hour").mean("time").astype(np.float32)
    clim.attrs.update(field.attrs, cell_methods="time: mean within hours of day")
    return clim.rename(variable)


def write_climatology(paths: list[Path], variable: str, out: Path) -> None:
    clim = hourly_climatology(paths, variable)
    with atomic_path(out) as tmp:
        clim.to_dataset().to_netcdf(tmp)


def at_valid_times(clim: xr.DataArray, valid_times: np.ndarray) -> np.ndarray:
    """Climatology for an array of valid times of any shape: (*times.shape, lat, lon)."""
    hours = (valid_times.astype("datetime64[h]").astype(np.int64) % 24).astype(int)
    table = clim.transpose("hour", "latitude", "longitude")
    if table.sizes["hour"] != 24:
        missing = sorted(set(range(24)) - set(table["hour"].values.tolist()))
        raise ValueError(f"climatology lacks hours of day {missing}: extract all hours of the training months")
    return table.values[hours]
