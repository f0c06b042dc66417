"""Lead-time curves of one metric for every model, with the block-bootstrap 5-95 % band."""

from __future__ import annotations

import xarray as xr

from ambs.catalogue import METRICS
from ambs.report.figure import plt


def metric_figure(bands: dict[str, xr.Dataset], metric: str, units: str) -> plt.Figure:
    """Mean over init times of ``metric`` against lead hour, one line and band per model.

    ``bands`` maps model name to its bands.nc (``<metric>_mean`` over lead and
    ``<metric>`` over (lead, bound) with bounds q05/q95). Models without the
    metric (``spread`` of deterministic models) are left out of the figure.
    """
    drawn = [model for model, ds in bands.items() if f"{metric}_mean" in ds]
    if not drawn:
        raise ValueError(f"no model has metric {metric!r}; models: {', '.join(bands)}")
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for model in drawn:
        ds = bands[model]
        line = ax.plot(ds["lead"], ds[f"{metric}_mean"], marker="o", markersize=3, label=model)[0]
        low, high = ds[metric].sel(bound="q05"), ds[metric].sel(bound="q95")
        ax.fill_between(ds["lead"], low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_xlabel("lead time [h]")
    ax.set_ylabel(METRICS[metric].axis_label(units))
    ax.set_title(f"{METRICS[metric].label} on the test months (bands: 5-95 % block bootstrap)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncols=2)
    return fig
