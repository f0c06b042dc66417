"""Similarity Contrastive Estimation (SCE; Denize et al. 2023) and the Siamese model trained with it.

InfoNCE treats every other window in the batch as equally dissimilar, but two summer
days with the same blocking high are not. SCE keeps InfoNCE's one-hot target for the
positive and mixes in a soft target: how similar the second view is to each other
window, sharpened by a low temperature. lam=1 is plain InfoNCE.

The learned distance's channel weights are fitted in the same step by their own
contrastive loss (``distance_nce_loss``) on the encoder's features with the gradient
stopped, so the encoder is shaped by SCE alone and the weights by how well the
distance puts each window's partner nearest.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from ambs.similarity.encoder import EMBEDDING
from ambs.similarity.lsim import LearnedDistance

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


def distance_nce_loss(first: Any, second: Any) -> Any:
    """Symmetric InfoNCE of distance vectors (batch, features) with logits -d(first_i, second_j)^2.

    No temperature: the learned weights set the scale of d themselves. Minimising it
    makes row i of ``second`` the nearest of row i of ``first`` and vice versa.
    """
    squared = (
        ops.sum(ops.square(first), axis=-1)[:, None]
        + ops.sum(ops.square(second), axis=-1)[None, :]
        - 2.0 * ops.matmul(first, ops.transpose(second))
    )
    eye = ops.eye(ops.shape(first)[0], dtype=first.dtype)
    rows = ops.sum(eye * ops.log_softmax(-squared, axis=1), axis=1)
    columns = ops.sum(eye * ops.log_softmax(-squared, axis=0), axis=0)
    return -0.5 * (ops.mean(rows) + ops.mean(columns))


class SiameseTrainer(keras.Model):
    """Trains a LearnedDistance on {"first", "second"} view batches: its encoder by SCE, its weights by NCE.

    Both views go through the shared encoder as one batch; the rest of the batch gives
    the negatives. Only ``compute_loss`` is overridden, so Keras' own train step runs
    unchanged under the TensorFlow and JAX backends. Only the weights are checkpointed
    during training; the finished ``distance`` is what gets saved.
    """

    def __init__(
        self, distance: LearnedDistance, tau: float = 0.1, tau_target: float = 0.05, lam: float = 0.5, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.distance = distance
        self.tau = tau
        self.tau_target = tau_target
        self.lam = lam
        self.built = True  # all weights live in ``distance``, which exists already

    def call(self, views: dict[str, Any], training: bool = False) -> dict[str, Any]:
        both = ops.concatenate([views["first"], views["second"]], axis=0)
        features = self.distance.encoder(both, training=training)
        vectors = self.distance.vectors_of({k: ops.stop_gradient(v) for k, v in features.items()})
        return {EMBEDDING: ops.stack(ops.split(features[EMBEDDING], 2)), "vectors": ops.stack(ops.split(vectors, 2))}

    def compute_loss(
        self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None, training: bool = True
    ) -> Any:
        first, second = y_pred[EMBEDDING][0], y_pred[EMBEDDING][1]
        sce = 0.5 * (
            sce_loss(first, second, self.tau, self.tau_target, self.lam)
            + sce_loss(second, first, self.tau, self.tau_target, self.lam)
        )
        return sce + distance_nce_loss(y_pred["vectors"][0], y_pred["vectors"][1])
