"""Train a video-prediction model from TFRecord sequences, resumable after interruption.

Keras' BackupAndRestore keeps the state of the last finished epoch in the work
directory, so rerunning an interrupted job continues from there. The finished
model is written atomically; TensorBoard logs and a CSV history sit beside it.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import keras

from ambs.atomic import atomic_path
from ambs.models.registry import build_model
from ambs.sequences import SplitMeta, make_dataset


class EpochProgress(keras.callbacks.Callback):
    """One readable line per epoch with its losses and duration, flushed for log files."""

    def __init__(self, epochs: int) -> None:
        super().__init__()
        self.epochs = epochs
        self.started = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        values = ", ".join(f"{k}={v:.5f}" for k, v in sorted((logs or {}).items()))
        print(f"epoch {epoch + 1}/{self.epochs} ({time.perf_counter() - self.started:.0f} s): {values}", flush=True)


def train(
    model_name: str,
    hyper: dict[str, Any],
    train_dir: Path,
    val_dir: Path,
    model_path: Path,
    history_path: Path,
    work_dir: Path,
    seed: int,
) -> keras.callbacks.History:
    """Fit ``model_name``; save it to ``model_path`` (a .keras file) and its loss history as CSV."""
    keras.utils.set_random_seed(seed)
    meta = SplitMeta.read(train_dir)
    model = build_model(model_name, meta, hyper)
    model.compile(optimizer=keras.optimizers.Adam(hyper["learning_rate"]), loss="mse", metrics=["mae"])
    work_dir.mkdir(parents=True, exist_ok=True)
    if not (work_dir / "backup").exists():
        (work_dir / "history.csv").unlink(missing_ok=True)  # a fresh start, not a resume
    callbacks = [
        keras.callbacks.BackupAndRestore(str(work_dir / "backup")),
        keras.callbacks.ModelCheckpoint(str(work_dir / "checkpoint.keras")),
        keras.callbacks.CSVLogger(str(work_dir / "history.csv"), append=True),
        keras.callbacks.TensorBoard(str(work_dir / "tensorboard"), write_graph=False),
        EpochProgress(hyper["epochs"]),
    ]
    print(f"training {model_name}: {meta.count} training windows of shape {meta.shape}", flush=True)
    history = model.fit(
        make_dataset(train_dir, hyper["batch_size"], shuffle=True, seed=seed),
        validation_data=make_dataset(val_dir, hyper["batch_size"]),
        epochs=hyper["epochs"],
        callbacks=callbacks,
        shuffle=False,  # the dataset shuffles itself, reproducibly from the seed
        verbose=0,
    )
    with atomic_path(model_path) as tmp:
        model.save(tmp)
    with atomic_path(history_path) as tmp:
        shutil.copyfile(work_dir / "history.csv", tmp)
    return history
