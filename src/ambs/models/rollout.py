"""Forecasts over any number of lead hours, also beyond the horizon a model was trained for.

Scoring past the training horizon shows how a model's error grows when it runs
free. A network that predicts a fixed number of hours runs autoregressively:
its forecast of the target joins the context and it predicts again from the
latest ``context`` hours. The forcings are known for every hour: each chunk
takes those of the hours it predicts, from the test window, which holds every
forecast hour, and the fed-back hours carry them too. The other input variables
have no forecast, so they keep their last observed values (as MCNet does inside
its own unrolling). The PDE model needs no feedback: its latent ODE is
integrated as far as asked. The members of a stochastic model are rolled out
independently, each drawing fresh latents for every chunk.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import keras
import numpy as np

from ambs.models.pde import PDEDisentangled

# normalised context (batch, context, lat, lon, channel) and the forcings of the hours it forecasts
# (batch, hours, lat, lon, forcing) -> target forecast (batch, hours, lat, lon)
Predict = Callable[[np.ndarray, np.ndarray], np.ndarray]


def trained_hours(model: keras.Model) -> int:
    """The hours one call of ``model`` forecasts: subclassed models keep them, a functional one has them in its output."""
    return int(model.forecast_steps if hasattr(model, "forecast_steps") else model.output_shape[1])


def autoregressive(
    predict: Predict, context: np.ndarray, forcings: np.ndarray, horizon: int, target_index: int
) -> np.ndarray:
    """The target's forecast over the hours of ``forcings`` (batch, steps, lat, lon), calling ``predict`` (which
    forecasts ``horizon`` hours) on its own output until they are covered.

    The context's last ``forcings.shape[-1]`` channels are its forcings. The last chunk may reach past the given
    hours: it takes the last hour's forcings there, and what it forecasts there is dropped.
    """
    length, steps = context.shape[1], forcings.shape[1]
    variables = context.shape[-1] - forcings.shape[-1]
    ahead = np.pad(forcings, ((0, 0), (0, -steps % horizon), (0, 0), (0, 0), (0, 0)), mode="edge")
    window, chunks = context, []
    for start in range(0, steps, horizon):
        hours = ahead[:, start : start + horizon]
        chunk = np.asarray(predict(window, hours))
        chunks.append(chunk)
        if start + horizon < steps:
            fed = np.repeat(window[:, -1:], horizon, axis=1)  # every variable at its last value ...
            fed[..., target_index] = chunk  # ... but the target as forecast
            fed[..., variables:] = hours  # ... and the forcings of its hours
            window = np.concatenate([window, fed], axis=1)[:, -length:]
    return np.concatenate(chunks, axis=1)[:, :steps]


def integrate(model: PDEDisentangled, context: np.ndarray, forcings: np.ndarray, batch_size: int) -> np.ndarray:
    """The PDE model's forecast (batch, steps, lat, lon): its ODE integrated over the hours of ``forcings``."""
    batches = [
        model.extrapolate([context[i : i + batch_size], forcings[i : i + batch_size]])
        for i in range(0, len(context), batch_size)
    ]
    return np.concatenate([keras.ops.convert_to_numpy(b)[..., 0] for b in batches])


def predict_horizon(
    model: keras.Model,
    context: np.ndarray,
    forcings: np.ndarray,
    target_index: int,
    batch_size: int = 32,
    ensemble_size: int | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Normalised target forecasts (batch, steps, lat, lon) over the hours of ``forcings`` (batch, steps, lat, lon,
    forcing) and, for a stochastic model, its members.

    ``ensemble_size`` members are drawn with the ``sample`` method of a stochastic model (see
    ``ambs.catalogue.Model.stochastic``), None asks a deterministic model for its one forecast.
    Members are (ensemble_size, batch, steps, lat, lon); a stochastic model's forecast is their
    mean. Within the trained horizon the members are exactly those of
    ``model.sample([context, forcings], ensemble_size, seed)``.
    """
    if isinstance(model, PDEDisentangled):
        return integrate(model, context, forcings, batch_size), None
    horizon = trained_hours(model)
    if ensemble_size is None:
        forecast = autoregressive(
            lambda window, hours: model.predict([window, hours], batch_size=batch_size, verbose=0)[..., 0],
            context,
            forcings,
            horizon,
            target_index,
        )
        return forecast, None
    seeds = itertools.count(seed)
    # members of all windows side by side, member-major as model.sample orders them
    members = autoregressive(
        lambda window, hours: model.sample([window, hours], 1, next(seeds), batch_size)[0, ..., 0],
        np.concatenate([context] * ensemble_size),
        np.concatenate([forcings] * ensemble_size),
        horizon,
        target_index,
    )
    members = members.reshape(ensemble_size, len(context), *members.shape[1:])
    return members.mean(axis=0), members
