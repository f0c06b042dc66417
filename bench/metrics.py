"""Evaluation metrics over a test set: ``ambs.evaluation.metrics`` vs scikit-image SSIM, NumPy loops and xskillscore.

A test set the size of the default configuration's (one month every 5 hours: 144 init
times x 12 lead hours of 32 x 32 fields in Kelvin) is scored by ``ambs.evaluation.metrics``
(vectorised NumPy; SSIM with numba running window sums) and by the references:
``skimage.metrics.structural_similarity`` field by field for SSIM, a plain NumPy loop
field by field and xskillscore (``rmse``, ``pearson_r`` of the anomalies) for RMSE and
the centred ACC. Every reference must agree with ``ambs.evaluation.metrics`` to 1e-6.

    .venv/bin/python bench/metrics.py [--rounds 5] [--inits 144] [--size 32]
"""

from __future__ import annotations

import argparse

import numpy as np
import xarray as xr
import xskillscore as xs
from common import interleaved, machine_note, median, print_table
from skimage.metrics import structural_similarity

from ambs.evaluation import metrics

TOLERANCE = 1e-6
FIELD_DIMS = ("init", "lead", "latitude", "longitude")


def test_set(inits: int, leads: int, size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Smooth truth, a forecast that drifts from it with lead time, and a climatology, all in K."""
    rng = np.random.default_rng(seed)
    y, x = np.meshgrid(np.linspace(0, 3, size), np.linspace(0, 3, size), indexing="ij")
    phase = rng.uniform(0, 2 * np.pi, (inits, 1, 1, 1))
    truth = 288 + 6 * np.sin(x + phase) * np.cos(y - phase) + rng.normal(0, 0.3, (inits, leads, size, size))
    drift = np.arange(1, leads + 1)[None, :, None, None] * 0.15
    forecast = truth + drift * rng.normal(0, 1, truth.shape) + 0.05 * drift
    climatology = np.broadcast_to(288 + 4 * np.sin(x), truth.shape)
    return forecast.astype(np.float32), truth.astype(np.float32), climatology.astype(np.float32)


def loop_rmse(forecast: np.ndarray, truth: np.ndarray) -> np.ndarray:
    out = np.empty(forecast.shape[:2])
    for i in range(forecast.shape[0]):
        for j in range(forecast.shape[1]):
            diff = forecast[i, j].astype(np.float64) - truth[i, j]
            out[i, j] = np.sqrt(np.mean(diff * diff))
    return out


def loop_acc(forecast: np.ndarray, truth: np.ndarray, climatology: np.ndarray) -> np.ndarray:
    out = np.empty(forecast.shape[:2])
    for i in range(forecast.shape[0]):
        for j in range(forecast.shape[1]):
            a = forecast[i, j].astype(np.float64) - climatology[i, j]
            b = truth[i, j].astype(np.float64) - climatology[i, j]
            out[i, j] = np.corrcoef(a.ravel(), b.ravel())[0, 1]
    return out


def loop_ssim(forecast: np.ndarray, truth: np.ndarray, data_range: float) -> np.ndarray:
    out = np.empty(forecast.shape[:2])
    for i in range(forecast.shape[0]):
        for j in range(forecast.shape[1]):
            out[i, j] = structural_similarity(
                forecast[i, j].astype(np.float64), truth[i, j].astype(np.float64), data_range=data_range, win_size=7
            )
    return out


def as_fields(values: np.ndarray) -> xr.DataArray:
    return xr.DataArray(values.astype(np.float64), dims=FIELD_DIMS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--inits", type=int, default=144)
    parser.add_argument("--leads", type=int, default=12)
    parser.add_argument("--size", type=int, default=32)
    args = parser.parse_args()
    fcst, truth, clim = test_set(args.inits, args.leads, args.size)
    data_range = float(truth.max() - truth.min())
    space = ["latitude", "longitude"]
    cases = {  # metric: (ambs.evaluation.metrics, {reference name: reference})
        "RMSE": (
            lambda: metrics.rmse(fcst, truth),
            {
                "NumPy loop": lambda: loop_rmse(fcst, truth),
                "xskillscore": lambda: xs.rmse(as_fields(fcst), as_fields(truth), dim=space).values,
            },
        ),
        "ACC": (
            lambda: metrics.acc(fcst, truth, clim),
            {
                "NumPy loop": lambda: loop_acc(fcst, truth, clim),
                "xskillscore": lambda: xs.pearson_r(as_fields(fcst - clim), as_fields(truth - clim), dim=space).values,
            },
        ),
        "SSIM": (
            lambda: metrics.ssim(fcst, truth, data_range),
            {
                "scikit-image loop": lambda: loop_ssim(fcst, truth, data_range),
            },
        ),
    }
    rows = []
    totals = {key: {"wall": 0.0, "cpu": 0.0} for key in ("ambs.evaluation.metrics", "loops", "xskillscore")}
    for name, (ours, references) in cases.items():
        expected = ours()
        times = interleaved({"ours": ours, **references}, args.rounds)
        first = next(iter(references))
        for clock in ("wall", "cpu"):
            totals["ambs.evaluation.metrics"][clock] += median(getattr(times["ours"], clock))
            totals["loops"][clock] += median(getattr(times[first], clock))
            totals["xskillscore"][clock] += median(getattr(times.get("xskillscore", times[first]), clock))
        fast, fast_cpu = median(times["ours"].wall), median(times["ours"].cpu)
        for reference_name, reference in references.items():
            difference = float(np.max(np.abs(expected - reference())))
            assert difference <= TOLERANCE, (
                f"{name}: {reference_name} differs from ambs.evaluation.metrics by {difference:.3g}"
            )
            slow, slow_cpu = median(times[reference_name].wall), median(times[reference_name].cpu)
            rows.append(
                (
                    name,
                    reference_name,
                    f"{fast * 1e3:.1f}",
                    f"{slow * 1e3:.1f}",
                    f"{slow / fast:.1f}x",
                    f"{slow_cpu / fast_cpu:.1f}x",
                    f"{difference:.1e}",
                )
            )
    print_table(
        f"Metrics over {args.inits * args.leads} fields of {args.size} x {args.size} ({machine_note()})",
        [
            "metric",
            "reference",
            "ambs.evaluation.metrics ms",
            "reference ms",
            "speed-up (wall)",
            "speed-up (CPU)",
            "max abs difference",
        ],
        rows,
    )
    ours = totals["ambs.evaluation.metrics"]
    for references in ("loops", "xskillscore"):
        theirs = totals[references]
        print(
            f"ambs.evaluation.metrics / SSIM + {references} for RMSE, ACC: {theirs['wall'] / ours['wall']:.1f}x wall, "
            f"{theirs['cpu'] / ours['cpu']:.1f}x CPU  (target >= 5x, equal to {TOLERANCE:g})"
        )


if __name__ == "__main__":
    main()
