"""Paired Diebold-Mariano test: its HAC variance is statsmodels', it rejects a real difference, never a null one;
the benchmark's pairs (best baseline per lead, models seed by seed) and the ranking that only states significant orders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import xarray as xr

from ambs.evaluation.significance import COLUMNS, diebold_mariano, lags_within, newey_west_variance, significance_table
from ambs.report.ranking import CAPTION, ranking_markdown, ranking_table

INITS = np.arange(np.datetime64("2019-07-01T00"), np.datetime64("2019-08-01T00"), np.timedelta64(5, "h"))  # 149
WEEK = 168.0
BASELINE = ["persistence"]


def _ar1(rng: np.random.Generator, phi: float, shape: tuple[int, ...]) -> np.ndarray:
    """Stationary AR(1) along axis 0 with unit innovations."""
    innovations = rng.normal(size=shape)
    series = np.empty(shape)
    series[0] = innovations[0] / np.sqrt(1 - phi**2)
    for t in range(1, shape[0]):
        series[t] = phi * series[t - 1] + innovations[t]
    return series


def _scores(values: np.ndarray, name: str, seed: int | None = None) -> xr.Dataset:
    """A metrics.nc of one run: per-init squared errors ``values`` (init, lead) and their root."""
    leads = np.arange(1, values.shape[1] + 1)
    attrs = {"model": name} if seed is None else {"model": name, "seed": seed}
    data = {"mse": (("init", "lead"), values), "rmse": (("init", "lead"), np.sqrt(np.abs(values)))}
    return xr.Dataset(data, coords={"init": INITS, "lead": leads}, attrs=attrs)


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
    table = significance_table([_scores(scores, "convlstm", 0), _scores(scores.copy(), "persistence")], BASELINE, WEEK)
    assert list(table.columns) == COLUMNS and len(table) == 3
    assert (table["mean_difference"] == 0).all() and (table["statistic"] == 0).all()
    assert (table["p_value"] == 1).all() and not table["significant"].any()


def test_a_known_difference_in_autocorrelated_scores_is_significant() -> None:
    rng = np.random.default_rng(1)
    reference = 2.0 + np.abs(_ar1(rng, 0.8, (len(INITS), 4)))
    model = reference - 0.5 + 0.3 * _ar1(rng, 0.8, (len(INITS), 4))  # 0.5 K2 better, noisily
    table = significance_table([_scores(model, "convlstm", 0), _scores(reference, "persistence")], BASELINE, WEEK)
    assert table["significant"].all()
    np.testing.assert_allclose(table["mean_difference"], (model - reference).mean(axis=0))
    assert (table["statistic"] < 0).all() and table["better"].all()


def test_the_anomaly_correlation_is_tested_against_the_baseline_with_the_highest_and_higher_is_better() -> None:
    rng = np.random.default_rng(6)
    persistence = 0.9 - 0.05 * np.abs(_ar1(rng, 0.8, (len(INITS), 2)))
    climatology = np.zeros_like(persistence)  # no anomaly pattern, no correlation
    model = persistence + 0.02 + 0.01 * _ar1(rng, 0.8, persistence.shape)
    runs = [
        _scores(persistence + 1.0, "persistence").assign(acc=(("init", "lead"), persistence)),
        _scores(persistence + 0.5, "climatology").assign(acc=(("init", "lead"), climatology)),
        _scores(persistence, "convlstm", 0).assign(acc=(("init", "lead"), model)),
    ]
    table = significance_table(runs, ["persistence", "climatology"], WEEK).set_index("metric")
    assert table.loc["mse", "reference"].tolist() == ["climatology"] * 2  # the lower squared error
    assert table.loc["acc", "reference"].tolist() == ["persistence"] * 2  # the higher correlation
    acc = table.loc["acc"]
    assert (acc["mean_difference"] > 0).all() and acc["better"].all() and acc["significant"].all()


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
    table = significance_table([_scores(model, "convlstm", 0), _scores(reference, "persistence")], BASELINE, WEEK)
    np.testing.assert_allclose(table["mean_difference"], np.nanmean(model - reference, axis=0))
    assert table["significant"].all()
    shifted = _scores(reference, "persistence").assign_coords(init=INITS + np.timedelta64(1, "h"))
    with pytest.raises(ValueError, match="same init times"):
        significance_table([_scores(model, "convlstm", 0), shifted], BASELINE, WEEK)


def _benchmark(rng: np.random.Generator, convlstm_seed1_gain: float) -> list[xr.Dataset]:
    """Runs of a benchmark with three leads: persistence best at leads 1-2, climatology at lead 3; convlstm
    better than mcnet by 1 K2 (by ``convlstm_seed1_gain`` for seed 1), mcnet and analog alike."""
    base = 3.0 + np.abs(_ar1(rng, 0.5, (len(INITS), 3)))
    climatology = base + np.array([1.0, 1.0, -1.5])
    mcnet = base - 2.0
    return [
        _scores(base, "persistence"),
        _scores(climatology, "climatology"),
        _scores(mcnet - 1.0 + 0.1 * rng.normal(size=base.shape), "convlstm", 0),
        _scores(mcnet - convlstm_seed1_gain + 0.1 * rng.normal(size=base.shape), "convlstm", 1),
        _scores(mcnet, "mcnet", 0),
        _scores(mcnet.copy(), "mcnet", 1),
        _scores(mcnet.copy(), "analog"),
    ]


def test_every_run_meets_the_best_baseline_of_each_lead_and_the_other_models_seed_by_seed() -> None:
    table = significance_table(_benchmark(np.random.default_rng(4), 1.0), ["persistence", "climatology"], WEEK)
    against_baselines = table[table["reference"].isin(["persistence", "climatology"])]
    assert against_baselines.groupby("lead")["reference"].unique().map(list).to_dict() == {
        1: ["persistence"],
        2: ["persistence"],
        3: ["climatology"],
    }
    assert len(against_baselines) == 5 * 3  # five competing runs, three leads
    pairs = set(zip(table["model"], table["seed"].astype("string").fillna("-"), table["reference"]))
    assert ("convlstm", "0", "mcnet") in pairs and ("convlstm", "1", "mcnet") in pairs  # the same seed only
    assert {("analog", "0", "convlstm"), ("analog", "1", "convlstm"), ("convlstm", "1", "analog")} <= pairs
    assert ("analog", "-", "persistence") in pairs
    assert len(table) == 15 + (4 + 4 + 4) * 3  # and every pair of the three models at every lead
    assert table[(table["model"] == "convlstm") & (table["reference"] == "mcnet")]["significant"].all()
    assert not table[(table["model"] == "analog") & (table["reference"] == "mcnet")]["significant"].any()


@pytest.mark.parametrize(("gain", "order"), [(1.0, "convlstm < mcnet = analog"), (0.0, "convlstm = mcnet = analog")])
def test_the_ranking_states_an_order_only_where_every_seed_finds_it(gain: float, order: str) -> None:
    results = _benchmark(np.random.default_rng(5), gain)
    table = significance_table(results, ["persistence", "climatology"], WEEK)
    mse = pd.DataFrame({name: results[index]["mse"].mean("init").to_series() for index, name in MEANS.items()})
    mse["convlstm"] -= 0.5  # the seed mean below mcnet's also where seed 1 gains nothing
    ranking = ranking_table(table, mse).set_index("lead")["ranking"]
    assert ranking[1] == ranking[2] == f"{order} < persistence"
    assert ranking[3] == f"{order} < climatology"
    assert ranking_markdown(table, mse).startswith(CAPTION)


MEANS = {0: "persistence", 1: "climatology", 2: "convlstm", 4: "mcnet", 6: "analog"}  # index in _benchmark's runs
