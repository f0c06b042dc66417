"""Forecasts over any number of lead hours, also beyond the horizon a model was trained for.

Scoring past the training horizon shows how a model's error grows when it runs
free. A network that predicts a fixed number of hours runs autoregressively:
its forecast of the target joins the context and it predicts again from the
latest ``context`` hours. The other input variables have no forecast, so they
keep their last observed values (as MCNet does inside its own unrolling). The
PDE model needs no feedback: its latent ODE is integrated as far as asked. The
members of a stochastic model are rolled out independently, each drawing fresh
latents for every chunk.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import keras
import numpy as np

from ambs.models.pde import PDEDisentangled

# normalised context (batch, context, lat, lon, channel) -> target forecast (batch, hours, lat, lon)
Predict = Callable[[np.ndarray], np.ndarray]


def autoregressive(predict: Predict, context: np.ndarray, steps: int, target_index: int) -> np.ndarray:
    """The target's forecast (batch, steps, lat, lon), calling ``predict`` on its own output until ``steps`` are covered."""
    length = context.shape[1]
    window, chunks, covered = context, [], 0
    while covered < steps:
        chunk = np.asarray(predict(window))
        chunks.append(chunk)
        covered += chunk.shape[1]
        if covered < steps:
            fed = np.repeat(window[:, -1:], chunk.shape[1], axis=1)  # every variable at its last value ...
            fed[..., target_index] = chunk  # ... but the target as forecast
            window = np.concatenate([window, fed], axis=1)[:, -length:]
    return np.concatenate(chunks, axis=1)[:, :steps]


def integrate(model: PDEDisentangled, context: np.ndarray, steps: int, batch_size: int) -> np.ndarray:
    """The PDE model's forecast (batch, steps, lat, lon): its ODE integrated for ``steps`` hours past the context."""
    batches = [context[i : i + batch_size] for i in range(0, len(context), batch_size)]
    return np.concatenate([keras.ops.convert_to_numpy(model.extrapolate(b, steps))[..., 0] for b in batches])


def predict_horizon(
    model: keras.Model,
    context: np.ndarray,
    steps: int,
    target_index: int,
    batch_size: int = 32,
    ensemble_size: int | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Normalised target forecasts (batch, steps, lat, lon) and, for a stochastic model, its members.

    ``ensemble_size`` members are drawn with the ``sample`` method of a stochastic model (see
    ``ambs.catalogue.Model.stochastic``), None asks a deterministic model for its one forecast.
    Members are (ensemble_size, batch, steps, lat, lon); a stochastic model's forecast is their
    mean. Within the trained horizon the members are exactly those of
    ``model.sample(context, ensemble_size, seed)``.
    """
    if isinstance(model, PDEDisentangled):
        return integrate(model, context, steps, batch_size), None
    if ensemble_size is None:
        forecast = autoregressive(
            lambda window: model.predict(window, batch_size=batch_size, verbose=0)[..., 0], context, steps, target_index
        )
        return forecast, None
    seeds = itertools.count(seed)
    # members of all windows side by side, member-major as model.sample orders them
    ensemble = np.concatenate([context] * ensemble_size)
    members = autoregressive(
        lambda window: model.sample(window, 1, next(seeds), batch_size)[0, ..., 0], ensemble, steps, target_index
    )
    members = members.reshape(ensemble_size, len(context), *members.shape[1:])
    return members.mean(axis=0), members
