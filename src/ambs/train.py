"""Train a video-prediction model from TFRecord sequences, resumable after interruption, bit for bit.

After every finished epoch the weights, optimizer and random-generator states are
checkpointed atomically in the work directory (``ambs.checkpoints``), and the order
of every epoch's batches depends on the seed and the epoch number alone. A rerun
after a kill (SIGKILL, a crash, a node failure) continues from the last finished
epoch and ends with exactly the weights and history of an uninterrupted run.

On SIGTERM (what Slurm sends before its time limit; the Slurm profile asks for it
ahead of the limit with ``--signal``) training stops at the next batch boundary
and exits with status 143 without writing the model. The unfinished epoch is not
saved: the rerun repeats it from the last checkpoint, which is what keeps the
result identical to an uninterrupted run. The finished model and the CSV history
are written atomically; TensorBoard logs sit beside them. Training runs under
``distribution_scope()``: all GPUs of the node when there are several, else one
device (the CPU when there is none).
"""

from __future__ import annotations

import functools
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from ambs.atomic import atomic_path
from ambs.checkpoints import EpochCheckpoints, fingerprint
from ambs.distribute import distribution_scope
from ambs.models.registry import build_model
from ambs.sequences import make_dataset
from ambs.split_meta import SplitMeta

EPOCH_SEEDS = 100_003  # shuffle seed of epoch e: seed * EPOCH_SEEDS + e, distinct for every (seed, epoch) in use


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
    """Raised out of ``fit`` after SIGTERM (exit status 128 + SIGTERM)."""

    def __init__(self) -> None:
        super().__init__(128 + signal.SIGTERM)


class StopOnSigterm(keras.callbacks.Callback):
    """Stop training at the next batch boundary after SIGTERM; a rerun resumes from the last finished epoch.

    The signal handler only sets a flag; the callback raises ``Terminated`` from the
    training loop, between batches. Raising instead of setting ``model.stop_training``
    keeps Keras from ending ``fit`` normally, which would save an unfinished model
    as if it were done. Put it last, so a finished epoch is checkpointed first.
    """

    def __init__(self, checkpoints: EpochCheckpoints) -> None:
        super().__init__()
        self.checkpoints = checkpoints
        self.requested = threading.Event()

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

    def _stop_if_requested(self) -> None:
        if self.requested.is_set():
            print(
                f"SIGTERM: training stopped; a rerun resumes from the last finished epoch in {self.checkpoints.directory}",
                flush=True,
            )
            raise Terminated()

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self._stop_if_requested()

    def on_test_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self._stop_if_requested()

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self._stop_if_requested()


def epoch_batches(train_dir: Path, batch_size: int, seed: int, first_epoch: int, epochs: int) -> tf.data.Dataset:
    """The shuffled batches of epochs ``first_epoch`` .. ``epochs - 1``, one epoch after the other.

    Each epoch is shuffled from (seed, epoch) alone, so a run resumed at any epoch
    sees exactly the batches an uninterrupted run sees from there on. The epochs are
    concatenated in Python, so that every shuffle seed is a Python int: a seed tensor
    fails TensorFlow's seed check when the global seed is 0 (``seed: 0`` in the config).
    """
    return functools.reduce(
        tf.data.Dataset.concatenate,
        (
            make_dataset(train_dir, batch_size, shuffle=True, seed=seed * EPOCH_SEEDS + epoch)
            for epoch in range(first_epoch, epochs)
        ),
    )


def keep_history_before(path: Path, epoch: int) -> None:
    """Drop the CSV history rows of ``epoch`` and later (and a torn last line): they are about to be redone."""
    lines = path.read_text().splitlines() if path.exists() else []
    if epoch == 0 or not lines:
        path.unlink(missing_ok=True)
        return
    header, rows = lines[0], lines[1:]

    def kept(row: str) -> bool:
        first = row.split(",")[0]
        return row.count(",") == header.count(",") and first.isdigit() and int(first) < epoch

    with atomic_path(path) as tmp:
        tmp.write_text("\n".join([header, *filter(kept, rows)]) + "\n")


def fit_resuming(
    model: keras.Model,
    batches: Callable[[int], Any],
    epochs: int,
    checkpoints: EpochCheckpoints,
    history: Path,
    callbacks: list[keras.callbacks.Callback],
    **fit_args: Any,
) -> None:
    """Fit the compiled ``model`` to ``epochs`` from its last checkpoint, stopping cleanly on SIGTERM.

    ``batches(first_epoch)`` gives the data from the first epoch still to run. One
    resume path for every trained model: the checkpoints' fingerprint keeps a rerun
    with another configuration from resuming, and the CSV history keeps the rows of
    the finished epochs only. ``callbacks`` run before the history, log and checkpoint.
    """
    first_epoch = checkpoints.restore(model)
    keep_history_before(history, first_epoch)
    stop_on_sigterm = StopOnSigterm(checkpoints)
    callbacks = [
        *callbacks,
        keras.callbacks.CSVLogger(str(history), append=True),  # before the checkpoint: a rerun trims a redone row
        EpochProgress(epochs),
        checkpoints,
        stop_on_sigterm,
    ]
    if first_epoch < epochs:
        with stop_on_sigterm.installed():
            model.fit(
                batches(first_epoch),
                initial_epoch=first_epoch,
                epochs=epochs,
                callbacks=callbacks,
                verbose=0,
                **fit_args,
            )


def train(
    model_name: str,
    hyper: dict[str, Any],
    train_dir: Path,
    val_dir: Path,
    model_path: Path,
    history_path: Path,
    work_dir: Path,
    seed: int,
) -> None:
    """Fit ``model_name``, resuming from its last checkpoint; save it to ``model_path`` (.keras) and its history (CSV)."""
    keras.utils.set_random_seed(seed)
    meta = SplitMeta.read(train_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    history = work_dir / "history.csv"
    checkpoints = EpochCheckpoints(work_dir / "backup", fingerprint(model_name, hyper, seed, [train_dir, val_dir]))
    with distribution_scope():
        model = build_model(model_name, meta, hyper)
        model.compile(optimizer=keras.optimizers.Adam(hyper["learning_rate"]), loss="mse", metrics=["mae"])
        print(f"training {model_name}: {meta.count} training windows of shape {meta.shape}", flush=True)
        fit_resuming(
            model,
            lambda first_epoch: epoch_batches(train_dir, hyper["batch_size"], seed, first_epoch, hyper["epochs"]),
            hyper["epochs"],
            checkpoints,
            history,
            [keras.callbacks.TensorBoard(str(work_dir / "tensorboard"), write_graph=False)],
            steps_per_epoch=math.ceil(meta.count / hyper["batch_size"]),
            validation_data=make_dataset(val_dir, hyper["batch_size"]),
        )
        with atomic_path(model_path) as tmp:
            model.save(tmp)
    with atomic_path(history_path) as tmp:
        tmp.write_bytes(history.read_bytes())
    checkpoints.clear()
