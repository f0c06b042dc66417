"""Fitting that survives interruption: one resume path for every trained model (networks, similarity encoders).

After every finished epoch the weights, optimizer and random-generator states are
checkpointed atomically in the work directory (``ambs.training.checkpoints``). A rerun after a
kill (SIGKILL, a crash, a node failure) continues from the last finished epoch and, as
long as the data of every epoch depend on the seed and the epoch alone, ends with exactly
the weights and history of an uninterrupted run.

On SIGTERM (what Slurm sends before its time limit; the Slurm profile asks for it
ahead of the limit with ``--signal``) training stops at the next batch boundary
and exits with status 143 without writing the model. The unfinished epoch is not
saved: the rerun repeats it from the last checkpoint, which is what keeps the
result identical to an uninterrupted run.
"""

from __future__ import annotations

import csv
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import keras

from ambs.atomic import atomic_path
from ambs.training.checkpoints import STATE, EpochCheckpoints


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


class EarlyStopping(keras.callbacks.Callback):
    """Stop when ``val_loss`` has not improved for ``patience`` epochs; the best epoch's weights are the result.

    Resumable like the rest of the fit: the state (best loss, epochs since) is replayed from the
    CSV history of the finished epochs, and the best weights are a directory beside the
    checkpoints, so a rerun stops where an uninterrupted run stops, with the same weights.
    """

    monitor = "val_loss"

    def __init__(self, directory: Path, patience: int) -> None:
        super().__init__()
        self.directory = Path(directory)
        self.patience = patience
        self.best = float("inf")
        self.waited = 0

    def replay(self, history: Path) -> None:
        """Take the state after the finished epochs of the CSV ``history`` (none: a fresh start)."""
        self.best, self.waited = float("inf"), 0
        if history.exists():
            for row in csv.DictReader(history.read_text().splitlines()):
                self._update(float(row[self.monitor]))

    @property
    def exhausted(self) -> bool:
        return self.waited >= self.patience

    def _update(self, value: float) -> bool:
        improved = value < self.best
        self.best, self.waited = (value, 0) if improved else (self.best, self.waited + 1)
        return improved

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        if self._update(float((logs or {})[self.monitor])):
            with atomic_path(self.directory) as tmp:
                tmp.mkdir()
                self.model.save_weights(tmp / STATE)
        elif self.exhausted:
            print(
                f"early stop: {self.monitor} has not improved on {self.best:.5f} for {self.waited} epochs", flush=True
            )
            self.model.stop_training = True

    def restore_best(self, model: keras.Model) -> None:
        """Load the best epoch's weights into ``model`` (when an epoch was validated at all)."""
        if (self.directory / STATE).exists():
            model.load_weights(self.directory / STATE)


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
    patience: int | None = None,
    **fit_args: Any,
) -> None:
    """Fit the compiled ``model`` to ``epochs`` from its last checkpoint, stopping cleanly on SIGTERM.

    ``batches(first_epoch)`` gives the data from the first epoch still to run. One
    resume path for every trained model: the checkpoints' fingerprint keeps a rerun
    with another configuration from resuming, and the CSV history keeps the rows of
    the finished epochs only. ``callbacks`` run before the history, log and checkpoint.
    With a ``patience`` (it needs validation data) training stops early (``EarlyStopping``)
    and ``model`` ends with the weights of its best epoch.
    """
    first_epoch = checkpoints.restore(model)
    keep_history_before(history, first_epoch)
    stop_on_sigterm = StopOnSigterm(checkpoints)
    early = [] if patience is None else [EarlyStopping(checkpoints.writes_to / "best", patience)]
    for stopping in early:
        stopping.replay(history)
    callbacks = [
        *callbacks,
        *early,
        keras.callbacks.CSVLogger(str(history), append=True),  # before the checkpoint: a rerun trims a redone row
        EpochProgress(epochs),
        checkpoints,
        stop_on_sigterm,
    ]
    if first_epoch < epochs and not any(stopping.exhausted for stopping in early):
        with stop_on_sigterm.installed():
            model.fit(
                batches(first_epoch),
                initial_epoch=first_epoch,
                epochs=epochs,
                callbacks=callbacks,
                verbose=0,
                **fit_args,
            )
    for stopping in early:
        stopping.restore_best(model)
