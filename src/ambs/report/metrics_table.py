"""The metrics table of the summarize rule: every model's mean scores per lead hour in one table.

Each model's ``metrics.csv`` (``ambs.evaluation.scoring.summary_table``) is one block of rows; the
learned distance, where it was scored, joins as one more column. The CSV keeps six
significant digits, and the markdown shows the RMSE per lead hour, one column per model.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ambs.atomic import atomic_path

RMSE_CAPTION = "RMSE of the target in its physical units per lead hour on the test months"


def read_metrics_tables(metrics: list[Path], learned: list[Path]) -> pd.DataFrame:
    """The models' metrics.csv one after the other, with the learned distance of learned_distance.csv where given."""
    table = pd.concat([pd.read_csv(p) for p in metrics], ignore_index=True)
    if learned:
        distances = pd.concat([pd.read_csv(p) for p in learned], ignore_index=True)
        table = table.merge(distances, on=["model", "lead"], how="left", validate="one_to_one")
    return table


def rmse_by_lead(table: pd.DataFrame) -> pd.DataFrame:
    """The RMSE with one row per lead hour and one column per model."""
    return table.pivot(index="lead", columns="model", values="rmse")


def write_metrics_table(table: pd.DataFrame, csv: Path, markdown: Path) -> None:
    """The whole table as CSV and its RMSE per lead hour as a markdown table, each written atomically."""
    with atomic_path(csv) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
    with atomic_path(markdown) as tmp:
        tmp.write_text(f"{RMSE_CAPTION}\n\n{rmse_by_lead(table).to_markdown(floatfmt='.3f')}\n")
