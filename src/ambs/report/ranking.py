"""The models in order per lead, stating an order only where the paired test finds it for every seed.

A ranking by mean scores alone ranks noise: the seeds of one network differ by as much as the
networks do. Here the competing models and the best baseline of each lead are sorted by their MSE
(mean over seeds), and two neighbours are written ``a < b`` (a better) only where every seed's paired
test says so at 5 %, and ``a = b`` (a tie) where any seed's does not. Only neighbours are compared:
``a < b = c`` claims nothing about a and c beyond their order.
"""

from __future__ import annotations

import pandas as pd

from ambs.catalogue import MODELS
from ambs.evaluation.significance import RANKED

CAPTION = (
    "Models per lead hour by MSE of the target (mean over seeds), best first. `a < b`: a has the smaller error,"
    " significantly at 5 % for every seed (paired Diebold-Mariano test, evaluation/significance.csv); `a = b`: not"
    " significant for at least one seed. Only neighbours are compared. The baseline is the best one at that lead."
)


def better_for_every_seed(significance: pd.DataFrame, lead: int, model: str, reference: str) -> bool:
    """Whether ``model`` has the smaller error than ``reference`` at ``lead``, significantly in every paired test
    of ``significance`` (the squared error's rows)."""
    at_lead = significance[significance["lead"] == lead]
    rows = at_lead[(at_lead["model"] == model) & (at_lead["reference"] == reference)]
    better = rows["better"]
    if rows.empty:  # the baselines are tested as references only
        rows = at_lead[(at_lead["model"] == reference) & (at_lead["reference"] == model)]
        better = ~rows["better"]
    if rows.empty:
        raise ValueError(f"no paired test of {model!r} and {reference!r} at lead {lead}")
    return bool((rows["significant"] & better).all())


def lead_ranking(significance: pd.DataFrame, mse: pd.Series, lead: int) -> str:
    """``mse``'s models (mean MSE by name) in order, joined by '<' or '=' as the test finds each neighbour pair."""
    order = mse.sort_values(kind="stable").index.tolist()
    text = order[0]
    for better, worse in zip(order, order[1:]):
        text += f" {'<' if better_for_every_seed(significance, lead, better, worse) else '='} {worse}"
    return text


def ranking_table(significance: pd.DataFrame, mse: pd.DataFrame) -> pd.DataFrame:
    """One row per lead: the competing models of ``mse`` (lead x model) and that lead's best baseline in order.

    The best baseline of a lead is the baseline its squared-error tests (``RANKED``) compared with; the other
    baselines are left out. Only those tests of ``significance`` decide the order.
    """
    squared_error = significance[significance["metric"] == RANKED]
    rows = []
    for lead, means in mse.iterrows():
        references = squared_error.loc[squared_error["lead"] == lead, "reference"].unique()
        names = [name for name in means.index if MODELS[name].competes]
        names += [name for name in references if not MODELS[name].competes]
        rows.append({"lead": lead, "ranking": lead_ranking(squared_error, means[names], int(lead))})
    return pd.DataFrame(rows)


def ranking_markdown(significance: pd.DataFrame, mse: pd.DataFrame) -> str:
    """The caption and the ranking per lead as a markdown table, for the README."""
    return f"{CAPTION}\n\n{ranking_table(significance, mse).to_markdown(index=False)}\n"
