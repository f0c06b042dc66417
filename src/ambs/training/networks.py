"""Train a video-prediction model from TFRecord sequences, resumable after interruption, bit for bit.

The order of every epoch's batches depends on the seed and the epoch number alone, so a
rerun that resumes from a checkpoint (``ambs.training.fitting.fit_resuming``) sees exactly the
batches an uninterrupted run sees. The finished model and the CSV history are written
atomically; TensorBoard logs sit beside them. Training runs under ``distribution_scope()``:
all GPUs of the node when there are several, else one device (the CPU when there is none), and
all workers of the group when the launcher started several (``ambs.training.workers``): the
global batch ``batch_size`` is split between them, and only worker 0 writes the results.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from ambs.atomic import atomic_path
from ambs.models.registry import build_model
from ambs.sequences.meta import SplitMeta
from ambs.sequences.tfrecords import make_dataset
from ambs.training.checkpoints import EpochCheckpoints, fingerprint
from ambs.training.devices import distribution_scope
from ambs.training.fitting import fit_resuming
from ambs.training.workers import from_environment, remove_scratch, shard_by_data

FINAL_RATE = 0.1  # the learning rate of the last epoch, as a fraction of the first
EPOCH_SEEDS = 100_003  # shuffle seed of epoch e: seed * EPOCH_SEEDS + e, distinct for every (seed, epoch) in use


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


def adam_with_cosine_decay(hyper: dict[str, Any], steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """Adam whose step size falls along a cosine from ``learning_rate`` to ``FINAL_RATE`` of it over ``epochs``.

    Large steps early, small ones where early stopping picks the best epoch. The schedule is a
    function of the optimizer's step count, which the checkpoints hold: a resumed run continues it.
    """
    schedule = keras.optimizers.schedules.CosineDecay(
        hyper["learning_rate"], decay_steps=hyper["epochs"] * steps_per_epoch, alpha=FINAL_RATE
    )
    return keras.optimizers.Adam(schedule)


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
    workers = from_environment()
    scratch = work_dir / f"worker-{workers.index}"  # what a worker other than the chief must write
    keras.utils.set_random_seed(seed)
    meta = SplitMeta.read(train_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    history = workers.own(work_dir / "history.csv", scratch)
    checkpoints = EpochCheckpoints(
        work_dir / "backup",
        fingerprint(model_name, hyper, seed, [train_dir, val_dir]),
        writes_to=workers.own(work_dir / "backup", scratch),
    )
    with distribution_scope(workers=workers):
        model = build_model(model_name, meta, hyper)
        steps_per_epoch = math.ceil(meta.count / hyper["batch_size"])
        model.compile(optimizer=adam_with_cosine_decay(hyper, steps_per_epoch), loss="mse", metrics=["mae"])
        print(f"training {model_name}: {meta.count} training windows of shape {meta.shape}", flush=True)
        fit_resuming(
            model,
            lambda first_epoch: shard_by_data(
                epoch_batches(train_dir, hyper["batch_size"], seed, first_epoch, hyper["epochs"])
            ),
            hyper["epochs"],
            checkpoints,
            history,
            [keras.callbacks.TensorBoard(str(workers.own(work_dir / "tensorboard", scratch)), write_graph=False)],
            patience=hyper["patience"],
            steps_per_epoch=steps_per_epoch,
            validation_data=shard_by_data(make_dataset(val_dir, hyper["batch_size"])),
        )
        with atomic_path(workers.own(model_path, scratch)) as tmp:
            model.save(tmp)
    with atomic_path(workers.own(history_path, scratch)) as tmp:
        tmp.write_bytes(history.read_bytes())
    checkpoints.clear()
    remove_scratch(workers, scratch)
