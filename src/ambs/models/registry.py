"""Which models exist, which need training, and how to build a trainable one from its config."""

from __future__ import annotations

from typing import Any

import keras

from ambs.models.convlstm import build_convlstm
from ambs.sequences import SplitMeta

BASELINES = ("persistence",)


def is_trained(model: str) -> bool:
    return model not in BASELINES


def build_model(model: str, meta: SplitMeta, hyper: dict[str, Any]) -> keras.Model:
    """Build an untrained Keras model for the data shape described by ``meta``."""
    context_shape = (meta.context, *meta.shape[1:])
    if model == "convlstm":
        return build_convlstm(context_shape, meta.forecast, meta.target_index, hyper["filters"], hyper["kernel_size"])
    raise ValueError(f"model '{model}' is not a trainable model")
