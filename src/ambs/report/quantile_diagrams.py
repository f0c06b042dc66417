"""Conditional-quantile diagrams of one model: calibration-refinement and likelihood-base-rate per lead."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.ticker import NullFormatter

from ambs.evaluation.conditional_quantiles import ConditionalQuantiles, common_edges, conditional_quantiles
from ambs.report.figure import plt

# Quantile level -> line style; pairs of levels share a style so the band width reads at a glance.
STYLES = {0.10: ":", 0.25: "--", 0.50: "-", 0.75: "--", 0.90: ":"}


def check_leads(forecast: xr.Dataset, leads: list[int], source: str) -> None:
    """Every requested lead must be a lead of the forecast file; the message names the config key."""
    available = [int(v) for v in forecast["lead"].values]
    missing = [lead for lead in leads if lead not in available]
    if missing:
        raise ValueError(
            f"config key 'plots.quantile_leads': leads {missing} are not in {source} "
            f"(leads {available[0]}..{available[-1]})"
        )


def _draw(main: Axes, histogram: Axes, result: ConditionalQuantiles, condition: str, outcome: str, units: str) -> None:
    for level, values in zip(result.levels, result.quantiles.T):
        main.plot(
            result.centres, values, STYLES.get(round(float(level), 2), "-"), color="tab:blue", label=f"{level:.0%}"
        )
    main.plot(result.edges[[0, -1]], result.edges[[0, -1]], color="0.5", linewidth=0.8, label="diagonal")
    main.set_ylabel(f"{outcome} [{units}]", fontsize=8)
    main.set_xlim(result.edges[0], result.edges[-1])
    main.set_ylim(result.edges[0], result.edges[-1])
    main.tick_params(labelbottom=False, labelsize=7)
    main.grid(alpha=0.3)
    histogram.bar(result.centres, result.counts, width=np.diff(result.edges), color="0.6")
    histogram.set_yscale("log")
    histogram.yaxis.set_minor_formatter(NullFormatter())
    histogram.set_xlabel(f"{condition} [{units}]", fontsize=8)
    histogram.set_ylabel("count", fontsize=8)
    histogram.tick_params(labelsize=7)


def quantiles_figure(forecast: xr.Dataset, leads: list[int], n_bins: int = 20) -> plt.Figure:
    """One row per lead: calibration-refinement (observation | forecast) and likelihood-base-rate
    (forecast | observation), each over the histogram of its conditioning variable."""
    model, units = forecast.attrs["model"], forecast["truth"].attrs.get("units", "")
    fig = plt.figure(figsize=(9, 4.2 * len(leads)), layout="constrained")
    grid = fig.add_gridspec(2 * len(leads), 2, height_ratios=[3, 1] * len(leads))
    for row, lead in enumerate(leads):
        f = forecast["forecast"].sel(lead=lead).values
        x = forecast["truth"].sel(lead=lead).values
        edges = common_edges(f, x, n_bins)
        panels = [
            ("calibration-refinement", conditional_quantiles(f, x, edges), "forecast", "observed"),
            ("likelihood-base-rate", conditional_quantiles(x, f, edges), "observed", "forecast"),
        ]
        for col, (title, result, condition, outcome) in enumerate(panels):
            main = fig.add_subplot(grid[2 * row, col])
            histogram = fig.add_subplot(grid[2 * row + 1, col], sharex=main)
            _draw(main, histogram, result, condition, outcome, units)
            main.set_title(f"{title}, lead +{lead} h", fontsize=9)
            if row == 0 and col == 0:
                main.legend(fontsize=7, title="quantile", title_fontsize=7)
    fig.suptitle(f"{model}: conditional quantiles on the test months", fontsize=10)
    return fig
