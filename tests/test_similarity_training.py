"""Training a similarity view: reproducible views per epoch, outputs, and resuming after an interruption."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import split

import ambs.training.fitting
from ambs.similarity.lsim import LearnedDistance, load_distance
from ambs.similarity.views import ContrastiveViews
from ambs.training.fitting import StopOnSigterm
from ambs.training.similarity import train_similarity

HYPER = {
    "filters": [3, 4],
    "embedding_dim": 4,
    "epochs": 3,
    "batch_size": 8,
    "learning_rate": 0.01,
    "tau": 0.1,
    "tau_target": 0.05,
    "lam": 0.5,
    "neighbour_hours": 4,
}


def test_views_are_a_function_of_seed_epoch_and_batch() -> None:
    windows = np.random.default_rng(0).normal(size=(20, 2, 6, 6, 1)).astype("float32")
    times = np.datetime64("2017-07-01T00") + 2 * np.arange(20) * np.timedelta64(1, "h")
    views = ContrastiveViews(windows, times, batch_size=8, seed=3, neighbour_hours=4)
    assert len(views) == 2  # the incomplete last batch is dropped
    first = views[1][0]["first"]
    views.epoch = 1
    other_epoch = views[1][0]["first"]
    views.epoch = 0
    np.testing.assert_array_equal(views[1][0]["first"], first)
    assert not np.array_equal(other_epoch, first)
    with pytest.raises(ValueError, match="cannot fill one batch"):
        ContrastiveViews(windows[:5], times[:5], batch_size=8, seed=3, neighbour_hours=4)


class StopInSecondEpoch(StopOnSigterm):
    """What SIGTERM does, requested deterministically at the start of the second epoch."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        super().on_epoch_begin(epoch, logs)
        if epoch == 1:
            self.request()


def _interrupted(monkeypatch: pytest.MonkeyPatch, train: Path, outputs: tuple[Path, Path, Path]) -> None:
    """Train with HYPER until SIGTERM stops it in the second epoch: one finished epoch is checkpointed."""
    monkeypatch.setattr(ambs.training.fitting, "StopOnSigterm", StopInSecondEpoch)
    with pytest.raises(SystemExit):
        train_similarity("target", HYPER, train, *outputs, seed=0)
    monkeypatch.undo()
    assert not outputs[0].exists() and (outputs[2] / "backup" / "epoch-0001").is_dir()


def test_interrupted_training_resumes_to_the_uninterrupted_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    train = split(tmp_path, "train", "2017-07-01T00", 60, 1)
    whole = (tmp_path / "whole.keras", tmp_path / "whole.csv", tmp_path / "whole")
    outputs = (tmp_path / "distance.keras", tmp_path / "history.csv", tmp_path / "work")
    uninterrupted = train_similarity("target", HYPER, train, *whole, seed=0)
    _interrupted(monkeypatch, train, outputs)
    capsys.readouterr()
    distance = train_similarity("target", HYPER, train, *outputs, seed=0)
    log = capsys.readouterr().out
    assert "resuming after epoch 1" in log and "epoch 1/3" not in log and "epoch 2/3" in log and "epoch 3/3" in log
    assert not (outputs[2] / "backup").exists()  # checkpoints go once the distance is saved
    for got, want in zip(distance.weights, uninterrupted.weights):
        np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg=got.path)
    assert outputs[1].read_text() == whole[1].read_text()
    history = pd.read_csv(outputs[1])
    assert history.columns.tolist() == ["epoch", "loss"] and history["epoch"].tolist() == [0, 1, 2]
    assert np.all(np.isfinite(history["loss"]))
    reloaded = load_distance(outputs[0])
    assert isinstance(reloaded, LearnedDistance) and reloaded.encoder.input_shape[1:] == (3, 8, 8, 1)
    windows = np.random.default_rng(0).normal(size=(2, 3, 8, 8, 1)).astype("float32")
    np.testing.assert_allclose(reloaded.pairwise(windows, windows), distance.pairwise(windows, windows), atol=1e-6)
    with pytest.raises(ValueError, match="hyperparameters.similarity.batch_size"):
        train_similarity("context", {**HYPER, "batch_size": 1000}, train, *outputs, seed=0)


def test_training_of_another_configuration_is_not_resumed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    train = split(tmp_path, "train", "2017-07-01T00", 60, 1)
    outputs = (tmp_path / "distance.keras", tmp_path / "history.csv", tmp_path / "work")
    _interrupted(monkeypatch, train, outputs)
    capsys.readouterr()
    train_similarity("target", {**HYPER, "learning_rate": 0.02, "epochs": 1}, train, *outputs, seed=0)
    log = capsys.readouterr().out
    assert "another configuration" in log and "resuming" not in log and "epoch 1/1" in log
    assert pd.read_csv(outputs[1])["epoch"].tolist() == [0]
