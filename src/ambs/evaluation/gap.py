"""How much of what can be gained a model gains: the gap from the best baseline to the oracle that it closes.

On the embedded source the oracle (the source's own forecast from all it knows at init) bounds every
model's error, and the best of the baselines at each lead is what a model must beat to be worth
anything. Between them lies what a forecaster can gain at that lead; the fraction a model closes is
(RMSE_best_baseline - RMSE_model) / (RMSE_best_baseline - RMSE_oracle): 0 as good as the best
baseline, 1 as good as the oracle, negative worse than the best baseline. RMSE is the mean over
init times of each field's RMSE, as in metrics_table.csv.
"""

from __future__ import annotations

import pandas as pd

from ambs.catalogue import METRICS, MODELS, Kind
from ambs.evaluation.seeds import over_seeds

ORACLE = next(name for name, model in MODELS.items() if model.kind is Kind.REFERENCE)


def baseline_scores(table: pd.DataFrame, baselines: list[str], metric: str) -> pd.DataFrame:
    """The ``metric`` of ``baselines`` in ``table`` (model, lead, metric), one row per lead and one column per
    baseline."""
    scores = table[table["model"].isin(baselines)].pivot(index="lead", columns="model", values=metric)
    if scores.empty:
        raise ValueError("comparing with the best baseline needs a baseline in 'models'")
    return scores


def best_baseline(table: pd.DataFrame, baselines: list[str], metric: str = "rmse") -> pd.Series:
    """Per lead, the name of the baseline whose ``metric`` in ``table`` (model, lead, metric) is nearest the
    metric's perfect score: the lowest RMSE, the highest ACC."""
    distance = (baseline_scores(table, baselines, metric) - METRICS[metric].perfect).abs()
    return distance.idxmin(axis=1).rename("best_baseline")


def gap_closed(table: pd.DataFrame, baselines: list[str]) -> pd.DataFrame:
    """Per competing model and lead: the best baseline, the runs, and the gap closed's seed mean, min and max.

    ``table`` holds every run's mean scores per lead (model, seed, lead, rmse, ...), the oracle's among them.
    """
    oracle = table[table["model"] == ORACLE].set_index("lead")["rmse"]
    if oracle.empty:
        raise ValueError(f"the gap closed needs the {ORACLE!r} model in 'models'")
    best_rmse = baseline_scores(table, baselines, "rmse").min(axis=1)
    runs = table[table["model"].map(lambda name: MODELS[name].competes)]
    lead = runs["lead"]
    closed = runs[["model", "seed", "lead"]].assign(
        best_baseline=lead.map(best_baseline(table, baselines)),
        gap_closed=(lead.map(best_rmse) - runs["rmse"]) / lead.map(best_rmse - oracle),
    )
    return over_seeds(closed, ["model", "lead", "best_baseline"])
