"""Lead-time curves of one metric for every model: the mean over its seeds with their range, or one run's
mean with its block-bootstrap 5-95 % band."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ambs.catalogue import METRICS
from ambs.evaluation.seeds import run_of
from ambs.report.figure import plt


def curve(runs: list[xr.Dataset], metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, low, high) over lead of one model's runs: over several seeds their mean and range, of a single run
    its mean over init times and its bootstrap q05/q95."""
    if len(runs) == 1:
        ds = runs[0]
        return (ds[f"{metric}_mean"].values, ds[metric].sel(bound="q05").values, ds[metric].sel(bound="q95").values)
    means = np.stack([ds[f"{metric}_mean"].values for ds in runs])
    return means.mean(axis=0), means.min(axis=0), means.max(axis=0)


def metric_figure(bands: list[xr.Dataset], metric: str, units: str) -> plt.Figure:
    """Mean over init times of ``metric`` against lead hour, one line and band per model.

    ``bands`` holds every run's bands.nc (``<metric>_mean`` over lead and ``<metric>`` over
    (lead, bound) with bounds q05/q95), its model and seed in its attributes. Models without the
    metric (``spread`` of deterministic models) are left out of the figure.
    """
    runs: dict[str, list[xr.Dataset]] = {}
    for ds in bands:
        if f"{metric}_mean" in ds:
            runs.setdefault(run_of(ds).model, []).append(ds)
    if not runs:
        raise ValueError(f"no model has metric {metric!r}; models: {', '.join(ds.attrs['model'] for ds in bands)}")
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for model, model_runs in runs.items():
        mean, low, high = curve(model_runs, metric)
        lead = model_runs[0]["lead"].values
        label = model if len(model_runs) == 1 else f"{model} ({len(model_runs)} seeds)"
        line = ax.plot(lead, mean, marker="o", markersize=3, label=label)[0]
        ax.fill_between(lead, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_xlabel("lead time [h]")
    ax.set_ylabel(METRICS[metric].axis_label(units))
    ax.set_title(
        f"{METRICS[metric].label} on the test months (bands: range over seeds; one run: 5-95 % block bootstrap)",
        fontsize=9,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncols=2)
    return fig
