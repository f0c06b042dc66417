"""Paired Diebold-Mariano test: its HAC variance is statsmodels', it rejects a real difference, never a null one."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
import xarray as xr

from ambs.evaluation.significance import COLUMNS, diebold_mariano, lags_within, newey_west_variance, significance_table

INITS = np.arange(np.datetime64("2019-07-01T00"), np.datetime64("2019-08-01T00"), np.timedelta64(5, "h"))  # 149
WEEK = 168.0


def _ar1(rng: np.random.Generator, phi: float, shape: tuple[int, ...]) -> np.ndarray:
    """Stationary AR(1) along axis 0 with unit innovations."""
    innovations = rng.normal(size=shape)
    series = np.empty(shape)
    series[0] = innovations[0] / np.sqrt(1 - phi**2)
    for t in range(1, shape[0]):
        series[t] = phi * series[t - 1] + innovations[t]
    return series


def _scores(values: np.ndarray, name: str) -> xr.Dataset:
    leads = np.arange(1, values.shape[1] + 1)
    return xr.Dataset({"mse": (("init", "lead"), values)}, coords={"init": INITS, "lead": leads}, attrs={"model": name})


@pytest.mark.parametrize("max_lag", [0, 1, 5, 34])
def test_newey_west_variance_equals_statsmodels_hac_standard_error_of_the_mean(max_lag: int) -> None:
    series = _ar1(np.random.default_rng(max_lag), 0.7, (149,)) + 2.0
    fit = sm.OLS(series, np.ones((len(series), 1))).fit(cov_type="HAC", cov_kwds={"maxlags": max_lag})
    assert newey_west_variance(series, max_lag) == pytest.approx(fit.bse[0] ** 2, rel=1e-12)


def test_lags_cover_the_hours_of_the_window() -> None:
    assert lags_within(INITS, WEEK) == 34  # 168 h at a 5 h stride
    assert lags_within(INITS[::2], WEEK) == 17


def test_identical_forecasts_are_never_significantly_different() -> None:
    scores = np.abs(np.random.default_rng(0).normal(size=(len(INITS), 3)))
    table = significance_table({"a": _scores(scores, "a"), "b": _scores(scores.copy(), "b")}, ["b"], WEEK)
    assert list(table.columns) == COLUMNS and len(table) == 3
    assert (table["mean_difference"] == 0).all() and (table["statistic"] == 0).all()
    assert (table["p_value"] == 1).all() and not table["significant"].any()


def test_a_known_difference_in_autocorrelated_scores_is_significant() -> None:
    rng = np.random.default_rng(1)
    reference = 2.0 + np.abs(_ar1(rng, 0.8, (len(INITS), 4)))
    model = reference - 0.5 + 0.3 * _ar1(rng, 0.8, (len(INITS), 4))  # 0.5 K2 better, noisily
    table = significance_table({"model": _scores(model, "model"), "ref": _scores(reference, "ref")}, ["ref"], WEEK)
    assert table["significant"].all()
    np.testing.assert_allclose(table["mean_difference"], (model - reference).mean(axis=0))
    assert (table["statistic"] < 0).all()


def test_size_is_near_five_percent_on_autocorrelated_noise_without_difference() -> None:
    """400 independent pairs (as leads) whose per-init difference is AR(1), phi = 0.8, of mean 0: about 5 % rejected."""
    difference = _ar1(np.random.default_rng(2), 0.8, (len(INITS), 400))
    p_values = np.array([diebold_mariano(column, lags_within(INITS, WEEK))[2] for column in difference.T])
    assert 0.02 <= (p_values < 0.05).mean() <= 0.10


def test_missing_scores_are_skipped_and_inits_must_agree() -> None:
    rng = np.random.default_rng(3)
    reference = rng.normal(size=(len(INITS), 2))
    model = reference - 1.0 + 0.1 * rng.normal(size=reference.shape)
    reference[:5] = np.nan  # daily persistence lacks the first day
    table = significance_table({"model": _scores(model, "model"), "ref": _scores(reference, "ref")}, ["ref"], WEEK)
    np.testing.assert_allclose(table["mean_difference"], np.nanmean(model - reference, axis=0))
    assert table["significant"].all()
    shifted = _scores(reference, "ref").assign_coords(init=INITS + np.timedelta64(1, "h"))
    with pytest.raises(ValueError, match="same init times"):
        significance_table({"model": _scores(model, "model"), "ref": shifted}, ["ref"], WEEK)
