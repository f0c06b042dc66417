"""Example forecast maps of the test cases at chosen quantiles of the MSE (best, median, worst)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import xarray as xr

from ambs.catalogue import EXAMPLE_CASES
from ambs.report.figure import plt
from ambs.report.maps import draw_panel, map_grid
from ambs.similarity.windows import evenly_spaced


class Row(NamedTuple):
    """One row of panels: a field over ``dim`` shown at ``columns``, on the 'field' or 'error' scale."""

    label: str
    field: xr.DataArray
    dim: str
    columns: np.ndarray
    scale: str


def case_mse(forecasts: list[xr.Dataset]) -> np.ndarray:
    """MSE of every init time, averaged over leads, grid points and the given models."""
    inits = forecasts[0]["init"].values
    per_model = []
    for ds in forecasts:
        if not np.array_equal(ds["init"].values, inits):
            raise ValueError(
                f"forecast of {ds.attrs.get('model')!r} has other init times than {forecasts[0].attrs.get('model')!r}"
            )
        error = (ds["forecast"] - ds["truth"]) ** 2
        per_model.append(error.mean([d for d in error.dims if d != "init"]).values)
    return np.mean(per_model, axis=0)


def case_at_quantile(mse: np.ndarray, quantile: float) -> int:
    """Index of the init time at ``quantile`` of ``mse`` (0: smallest error, 1: largest; ties by time)."""
    if not 0.0 <= quantile <= 1.0:
        raise ValueError(f"quantile {quantile} is outside [0, 1]")
    order = np.argsort(mse, kind="stable")
    return int(order[int(round(quantile * (len(order) - 1)))])


def case_index(forecasts: list[xr.Dataset], case: str) -> int:
    """Init index of the ``case`` ('best', 'median', 'worst') of the per-init MSE of all models."""
    if case not in EXAMPLE_CASES:
        raise ValueError(f"unknown example case {case!r}; choose one of {', '.join(EXAMPLE_CASES)}")
    return case_at_quantile(case_mse(forecasts), EXAMPLE_CASES[case])


def _rows(forecasts: list[xr.Dataset], index: int, n_columns: int) -> list[Row]:
    case = forecasts[0].isel(init=index)
    context_cols = evenly_spaced(case.sizes["context_lead"], n_columns)
    lead_cols = evenly_spaced(case.sizes["lead"], n_columns)
    rows = [
        Row("context", case["context"], "context_lead", context_cols, "field"),
        Row("truth", case["truth"], "lead", lead_cols, "field"),
    ]
    for ds in forecasts:
        forecast = ds["forecast"].isel(init=index)
        rows += [
            Row(ds.attrs["model"], forecast, "lead", lead_cols, "field"),
            Row(f"{ds.attrs['model']} error", forecast - case["truth"], "lead", lead_cols, "error"),
        ]
    return rows


def example_figure(
    forecasts: list[xr.Dataset], index: int, title: str, coastlines: list[np.ndarray] | None, n_columns: int = 4
) -> plt.Figure:
    """Context, truth, then each model's forecast and error (forecast - truth) for init ``index``.

    Fields share one colour scale, errors another one symmetric about zero.
    ``coastlines`` None: not a geographic grid (see ``maps.map_grid``).
    """
    rows = _rows(forecasts, index, n_columns)
    fields = [row.field for row in rows if row.scale == "field"]
    largest_error = max(float(abs(row.field).max()) for row in rows if row.scale == "error") or 1.0
    scales = {
        "field": ("RdYlBu_r", float(min(f.min() for f in fields)), float(max(f.max() for f in fields))),
        "error": ("RdBu_r", -largest_error, largest_error),
    }
    truth = rows[1].field
    grid = map_grid(truth, coastlines)
    n_cols = max(len(row.columns) for row in rows)
    fig, axes = plt.subplots(
        len(rows), n_cols, figsize=(1.9 * n_cols + 1.2, 1.75 * len(rows)), squeeze=False, layout="constrained"
    )
    images = {}
    for ax_row, row in zip(axes, rows):
        for c, ax in enumerate(ax_row):
            if c >= len(row.columns):
                ax.axis("off")
                continue
            panel = row.field.isel({row.dim: row.columns[c]})
            images[row.scale] = draw_panel(ax, panel.values, grid, *scales[row.scale])
            ax.set_title(f"{int(panel[row.dim]):+d} h", fontsize=7, pad=2)
        ax_row[0].set_ylabel(row.label, fontsize=8)
    units = truth.attrs.get("units", "")
    fig.colorbar(
        images["field"],
        ax=axes,
        location="right",
        shrink=0.4,
        label=f"{truth.attrs.get('long_name', 'value')} [{units}]",
    )
    fig.colorbar(
        images["error"], ax=axes, location="bottom", shrink=0.6, aspect=40, label=f"forecast - truth [{units}]"
    )
    fig.suptitle(f"{title}: init {np.datetime_as_string(truth['init'].values, unit='h')}", fontsize=10)
    return fig
