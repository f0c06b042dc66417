"""Which models exist, which need training, how to build a trainable one, and how to sample a stochastic one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np

from ambs.models.convlstm import build_convlstm
from ambs.models.mcnet import MCNet
from ambs.models.savp import SAVP
from ambs.sequences import SplitMeta

def build_model(model: str, meta: SplitMeta, hyper: dict[str, Any]) -> keras.Model:
    """Build an untrained Keras model for the data shape described by ``meta``, with its weights created.

    Subclassed models create weights on their first call; BackupAndRestore needs them before ``fit``.
    """
    context_shape = (meta.context, *meta.shape[1:])
    common = (context_shape, meta.forecast, meta.target_index, hyper["filters"], hyper["kernel_size"])
    if model == "convlstm":
        built = build_convlstm(*common)
    elif model == "savp":
        built = SAVP(*common, hyper["latent_channels"], hyper["kl_weight"], hyper["adversarial_weight"])
    elif model == "mcnet":
        built = MCNet(*common, hyper["gdl_weight"])
    else:
        raise ValueError(f"model '{model}' is not a trainable model")
    built(np.zeros((1, *context_shape), dtype="float32"))
    return built


def load_model(path: Path) -> keras.Model:
    """Load a saved model; importing this module registers every custom layer and model class first."""
    return keras.models.load_model(path)


def draw_samples(model: keras.Model, x: np.ndarray, n: int, seed: int, batch_size: int = 32) -> np.ndarray | None:
    """An ensemble of ``n`` forecasts, (n, batch, forecast, lat, lon, 1), or None for a deterministic model."""
    return model.sample(x, n, seed, batch_size) if isinstance(model, SAVP) else None
