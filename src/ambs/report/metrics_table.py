"""The metrics table of the summarize rule: every model's mean scores per lead hour, over its seeds, in one table.

Each run's ``metrics.csv`` (``ambs.evaluation.scoring.summary_table``; a network has one run per
seed) is one block of rows; the learned distance, where it was scored, joins as one more column.
The table holds per model and lead the mean over its runs and their range (``ambs.evaluation.seeds``).
The CSV keeps six significant digits, and the markdown shows the RMSE per lead hour, one column per
model, with the range over the seeds of the seeded models.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ambs.atomic import atomic_path
from ambs.evaluation.seeds import over_seeds

RMSE_CAPTION = (
    "RMSE of the target in its physical units per lead hour on the test months: the mean over a network's seeds,"
    " with their range [min, max]"
)


def read_metrics_tables(metrics: list[Path], learned: list[Path]) -> pd.DataFrame:
    """The runs' metrics.csv one after the other, each with the learned distance of its learned_distance.csv.

    ``learned`` is empty (no similarity) or one file per metrics file, in the same order.
    """
    tables = [pd.read_csv(path) for path in metrics]
    if learned:
        if len(learned) != len(metrics):
            raise ValueError(f"{len(learned)} learned_distance.csv files for {len(metrics)} metrics.csv files")
        for index, path in enumerate(learned):
            distance = pd.read_csv(path)
            if distance["lead"].tolist() != tables[index]["lead"].tolist():
                raise ValueError(f"{path}: its leads differ from those of {metrics[index]}")
            tables[index] = tables[index].assign(learned_distance=distance["learned_distance"].to_numpy())
    return pd.concat(tables, ignore_index=True)


def over_runs(table: pd.DataFrame) -> pd.DataFrame:
    """Per model and lead: the runs, the mean of every score over them and its range (``<score>_min/_max``)."""
    return over_seeds(table, ["model", "lead"])


def rmse_by_lead(summary: pd.DataFrame) -> pd.DataFrame:
    """The RMSE as text, one row per lead hour and one column per model: 'mean [min, max]' for several runs."""
    mean, low, high = (summary[column].map("{:.3f}".format) for column in ("rmse", "rmse_min", "rmse_max"))
    text = mean.where(summary["runs"] == 1, mean + " [" + low + ", " + high + "]")
    return summary.assign(rmse=text).pivot(index="lead", columns="model", values="rmse")[summary["model"].unique()]


def write_metrics_table(summary: pd.DataFrame, csv: Path, markdown: Path) -> None:
    """The summary as CSV and its RMSE per lead hour as a markdown table, each written atomically."""
    with atomic_path(csv) as tmp:
        summary.to_csv(tmp, index=False, float_format="%.6g")
    with atomic_path(markdown) as tmp:
        rmse = rmse_by_lead(summary).to_markdown(stralign="right", disable_numparse=True)  # the text as it is
        tmp.write_text(f"{RMSE_CAPTION}\n\n{rmse}\n")
