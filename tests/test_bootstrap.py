"""Block bootstrap: block layout, cases with known answers, a plain-loop reference, the bands file."""

from __future__ import annotations

import time

import numpy as np
import pytest
import xarray as xr

from ambs.catalogue import METRICS
from ambs.evaluation.bootstrap import bands, block_index, nanmean, resampled_means

HOUR = np.timedelta64(1, "h")


def inits(count: int, stride: int = 5, start: str = "2019-07-01T11") -> np.ndarray:
    return np.datetime64(start, "ns") + np.arange(count) * stride * HOUR


def test_blocks_are_whole_periods_since_the_first_init_and_skip_empty_ones() -> None:
    times = inits(80)  # 0..395 h
    np.testing.assert_array_equal(block_index(times, 168), np.arange(80) * 5 // 168)
    gap = np.concatenate([times[:3], times[:3] + 1100 * HOUR])  # 1100-1110 h: block 6, blocks 1-5 empty
    np.testing.assert_array_equal(block_index(gap, 168), [0, 0, 0, 1, 1, 1])


def test_one_block_gives_the_sample_mean_in_every_resample() -> None:
    values = np.random.default_rng(0).normal(size=(30, 4))
    means = resampled_means(values, np.zeros(30, dtype=int), 200, seed=1)
    np.testing.assert_allclose(means, np.broadcast_to(values.mean(axis=0), means.shape), rtol=1e-12)


def test_single_init_blocks_of_zero_and_one_follow_the_binomial_law() -> None:
    means = resampled_means(np.array([0.0, 1.0]), np.array([0, 1]), 4000, seed=3)
    share = {value: np.mean(means == value) for value in (0.0, 0.5, 1.0)}
    assert sum(share.values()) == 1.0
    for value, probability in {0.0: 0.25, 0.5: 0.5, 1.0: 0.25}.items():
        assert abs(share[value] - probability) < 4 * np.sqrt(probability * (1 - probability) / 4000)
    assert np.quantile(means, [0.05, 0.95]).tolist() == [0.0, 1.0]


def test_spread_comes_from_blocks_not_from_inits() -> None:
    """Values constant within 8 equal blocks: the resampled mean is the mean of 8 draws of the block values."""
    block_values = np.arange(8.0)
    blocks = np.repeat(np.arange(8), 21)
    means = resampled_means(block_values[blocks], blocks, 20000, seed=4)
    assert means.mean() == pytest.approx(block_values.mean(), abs=0.03)
    assert means.std() == pytest.approx(block_values.std() / np.sqrt(8), rel=0.03)  # not std / sqrt(168)


def test_matches_a_loop_over_resamples_with_the_same_draws() -> None:
    rng = np.random.default_rng(5)
    values = rng.normal(size=(40, 2, 3))
    values[:6, 0, 1] = np.nan  # a baseline without history at the start
    blocks = block_index(inits(40, stride=7), 24)
    means = resampled_means(values, blocks, 50, seed=6)
    draws = np.random.default_rng(6).integers(0, blocks.max() + 1, size=(50, blocks.max() + 1))
    for r in range(50):
        chosen = np.concatenate([values[blocks == b] for b in draws[r]])
        np.testing.assert_allclose(means[r], np.nanmean(chosen, axis=0), rtol=0, atol=1e-12)


def test_nanmean_skips_missing_and_is_nan_where_all_are() -> None:
    values = np.array([[1.0, np.nan], [3.0, np.nan]])
    result = nanmean(values)
    assert result[0] == 2.0 and np.isnan(result[1])


def _metrics(count: int, leads: int, seed: int) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    coords = {"init": inits(count), "lead": np.arange(1, leads + 1)}
    return xr.Dataset(
        {name: (("init", "lead"), rng.gamma(2.0, size=(count, leads)), {"units": "K"}) for name in METRICS},
        coords=coords,
        attrs={"model": "m", "variable": "t2m", "data_range": 30.0},
    )


def test_bands_file_layout_and_values() -> None:
    result = _metrics(147, 12, 0)
    result["rmse"][:5] = np.nan
    out = bands(result, block_hours=168, resamples=1000, seed=0)
    assert out["rmse"].dims == ("lead", "bound") and out["bound"].values.tolist() == ["q05", "q95"]
    assert out["rmse_mean"].dims == ("lead",) and out["rmse"].attrs["units"] == "K"
    assert {"block_hours": 168, "resamples": 1000, "seed": 0, "model": "m"}.items() <= out.attrs.items()
    assert out.attrs["blocks"] == 5  # 147 inits every 5 h span 730 h
    np.testing.assert_allclose(out["rmse_mean"], result["rmse"].mean("init"), rtol=1e-12)
    for name in result.data_vars:
        low, high = out[name].sel(bound="q05"), out[name].sel(bound="q95")
        assert (low < out[f"{name}_mean"]).all() and (out[f"{name}_mean"] < high).all()
    xr.testing.assert_identical(out, bands(result, 168, 1000, 0))
    assert not out["rmse"].equals(bands(result, 168, 1000, 1)["rmse"])


def test_bootstrap_of_a_month_is_fast() -> None:
    result = _metrics(744, 24, 1)  # hourly inits over a month, 24 leads
    start = time.perf_counter()
    bands(result, 168, 1000, 0)
    assert time.perf_counter() - start < 2.0
