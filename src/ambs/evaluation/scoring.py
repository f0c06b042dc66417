"""Score one model's test-set forecasts of the target in physical units, per init time and lead hour, batch by batch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd
import xarray as xr

from ambs.catalogue import METRICS, MODELS
from ambs.evaluation import metrics
from ambs.evaluation.forecast_files import forecast_coords, forecast_dataset, target_attrs, write_batch
from ambs.extraction.synthetic import forecast_oracle
from ambs.models import baselines
from ambs.models.registry import load_model
from ambs.models.rollout import predict_horizon
from ambs.preprocessing.climatology import at_valid_times, fallback_months
from ambs.sequences.meta import SplitMeta, context_part, future_forcings, future_target
from ambs.sequences.target_scale import TargetScale
from ambs.sequences.tfrecords import read_batches

WINDOWS_PER_BATCH = 256  # test windows in memory at a time: a shard's worth (ambs.sequences.tfrecords.SHARD_SIZE)


@dataclass(frozen=True)
class EvalWindows:
    """Test windows: normalised inputs for the networks, the target in physical units for scoring."""

    meta: SplitMeta  # of these windows only
    context: np.ndarray  # normalised, every variable and forcing: (init, context, lat, lon, channel)
    forcings: np.ndarray  # normalised forcings of the forecast hours: (init, lead, lat, lon, forcing)
    observed: np.ndarray  # the target's context in physical units: (init, context, lat, lon)
    truth: np.ndarray  # physical units: (init, lead, lat, lon)
    scale: TargetScale  # the way from the windows' target values to physical units


@dataclass(frozen=True)
class TestSplit:
    """The test split on disk, read ``windows_per_batch`` windows at a time, so memory does not grow with its months."""

    directory: Path
    meta: SplitMeta
    scale: TargetScale  # the way from the windows' target values to physical units
    windows_per_batch: int = WINDOWS_PER_BATCH

    def batches(self) -> Iterator[EvalWindows]:
        """The windows in init-time order, one bounded batch at a time."""
        start = 0
        for windows in read_batches(self.directory, self.windows_per_batch):
            yield eval_windows(self.meta.part(start, len(windows)), windows, self.scale)
            start += len(windows)

    def data_range(self) -> float:
        """max - min of the truth over the whole split, which PSNR and SSIM need before the first batch is scored."""
        lowest, highest = np.inf, -np.inf
        for batch in self.batches():
            lowest, highest = min(lowest, batch.truth.min()), max(highest, batch.truth.max())
        return float(highest - lowest)


@dataclass(frozen=True)
class References:
    """Data beyond the test windows. Any may be absent (datasets without geography or history, the CDS)."""

    climatology: xr.Dataset | None = None  # month x hour-of-day climatology of the training months
    history: xr.DataArray | None = None  # the target over the test months (time, lat, lon), for daily persistence
    source_seed: int | None = None  # seed of the embedded synthetic source that made the data, for its oracle

    def require(self, name: str, model_name: str) -> Any:
        value = getattr(self, name)
        if value is None:
            raise ValueError(f"model {model_name!r} needs the {name} (--{name} of scripts/evaluate.py)")
        return value


def load_test_set(
    test_dir: Path,
    stats: dict[str, Any],
    climatology: xr.Dataset | None = None,
    windows_per_batch: int = WINDOWS_PER_BATCH,
) -> TestSplit:
    """The test split of ``test_dir``; its target is brought back to physical units as the split was written.

    A split of departures from the climatology (``target_anomaly``) needs that ``climatology``.
    """
    meta = SplitMeta.read(test_dir)
    return TestSplit(test_dir, meta, TargetScale.of_split(meta, stats, climatology), windows_per_batch)


def eval_windows(meta: SplitMeta, windows: np.ndarray, scale: TargetScale) -> EvalWindows:
    """The windows (init, time, lat, lon, channel) that ``meta`` describes, split into inputs and physical truth."""
    context = np.ascontiguousarray(context_part(meta, windows))  # a copy: the windows need not stay in memory
    return EvalWindows(
        meta=meta,
        context=context,
        forcings=np.ascontiguousarray(future_forcings(meta, windows)),
        observed=scale.to_units(context[..., meta.target_index], meta.context_times),
        truth=scale.to_units(future_target(meta, windows)[..., 0], meta.valid_times),
        scale=scale,
    )


def _daily_persistence(test: EvalWindows, references: References) -> np.ndarray:
    history = references.require("history", "persistence24")
    grid = (history.sizes.get("latitude"), history.sizes.get("longitude"))
    if grid != test.truth.shape[2:]:
        raise ValueError(
            f"--history grid {grid} differs from the test split's {test.truth.shape[2:]}; pass the cropped test months"
        )
    return baselines.daily_persistence(history, test.meta.init_datetimes, test.meta.leads)


def _oracle(test: EvalWindows, references: References) -> np.ndarray:
    meta = test.meta
    seed = references.require("source_seed", "oracle")
    latitudes, longitudes = np.asarray(meta.latitude), np.asarray(meta.longitude)
    return forecast_oracle(seed, meta.target, meta.init_datetimes, meta.leads, latitudes, longitudes).astype(np.float64)


# One entry per baseline and reference of ambs.catalogue.MODELS: the models without a model file.
BASELINE_FORECASTS: dict[str, Callable[[EvalWindows, References], np.ndarray]] = {
    "persistence": lambda test, refs: baselines.persistence(test.observed, test.meta.forecast),
    "persistence24": _daily_persistence,
    "climatology": lambda test, refs: at_valid_times(refs.require("climatology", "climatology"), test.meta.valid_times),
    "oracle": _oracle,
}


def load_forecaster(model_name: str, model_path: Path | None) -> keras.Model | None:
    """The trained model that forecasts ``model_name``, loaded once for every batch; None for a baseline."""
    if not MODELS[model_name].has_model_file:
        return None
    if model_path is None:
        raise ValueError(f"model {model_name!r} is trained: pass its model.keras (--weights)")
    return load_model(model_path)


def forecast(
    model_name: str,
    model: keras.Model | None,
    test: EvalWindows,
    references: References,
    batch_size: int = 32,
    ensemble_size: int = 1,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Physical-unit forecasts (init, lead, lat, lon) and, for stochastic models, the ensemble members.

    A stochastic model's deterministic forecast is its ensemble mean.
    """
    if model is None:
        return BASELINE_FORECASTS[model_name](test, references), None
    # beyond the trained horizon (eval_forecast_hours) the model rolls out, see ambs.models.rollout
    fcst, members = predict_horizon(
        model,
        test.context,
        test.forcings,
        test.meta.target_index,
        batch_size,
        ensemble_size if MODELS[model_name].stochastic else None,
        seed,
    )
    if members is None:
        return test.scale.to_units(fcst, test.meta.valid_times), None
    members = test.scale.to_units(members, test.meta.valid_times)
    return members.mean(axis=0), members


@dataclass(frozen=True)
class Scored:
    """What the metrics compare: physical-unit arrays (init, lead, lat, lon) and what a metric may need besides.

    ``climatology`` (at the valid times) and ``latitudes`` are absent for datasets without geography,
    ``members`` (member, init, lead, lat, lon) for deterministic models.
    """

    forecast: np.ndarray
    truth: np.ndarray
    data_range: float
    climatology: np.ndarray | None = None
    latitudes: np.ndarray | None = None
    members: np.ndarray | None = None

    @cached_property
    def mse(self) -> np.ndarray:
        """Computed once for the MSE, the RMSE and the PSNR."""
        return metrics.mse(self.forecast, self.truth)

    def need(self, name: str) -> np.ndarray:
        """The optional input ``name``, which the metric asking for it cannot do without."""
        value = getattr(self, name)
        if value is None:
            raise ValueError(f"this metric needs the {name}")
        return value


# One entry per metric of ambs.catalogue.METRICS.
METRIC_FUNCTIONS: dict[str, Callable[[Scored], np.ndarray]] = {
    "mse": lambda s: s.mse,
    "rmse": lambda s: np.sqrt(s.mse),
    "bias": lambda s: metrics.bias(s.forecast, s.truth),
    "mae": lambda s: metrics.mae(s.forecast, s.truth),
    "psnr": lambda s: metrics.psnr_of_mse(s.mse, s.data_range),
    "ssim": lambda s: metrics.ssim(s.forecast, s.truth, s.data_range),
    "gradient_ratio": lambda s: metrics.gradient_ratio(s.forecast, s.truth),
    "acc": lambda s: metrics.acc(s.forecast, s.truth, s.need("climatology")),
    "rmse_latw": lambda s: metrics.rmse_latitude_weighted(s.forecast, s.truth, s.need("latitudes")),
    "spread": lambda s: metrics.ensemble_spread(s.need("members")),
}


def score(scored: Scored) -> dict[str, np.ndarray]:
    """Every catalogue metric per (init, lead) that the inputs allow, in catalogue order.

    Geographic metrics are skipped without climatology and latitudes (datasets without
    geography), ensemble metrics without members (deterministic models).
    """
    geographic = scored.climatology is not None and scored.latitudes is not None
    return {
        name: METRIC_FUNCTIONS[name](scored)
        for name, metric in METRICS.items()
        if (geographic or not metric.geographic) and (scored.members is not None or not metric.ensemble)
    }


def evaluate(
    model_name: str,
    model_path: Path | None,
    test: TestSplit,
    references: References,
    forecast_path: Path,
    batch_size: int = 32,
    ensemble_size: int = 1,
    seed: int = 0,
) -> xr.Dataset:
    """Metrics per init and lead of one model on the test set; its forecasts go to ``forecast_path`` as they come.

    Streams: one batch of test windows is forecast, scored and appended to the forecast file
    at a time, and only the per-init scores are kept, so peak memory does not grow with the
    number of test months. Batch ``b`` of a stochastic model draws from seeds ``seed + b *
    forecast hours`` on (a rollout takes at most one seed per hour), so no two batches share a
    draw and a split of one batch draws exactly as a whole-split forecast with ``seed`` would.

    Scores of an (init, lead) whose forecast is missing (daily persistence before the test
    months' first day) are NaN; means over init times skip them. A seeded model's (catalogue)
    metrics carry its training ``seed`` as the attribute ``seed``, which tells its runs apart.
    """
    model = load_forecaster(model_name, model_path)
    data_range = test.data_range()
    climatology = references.climatology  # None off the Earth (generated datasets)
    parts = []
    for index, batch in enumerate(test.batches()):
        batch_seed = seed + index * test.meta.forecast
        fcst, members = forecast(model_name, model, batch, references, batch_size, ensemble_size, batch_seed)
        scored = Scored(
            fcst,
            batch.truth,
            data_range,
            None if climatology is None else at_valid_times(climatology, batch.meta.valid_times),
            None if climatology is None else np.asarray(batch.meta.latitude),
            members,
        )
        parts.append(score(scored))
        write_batch(
            forecast_path, forecast_dataset(model_name, batch.meta, fcst, batch.truth, batch.observed), index == 0
        )
    scores = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    return metrics_dataset(
        model_name, test.meta, scores, data_range, climatology, seed if MODELS[model_name].seeded else None
    )


def metrics_dataset(
    model_name: str,
    meta: SplitMeta,
    scores: dict[str, np.ndarray],
    data_range: float,
    climatology: xr.Dataset | None,
    seed: int | None = None,
) -> xr.Dataset:
    """The scores (init, lead) of every metric with their units, and what they were computed against.

    ``seed``: the training seed of a seeded model's run, kept as the attribute ``seed``.
    """
    units = target_attrs(meta)["units"]
    coords = forecast_coords(meta)
    attrs = {
        "model": model_name,
        "variable": meta.target,
        "units": units,
        "data_range": data_range,
        "normalisation": meta.normalisation,
        "description": "per init time and lead hour, spatial mean over the region",
    }
    if seed is not None:
        attrs["seed"] = seed
    if climatology is not None:
        fallback = fallback_months(climatology, meta.valid_times)
        attrs["climatology_fallback_months"] = " ".join(map(str, fallback)) or "none"
    return xr.Dataset(
        {name: (("init", "lead"), values, {"units": METRICS[name].units(units)}) for name, values in scores.items()},
        coords={name: coords[name] for name in ("init", "lead", "valid_time")},
        attrs=attrs,
    )


def summary_table(result: xr.Dataset) -> pd.DataFrame:
    """Mean over init times of each metric (skipping missing scores), one row per lead hour.

    Its ``seed`` column is the training seed of a seeded model's run, empty for the other models.
    """
    table = result.drop_vars("valid_time", errors="ignore").mean("init").to_dataframe().reset_index()
    table.insert(0, "model", result.attrs["model"])
    table.insert(1, "seed", pd.array([result.attrs.get("seed")] * len(table), dtype="Int64"))
    return table
