"""Training (checkpoints, logs, resume after a kill) and evaluation of a trained model and persistence."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from ambs.climatology import at_valid_times, hourly_climatology
from ambs.evaluate import evaluate, summary_table
from ambs.models.registry import build_model
from ambs.sequences import SplitMeta, make_dataset
from conftest import ROOT
from helpers import STATS, cropped_month, split

HYPER = {"filters": 4, "kernel_size": 3, "epochs": 2, "batch_size": 8, "learning_rate": 0.003}


def _train_cmd(tmp_path: Path, epochs: int) -> list[str]:
    return [sys.executable, str(ROOT / "scripts" / "train.py"), "--model", "convlstm",
            "--hyper", json.dumps({**HYPER, "epochs": epochs}), "--seed", "1",
            "--train", str(tmp_path / "train"), "--val", str(tmp_path / "val"),
            "--out", str(tmp_path / "model.keras"), "--history", str(tmp_path / "history.csv"),
            "--workdir", str(tmp_path / "work")]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("trained")
    split(tmp_path, "train", "2017-07-01T00", 120, 1)
    split(tmp_path, "val", "2017-08-01T00", 48, 2)
    split(tmp_path, "test", "2017-09-01T00", 48, 3)
    result = subprocess.run(_train_cmd(tmp_path, 2), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "epoch 1/2" in result.stdout and "epoch 2/2" in result.stdout
    return tmp_path


def test_training_outputs(trained: Path) -> None:
    history = pd.read_csv(trained / "history.csv")
    assert history["epoch"].tolist() == [0, 1] and {"loss", "val_loss"} <= set(history.columns)
    assert (trained / "work" / "checkpoint.keras").exists()
    assert list((trained / "work" / "tensorboard").rglob("events.out.tfevents.*"))


def test_killed_training_resumes_from_last_epoch(tmp_path: Path) -> None:
    split(tmp_path, "train", "2017-07-01T00", 400, 1)
    split(tmp_path, "val", "2017-08-01T00", 48, 2)
    epochs = 6
    process = subprocess.Popen(_train_cmd(tmp_path, epochs), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.time() + 240
    first = ""
    while "epoch 2/" not in first and time.time() < deadline:
        first += process.stdout.readline()
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert "epoch 2/" in first and not (tmp_path / "model.keras").exists()
    result = subprocess.run(_train_cmd(tmp_path, epochs), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "epoch 1/" not in result.stdout and f"epoch {epochs}/{epochs}" in result.stdout
    assert pd.read_csv(tmp_path / "history.csv")["epoch"].iloc[-1] == epochs - 1


def test_climatology_by_hour_of_day(tmp_path: Path) -> None:
    path = cropped_month(tmp_path / "m.nc", "2017-07-01T00", 72, 0)
    clim = hourly_climatology([path], "t2m")
    with xr.open_dataset(path) as ds:
        expected = ds["t2m"].values.reshape(3, 24, 8, 8).mean(axis=0)
    np.testing.assert_allclose(clim.values, expected, rtol=1e-6)
    valid = np.array(["2017-07-05T13", "2017-07-06T00"], dtype="datetime64[ns]")
    np.testing.assert_array_equal(at_valid_times(clim, valid), clim.values[[13, 0]])


@pytest.mark.parametrize("model", ["persistence", "convlstm"])
def test_evaluation_in_physical_units(trained: Path, model: str) -> None:
    clim = hourly_climatology([trained / "train.nc"], "t2m")
    weights = trained / "model.keras" if model == "convlstm" else None
    result = evaluate(model, weights, trained / "test", STATS, clim, trained / f"{model}.nc", trained / f"{model}_f.nc")
    forecast = xr.load_dataset(trained / f"{model}_f.nc")
    assert forecast["truth"].attrs["units"] == "K" and 270 < float(forecast["truth"].mean()) < 300
    error = forecast["forecast"] - forecast["truth"]
    np.testing.assert_allclose(result["rmse"].values, np.sqrt((error**2).mean(("latitude", "longitude"))).values, rtol=1e-5)
    if model == "persistence":
        last = forecast["context"].isel(context_lead=-1)
        np.testing.assert_allclose(forecast["forecast"].values, np.broadcast_to(last.values[:, None], forecast["forecast"].shape), rtol=1e-6)
    table = summary_table(result)
    assert table["lead"].tolist() == [1, 2, 3] and (table["model"] == model).all()
    assert xr.load_dataset(trained / f"{model}.nc").attrs["data_range"] > 0


def test_stochastic_model_scored_by_ensemble_mean_with_spread(trained: Path) -> None:
    meta = SplitMeta.read(trained / "test")
    hyper = {"filters": 4, "kernel_size": 3, "latent_channels": 2, "kl_weight": 0.01, "adversarial_weight": 0.01}
    model = build_model("savp", meta, hyper)
    model.compile(optimizer="adam", loss="mse")
    model.fit(make_dataset(trained / "train", 8), epochs=1, verbose=0)  # moves the decoder off exact persistence
    model.save(trained / "savp.keras")
    clim = hourly_climatology([trained / "train.nc"], "t2m")
    result = evaluate("savp", trained / "savp.keras", trained / "test", STATS, clim, trained / "savp.nc",
                      trained / "savp_f.nc", ensemble_size=4, seed=2)
    assert result["spread"].dims == ("init", "lead") and float(result["spread"].mean()) > 0
    assert "spread" in summary_table(result).columns
