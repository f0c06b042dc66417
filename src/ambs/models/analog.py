"""Analog forecasting: the future of today's weather is what followed the most similar past states.

The archive is the training split: each window's context (all variables) is embedded
by the context-view similarity encoder, and its change is the window's forecast hours
of the target minus its own last context hour of the target. A query's k nearest
archive states in embedding space (largest cosine similarity, which for unit
embeddings is the smallest Euclidean distance) are its analogs, and its forecast is
anchored on the present: the query's last observed target hour plus the mean change of
its analogs. Averaging the analogs' successors themselves forgets the present: k past
states are never as close to today as today is, and on the default data that forecast
was worse than climatology at every lead, lead 1 included. The anchored forecast starts
from the observed field (at lead 1 persistence plus the analogs' mean one-hour change)
and drifts by what followed similar situations, their mean change growing with lead.

``AnalogForecaster`` bundles encoder, archive embeddings and changes in one Keras
model with the interface of the trained forecasters (normalised context and the
forecast hours' forcings in, target forecast with a channel axis out), so that the
evaluate rule loads and scores it like them, rolling it out autoregressively past its
horizon; retrieval runs in ``keras.ops`` on any backend. The forecast hours' forcings
are ignored: an analog's change is what followed it, whatever the hours ahead bring
(the context's forcing channels are part of what the encoder compares).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
from keras import ops

from ambs.atomic import atomic_path
from ambs.sequences.meta import context_part, future_target
from ambs.sequences.tfrecords import read_split
from ambs.similarity.encoder import EMBEDDING, embed
from ambs.similarity.lsim import load_distance


@keras.saving.register_keras_serializable(package="ambs")
class AnalogForecaster(keras.Model):
    """[(batch, context, lat, lon, channels), forcings (ignored)] -> (batch, forecast, lat, lon, 1): last target hour
    + mean analog change."""

    def __init__(
        self,
        encoder: keras.Model,
        archive_size: int,
        future_shape: tuple[int, ...],
        k: int,
        target_index: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not 0 < k <= archive_size:
            raise ValueError(f"k must be in 1..{archive_size}, the archive size, got {k}")
        self.encoder = encoder
        self.archive_size = archive_size
        self.future_shape = tuple(future_shape)
        self.k = k
        self.target_index = target_index
        dim = encoder.output[EMBEDDING].shape[-1]
        self.archive_embeddings = self.add_weight(
            shape=(archive_size, dim), initializer="zeros", trainable=False, name="archive_embeddings"
        )
        self.archive_change = self.add_weight(
            shape=(archive_size, *self.future_shape), initializer="zeros", trainable=False, name="archive_change"
        )
        self.built = True

    @classmethod
    def from_archive(
        cls, encoder: keras.Model, archive_context: np.ndarray, archive_future: np.ndarray, k: int, target_index: int
    ) -> AnalogForecaster:
        """An analog model whose archive is ``archive_context`` (embedded here) with successors ``archive_future``.

        The successors (n, forecast, lat, lon) are the target; ``target_index`` is its
        channel in the contexts, whose last hour each change is taken from.
        """
        if len(archive_context) != len(archive_future):
            raise ValueError(f"{len(archive_context)} archive contexts but {len(archive_future)} successors")
        model = cls(encoder, len(archive_context), archive_future.shape[1:], k, target_index)
        model.archive_embeddings.assign(embed(encoder, archive_context).astype("float32"))
        last = np.asarray(archive_context)[:, -1:, :, :, target_index]
        model.archive_change.assign(np.asarray(archive_future - last, "float32"))
        return model

    @property
    def forecast_steps(self) -> int:
        """The hours one call forecasts: those of the archive's successors."""
        return int(self.future_shape[0])

    def call(self, inputs: Any) -> Any:
        context, _ = inputs
        similarity = ops.matmul(self.encoder(context)[EMBEDDING], ops.transpose(self.archive_embeddings))
        _, index = ops.top_k(similarity, self.k)
        change = ops.mean(ops.take(self.archive_change, index, axis=0), axis=1)
        return (context[:, -1:, :, :, self.target_index] + change)[..., None]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "archive_size": self.archive_size,
            "future_shape": list(self.future_shape),
            "k": self.k,
            "target_index": self.target_index,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> AnalogForecaster:
        return cls(encoder=keras.saving.deserialize_keras_object(config.pop("encoder")), **config)


def analog_forecast(
    encoder: keras.Model,
    archive_context: np.ndarray,
    archive_future: np.ndarray,
    query_context: np.ndarray,
    k: int,
    target_index: int,
) -> np.ndarray:
    """Each query's last target hour plus the mean change of its k nearest archive contexts: (n, forecast, lat, lon)."""
    model = AnalogForecaster.from_archive(encoder, archive_context, archive_future, k, target_index)
    ignored = np.zeros((len(query_context), *archive_future.shape[1:], 0), "float32")  # no forcings: none are read
    return np.asarray(model.predict([query_context, ignored], verbose=0))[..., 0]


def build_analog(distance_path: Path, train_dir: Path, k: int, out_path: Path) -> AnalogForecaster:
    """The analog model over the training archive with the context-view encoder of ``distance_path``, saved atomically."""
    meta, windows = read_split(train_dir)
    if not 0 < k <= meta.count:
        raise ValueError(
            f"config key 'hyperparameters.analog.k': {k} is not in 1..{meta.count}, the windows in {train_dir}"
        )
    encoder = load_distance(distance_path).encoder
    model = AnalogForecaster.from_archive(
        encoder, context_part(meta, windows), future_target(meta, windows)[..., 0], k, meta.target_index
    )
    with atomic_path(out_path) as tmp:
        model.save(tmp)
    return model
