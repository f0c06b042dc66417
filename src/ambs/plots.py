"""Figures of the benchmark: scores against lead time and forecast maps."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from ambs.atomic import atomic_path  # noqa: E402

METRIC_LABELS = {
    "mse": "MSE [K²]", "rmse": "RMSE [K]", "bias": "bias [K]", "mae": "MAE [K]", "psnr": "PSNR [dB]",
    "ssim": "SSIM", "acc": "ACC", "rmse_latw": "latitude-weighted RMSE [K]",
}


def _save(fig: plt.Figure, out: Path) -> None:
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format="png")
    plt.close(fig)


def plot_metric_vs_lead(results: list[xr.Dataset], metric: str, out: Path) -> None:
    """Mean over init times of ``metric`` for every model, against lead hour."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for result in results:
        mean = result[metric].mean("init")
        ax.plot(result["lead"], mean, marker="o", label=result.attrs["model"])
    ax.set_xlabel("lead time [h]")
    ax.set_ylabel(METRIC_LABELS.get(metric, metric))
    ax.set_title(f"{metric} of {results[0].attrs['variable']} on the test months")
    ax.grid(alpha=0.3)
    ax.legend()
    _save(fig, out)


def median_case(forecast: xr.Dataset) -> int:
    """Index of the init time whose persistence error (truth minus last observed hour) is the median one."""
    change = forecast["truth"] - forecast["context"].isel(context_lead=-1)
    error = (change**2).mean(("lead", "latitude", "longitude")).values
    return int(np.argsort(error)[len(error) // 2])


def plot_example_forecast(forecasts: list[xr.Dataset], out: Path, n_leads: int = 4) -> None:
    """Rows: truth then each model; columns: last observed hour and evenly spaced leads."""
    case = median_case(forecasts[0])
    first = forecasts[0].isel(init=case)
    leads = np.unique(np.linspace(0, first.sizes["lead"] - 1, n_leads).round().astype(int))
    rows = [("truth", first["truth"])] + [(f.attrs["model"], f.isel(init=case)["forecast"]) for f in forecasts]
    observed = first["context"].isel(context_lead=-1)
    vmin = float(min(observed.min(), *(field.min() for _, field in rows)))
    vmax = float(max(observed.max(), *(field.max() for _, field in rows)))
    fig, axes = plt.subplots(len(rows), len(leads) + 1, figsize=(2.4 * (len(leads) + 1), 2.2 * len(rows)), squeeze=False)
    extent = [float(first.longitude.min()), float(first.longitude.max()), float(first.latitude.min()), float(first.latitude.max())]
    image = None
    for r, (name, field) in enumerate(rows):
        panels = [("observed, +0 h", observed)] + [(f"+{int(first.lead[i])} h", field.isel(lead=i)) for i in leads]
        for c, (title, panel) in enumerate(panels):
            ax = axes[r, c]
            if c == 0 and r > 0:
                ax.axis("off")
                continue
            image = ax.imshow(panel.values, extent=extent, origin="upper", vmin=vmin, vmax=vmax, cmap="RdYlBu_r")
            ax.set_title(f"{name} {title}" if c else title, fontsize=8)
            ax.tick_params(labelsize=6)
    fig.colorbar(image, ax=axes, shrink=0.6, label=f"{first['truth'].attrs.get('long_name', '')} [{first['truth'].attrs.get('units', '')}]")
    fig.suptitle(f"init {np.datetime_as_string(first.init.values, unit='h')} UTC")
    _save(fig, out)
