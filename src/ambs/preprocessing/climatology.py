"""Month x hour-of-day climatology of the target over the training months.

It is both the climatology baseline forecast and the reference of the anomaly correlation
(ACC). A valid time whose calendar month is not among the training months (e.g. training
on July, testing on September) falls back to the hour-of-day mean over all training
months, the best estimate the training data give for it; ``fallback_months`` names them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from ambs.atomic import atomic_path
from ambs.preprocessing.netcdf_variables import read_variables

BY_MONTH = "climatology"
ALL_MONTHS = "climatology_all_months"
HOURS = np.arange(24)


def load_months(paths: list[Path], variable: str) -> xr.DataArray:
    """One variable of cropped monthly files, concatenated in time order."""
    months = []
    for path in paths:
        ds = read_variables(path, [variable])
        if variable not in ds:
            raise KeyError(f"{path}: variable {variable!r} is missing")
        months.append(ds[variable])
    return xr.concat(months, dim="time").sortby("time")


def monthly_hourly_climatology(paths: list[Path], variable: str) -> xr.Dataset:
    """Mean of ``variable`` per calendar month, hour of day and grid point, plus the all-months hourly mean.

    Summed a file at a time (float64 sums and counts per calendar month and hour of day), so
    memory does not grow with the number of training months. An hour of day a month lacks is NaN.
    """
    sums: dict[int, np.ndarray] = {}
    counts: dict[int, np.ndarray] = {}
    for path in paths:
        field = load_months([path], variable)
        months, hours = _months_and_hours(field["time"].values)
        values = field.transpose("time", ...).values.astype(np.float64)
        for month in np.unique(months).tolist():
            chosen = months == month
            np.add.at(sums.setdefault(month, np.zeros((len(HOURS), *values.shape[1:]))), hours[chosen], values[chosen])
            counts[month] = counts.get(month, np.zeros(len(HOURS))) + np.bincount(hours[chosen], minlength=len(HOURS))
    calendar = sorted(sums)
    seen = np.sum([counts[m] for m in calendar], axis=0) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        by_month = np.stack([sums[m][seen] / counts[m][seen, None, None] for m in calendar])
        all_months = (
            np.sum([sums[m][seen] for m in calendar], axis=0)
            / np.sum([counts[m][seen] for m in calendar], axis=0)[:, None, None]
        )
    grid = {name: field[name] for name in field.dims[1:]}
    attrs = dict(field.attrs)  # the target's units and CF names
    return xr.Dataset(
        {
            BY_MONTH: xr.DataArray(
                by_month.astype(np.float32),
                dims=("month", "hour", *grid),
                attrs={**attrs, "cell_methods": "time: mean within months and hours of day"},
            ),
            ALL_MONTHS: xr.DataArray(
                all_months.astype(np.float32),
                dims=("hour", *grid),
                attrs={**attrs, "cell_methods": "time: mean within hours of day"},
            ),
        },
        coords={"month": ("month", calendar), "hour": ("hour", HOURS[seen]), **grid},
        attrs={"variable": variable, "source_months": " ".join(p.stem for p in paths)},
    )


def write_climatology(paths: list[Path], variable: str, out: Path) -> None:
    clim = monthly_hourly_climatology(paths, variable)
    with atomic_path(out) as tmp:
        clim.to_netcdf(tmp)


def _months_and_hours(valid_times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    times = np.asarray(valid_times).astype("datetime64[h]")
    return times.astype("datetime64[M]").astype(np.int64) % 12 + 1, times.astype(np.int64) % 24


def fallback_months(clim: xr.Dataset, valid_times: np.ndarray) -> list[int]:
    """Calendar months of the valid times that no training month covers (they use the all-months mean)."""
    months, _ = _months_and_hours(valid_times)
    return sorted(set(months.ravel().tolist()) - set(clim["month"].values.tolist()))


def at_valid_times(clim: xr.Dataset, valid_times: np.ndarray) -> np.ndarray:
    """Climatology for an array of valid times of any shape: (*valid_times.shape, lat, lon)."""
    months, hours = _months_and_hours(valid_times)
    missing = sorted(set(hours.ravel().tolist()) - set(clim["hour"].values.tolist()))
    if missing:
        raise ValueError(f"climatology lacks hours of day {missing}: extract all hours of the training months")
    # Rows indexed by calendar month (row 0 unused); untrained months keep the all-months fallback.
    table = np.repeat(clim[ALL_MONTHS].reindex(hour=HOURS).values[np.newaxis], 13, axis=0)
    table[clim["month"].values] = clim[BY_MONTH].reindex(hour=HOURS).values
    return table[months, hours]
