"""What every figure shares: the Agg backend, atomic PNG output and axis labels with units.

Figure modules import ``plt`` from here, never ``matplotlib.pyplot`` directly, so
the Agg backend is chosen before pyplot loads (no display needed on a cluster node).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ambs.atomic import atomic_path  # noqa: E402

METRIC_NAMES = {
    "mse": "MSE",
    "rmse": "RMSE",
    "bias": "bias",
    "mae": "MAE",
    "psnr": "PSNR",
    "ssim": "SSIM",
    "acc": "ACC",
    "rmse_latw": "latitude-weighted RMSE",
    "gradient_ratio": "gradient ratio",
    "spread": "ensemble spread",
}
# Power of the target's unit that each metric carries; metrics not listed are dimensionless (PSNR is in dB).
UNIT_POWER = {"mse": 2, "rmse": 1, "bias": 1, "mae": 1, "rmse_latw": 1, "spread": 1}


def metric_label(metric: str, units: str) -> str:
    """Axis label of ``metric`` for a target in ``units`` (e.g. 'MSE [K²]')."""
    name = METRIC_NAMES.get(metric, metric)
    if metric == "psnr":
        return f"{name} [dB]"
    power = UNIT_POWER.get(metric)
    if power is None or units in ("", "1"):  # "1": CF's dimensionless unit
        return name
    return f"{name} [{units}]" if power == 1 else f"{name} [({units})²]" if " " in units else f"{name} [{units}²]"


def save_figure(fig: plt.Figure, out: Path, dpi: int = 100) -> None:
    """Write ``fig`` as PNG under a temporary name, rename when complete, and free it."""
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png")
    plt.close(fig)
