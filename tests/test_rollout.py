"""Forecasts beyond the trained horizon: autoregressive feedback with the forcings of the hours ahead, the PDE model's
longer ODE, stochastic members."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from helpers import no_forcings

from ambs.models.convlstm import build_convlstm
from ambs.models.pde import build_pde
from ambs.models.rollout import autoregressive, predict_horizon
from ambs.models.savp import SAVP

CONTEXT = (4, 6, 5, 2)  # (hours, lat, lon, channels); the target is channel 1
FORECAST = 3
STEPS = 8  # hours rolled out


def _ramp(batch: int = 2) -> np.ndarray:
    """Target channel = hour index, channel 0 = 100 + hour: easy to trace through the feedback."""
    hours = np.arange(CONTEXT[0], dtype=np.float32)[None, :, None, None]
    x = np.empty((batch, *CONTEXT), np.float32)
    x[..., 1] = hours
    x[..., 0] = 100 + hours
    return x


def test_feedback_continues_a_linear_trend_and_holds_the_other_variables() -> None:
    windows = []

    def extrapolate(window: np.ndarray, hours: np.ndarray) -> np.ndarray:  # +1 per hour from the last target value
        windows.append(window)
        return window[:, -1:, :, :, 1] + np.arange(1, FORECAST + 1)[None, :, None, None]

    forecast = autoregressive(extrapolate, _ramp(), no_forcings(_ramp(), STEPS), FORECAST, target_index=1)
    assert forecast.shape == (2, STEPS, 6, 5)
    np.testing.assert_array_equal(forecast[0, :, 0, 0], np.arange(4, 12))
    assert len(windows) == 3 and all(w.shape == (2, *CONTEXT) for w in windows)
    np.testing.assert_array_equal(windows[1][0, :, 0, 0, 1], [3, 4, 5, 6])  # last observed hour, then the forecast
    np.testing.assert_array_equal(windows[1][0, :, 0, 0, 0], [103, 103, 103, 103])  # no forecast: last value held
    np.testing.assert_array_equal(windows[2][0, :, 0, 0, 1], [6, 7, 8, 9])


def test_within_the_trained_horizon_one_call_suffices() -> None:
    calls = []
    forecast = autoregressive(
        lambda w, hours: calls.append(w) or w[:, -FORECAST:, :, :, 1], _ramp(), no_forcings(_ramp(), 2), FORECAST, 1
    )
    assert len(calls) == 1
    np.testing.assert_array_equal(forecast[0, :, 0, 0], [1, 2])


def test_every_chunk_takes_the_forcings_of_the_hours_it_predicts() -> None:
    """The forcing channel (the last) of the context, then of the fed-back hours, is that hour's; the last chunk
    reaches past the given hours with the last hour's forcings."""
    context = np.concatenate([_ramp(), 200 + _ramp()[..., 1:]], axis=-1)  # forcing = 200 + hour
    forcings = 200 + np.arange(CONTEXT[0], CONTEXT[0] + STEPS, dtype=np.float32)[None, :, None, None, None]
    forcings = np.broadcast_to(forcings, (2, STEPS, *CONTEXT[1:3], 1))
    seen = []

    def extrapolate(window: np.ndarray, hours: np.ndarray) -> np.ndarray:
        seen.append((window[0, :, 0, 0, 2], hours[0, :, 0, 0, 0]))
        return window[:, -1:, :, :, 1] + np.arange(1, FORECAST + 1)[None, :, None, None]

    forecast = autoregressive(extrapolate, context, forcings, FORECAST, target_index=1)
    np.testing.assert_array_equal(forecast[0, :, 0, 0], np.arange(4, 12))
    np.testing.assert_array_equal(seen[0][1], [204, 205, 206])
    np.testing.assert_array_equal(seen[1][0], [203, 204, 205, 206])  # the fed-back hours carry their forcings
    np.testing.assert_array_equal(seen[1][1], [207, 208, 209])
    np.testing.assert_array_equal(seen[2][1], [210, 211, 211])  # past the 8 hours: the last one's


def _context(batch: int = 3) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(batch, *CONTEXT)).astype(np.float32)


def test_a_network_within_its_horizon_gives_its_own_prediction() -> None:
    keras.utils.set_random_seed(0)
    model = build_convlstm(CONTEXT, FORECAST, 1, 0, 4, 3)
    x = _context()
    forecast, members = predict_horizon(model, x, no_forcings(x, FORECAST), 1)
    assert members is None
    np.testing.assert_allclose(forecast, model.predict([x, no_forcings(x, FORECAST)], verbose=0)[..., 0], rtol=1e-6)
    longer, _ = predict_horizon(model, x, no_forcings(x, 2 * FORECAST + 1), 1)
    assert longer.shape == (3, 7, 6, 5)
    np.testing.assert_allclose(longer[:, :FORECAST], forecast, rtol=1e-6)


def test_the_pde_model_integrates_its_ode_further() -> None:
    """The long forecast starts with the short one and matches decoding the full rollout of T_0."""
    keras.utils.set_random_seed(0)
    model = build_pde(CONTEXT, FORECAST, 1, 0, 3, 2, 4, 1.0, 0.1)
    x = _context(5)
    short, _ = predict_horizon(model, x, no_forcings(x, FORECAST), 1, batch_size=2)
    np.testing.assert_allclose(
        short, model.predict([x, no_forcings(x, FORECAST)], verbose=0)[..., 0], rtol=1e-5, atol=1e-6
    )
    long, members = predict_horizon(model, x, no_forcings(x, 10), 1, batch_size=2)
    assert members is None and long.shape == (5, 10, 6, 5)
    np.testing.assert_allclose(long[:, :FORECAST], short, rtol=1e-5, atol=1e-6)
    full = model.decode_rollout(model.encode_content(x), model.encode_dynamics(x), no_forcings(x, CONTEXT[0] + 10))
    np.testing.assert_allclose(long, keras.ops.convert_to_numpy(full)[:, CONTEXT[0] :, ..., 0], rtol=1e-5, atol=1e-6)


@pytest.fixture(scope="module")
def savp() -> SAVP:
    """A SAVP whose forecasts depend on the latents: untrained, its zero-initialised output gives persistence for any z."""
    keras.utils.set_random_seed(1)
    model = SAVP(
        CONTEXT, FORECAST, 1, 0, filters=4, kernel_size=3, latent_channels=2, kl_weight=0.01, adversarial_weight=0.1
    )
    model([_context(1), no_forcings(_context(1), FORECAST)])
    rng = np.random.default_rng(2)
    for weight in model.weights:
        if not np.any(keras.ops.convert_to_numpy(weight)):
            weight.assign(0.1 * rng.normal(size=weight.shape))
    return model


def test_stochastic_members_within_the_horizon_are_the_usual_draws(savp: SAVP) -> None:
    x = _context()
    forecast, members = predict_horizon(savp, x, no_forcings(x, FORECAST), 1, ensemble_size=4, seed=5)
    np.testing.assert_allclose(members, savp.sample([x, no_forcings(x, FORECAST)], 4, 5)[..., 0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(forecast, members.mean(axis=0), rtol=1e-6)


def test_stochastic_members_are_rolled_out_separately(savp: SAVP) -> None:
    x = _context()
    _, members = predict_horizon(savp, x, no_forcings(x, 2 * FORECAST), 1, ensemble_size=3, seed=5)
    assert members.shape == (3, 3, 6, 6, 5)
    assert not np.allclose(members[0, :, FORECAST:], members[1, :, FORECAST:])
    within = savp.sample([x, no_forcings(x, FORECAST)], 3, 5)[..., 0]
    np.testing.assert_allclose(members[:, :, :FORECAST], within, rtol=1e-5, atol=1e-6)
