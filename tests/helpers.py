"""Small synthetic splits on disk, shared by the training and evaluation tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ambs.evaluation.scoring import References, TestSplit, evaluate
from ambs.preprocessing.climatology import monthly_hourly_climatology
from ambs.sequences.tfrecords import write_split

VARIABLES = ["t2m", "msl"]
STATS = {"t2m": {"mean": 285.0, "std": 3.0}, "msl": {"mean": 101000.0, "std": 500.0}}


def cropped_month(path: Path, start: str, hours: int, seed: int) -> Path:
    """A cropped-style month: a travelling wave in t2m with a diurnal cycle, noise in msl."""
    rng = np.random.default_rng(seed)
    times = (np.datetime64(start, "h") + np.arange(hours)).astype("datetime64[ns]")
    lat, lon = np.linspace(51, 49, 8), np.linspace(6, 8, 8)
    t = np.arange(hours)[:, None, None]
    wave = np.sin(0.3 * t + lon[None, None, :] * 2) + np.cos(2 * np.pi * t / 24)
    t2m = 285 + 3 * wave + 0.1 * rng.normal(size=(hours, 8, 8))
    msl = 101000 + 500 * rng.normal(size=(hours, 8, 8))
    dims = ("time", "latitude", "longitude")
    xr.Dataset(
        {"t2m": (dims, t2m.astype(np.float32), {"units": "K"}), "msl": (dims, msl.astype(np.float32), {"units": "Pa"})},
        coords={"time": times, "latitude": lat, "longitude": lon},
    ).to_netcdf(path)
    return path


def split(
    tmp_path: Path,
    name: str,
    start: str,
    hours: int,
    seed: int,
    context: int = 4,
    forecast: int = 3,
    forcings: list[str] | None = None,
) -> Path:
    """A split of windows of ``cropped_month`` under ``tmp_path / name``, with the named time forcings."""
    month = cropped_month(tmp_path / f"{name}.nc", start, hours, seed)
    write_split(name, [month], STATS, VARIABLES, "t2m", context, forecast, 2, tmp_path / name, forcings=forcings)
    return tmp_path / name


def no_forcings(context: np.ndarray, hours: int) -> np.ndarray:
    """The forcings input of windows without forcings: ``hours`` forecast hours of no channels."""
    return np.zeros((len(context), hours, *context.shape[2:4], 0), np.float32)


def evaluation_inputs(directory: Path) -> Path:
    """``directory`` with a cropped training month, its climatology.nc, test windows and the cropped test month test.nc."""
    train = cropped_month(directory / "train.nc", "2017-07-01T00", 48, 1)
    monthly_hourly_climatology([train], "t2m").to_netcdf(directory / "climatology.nc")
    split(directory, "test", "2017-09-01T00", 60, 3)
    (directory / "stats.json").write_text(json.dumps(STATS))
    return directory


def evaluated(
    model: str, weights: Path | None, test: TestSplit, references: References, directory: Path, **options: Any
) -> tuple[xr.Dataset, xr.Dataset]:
    """``evaluate`` with the forecast file it streams to ``directory`` read back: (metrics, forecasts)."""
    path = directory / f"{model}-forecast.nc"
    return evaluate(model, weights, test, references, path, **options), xr.load_dataset(path)


def run_under_jax(code: str) -> str:
    """Run ``code`` in a fresh interpreter with ``KERAS_BACKEND=jax`` (chosen at import) and return its stdout."""
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def train_command(tmp_path: Path, hyper: dict[str, Any]) -> list[str]:
    """scripts/train.py fitting a ConvLSTM with seed 1 on the splits train/ and val/ of ``tmp_path``, outputs beside them."""
    return [
        sys.executable,
        str(Path(__file__).resolve().parents[1] / "scripts" / "train.py"),
        "--model",
        "convlstm",
        "--hyper",
        json.dumps(hyper),
        "--seed",
        "1",
        "--train",
        str(tmp_path / "train"),
        "--val",
        str(tmp_path / "val"),
        "--out",
        str(tmp_path / "model.keras"),
        "--history",
        str(tmp_path / "history.csv"),
        "--workdir",
        str(tmp_path / "work"),
    ]


# Runs scripts/train.py (argv[1:]) and sends the named signal to itself at batch 3 of epoch 2 where the condition holds.
KILL_MID_EPOCH = """
import os, runpy, signal, sys
import ambs.training.fitting

class KillMidEpoch(ambs.training.fitting.EpochProgress):
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        super().on_epoch_begin(epoch, logs)

    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == 1 and batch == 2 and {condition}:
            os.kill(os.getpid(), signal.{name})

ambs.training.fitting.EpochProgress = KillMidEpoch
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def killed_mid_epoch(cmd: list[str], signum: signal.Signals, condition: str = "True") -> list[str]:
    """The training command ``cmd`` (python first) that sends ``signum`` to itself mid-epoch 2 where ``condition`` holds."""
    return [cmd[0], "-c", KILL_MID_EPOCH.format(name=signum.name, condition=condition), *cmd[1:]]
