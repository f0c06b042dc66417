"""Training (checkpoints, logs, resume after a kill) and evaluation of a trained model and persistence."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest
from helpers import STATS, evaluated, killed_mid_epoch, split, train_command

from ambs.evaluation.scoring import References, evaluate, load_test_set, summary_table
from ambs.models.registry import build_model, load_model
from ambs.preprocessing.climatology import monthly_hourly_climatology
from ambs.sequences.meta import SplitMeta
from ambs.sequences.tfrecords import make_dataset
from ambs.training.checkpoints import EpochCheckpoints, random_states
from ambs.training.fitting import keep_history_before
from ambs.training.networks import epoch_batches

HYPER = {"filters": 4, "kernel_size": 3, "epochs": 2, "batch_size": 8, "learning_rate": 0.003, "patience": 2}
FORCINGS = ["toa_incident_solar_radiation", "sin_local_time", "cos_local_time"]  # trained and evaluated with them


def _train_cmd(tmp_path: Path, epochs: int) -> list[str]:
    return train_command(tmp_path, {**HYPER, "epochs": epochs})


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("trained")
    split(tmp_path, "train", "2017-07-01T00", 120, 1, forcings=FORCINGS)
    split(tmp_path, "val", "2017-08-01T00", 48, 2, forcings=FORCINGS)
    split(tmp_path, "test", "2017-09-01T00", 48, 3, forcings=FORCINGS)
    result = subprocess.run(_train_cmd(tmp_path, 2), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "epoch 1/2" in result.stdout and "epoch 2/2" in result.stdout
    return tmp_path


def test_training_outputs(trained: Path) -> None:
    history = pd.read_csv(trained / "history.csv")
    assert history["epoch"].tolist() == [0, 1] and {"loss", "val_loss"} <= set(history.columns)
    assert not (trained / "work" / "backup").exists()  # checkpoints go once the model is saved
    assert list((trained / "work" / "tensorboard").rglob("events.out.tfevents.*"))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_training_killed_mid_epoch_resumes_to_the_uninterrupted_result(
    trained: Path, tmp_path: Path, signum: signal.Signals
) -> None:
    for name in ("train", "val"):
        shutil.copytree(trained / name, tmp_path / name)
    cmd = _train_cmd(tmp_path, 2)
    killed = subprocess.run(killed_mid_epoch(cmd, signum), capture_output=True, text=True, check=False)
    assert killed.returncode == (128 + signum if signum == signal.SIGTERM else -signum), killed.stderr[-3000:]
    assert "epoch 1/2" in killed.stdout and "epoch 2/2" not in killed.stdout
    assert not (tmp_path / "model.keras").exists() and (tmp_path / "work" / "backup" / "epoch-0001").is_dir()
    resumed = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming after epoch 1" in resumed.stdout and "epoch 1/2" not in resumed.stdout
    # the uninterrupted run of the same seed is the module's `trained`: the same weights, bit for bit
    for got, want in zip(load_model(tmp_path / "model.keras").weights, load_model(trained / "model.keras").weights):
        np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg=got.path)
    assert (tmp_path / "history.csv").read_text() == (trained / "history.csv").read_text()


@pytest.mark.parametrize("seed", [0, 1])
def test_every_epoch_is_its_own_shuffle_of_all_windows(tmp_path: Path, seed: int) -> None:
    """Also with seed 0, the schema's smallest seed, for which a seed tensor broke TensorFlow's seed check."""
    count = SplitMeta.read(split(tmp_path, "train", "2017-07-01T00", 60, 1)).count
    keras.utils.set_random_seed(seed)
    contexts = np.concatenate([x for (x, _), _ in epoch_batches(tmp_path / "train", 8, seed, 1, 3).as_numpy_iterator()])
    first, second = contexts[:count].reshape(count, -1), contexts[count:].reshape(count, -1)
    assert len(contexts) == 2 * count and not np.array_equal(first, second)
    np.testing.assert_array_equal(np.unique(first, axis=0), np.unique(second, axis=0))
    resumed = np.concatenate([x for (x, _), _ in epoch_batches(tmp_path / "train", 8, seed, 2, 3).as_numpy_iterator()])
    np.testing.assert_array_equal(resumed.reshape(count, -1), second)


def _tiny_model() -> keras.Model:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dropout(0.5), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_checkpoints_restore_weights_optimizer_and_random_states(tmp_path: Path) -> None:
    trained = _tiny_model()
    trained.fit(np.ones((8, 2)), np.ones((8, 1)), batch_size=4, epochs=1, verbose=0)
    saver = EpochCheckpoints(tmp_path / "backup", {"run": 1})
    saver.set_model(trained)
    saver.on_epoch_end(0)
    fresh = _tiny_model()
    assert EpochCheckpoints(tmp_path / "backup", {"run": 1}).restore(fresh, lambda _: None) == 1
    assert random_states(trained)[0].numpy()[1] > 0  # the dropout's generator has moved on
    for got, want in zip(
        fresh.weights + fresh.optimizer.variables + random_states(fresh),
        trained.weights + trained.optimizer.variables + random_states(trained),
    ):
        np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg=want.path)


def test_checkpoints_of_another_configuration_are_not_resumed(tmp_path: Path) -> None:
    backup = tmp_path / "backup"
    (backup / "epoch-0003").mkdir(parents=True)
    (backup / "epoch-0003" / "run.json").write_text(json.dumps({"model": "convlstm", "hyper": {"epochs": 3}}))
    (backup / ".epoch-0004.99.partial").mkdir()  # a write that was killed
    lines: list[str] = []
    assert (
        EpochCheckpoints(backup, {"model": "convlstm", "hyper": {"epochs": 5}}).restore(_tiny_model(), lines.append)
        == 0
    )
    assert not backup.exists() and "another configuration" in lines[0]


def test_history_rows_to_be_redone_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text("epoch,loss\n0,0.5\n1,0.4\n2,0.3\n3,0.")
    keep_history_before(path, 2)
    assert path.read_text() == "epoch,loss\n0,0.5\n1,0.4\n"
    keep_history_before(path, 0)
    assert not path.exists()


@pytest.mark.parametrize("model", ["persistence", "convlstm"])
def test_evaluation_in_physical_units(trained: Path, model: str, tmp_path: Path) -> None:
    references = References(climatology=monthly_hourly_climatology([trained / "train.nc"], "t2m"))
    weights = trained / "model.keras" if model == "convlstm" else None
    result, forecast = evaluated(model, weights, load_test_set(trained / "test", STATS), references, tmp_path)
    assert forecast["truth"].attrs["units"] == "K" and 270 < float(forecast["truth"].mean()) < 300
    error = forecast["forecast"] - forecast["truth"]
    np.testing.assert_allclose(
        result["rmse"].values, np.sqrt((error**2).mean(("latitude", "longitude"))).values, rtol=1e-5
    )
    if model == "persistence":
        last = forecast["context"].isel(context_lead=-1)
        np.testing.assert_allclose(
            forecast["forecast"].values, np.broadcast_to(last.values[:, None], forecast["forecast"].shape), rtol=1e-6
        )
    table = summary_table(result)
    assert table["lead"].tolist() == [1, 2, 3] and (table["model"] == model).all()
    assert result.attrs["data_range"] > 0


def test_stochastic_model_scored_by_ensemble_mean_with_spread(trained: Path, tmp_path: Path) -> None:
    meta = SplitMeta.read(trained / "test")
    hyper = {"filters": 4, "kernel_size": 3, "latent_channels": 2, "kl_weight": 0.01, "adversarial_weight": 0.01}
    model = build_model("savp", meta, hyper)
    model.compile(optimizer="adam", loss="mse")
    model.fit(make_dataset(trained / "train", 8), epochs=1, verbose=0)  # moves the decoder off exact persistence
    model.save(trained / "savp.keras")
    references = References(climatology=monthly_hourly_climatology([trained / "train.nc"], "t2m"))
    result = evaluate(
        "savp",
        trained / "savp.keras",
        load_test_set(trained / "test", STATS),
        references,
        tmp_path / "forecast.nc",
        ensemble_size=4,
        seed=2,
    )
    assert result["spread"].dims == ("init", "lead") and float(result["spread"].mean()) > 0
    assert "spread" in summary_table(result).columns
