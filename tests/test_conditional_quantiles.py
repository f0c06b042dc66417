"""Conditional quantiles against a direct per-bin np.quantile, and on forecasts with a known answer."""

from __future__ import annotations

import numpy as np
import pytest

from ambs.evaluation.conditional_quantiles import LEVELS, common_edges, conditional_quantiles


def per_bin_reference(condition: np.ndarray, outcome: np.ndarray, edges: np.ndarray, min_count: int) -> np.ndarray:
    """The obvious loop: mask each bin, call np.quantile."""
    rows = []
    for b in range(len(edges) - 1):
        upper = condition <= edges[b + 1] if b == len(edges) - 2 else condition < edges[b + 1]
        members = outcome[(condition >= edges[b]) & upper]
        rows.append(np.quantile(members, LEVELS) if members.size >= min_count else np.full(len(LEVELS), np.nan))
    return np.array(rows)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_per_bin_np_quantile_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    observed = rng.normal(285.0, 4.0, size=(7, 9, 11))
    forecast = observed + rng.normal(0.5, 1.5, size=observed.shape)
    edges = common_edges(forecast, observed, n_bins=12)
    result = conditional_quantiles(forecast, observed, edges, min_count=5)
    np.testing.assert_allclose(
        result.quantiles,
        per_bin_reference(forecast.ravel(), observed.ravel(), edges, 5),
        rtol=0,
        atol=1e-9,
        equal_nan=True,
    )
    np.testing.assert_array_equal(result.counts, np.histogram(forecast, edges)[0])
    assert np.isnan(result.quantiles).any() and np.isfinite(result.quantiles).any()


def test_perfect_forecast_puts_medians_on_the_diagonal() -> None:
    values = np.random.default_rng(3).uniform(270.0, 300.0, size=20_000)
    edges = common_edges(values, values, n_bins=15)
    result = conditional_quantiles(values, values, edges)
    half_width = np.diff(edges) / 2
    assert np.all(np.abs(result.quantiles[:, LEVELS.index(0.5)] - result.centres) < 0.1 * half_width)
    assert np.all(result.quantiles[:, 0] >= edges[:-1]) and np.all(result.quantiles[:, -1] <= edges[1:])


def test_biased_forecast_shifts_calibration_curve_by_the_bias() -> None:
    observed = np.random.default_rng(4).uniform(0.0, 10.0, size=50_000)
    forecast = observed + 2.0
    edges = common_edges(forecast, observed, n_bins=12)
    calibration = conditional_quantiles(forecast, observed, edges)
    likelihood = conditional_quantiles(observed, forecast, edges)
    median = LEVELS.index(0.5)
    full = np.isfinite(calibration.quantiles[:, median])
    np.testing.assert_allclose(calibration.quantiles[full, median], calibration.centres[full] - 2.0, atol=0.05)
    full = np.isfinite(likelihood.quantiles[:, median])
    np.testing.assert_allclose(likelihood.quantiles[full, median], likelihood.centres[full] + 2.0, atol=0.05)


def test_nan_pairs_and_out_of_range_conditions_are_left_out() -> None:
    condition = np.array([0.5, 0.5, np.nan, 5.0, 0.6])
    outcome = np.array([1.0, 3.0, 100.0, 100.0, np.nan])
    result = conditional_quantiles(condition, outcome, np.array([0.0, 1.0, 2.0]), levels=(0.5,), min_count=1)
    np.testing.assert_array_equal(result.counts, [2, 0])
    assert result.quantiles[0, 0] == 2.0 and np.isnan(result.quantiles[1, 0])


def test_mismatched_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="3 values but outcome has 2"):
        conditional_quantiles(np.zeros(3), np.zeros(2), np.array([0.0, 1.0]))
