"""How to build each network of ``ambs.catalogue.MODELS`` untrained, and how to load any saved model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np

from ambs.models.analog import AnalogForecaster  # noqa: F401  registers the built analog model for load_model
from ambs.models.convlstm import build_convlstm
from ambs.models.mcnet import MCNet
from ambs.models.pde import build_pde
from ambs.models.savp import SAVP
from ambs.sequences.meta import SplitMeta

# One entry per network of ambs.catalogue.MODELS.
# (context_shape, forecast_steps, target_index, forcing_channels): the shape of the data every builder takes first
DataShape = tuple[tuple[int, int, int, int], int, int, int]
# the data shape and a model's hyperparameters -> the untrained model
BUILDERS: dict[str, Callable[[DataShape, dict[str, Any]], keras.Model]] = {
    "convlstm": lambda data, h: build_convlstm(*data, h["filters"], h["kernel_size"]),
    "savp": lambda data, h: SAVP(
        *data, h["filters"], h["kernel_size"], h["latent_channels"], h["kl_weight"], h["adversarial_weight"]
    ),
    "mcnet": lambda data, h: MCNet(*data, h["filters"], h["kernel_size"], h["gdl_weight"]),
    "pde": lambda data, h: build_pde(
        *data, h["content_channels"], h["dynamic_channels"], h["filters"], h["invariance_weight"], h["dynamic_weight"]
    ),
}


def build_model(model: str, meta: SplitMeta, hyper: dict[str, Any]) -> keras.Model:
    """Build an untrained Keras model for the data shape described by ``meta``, with its weights created.

    Every network takes [context of every channel, forcings of the forecast hours] (``meta.forcings``, perhaps none).
    Subclassed models create weights on their first call; restoring a checkpoint needs them before ``fit``.
    """
    if model not in BUILDERS:
        raise ValueError(f"model '{model}' is not a trainable model; trainable: {', '.join(BUILDERS)}")
    context_shape = (meta.context, *meta.shape[1:])
    forcings_shape = (meta.forecast, *meta.shape[1:3], len(meta.forcings))
    built = BUILDERS[model]((context_shape, meta.forecast, meta.target_index, len(meta.forcings)), hyper)
    built([np.zeros((1, *context_shape), dtype="float32"), np.zeros((1, *forcings_shape), dtype="float32")])
    return built


def load_model(path: Path) -> keras.Model:
    """Load a saved model; importing this module registers every custom layer and model class first."""
    return keras.models.load_model(path)
