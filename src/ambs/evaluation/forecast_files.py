"""Per-sample forecasts as CF netCDF: one dataset per model, and all models along a ``model`` dimension.

Each holds, per init time, the context and the truth of the target and the forecast(s),
in physical units, with the CF forecast coordinates (forecast_reference_time,
forecast_period and the valid time) so that any CF reader can place every field in time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import netCDF4
import numpy as np
import xarray as xr

from ambs.sequences.meta import SplitMeta

FIELD_DIMS = ("init", "lead", "latitude", "longitude")
CONVENTIONS = "CF-1.8"


def target_attrs(meta: SplitMeta) -> dict[str, str]:
    """CF units and names of the target, as the split carries them; a standard name only where CF has one."""
    attrs = {"units": meta.target_units, "long_name": meta.target_long_name}
    return {**attrs, "standard_name": meta.target_standard_name} if meta.target_standard_name else attrs


def forecast_coords(meta: SplitMeta) -> dict[str, Any]:
    """init, lead, valid time, context lead and grid coordinates of one test split."""
    return {
        "init": (
            "init",
            meta.init_datetimes,
            {"standard_name": "forecast_reference_time", "long_name": "last observed hour"},
        ),
        "lead": (
            "lead",
            meta.leads,
            {"units": "hours", "standard_name": "forecast_period", "long_name": "forecast lead time"},
        ),
        "valid_time": (
            ("init", "lead"),
            meta.valid_times,
            {"standard_name": "time", "long_name": "valid time of the forecast"},
        ),
        "context_lead": (
            "context_lead",
            np.arange(1 - meta.context, 1),
            {"units": "hours", "long_name": "hour of the context relative to init"},
        ),
        "latitude": ("latitude", meta.latitude, {"units": "degrees_north", "standard_name": "latitude"}),
        "longitude": ("longitude", meta.longitude, {"units": "degrees_east", "standard_name": "longitude"}),
    }


def _without_fill_on_coords(ds: xr.Dataset) -> xr.Dataset:
    """CF coordinates have no missing values, so they must not carry a _FillValue either."""
    for name in ds.coords:
        ds[name].encoding["_FillValue"] = None
    return ds


def forecast_dataset(
    model_name: str, meta: SplitMeta, fcst: np.ndarray, truth: np.ndarray, observed: np.ndarray
) -> xr.Dataset:
    """One model's forecast with the truth and the observed context of the target, float32."""
    attrs = target_attrs(meta)
    return _without_fill_on_coords(
        xr.Dataset(
            {
                "forecast": (FIELD_DIMS, fcst.astype(np.float32), attrs),
                "truth": (FIELD_DIMS, truth.astype(np.float32), attrs),
                "context": (("init", "context_lead", "latitude", "longitude"), observed.astype(np.float32), attrs),
            },
            coords=forecast_coords(meta),
            attrs={"model": model_name, "variable": meta.target, "Conventions": CONVENTIONS},
        )
    )


def write_batch(path: Path, batch: xr.Dataset, first: bool) -> None:
    """Write ``batch`` (a ``forecast_dataset``) into ``path``: a new file if ``first``, else after the inits there.

    So the evaluation writes its forecasts one batch of windows at a time and never holds them
    all. The first batch creates the file with ``init`` unlimited, and its times in whole hours
    since its first init; every later batch is encoded in the file's own units and written in
    place, extending ``init``.
    """
    if first:
        first = np.datetime_as_string(batch["init"].values[0], unit="h")
        hours = {"units": f"hours since {first}:00:00", "dtype": "int64"}
        batch.to_netcdf(path, unlimited_dims=["init"], encoding={name: hours for name in ("init", "valid_time")})
        return
    with netCDF4.Dataset(path, "a") as nc:
        start, stop = len(nc.dimensions["init"]), len(nc.dimensions["init"]) + batch.sizes["init"]
        for key, variable in batch.variables.items():
            if "init" not in variable.dims:
                continue
            name = str(key)
            stored = nc[name]
            stored.set_auto_maskandscale(False)  # the values come encoded, as xarray writes them
            if np.issubdtype(variable.dtype, np.datetime64):
                variable = variable.copy()
                variable.encoding = {"units": stored.units, "calendar": stored.calendar, "dtype": stored.dtype}
            stored[start:stop] = xr.conventions.encode_cf_variable(variable, name=name).values


def combine(datasets: list[xr.Dataset]) -> xr.Dataset:
    """Every model's forecast along a ``model`` dimension, with the shared truth and context once.

    Fails, naming the model, if the models were not evaluated on the same test windows.
    """
    first = datasets[0]
    for ds in datasets[1:]:
        for name in ("truth", "context"):
            if not ds[name].identical(first[name]):
                raise ValueError(
                    f"model {ds.attrs['model']!r}: its {name} differs from model "
                    f"{first.attrs['model']!r}'s; evaluate all models on the same test split"
                )
    models = [ds.attrs["model"] for ds in datasets]
    forecast = xr.concat([ds["forecast"] for ds in datasets], dim="model")
    return _without_fill_on_coords(
        xr.Dataset(
            {"forecast": forecast, "truth": first["truth"], "context": first["context"]},
            coords={"model": ("model", models, {"long_name": "forecasting model or baseline"})},
            attrs={
                "variable": first.attrs["variable"],
                "Conventions": CONVENTIONS,
                "title": "test-set forecasts of every model and baseline",
            },
        )
    )
