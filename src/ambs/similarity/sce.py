"""Similarity Contrastive Estimation (SCE; Denize et al. 2023) and self-supervised training of the encoder.

InfoNCE treats every other window in the batch as equally dissimilar, but two summer
days with the same blocking high are not. SCE keeps InfoNCE's one-hot target for the
positive and mixes in a soft target: how similar the second view is to each other
window, sharpened by a low temperature. lam=1 is plain InfoNCE.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from ambs.similarity.augment import Augmentation, make_views, time_neighbours
from ambs.similarity.encoder import EMBEDDING

MASK = 1e9  # subtracted from a window's similarity to itself, so that the soft target ignores it


def sce_loss(query: Any, key: Any, tau: float = 0.1, tau_target: float = 0.05, lam: float = 0.5) -> Any:
    """Mean SCE loss of unit embeddings (batch, dim): row i of ``key`` is the positive of row i of ``query``.

    Predicted distribution: softmax_k(q_i . k_k / tau). Target: lam * onehot(i) +
    (1 - lam) * softmax_{k != i}(k_i . k_k / tau_target), held fixed (no gradient) as
    SCE's momentum-encoder target is. Needs a batch of at least two.
    """
    eye = ops.eye(ops.shape(query)[0], dtype=query.dtype)
    log_predicted = ops.log_softmax(ops.matmul(query, ops.transpose(key)) / tau, axis=-1)
    relations = ops.stop_gradient(ops.matmul(key, ops.transpose(key))) / tau_target
    target = lam * eye + (1.0 - lam) * ops.softmax(relations - MASK * eye, axis=-1)
    return -ops.mean(ops.sum(target * log_predicted, axis=-1))


@keras.saving.register_keras_serializable(package="ambs")
class SiameseTrainer(keras.Model):
    """Trains a shared encoder on {"first", "second"} view batches with the symmetric SCE loss.

    Both views go through the encoder as one batch; the rest of the batch gives the
    negatives. Only ``compute_loss`` is overridden, so Keras' own train step runs
    unchanged under the TensorFlow and JAX backends.
    """

    def __init__(
        self, encoder: keras.Model, tau: float = 0.1, tau_target: float = 0.05, lam: float = 0.5, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.encoder = encoder
        self.tau = tau
        self.tau_target = tau_target
        self.lam = lam

    def call(self, views: dict[str, Any], training: bool = False) -> Any:
        both = ops.concatenate([views["first"], views["second"]], axis=0)
        embeddings = self.encoder(both, training=training)[EMBEDDING]
        return ops.stack(ops.split(embeddings, 2, axis=0))

    def compute_loss(
        self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None, training: bool = True
    ) -> Any:
        first, second = y_pred[0], y_pred[1]
        return 0.5 * (
            sce_loss(first, second, self.tau, self.tau_target, self.lam)
            + sce_loss(second, first, self.tau, self.tau_target, self.lam)
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "tau": self.tau,
            "tau_target": self.tau_target,
            "lam": self.lam,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "SiameseTrainer":
        return cls(encoder=keras.saving.deserialize_keras_object(config.pop("encoder")), **config)


def train_encoder(
    trainer: SiameseTrainer,
    windows: np.ndarray,
    init_times: np.ndarray,
    rng: np.random.Generator,
    epochs: int,
    batch_size: int,
    max_neighbour_hours: int = 6,
    aug: Augmentation = Augmentation(),
) -> list[float]:
    """Train a compiled trainer on fresh views every epoch; returns the mean loss per epoch.

    The second view is an augmented time neighbour (a window starting up to
    ``max_neighbour_hours`` later, or the window itself where none exists). Incomplete
    last batches are dropped because a small batch has too few negatives.
    """
    if len(windows) < batch_size:
        raise ValueError(f"{len(windows)} windows cannot fill one batch of {batch_size}")
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(windows))
        partners = time_neighbours(init_times, max_neighbour_hours, rng)
        epoch = []
        for start in range(0, len(order) - batch_size + 1, batch_size):
            index = order[start : start + batch_size]
            first, second = make_views(windows[index], windows[partners[index]], rng, aug)
            epoch.append(float(trainer.train_on_batch({"first": first, "second": second})))
        losses.append(float(np.mean(epoch)))
    return losses
