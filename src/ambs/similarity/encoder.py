"""Siamese encoder: one shared network maps a window to multi-scale feature maps and an embedding.

A window is (time, lat, lon, channels). Each scale is a (2+1)-D block: a spatial 1x3x3
convolution followed by a temporal 3x1x1 one, which costs far less than a full 3x3x3
kernel on two CPU cores and still mixes space and time. Scales after the first halve
time, lat and lon, so the LSiM distance sees fine and coarse structure. The embedding
is the globally pooled coarsest map, projected and L2-normalised, so that dot products
are cosine similarities for the contrastive loss and for analog retrieval.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np
from keras import ops

EMBEDDING = "embedding"


def scale_name(index: int) -> str:
    """Output key of the feature map at one scale (0 = full resolution)."""
    return f"scale{index}"


def _block(x: keras.KerasTensor, filters: int, stride: int, name: str) -> keras.KerasTensor:
    spatial = keras.layers.Conv3D(
        filters, (1, 3, 3), strides=(1, stride, stride), padding="same", activation="relu", name=f"{name}_space"
    )(x)
    return keras.layers.Conv3D(
        filters, (3, 1, 1), strides=(stride, 1, 1), padding="same", activation="relu", name=f"{name}_time"
    )(spatial)


def build_encoder(
    window_shape: tuple[int, int, int, int],
    filters: tuple[int, ...] = (8, 16, 32),
    embedding_dim: int = 64,
) -> keras.Model:
    """A model mapping (batch, time, lat, lon, channels) to {"scale<i>": maps, "embedding": unit vectors}."""
    inputs = keras.Input(shape=window_shape, name="window")
    outputs = {}
    x = inputs
    for i, f in enumerate(filters):
        x = _block(x, f, stride=1 if i == 0 else 2, name=scale_name(i))
        outputs[scale_name(i)] = x
    pooled = keras.layers.GlobalAveragePooling3D(name="pool")(x)
    projected = keras.layers.Dense(embedding_dim, name="projection")(pooled)
    outputs[EMBEDDING] = keras.layers.UnitNormalization(name=EMBEDDING)(projected)
    return keras.Model(inputs, outputs, name="similarity_encoder")


def feature_keys(encoder: keras.Model) -> list[str]:
    """The encoder's feature-map outputs, finest first."""
    return sorted((k for k in encoder.output if k != EMBEDDING), key=lambda k: int(k.removeprefix("scale")))


def map_batches(fn: Callable[[np.ndarray], Any], windows: np.ndarray, batch_size: int = 32) -> np.ndarray:
    """fn applied to consecutive chunks of windows, as one float64 numpy array; chunks bound the memory."""
    chunks = [ops.convert_to_numpy(fn(windows[i : i + batch_size])) for i in range(0, len(windows), batch_size)]
    return np.concatenate(chunks).astype(np.float64)


def embed(encoder: keras.Model, windows: np.ndarray, batch_size: int = 32) -> np.ndarray:
    """Unit embeddings (n, dim) of n windows, for retrieval and analog search."""
    return map_batches(lambda x: encoder(x)[EMBEDDING], windows, batch_size)
