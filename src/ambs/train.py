"""Train a video-prediction model from TFRecord sequences, resumable after interruption.

Keras' BackupAndRestore keeps the state of the last finished epoch in the work
directory, so rerunning an interrupted job continues from there. The finished
model is written atomically; TensorBoard logs and a CSV history sit beside it.

On SIGTERM (what Slurm sends at the time limit, before SIGKILL; the Slurm
profile asks for it ahead of the limit with ``--signal``) training stops after
the current batch, backs up the weights reached so far, and exits with status
143 without writing the model: the rerun continues from that backup, repeating
only the interrupted epoch. Training runs under ``distribution_scope()``, which
uses all GPUs of the node when there are several and the CPU when there is none.
"""

from __future__ import annotations

import shutil
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import keras

from ambs.atomic import atomic_path
from ambs.distribute import distribution_scope
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


class Terminated(SystemExit):
    """Raised out of ``fit`` once the backup of an interrupted run is written (exit status 128 + SIGTERM)."""

    def __init__(self) -> None:
        super().__init__(128 + signal.SIGTERM)


class StopOnSigterm(keras.callbacks.Callback):
    """Back up the training state at the next batch boundary after SIGTERM, then stop the process.

    The signal handler only sets a flag; the backup is written from the training
    loop, between batches, by ``backup`` (the ``BackupAndRestore`` callback) with
    the current weights and the number of the unfinished epoch, so the rerun
    resumes that epoch from the weights reached at the signal. Raising instead of
    setting ``model.stop_training`` keeps Keras from ending ``fit`` normally, which
    would delete the backup and save an unfinished model as if it were done.
    """

    def __init__(self, backup: keras.callbacks.BackupAndRestore) -> None:
        super().__init__()
        self.backup = backup
        self.requested = threading.Event()
        self.epoch = 0

    def request(self, signum: int = signal.SIGTERM, frame: object = None) -> None:
        self.requested.set()

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Handle SIGTERM while inside the block (only possible in the main thread)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGTERM, self.request)
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _stop_if_requested(self, save: bool) -> None:
        if not self.requested.is_set():
            return
        if save:
            # BackupAndRestore counts epochs from 0 again after a resume: set the unfinished one
            self.backup._current_epoch = self.epoch
            self.backup._save_model()  # the weights now, with the number of the unfinished epoch
            where = f"a backup of the unfinished epoch {self.backup._current_epoch + 1}"
        else:
            where = f"the backup of epoch {self.backup._current_epoch}"
        print(f"SIGTERM: training stopped, rerun resumes from {where} in {self.backup.backup_dir}", flush=True)
        raise Terminated()

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self._stop_if_requested(save=True)

    def on_test_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self._stop_if_requested(save=True)

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self._stop_if_requested(save=False)  # BackupAndRestore, called before, saved this epoch


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
    work_dir.mkdir(parents=True, exist_ok=True)
    if not (work_dir / "backup").exists():
        (work_dir / "history.csv").unlink(missing_ok=True)  # a fresh start, not a resume
    with distribution_scope():
        model = build_model(model_name, meta, hyper)
        model.compile(optimizer=keras.optimizers.Adam(hyper["learning_rate"]), loss="mse", metrics=["mae"])
        backup = keras.callbacks.BackupAndRestore(str(work_dir / "backup"))
        stop_on_sigterm = StopOnSigterm(backup)
        callbacks = [
            backup,
            keras.callbacks.ModelCheckpoint(str(work_dir / "checkpoint.keras")),
            keras.callbacks.CSVLogger(str(work_dir / "history.csv"), append=True),
            keras.callbacks.TensorBoard(str(work_dir / "tensorboard"), write_graph=False),
            EpochProgress(hyper["epochs"]),
            stop_on_sigterm,  # last: after the epoch's backup and history line are written
        ]
        print(f"training {model_name}: {meta.count} training windows of shape {meta.shape}", flush=True)
        with stop_on_sigterm.installed():
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
