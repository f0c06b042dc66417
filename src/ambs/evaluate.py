"""Score one model's test-set forecasts of the target in physical units, per init time and lead hour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ambs import metrics
from ambs.atomic import atomic_path
from ambs.climatology import at_valid_times
from ambs.era5.variables import VARIABLES
from ambs.models.kinds import is_trained
from ambs.models.registry import draw_samples, load_model
from ambs.sequences import SplitMeta, make_dataset

METRIC_UNITS = {
    "mse": "K2", "rmse": "K", "bias": "K", "mae": "K", "psnr": "dB", "ssim": "1", "acc": "1", "rmse_latw": "K",
    "spread": "K",
}


def collect_test_set(test_dir: Path, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """All test windows as normalised (context of every variable, truth of the target)."""
    contexts, truths = [], []
    for context, truth in make_dataset(test_dir, batch_size).as_numpy_iterator():
        contexts.append(context)
        truths.append(truth)
    return np.concatenate(contexts), np.concatenate(truths)[..., 0]


def forecast(
    model_name: str, model_path: Path | None, context: np.ndarray, meta: SplitMeta, batch_size: int, ensemble_size: int, seed: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """Normalised target forecasts (init, lead, lat, lon) and, for stochastic models, the ensemble members.

    A stochastic model's deterministic forecast is its ensemble mean.
    """
    if not is_trained(model_name):
        return np.repeat(context[:, -1:, :, :, meta.target_index], meta.forecast, axis=1), None
    model = load_model(model_path)
    members = draw_samples(model, context, ensemble_size, seed, batch_size)
    if members is None:
        return np.asarray(model.predict(context, batch_size=batch_size, verbose=0))[..., 0], None
    return members.mean(axis=0)[..., 0], members[..., 0]


def score(fcst: np.ndarray, truth: np.ndarray, clim: np.ndarray, lats: np.ndarray, data_range: float) -> dict[str, np.ndarray]:
    """Every metric per (init, lead) for physical-unit arrays of shape (init, lead, lat, lon)."""
    return {
        "mse": metrics.mse(fcst, truth),
        "rmse": metrics.rmse(fcst, truth),
        "bias": metrics.bias(fcst, truth),
        "mae": metrics.mae(fcst, truth),
        "psnr": metrics.psnr(fcst, truth, data_range),
        "ssim": metrics.ssim(fcst, truth, data_range),
        "acc": metrics.acc(fcst, truth, clim),
        "rmse_latw": metrics.rmse_latitude_weighted(fcst, truth, lats),
    }


def evaluate(
    model_name: str,
    model_path: Path | None,
    test_dir: Path,
    stats: dict[str, Any],
    climatology: xr.DataArray,
    metrics_path: Path,
    forecast_path: Path,
    batch_size: int = 32,
    ensemble_size: int = 1,
    seed: int = 0,
) -> xr.Dataset:
    """Forecast the test set, write per-sample forecasts and per-(init, lead) metrics as netCDF."""
    meta = SplitMeta.read(test_dir)
    context, truth = collect_test_set(test_dir, batch_size)
    mean, std = stats[meta.target]["mean"], stats[meta.target]["std"]
    fcst, members = forecast(model_name, model_path, context, meta, batch_size, ensemble_size, seed)
    fcst = fcst * std + mean
    truth = truth * std + mean
    observed = context[..., meta.target_index] * std + mean
    init = np.array(meta.init_times, dtype="datetime64[ns]")
    leads = np.arange(1, meta.forecast + 1)
    valid = init[:, None] + leads[None, :].astype("timedelta64[h]")
    lats = np.asarray(meta.latitude)
    data_range = float(truth.max() - truth.min())
    scores = score(fcst, truth, at_valid_times(climatology, valid), lats, data_range)
    if members is not None:
        scores["spread"] = metrics.ensemble_spread(members * std)

    coords = {"init": init, "lead": ("lead", leads, {"units": "hours", "long_name": "forecast lead time"})}
    result = xr.Dataset(
        {name: (("init", "lead"), values, {"units": METRIC_UNITS[name]}) for name, values in scores.items()},
        coords=coords,
        attrs={"model": model_name, "variable": meta.target, "data_range": data_range,
               "description": "per init time and lead hour, spatial mean over the region"},
    )
    with atomic_path(metrics_path) as tmp:
        result.to_netcdf(tmp)
    write_forecasts(model_name, meta, fcst, truth, observed, coords, forecast_path)
    return result


def write_forecasts(
    model_name: str, meta: SplitMeta, fcst: np.ndarray, truth: np.ndarray, observed: np.ndarray,
    coords: dict[str, Any], path: Path,
) -> None:
    """Per-sample forecast, truth and context of the target, CF-style, for plots and later analysis."""
    spatial = {"latitude": ("latitude", meta.latitude, {"units": "degrees_north", "standard_name": "latitude"}),
               "longitude": ("longitude", meta.longitude, {"units": "degrees_east", "standard_name": "longitude"})}
    context_lead = np.arange(1 - meta.context, 1)
    attrs = {"units": VARIABLES[meta.target].units, "long_name": VARIABLES[meta.target].long_name}
    dims = ("init", "lead", "latitude", "longitude")
    ds = xr.Dataset(
        {
            "forecast": (dims, fcst.astype(np.float32), attrs),
            "truth": (dims, truth.astype(np.float32), attrs),
            "context": (("init", "context_lead", "latitude", "longitude"), observed.astype(np.float32), attrs),
        },
        coords={**coords, **spatial, "context_lead": ("context_lead", context_lead, {"units": "hours"})},
        attrs={"model": model_name, "Conventions": "CF-1.6"},
    )
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp)


def summary_table(result: xr.Dataset) -> pd.DataFrame:
    """Mean over init times of each metric, one row per lead hour."""
    table = result.mean("init").to_dataframe().reset_index()
    table.insert(0, "model", result.attrs["model"])
    return table
