"""Skill scores of every model against every baseline: SS = (s - s_ref) / (s_perfect - s_ref).

SS is 1 for a perfect forecast, 0 for one as good as the baseline and negative for a
worse one. Scores are means over init times; a model and a baseline are compared on
the init times where both have a score (daily persistence lacks the first day).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import xarray as xr

from ambs.catalogue import METRICS

COLUMNS = ["model", "baseline", "metric", "lead", "skill"]


def skill_score(score: np.ndarray, reference: np.ndarray, perfect: float) -> np.ndarray:
    """(s - s_ref) / (s_perfect - s_ref); NaN where the reference is already perfect."""
    score, reference = np.asarray(score, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    gap = perfect - reference
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(gap == 0, np.nan, (score - reference) / gap)


def paired_skill(result: xr.DataArray, reference: xr.DataArray, perfect: float) -> xr.DataArray:
    """Skill per lead of the init-mean of ``result`` over that of ``reference``, on their common scored inits."""
    both = result.notnull() & reference.notnull()
    return xr.apply_ufunc(skill_score, result.where(both).mean("init"), reference.where(both).mean("init"), perfect)


def compared_pairs(
    results: dict[str, xr.Dataset], references: list[str]
) -> Iterator[tuple[str, str, str, xr.DataArray, xr.DataArray, float]]:
    """(model, reference, metric, model's scores, reference's scores, perfect score) of every pair to compare.

    Every model against every other model named in ``references``, on every catalogue metric with a
    perfect score that both have, in catalogue order: what skill and significance are computed on.
    """
    for reference in references:
        for model, result in results.items():
            if model == reference:
                continue
            for metric, entry in METRICS.items():
                if entry.perfect is not None and metric in result and metric in results[reference]:
                    yield model, reference, metric, result[metric], results[reference][metric], entry.perfect


def skill_table(results: dict[str, xr.Dataset], baselines: list[str]) -> pd.DataFrame:
    """Rows (model, baseline, metric, lead, skill) of every pair of ``compared_pairs``."""
    rows = []
    for model, baseline, metric, scores, reference, perfect in compared_pairs(results, baselines):
        skill = paired_skill(scores, reference, perfect)
        rows.append(
            pd.DataFrame(
                {
                    "model": model,
                    "baseline": baseline,
                    "metric": metric,
                    "lead": skill["lead"].values,
                    "skill": skill.values,
                }
            )
        )
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=COLUMNS)
