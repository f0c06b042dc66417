"""Self-supervised training of one similarity view, resumable like the forecasters' training.

The encoder and the learned distance's weights are fitted together on the training
split's windows (see ``ambs.similarity.sce``) with Keras ``fit`` through
``ambs.training.fitting.fit_resuming``: a rerun continues from the last finished epoch only when
view, hyperparameters, seed and data are unchanged (``ambs.training.checkpoints``), SIGTERM
stops between batches, every epoch is one line of the log and one row of the CSV
history, and the finished LearnedDistance (encoder included) is written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import pandas as pd

from ambs.atomic import atomic_path
from ambs.sequences.tfrecords import read_split
from ambs.similarity.encoder import build_encoder
from ambs.similarity.lsim import LearnedDistance
from ambs.similarity.sce import SiameseTrainer
from ambs.similarity.views import ContrastiveViews, EpochSetter
from ambs.similarity.windows import select_view
from ambs.training.checkpoints import EpochCheckpoints, fingerprint
from ambs.training.devices import distribution_scope
from ambs.training.fitting import fit_resuming


def train_similarity(
    view: str,
    hyper: dict[str, Any],
    train_dir: Path,
    distance_path: Path,
    history_path: Path,
    work_dir: Path,
    seed: int,
) -> LearnedDistance:
    """Fit the ``view`` encoder and distance weights; save the LearnedDistance (.keras) and its loss history (CSV)."""
    keras.utils.set_random_seed(seed)
    meta, windows = read_split(train_dir)
    windows = select_view(meta, windows, view)
    if len(windows) < hyper["batch_size"]:
        raise ValueError(
            f"config key 'hyperparameters.similarity.batch_size': {hyper['batch_size']} is more than the "
            f"{len(windows)} training windows in {train_dir}"
        )
    views = ContrastiveViews(windows, meta.init_datetimes, hyper["batch_size"], seed, hyper["neighbour_hours"])
    work_dir.mkdir(parents=True, exist_ok=True)
    history = work_dir / "history.csv"
    checkpoints = EpochCheckpoints(work_dir / "backup", fingerprint(f"similarity-{view}", hyper, seed, [train_dir]))
    with distribution_scope():
        distance = LearnedDistance(build_encoder(windows.shape[1:], tuple(hyper["filters"]), hyper["embedding_dim"]))
        trainer = SiameseTrainer(distance, hyper["tau"], hyper["tau_target"], hyper["lam"])
        trainer.compile(optimizer=keras.optimizers.Adam(hyper["learning_rate"]))
        print(
            f"training the {view} similarity encoder on {len(windows)} windows of shape {windows.shape[1:]}", flush=True
        )
        fit_resuming(
            trainer, lambda _: views, hyper["epochs"], checkpoints, history, [EpochSetter(views)], shuffle=False
        )
        with atomic_path(distance_path) as tmp:
            distance.save(tmp)
    table = pd.read_csv(history).dropna(axis=1, how="all")  # CSVLogger's empty val_ columns
    with atomic_path(history_path) as tmp:
        table.to_csv(tmp, index=False)
    checkpoints.clear()
    return distance
