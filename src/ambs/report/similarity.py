"""Figures of the similarity part: the metric's scores, and a query with its nearest past states (S4 style)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ambs.report.figure import plt, save_figure

if TYPE_CHECKING:  # the query module loads Keras, which the scores plot does not need
    from ambs.similarity.query import Query

DPI = 110


def _hour(iso: str) -> str:
    return np.datetime_as_string(np.datetime64(iso), unit="h").replace("T", " ") + " UTC"


def plot_scores(table: pd.DataFrame, out: Path) -> None:
    """One row per view: grouped bars of the Spearman columns and of the retrieval columns, one bar per distance."""
    views = list(dict.fromkeys(table["view"]))
    groups = {
        "Spearman with perturbation strength": [c for c in table.columns if c.startswith("spearman_")],
        "retrieval accuracy": [c for c in table.columns if c.startswith(("twin_", "neighbour_"))],
    }
    fig, axes = plt.subplots(len(views), 2, figsize=(11, 3.2 * len(views)), squeeze=False)
    for row, view in enumerate(views):
        scores = table[table["view"] == view].set_index("distance")
        for ax, (title, columns) in zip(axes[row], groups.items(), strict=True):
            scores[columns].dropna(how="all").T.plot.bar(ax=ax, rot=0, width=0.8)  # 1-SSIM: protocol only
            ax.set_title(f"{view} view: {title}", fontsize=9)
            ax.set_xticks(
                range(len(columns)),
                [c.split("_", 1)[1] if c.startswith("spearman") else c for c in columns],
                fontsize=7,
            )
            ax.set_ylim(min(0.0, float(np.nanmin(scores[columns].values))), 1.25)  # room for the legend
            ax.grid(axis="y", alpha=0.3)
            ax.legend(fontsize=7, ncol=4, loc="upper center")
    save_figure(fig, out, dpi=DPI)


def plot_query(query: Query, out: Path) -> None:
    """Rows: variables at the last context hour; columns: the query, then its matches with their distances."""
    panels = [(f"query\n{_hour(query.time)}", query.context)] + [
        (f"#{i + 1}: {_hour(time)}\nd = {d:.3f}", match)
        for i, (time, d, match) in enumerate(zip(query.match_times, query.distances, query.matches, strict=True))
    ]
    fig, axes = plt.subplots(
        len(query.variables), len(panels), figsize=(2.2 * len(panels), 2.1 * len(query.variables)), squeeze=False
    )
    for row, variable in enumerate(query.variables):
        fields = [window[-1, :, :, row] for _, window in panels]
        vmin, vmax = float(min(f.min() for f in fields)), float(max(f.max() for f in fields))
        for col, ((title, _), field) in enumerate(zip(panels, fields, strict=True)):
            ax = axes[row, col]
            image = ax.imshow(field, vmin=vmin, vmax=vmax, cmap="RdYlBu_r")
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(title, fontsize=7)
            if col == 0:
                ax.set_ylabel(variable)
        fig.colorbar(image, ax=axes[row].tolist(), shrink=0.8, label="normalised")
    fig.suptitle(
        "a test window (last context hour) and its nearest training windows by the learned distance", fontsize=9
    )
    save_figure(fig, out, dpi=DPI)
