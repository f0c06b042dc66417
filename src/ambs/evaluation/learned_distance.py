"""The learned distance as a forecast score: how far each forecast is from the truth, per init time and lead hour.

The target-view encoder compares windows of W hours of the target (W = the trained
``forecast_hours``). The score at lead L compares the W hours ending at lead L: the
forecast (or the truth) up to L, preceded by observed hours before the init time,
which are the same on both sides. So lead 1 differs in one hour and lead W in all of
them, and the score grows with lead like an accumulated error; leads past W (with
``eval_forecast_hours``) compare W forecast hours. Where the context is shorter than
W - 1 hours the earliest observed hour is repeated.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xarray as xr

from ambs.atomic import atomic_path
from ambs.sequences.meta import SplitMeta
from ambs.sequences.target_scale import TargetScale
from ambs.similarity.lsim import LearnedDistance, load_distance

UNITS = "1"
LONG_NAME = "learned distance between forecast and truth (target-view LearnedDistance, window ending at the lead)"


def lead_windows(context: np.ndarray, field: np.ndarray, hours: int) -> np.ndarray:
    """(init * lead, hours, lat, lon, 1): for each init and lead L, the ``hours`` hours of context + field ending at L.

    context is (init, context_hours, lat, lon) and field (init, lead, lat, lon).
    """
    leads = field.shape[1]
    missing = max(hours - 1 - context.shape[1], 0)
    series = np.concatenate([context, field], axis=1)
    series = np.pad(series, ((0, 0), (missing, 0), (0, 0), (0, 0)), mode="edge")
    first = series.shape[1] - leads - hours + 1  # start of the window that ends at lead 1
    windows = np.stack([series[:, first + lead : first + lead + hours] for lead in range(leads)], axis=1)
    return windows.reshape(-1, *windows.shape[2:], 1)


def learned_distance(distance: LearnedDistance, forecast: xr.Dataset, scale: TargetScale) -> xr.DataArray:
    """d(forecast window, truth window) per (init, lead) for a forecast.nc of the evaluate rule, scaled as in training."""
    context_times = (forecast["init"] + forecast["context_lead"].astype("timedelta64[h]")).values
    context = scale.to_windows(forecast["context"].values, context_times)
    valid_times = forecast["valid_time"].transpose("init", "lead").values
    fcst, truth = (scale.to_windows(forecast[name].values, valid_times) for name in ("forecast", "truth"))
    hours, *grid = distance.encoder.input_shape[1:-1]
    if tuple(grid) != fcst.shape[2:]:
        raise ValueError(
            f"the target-view similarity model compares {tuple(grid)} grids, the forecasts have {fcst.shape[2:]}: "
            "retrain it (rule train_similarity) for this configuration"
        )
    d = distance.distance(
        lead_windows(context, fcst, hours).astype(np.float32), lead_windows(context, truth, hours).astype(np.float32)
    )
    return xr.DataArray(
        d.reshape(fcst.shape[:2]),
        coords={"init": forecast["init"], "lead": forecast["lead"]},
        dims=("init", "lead"),
        name="learned_distance",
        attrs={"units": UNITS, "long_name": LONG_NAME},
    )


def write_learned_distance(score: xr.DataArray, model: str, netcdf_path: Path, table_path: Path) -> None:
    """The per-(init, lead) score as netCDF and its mean over init times per lead as CSV (model, lead, learned_distance)."""
    with atomic_path(netcdf_path) as tmp:
        score.to_dataset().assign_attrs(model=model).to_netcdf(tmp)
    table = score.mean("init").to_dataframe().reset_index()[["lead", "learned_distance"]]
    table.insert(0, "model", model)
    with atomic_path(table_path) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")


def score_forecast_file(
    model: str,
    forecast_path: Path,
    test_dir: Path,
    stats_path: Path,
    distance_path: Path,
    netcdf_path: Path,
    table_path: Path,
    climatology_path: Path | None = None,
) -> xr.DataArray:
    """Score one forecast.nc of the evaluate rule by the learned distance saved at ``distance_path``; write both files.

    The forecast is scaled like the test split's target, as the encoder saw it in training (a split of
    departures from the climatology needs ``climatology_path``).
    """
    meta = SplitMeta.read(test_dir)
    climatology = xr.load_dataset(climatology_path) if climatology_path else None
    scale = TargetScale.of_split(meta, json.loads(stats_path.read_text()), climatology)
    score = learned_distance(load_distance(distance_path), xr.load_dataset(forecast_path), scale)
    write_learned_distance(score, model, netcdf_path, table_path)
    return score
