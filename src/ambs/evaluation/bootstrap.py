"""Block bootstrap over init times: 5-95 % bands of the mean of every metric at every lead.

Forecast errors of nearby init times are correlated (the same weather situation lasts
days), so resampling single init times would give bands that are too narrow. The init
times are therefore cut into consecutive blocks of ``block_hours`` (168 h: one week), and
each resample draws as many whole blocks as there are, with replacement. The statistic
of a resample is the mean over all init times of the drawn blocks, skipping missing
(NaN) scores. Everything is block sums and one matrix product: no Python loop over
resamples or metrics.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from typing import Any

import numpy as np
import xarray as xr

QUANTILES = {"q05": 0.05, "q95": 0.95}


def block_index(init_times: np.ndarray, block_hours: int) -> np.ndarray:
    """Block number 0..B-1 of each init time: whole ``block_hours`` periods since the first init, empty ones skipped."""
    hours = (np.asarray(init_times, dtype="datetime64[h]") - np.min(init_times).astype("datetime64[h]")).astype(
        np.int64
    )
    return np.unique(hours // block_hours, return_inverse=True)[1]


def nanmean(values: np.ndarray) -> np.ndarray:
    """Mean over axis 0 skipping NaN; NaN, without a warning, where every value is missing."""
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(finite, values, 0.0).sum(axis=0) / finite.sum(axis=0)


def resampled_means(values: np.ndarray, blocks: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """Means over init times (axis 0 of ``values``) of ``resamples`` block resamples: (resamples, *values.shape[1:]).

    A resample's sum is (how often it drew each block) times (the block sums): the drawn
    blocks' values are never gathered, so memory grows with the blocks only, not with
    resamples x blocks x scores.
    """
    flat = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
    finite = np.isfinite(flat)
    count = int(blocks.max()) + 1
    sums, counts = np.zeros((count, flat.shape[1])), np.zeros((count, flat.shape[1]))
    np.add.at(sums, blocks, np.where(finite, flat, 0.0))
    np.add.at(counts, blocks, finite)
    draws = np.random.default_rng(seed).integers(0, count, size=(resamples, count))
    drawn = np.bincount((np.arange(resamples)[:, None] * count + draws).ravel(), minlength=resamples * count)
    drawn = drawn.reshape(resamples, count).astype(np.float64)  # times each resample drew each block
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (drawn @ sums) / (drawn @ counts)
    return means.reshape(resamples, *np.shape(values)[1:])


def bands(result: xr.Dataset, block_hours: int, resamples: int, seed: int) -> xr.Dataset:
    """Per metric: the q05/q95 band over (lead, bound) and the mean over init times as ``<metric>_mean``.

    Every metric uses the same draws, so the bands of different metrics (and of models
    evaluated on the same init times) come from the same resamples.
    """
    names = list(result.data_vars)
    stacked = np.stack(
        [result[name].transpose("init", "lead").values for name in names], axis=1
    )  # (init, metric, lead)
    blocks = block_index(result["init"].values, block_hours)
    means = resampled_means(stacked, blocks, resamples, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN leads (a baseline without data) stay NaN
        quantiles = np.nanquantile(means, list(QUANTILES.values()), axis=0)  # (bound, metric, lead)
    point = nanmean(stacked)
    data: dict[Hashable, tuple[tuple[str, ...], np.ndarray, dict[Any, Any]]] = {}
    for index, name in enumerate(names):
        attrs = dict(result[name].attrs)
        data[name] = (("lead", "bound"), quantiles[:, index].T, attrs)
        data[f"{name}_mean"] = (("lead",), point[index], attrs)
    return xr.Dataset(
        data,
        coords={
            "lead": result["lead"],
            "bound": ("bound", list(QUANTILES), {"long_name": "quantile of the resampled mean"}),
        },
        attrs={
            **result.attrs,
            "block_hours": block_hours,
            "resamples": resamples,
            "seed": seed,
            "blocks": int(blocks.max() + 1),
        },
    )
