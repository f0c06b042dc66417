"""Training curves of one model, every training seed in one figure, from the history.csv that Keras' CSVLogger writes."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from matplotlib.ticker import MaxNLocator

from ambs.report.figure import plt


def read_history(path: Path) -> pd.DataFrame:
    """The history, one row per epoch (a resumed run may repeat an epoch: its last line counts)."""
    history = pd.read_csv(path)
    if "epoch" not in history or "loss" not in history:
        raise ValueError(f"{path}: expected Keras CSVLogger columns 'epoch' and 'loss', got {list(history.columns)}")
    return history.drop_duplicates("epoch", keep="last").sort_values("epoch")


def training_figure(histories: dict[int, pd.DataFrame], model: str) -> plt.Figure:
    """One panel per logged quantity (loss first): training (solid) and validation (dashed) value against epoch,
    one colour per training seed of ``histories`` (seed -> history).

    Epochs are shown 1-based, as Keras prints them.
    """
    columns = {column for history in histories.values() for column in history}
    quantities = ["loss", *sorted(c for c in columns if c not in ("epoch", "loss") and not c.startswith("val_"))]
    n_cols = min(3, len(quantities))
    n_rows = math.ceil(len(quantities) / n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(3.6 * n_cols, 2.8 * n_rows), squeeze=False, layout="constrained")
    last_epoch = max(int(history["epoch"].max()) + 1 for history in histories.values())
    for ax, name in zip(axes.ravel(), quantities):
        for index, (seed, history) in enumerate(histories.items()):
            epoch, colour = history["epoch"] + 1, f"C{index}"  # matplotlib's colour cycle
            if name in history:
                ax.plot(epoch, history[name], "-o", color=colour, markersize=3, label=f"seed {seed} training")
            if f"val_{name}" in history:
                ax.plot(
                    epoch, history[f"val_{name}"], "--s", color=colour, markersize=3, label=f"seed {seed} validation"
                )
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("epoch", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))  # whole epochs, even just one
        ax.set_xlim(0.5, last_epoch + 0.5)
        ax.ticklabel_format(axis="y", useOffset=False)  # an offset label would collide with the title
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(quantities) :]:
        ax.axis("off")
    axes[0, 0].legend(fontsize=7)
    fig.suptitle(f"{model}: training history", fontsize=10)
    return fig
