"""A learned distance between windows in the spirit of LSiM (Kohl et al. 2020).

Each scale's feature map is unit-normalised over channels at every (time, lat, lon)
position, as in LPIPS and LSiM, so that no channel dominates by magnitude. The squared
distance is, per scale, the spatial mean of the channel-weighted squared differences,
summed over scales. Because the weights are non-negative (softplus of raw parameters),
this equals || v(a) - v(b) ||_2 with v(x) = W^(1/2) phi(x) the concatenated, weighted,
normalised features: a Euclidean distance of feature vectors, hence a pseudo-metric by
construction (d >= 0, symmetric, triangle inequality, d(a, a) = 0) whatever the weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np
from keras import ops
from scipy.spatial.distance import cdist

from ambs.similarity.encoder import feature_keys, map_batches

UNIT_WEIGHT = math.log(math.e - 1.0)  # softplus(UNIT_WEIGHT) = 1: all channels start equally weighted
NORM_EPSILON = 1e-6  # a position with all-zero (ReLU) features stays zero instead of dividing by zero


def require_pairs(a: np.ndarray, b: np.ndarray) -> None:
    """Paired distances compare a[i] with b[i]: the batches must be equally long."""
    if len(a) != len(b):
        raise ValueError(f"distance needs equally long batches, got {len(a)} and {len(b)}")


def paired_distances(vectors: Callable[[np.ndarray], np.ndarray], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|| v(a[i]) - v(b[i]) ||_2 for two equally long batches, both through ``vectors`` in one call."""
    require_pairs(a, b)
    v = vectors(np.concatenate([a, b]))
    return np.linalg.norm(v[: len(a)] - v[len(a) :], axis=-1)


@keras.saving.register_keras_serializable(package="ambs")
class LearnedDistance(keras.Model):
    """d(a, b) = || v(a) - v(b) ||_2 over an encoder's multi-scale features; call((a, b)) gives d per pair."""

    def __init__(self, encoder: keras.Model, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.encoder = encoder
        self.keys = feature_keys(encoder)
        self.raw_weights = [
            self.add_weight(
                shape=(encoder.output[k].shape[-1],),
                initializer=keras.initializers.Constant(UNIT_WEIGHT),
                name=f"{k}_weight",
            )
            for k in self.keys
        ]
        self.built = True  # every weight exists now (the encoder is a built functional model)

    def channel_weights(self) -> list[Any]:
        """The non-negative per-channel weight of each scale, finest first."""
        return [ops.softplus(raw) for raw in self.raw_weights]

    def vectors(self, windows: Any) -> Any:
        """v(x): (batch, features), whose Euclidean distances are the learned distances."""
        return self.vectors_of(self.encoder(windows))

    def vectors_of(self, features: dict[str, Any]) -> Any:
        """v(x) from the encoder's outputs on x, so that training can reuse one forward pass."""
        parts = []
        for key, weight in zip(self.keys, self.channel_weights(), strict=True):
            unit = ops.normalize(features[key], axis=-1, epsilon=NORM_EPSILON)
            positions = math.prod(unit.shape[1:-1])
            weighted = unit * ops.sqrt(weight / positions)
            parts.append(ops.reshape(weighted, (ops.shape(weighted)[0], -1)))
        return ops.concatenate(parts, axis=-1)

    def call(self, pair: tuple[Any, Any]) -> Any:
        a, b = pair
        return ops.sqrt(ops.sum(ops.square(self.vectors(a) - self.vectors(b)), axis=-1))

    def numpy_vectors(self, windows: np.ndarray, batch_size: int = 32) -> np.ndarray:
        """v(x) as float64 numpy, in chunks to bound memory, for exact numpy distances."""
        return map_batches(self.vectors, windows, batch_size)

    def distance(self, a: np.ndarray, b: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """d(a[i], b[i]) for two equally long batches of windows, float64.

        Through Keras' compiled predict loop over ``call``: half the time of eager batches of
        feature vectors, and only the distances, not the vectors, are ever held in memory.
        """
        require_pairs(a, b)
        return self.predict((a, b), batch_size=batch_size, verbose=0).astype(np.float64)

    def pairwise(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """(len(a), len(b)) matrix of d(a[i], b[j]), by exact differences (not the expanded square)."""
        return cdist(self.numpy_vectors(a), self.numpy_vectors(b))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "encoder": keras.saving.serialize_keras_object(self.encoder)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearnedDistance:
        return cls(encoder=keras.saving.deserialize_keras_object(config.pop("encoder")), **config)


def load_distance(path: Path) -> LearnedDistance:
    """A LearnedDistance saved by the train_similarity rule; the error names the file if it holds something else."""
    model = keras.models.load_model(path)
    if not isinstance(model, LearnedDistance):
        raise ValueError(f"{path}: expected a saved LearnedDistance, found {type(model).__name__}")
    return model
