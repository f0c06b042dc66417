"""Early stopping on the validation loss: it stops after ``patience`` epochs without improvement, ends with the best
epoch's weights, and a run interrupted on the way stops at the same epoch with the same weights."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from ambs.training.checkpoints import EpochCheckpoints
from ambs.training.fitting import fit_resuming

EPOCHS, PATIENCE = 8, 2
X = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
TRAIN = (X, X[:, :1])  # fitting the training data drives the model away from the validation data
VALIDATION = (X, -X[:, :1])


class Interrupted(Exception):
    """Stands for a kill after an epoch was checkpointed."""


class InterruptBefore(keras.callbacks.Callback):
    def __init__(self, epoch: int) -> None:
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        if epoch == self.epoch:
            raise Interrupted()


def _fit(work: Path, callbacks: list[keras.callbacks.Callback]) -> keras.Model:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    fit_resuming(
        model,
        lambda first: tf.data.Dataset.from_tensor_slices(TRAIN).batch(8).repeat(EPOCHS - first),
        EPOCHS,
        EpochCheckpoints(work / "backup", {"run": "early"}),
        work / "history.csv",
        callbacks,
        patience=PATIENCE,
        steps_per_epoch=4,
        validation_data=tf.data.Dataset.from_tensor_slices(VALIDATION).batch(8),
    )
    return model


def _weights(model: keras.Model) -> list[np.ndarray]:
    return [w.numpy() for w in model.weights]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, keras.Model]:
    work = tmp_path_factory.mktemp("uninterrupted")
    return work, _fit(work, [])


def test_stops_after_patience_epochs_without_improvement_with_the_best_weights(
    uninterrupted: tuple[Path, keras.Model], tmp_path: Path
) -> None:
    work, model = uninterrupted
    history = pd.read_csv(work / "history.csv")
    best = int(history["val_loss"].idxmin())
    assert len(history) == best + 1 + PATIENCE < EPOCHS  # stopped PATIENCE epochs after the best one
    assert (history["val_loss"].iloc[best + 1 :] >= history["val_loss"].iloc[best]).all()
    np.testing.assert_allclose(model.evaluate(*VALIDATION, verbose=0), history["val_loss"].iloc[best], rtol=1e-5)
    rerun = _fit(work, [])  # finished and stopped: a rerun trains no further
    for got, want in zip(_weights(rerun), _weights(model), strict=True):
        np.testing.assert_array_equal(got, want)
    assert pd.read_csv(work / "history.csv").equals(history)


@pytest.mark.parametrize("epoch", [1, 2])
def test_an_interrupted_run_stops_where_the_uninterrupted_one_does(
    uninterrupted: tuple[Path, keras.Model], tmp_path: Path, epoch: int
) -> None:
    work, model = uninterrupted
    with pytest.raises(Interrupted):
        _fit(tmp_path, [InterruptBefore(epoch)])
    resumed = _fit(tmp_path, [])
    for got, want in zip(_weights(resumed), _weights(model), strict=True):
        np.testing.assert_array_equal(got, want)
    assert (tmp_path / "history.csv").read_text() == (work / "history.csv").read_text()
