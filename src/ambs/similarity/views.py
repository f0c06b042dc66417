"""Contrastive view pairs as a Keras PyDataset, so that the Siamese model trains with ``fit`` and its callbacks.

Every batch is a pure function of (seed, epoch, batch index): the epoch's order and
time-neighbour partners come from a generator seeded with (seed, epoch), the
augmentations of a batch from one seeded with (seed, epoch, batch). A run resumed
from its last checkpoint therefore sees exactly the views the uninterrupted run would
have seen. ``EpochSetter`` tells the dataset which epoch ``fit`` is in.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from ambs.similarity.augment import Augmentation, make_views, time_neighbours


class ContrastiveViews(keras.utils.PyDataset):
    """Batches ({"first", "second"},): an augmented window and its augmented time neighbour (or itself).

    A window's partner is a window starting 1..``neighbour_hours`` later, drawn anew
    every epoch; a window with none is paired with a second augmentation of itself.
    The incomplete last batch is dropped: a small batch has too few negatives.
    """

    def __init__(
        self,
        windows: np.ndarray,
        init_times: np.ndarray,
        batch_size: int,
        seed: int,
        neighbour_hours: int,
        aug: Augmentation = Augmentation(),
    ) -> None:
        super().__init__()
        if len(windows) < batch_size:
            raise ValueError(f"{len(windows)} windows cannot fill one batch of {batch_size}")
        self.windows = windows
        self.init_times = init_times
        self.batch_size = batch_size
        self.seed = seed
        self.neighbour_hours = neighbour_hours
        self.aug = aug
        self.epoch = 0
        self._plan: tuple[int, np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.windows) // self.batch_size

    def epoch_plan(self) -> tuple[np.ndarray, np.ndarray]:
        """The current epoch's order of windows and each window's partner."""
        if self._plan is None or self._plan[0] != self.epoch:
            rng = np.random.default_rng([self.seed, self.epoch])
            order = rng.permutation(len(self.windows))
            self._plan = (self.epoch, order, time_neighbours(self.init_times, self.neighbour_hours, rng))
        return self._plan[1], self._plan[2]

    def __getitem__(self, index: int) -> tuple[dict[str, np.ndarray]]:
        order, partners = self.epoch_plan()
        batch = order[index * self.batch_size : (index + 1) * self.batch_size]
        rng = np.random.default_rng([self.seed, self.epoch, index])
        first, second = make_views(self.windows[batch], self.windows[partners[batch]], rng, self.aug)
        return ({"first": first, "second": second},)


class EpochSetter(keras.callbacks.Callback):
    """Tells a ContrastiveViews the epoch ``fit`` starts, also the first one after a resume."""

    def __init__(self, views: ContrastiveViews) -> None:
        super().__init__()
        self.views = views

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.views.epoch = epoch
