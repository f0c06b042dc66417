"""The training state after every finished epoch, written atomically and found again by a rerun.

A checkpoint is a directory ``epoch-NNNN`` (NNNN finished epochs) holding the weights with the
optimizer state (``state.weights.h5``), the states of the model's random generators, which
``save_weights`` leaves out (``random.npz``: SAVP's noise must continue, not restart), and the
fingerprint of the run that wrote it (``run.json``). It is written under a temporary name and renamed, so a kill at any
moment leaves the previous checkpoint or the new one, never a broken one. A rerun resumes only
from a checkpoint with its own fingerprint: changed hyperparameters or data start afresh.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import keras
import numpy as np

from ambs.atomic import atomic_path

STATE = "state.weights.h5"
RANDOM = "random.npz"
FINGERPRINT = "run.json"
NAME = re.compile(r"epoch-(\d{4,})")


def fingerprint(model: str, hyper: dict[str, Any], seed: int, data_dirs: list[Path]) -> dict[str, Any]:
    """What must not change for a checkpoint to be resumed: model, hyperparameters, seed and the data files."""
    data = hashlib.sha256()
    for directory in data_dirs:
        for path in sorted(Path(directory).iterdir()):
            stat = path.stat()
            data.update(f"{path.name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
        data.update((Path(directory) / "meta.json").read_bytes())
    return {"model": model, "hyper": hyper, "seed": seed, "data": data.hexdigest()}


def random_states(model: keras.Model) -> list[keras.Variable]:
    """The states of the ``keras.random.SeedGenerator``s in ``model``, in a fixed order."""
    return [v for v in model.variables if v.path.endswith("seed_generator_state")]


def checkpoints_in(directory: Path) -> list[tuple[int, Path]]:
    """The checkpoints in ``directory``, oldest first, with their finished epochs."""
    if not directory.is_dir():
        return []
    found = [(NAME.fullmatch(p.name), p) for p in directory.iterdir()]
    return sorted((int(match.group(1)), p) for match, p in found if match)


class EpochCheckpoints(keras.callbacks.Callback):
    """Writes a checkpoint at the end of every epoch and keeps only the newest; ``restore`` loads it.

    Every worker of a group restores from ``directory``; a worker other than the chief writes its own
    checkpoints (which the strategy makes it write too) to ``writes_to``, so that only the chief's are resumed.
    """

    def __init__(self, directory: Path, run: dict[str, Any], writes_to: Path | None = None) -> None:
        super().__init__()
        self.directory = Path(directory)
        self.writes_to = self.directory if writes_to is None else Path(writes_to)
        self.run = json.loads(json.dumps(run))  # as it reads back from run.json (tuples become lists)

    def restore(self, model: keras.Model, log: Any = print) -> int:
        """Load the newest checkpoint of this run into the compiled ``model``; the finished epochs (0: none)."""
        found = checkpoints_in(self.directory)
        if not found:
            self.clear()
            return 0
        epochs, path = found[-1]
        if json.loads((path / FINGERPRINT).read_text()) != self.run:
            log(f"checkpoints in {self.directory} are from another configuration or data; starting afresh")
            self.clear()
            return 0
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        model.load_weights(path / STATE)
        with np.load(path / RANDOM) as states:
            for i, state in enumerate(random_states(model)):
                state.assign(states[f"arr_{i}"])
        log(f"resuming after epoch {epochs} from {path}")
        return epochs

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        older = checkpoints_in(self.writes_to)
        with atomic_path(self.writes_to / f"epoch-{epoch + 1:04d}") as tmp:
            tmp.mkdir()
            self.model.save_weights(tmp / STATE)
            np.savez(tmp / RANDOM, *[state.numpy() for state in random_states(self.model)])
            (tmp / FINGERPRINT).write_text(json.dumps(self.run, indent=1))
        for _, path in older:
            shutil.rmtree(path)

    def clear(self) -> None:
        """Remove every checkpoint this worker wrote (and leftovers of interrupted writes): the next run starts afresh."""
        shutil.rmtree(self.writes_to, ignore_errors=True)
