"""Is one model better than another? A paired Diebold-Mariano test per lead over the test init times.

Both models are scored on the same init times, so the test is on the per-init score
difference d_t = s_model(t) - s_reference(t) (Diebold and Mariano 1995): is its mean 0?
The init times are autocorrelated: windows start every ``stride_hours`` and overlap, and
the same weather situation lasts days, so the variance of the mean of d is the
Newey-West (Bartlett kernel) long-run variance with ``max_lag`` lags, not var(d) / n.

The lag window is physical: every init within ``max_lag_hours`` (the week that the
bootstrap bands also take as the correlation time) is a lag. That window is a large
fraction b = max_lag / n of a one-month test set, where the usual normal reference
distribution rejects far too often on autocorrelated scores (about 20 % instead of 5 % in a
Monte Carlo with AR(1) phi = 0.9, 120 inits, 28 lags). The p-value therefore uses fixed-b asymptotics
(Kiefer and Vogelsang 2005): the statistic is compared with a Student t with n / max_lag
degrees of freedom, which matches their 5 % critical values of the Bartlett kernel
within 2 % for b <= 0.2 and is conservative beyond. The test keeps a size near 5 %
(tests/test_significance.py) where a block bootstrap of a month of scores with week-long
blocks, four or five blocks in all, could not resolve a 5 % tail.

Identical scores (d = 0 everywhere) give statistic 0 and p = 1: never significant.

Two scores are tested (``TESTED``): the squared error, by which the models are ranked, and the
anomaly correlation, which sees the pattern of the departures from the climatology that the
squared error mixes with their mean offset. Each is tested against the baseline best by that score.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from ambs.catalogue import METRICS, MODELS, Run
from ambs.evaluation.gap import best_baseline
from ambs.evaluation.seeds import run_of
from ambs.evaluation.skill import paired_skill

LEVEL = 0.05
RANKED = "mse"  # the ranking orders the models by their per-init squared errors
TESTED = (RANKED, "acc")  # the scores tested, where a dataset has them (ACC needs the ERA5 climatology)
COLUMNS = [
    "metric",
    "model",
    "seed",
    "reference",
    "lead",
    "mean_difference",
    "better",
    "statistic",
    "p_value",
    "significant",
]


def newey_west_variance(values: np.ndarray, max_lag: int) -> np.ndarray:
    """Newey-West (Bartlett-weighted) variance of the mean of ``values`` along axis 0: the long-run variance / n."""
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    anomaly = values - values.mean(axis=0)
    long_run = (anomaly * anomaly).sum(axis=0) / n
    for lag in range(1, max_lag + 1):
        weight = 1.0 - lag / (max_lag + 1.0)
        long_run = long_run + 2.0 * weight * (anomaly[lag:] * anomaly[:-lag]).sum(axis=0) / n
    return long_run / n


def lags_within(init_times: np.ndarray, max_lag_hours: float) -> int:
    """How many init steps (their median spacing) fit in ``max_lag_hours``."""
    hours = np.asarray(init_times, dtype="datetime64[h]").astype(np.int64)
    spacing = float(np.median(np.diff(hours))) if len(hours) > 1 else 1.0
    return int(np.ceil(max_lag_hours / spacing))


def diebold_mariano(difference: np.ndarray, max_lag: int) -> tuple[float, float, float]:
    """(mean difference, statistic, two-sided p-value) of the finite values of one series of score differences.

    ``max_lag`` is capped at n - 1; the p-value is that of a Student t with n / max_lag
    degrees of freedom (fixed-b, see the module docstring).
    """
    difference = np.asarray(difference, dtype=np.float64)
    difference = difference[np.isfinite(difference)]
    n = len(difference)
    if n < 2:
        return (float(difference.mean()) if n else np.nan), np.nan, np.nan
    mean = float(difference.mean())
    lag = min(max_lag, n - 1)
    variance = float(newey_west_variance(difference, lag))
    if variance <= 0:  # no variation: identical scores, or a difference of the same size at every init
        return mean, (0.0 if mean == 0 else float(np.sign(mean) * np.inf)), (1.0 if mean == 0 else 0.0)
    statistic = mean / np.sqrt(variance)
    return mean, statistic, float(2 * stats.t.sf(abs(statistic), n / max(lag, 1)))


def paired_test(model: xr.DataArray, reference: xr.DataArray, max_lag_hours: float, perfect: float) -> pd.DataFrame:
    """Per lead: mean of model - reference over the inits both scored, whether the model is better (its skill
    over the reference towards the ``perfect`` score is positive), statistic, p-value, significant at 5 %."""
    if not np.array_equal(model["init"].values, reference["init"].values):
        raise ValueError("the paired test needs both models scored on the same init times")
    difference = (model - reference).transpose("init", "lead")
    max_lag = lags_within(difference["init"].values, max_lag_hours)
    rows = [diebold_mariano(column, max_lag) for column in difference.values.T]
    table = pd.DataFrame(rows, columns=["mean_difference", "statistic", "p_value"])
    table.insert(0, "lead", difference["lead"].values)
    table.insert(2, "better", paired_skill(model, reference, perfect).values > 0)
    table["significant"] = table["p_value"] < LEVEL
    return table


def _pairs(runs: list[Run], best: pd.Series) -> Iterator[tuple[Run, Run, pd.Index]]:
    """(model run, reference run, leads) of every test: each competing run against the best baseline at the leads
    where it is best, and against every other competing model's runs (of its seed where both are seeded)."""
    competing = [run for run in runs if MODELS[run.model].competes]
    for run in competing:
        for baseline in best.unique():
            yield run, Run(baseline), best.index[best == baseline]
        for other in competing:
            if other.model != run.model and (run.seed == other.seed or None in (run.seed, other.seed)):
                yield run, other, best.index


def significance_table(results: list[xr.Dataset], baselines: list[str], max_lag_hours: float) -> pd.DataFrame:
    """Rows of ``COLUMNS``: per score of ``TESTED`` that the runs have and per lead, every competing run tested
    against the best baseline by that score at that lead and against every other competing model.

    Two seeded models are paired seed by seed, a model without a seed with every seed of the other;
    ``seed`` is the pair's training seed (empty where neither is seeded). ``mean_difference`` is model
    minus reference in the score's units; ``better``: the model's mean score is nearer the perfect one.
    """
    scores = {run_of(result): result for result in results}
    tested = [metric for metric in TESTED if all(metric in result for result in results)]
    means = pd.concat(
        [
            result[tested].mean("init").to_dataframe().reset_index().assign(model=run.model)
            for run, result in scores.items()
            if run.model in baselines
        ]
    )
    tables = []
    for metric in tested:
        perfect = METRICS[metric].perfect
        if perfect is None:
            raise ValueError(f"the score {metric!r} has no perfect value that a better model is nearer")
        for run, reference, leads in _pairs(list(scores), best_baseline(means, baselines, metric)):
            table = paired_test(scores[run][metric], scores[reference][metric], max_lag_hours, perfect)
            seed = run.seed if run.seed is not None else reference.seed
            tables.append(
                table[table["lead"].isin(leads)].assign(
                    metric=metric, model=run.model, seed=seed, reference=reference.model
                )
            )
    if not tables:
        return pd.DataFrame(columns=COLUMNS)
    table = pd.concat(tables, ignore_index=True)[COLUMNS]
    return table.astype({"seed": "Int64"})
