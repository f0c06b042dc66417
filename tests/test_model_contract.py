"""What every trainable model of the registry promises the training and evaluation code.

Every model takes [context, forcings of the forecast hours], with forcings and without (no
channels). An untrained residual model forecasts persistence; one optimisation step lowers the
loss it is trained by; its compiled losses and terms are logged; save and reload give
identical forecasts (and ensembles); the forecast hours' forcings change the forecast; only
stochastic models draw ensembles, and their members differ; all of it also under the JAX
backend. Each model's own behaviour is tested in its own file.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
from helpers import run_under_jax

from ambs.catalogue import MODELS
from ambs.models.registry import BUILDERS

CONTEXT = (4, 9, 10, 3)  # odd height, so the upsampling crops are exercised; 3 variables before the forcings
FORECAST, TARGET, CHANGE = 3, 1, 0.3
FORCINGS = (0, 2)  # forcing channels: none, and two


@dataclass(frozen=True)
class Contract:
    """A model's small hyperparameters and what its compiled metrics read on ``BATCH``."""

    hyper: dict[str, Any]
    loss: str = "loss"  # the logged loss that training lowers
    terms: frozenset[str] = frozenset()  # further loss terms it logs
    # its metrics before training, where it starts at persistence (which misses the truth by CHANGE everywhere)
    persistence: dict[str, float] = field(default_factory=dict)


CONTRACTS = {
    "convlstm": Contract({"filters": 6, "kernel_size": 3}, persistence={"loss": CHANGE**2, "mae": CHANGE}),
    "savp": Contract(
        {"filters": 4, "kernel_size": 3, "latent_channels": 2, "kl_weight": 0.01, "adversarial_weight": 0.1},
        loss="l1",
        terms=frozenset({"l1", "kl", "adv", "d_loss"}),
        persistence={"l1": CHANGE, "mae": CHANGE},  # the posterior (l1) and the prior (mae) forecast
    ),
    "mcnet": Contract(
        {"filters": 4, "kernel_size": 3, "gdl_weight": 1.0},
        terms=frozenset({"gdl"}),
        persistence={"loss": CHANGE**2, "gdl": 0.0, "mae": CHANGE},
    ),
    # decodes every frame from a content code and an evolving state: no persistence start
    "pde": Contract(
        {"content_channels": 4, "dynamic_channels": 3, "filters": 6, "invariance_weight": 1.0, "dynamic_weight": 0.1}
    ),
}
RESIDUAL = [name for name, contract in CONTRACTS.items() if contract.persistence]


def context_shape(forcings: int) -> tuple[int, int, int, int]:
    return (*CONTEXT[:3], CONTEXT[3] + forcings)


def batch(forcings: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Random contexts (forcing channels last) and forecast hours' forcings, and a truth that is the last target
    frame plus CHANGE at every lead."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, *context_shape(forcings))).astype("float32")
    ahead = rng.normal(size=(4, FORECAST, *CONTEXT[1:3], forcings)).astype("float32")
    return [x, ahead], (x[:, -1:, :, :, TARGET : TARGET + 1] + CHANGE).repeat(FORECAST, axis=1)


def build(name: str, forcings: int) -> keras.Model:
    keras.utils.set_random_seed(1)
    return BUILDERS[name]((context_shape(forcings), FORECAST, TARGET, forcings), CONTRACTS[name].hyper)


@dataclass(frozen=True)
class Trained:
    model: keras.Model
    untrained: np.ndarray  # the forecast before the step
    before: dict[str, float]
    after: dict[str, float]


@functools.cache
def trained(name: str, forcings: int) -> Trained:
    """The model through one optimisation step, with its metrics before and after (built once: compiling is slow)."""
    model = build(name, forcings)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse", metrics=["mae"])
    x, y = batch(forcings)
    untrained = model.predict(x, verbose=0)
    before = model.evaluate(x, y, verbose=0, return_dict=True)
    model.train_on_batch(x, y)
    return Trained(model, untrained, before, model.evaluate(x, y, verbose=0, return_dict=True))


def test_every_trainable_model_has_a_contract() -> None:
    assert CONTRACTS.keys() == BUILDERS.keys()


@pytest.mark.parametrize("forcings", FORCINGS)
@pytest.mark.parametrize("name", RESIDUAL)
def test_untrained_forecast_is_persistence(name: str, forcings: int) -> None:
    """The residual design: an untrained model forecasts the last observed target frame."""
    _, y = batch(forcings)
    run = trained(name, forcings)
    np.testing.assert_allclose(run.untrained, y - CHANGE, atol=1e-6)
    for metric, value in CONTRACTS[name].persistence.items():
        assert run.before[metric] == pytest.approx(value, abs=1e-6), metric


@pytest.mark.parametrize("forcings", FORCINGS)
@pytest.mark.parametrize("name", CONTRACTS)
def test_one_step_lowers_the_loss_and_logs_its_terms(name: str, forcings: int) -> None:
    contract, run = CONTRACTS[name], trained(name, forcings)
    assert run.after[contract.loss] < run.before[contract.loss]
    assert contract.terms <= run.after.keys()


@pytest.mark.parametrize("name", CONTRACTS)
def test_the_forecast_hours_forcings_change_the_forecast(name: str) -> None:
    """Each lead reads its own hour's forcings: changing those of the last lead changes that lead's forecast."""
    model = trained(name, 2).model
    (x, ahead), _ = batch(2)
    changed = ahead.copy()
    changed[:, -1] += 1.0
    forecast, other = (model.predict([x, a], verbose=0) for a in (ahead, changed))
    assert np.abs(forecast[:, -1] - other[:, -1]).max() > 1e-4


@pytest.mark.parametrize("forcings", FORCINGS)
@pytest.mark.parametrize("name", CONTRACTS)
def test_save_and_reload_give_identical_forecasts(tmp_path: Path, name: str, forcings: int) -> None:
    model = trained(name, forcings).model
    model.save(tmp_path / "m.keras")
    reloaded = keras.models.load_model(tmp_path / "m.keras")
    x = batch(forcings)[0]
    forecast = model.predict(x, verbose=0)
    assert forecast.shape == (4, FORECAST, *CONTEXT[1:3], 1)
    np.testing.assert_array_equal(forecast, reloaded.predict(x, verbose=0))
    if MODELS[name].stochastic:
        np.testing.assert_array_equal(model.sample(x, 2, 3), reloaded.sample(x, 2, 3))


@pytest.mark.parametrize("name", [name for name in CONTRACTS if MODELS[name].stochastic])
def test_stochastic_models_draw_ensembles_of_distinct_members(name: str) -> None:
    model = trained(name, 2).model  # trained: an untrained decoder ignores the noise
    samples = model.sample(batch(2)[0], 3, 5)
    assert samples.shape == (3, 4, FORECAST, *CONTEXT[1:3], 1)
    assert samples.std(axis=0).mean() > 0 and not np.allclose(samples[0], samples[1])


# Every trainable model in one JAX interpreter (starting one is slow): a JSON line per model, with one forcing.
JAX_RUN = """
import json, keras, numpy as np
from ambs.catalogue import MODELS
from ambs.models.registry import BUILDERS
assert keras.backend.backend() == "jax"
rng = np.random.default_rng(0)
x = [rng.normal(size=(2, 3, 5, 6, 3)).astype("float32"), rng.normal(size=(2, 2, 5, 6, 1)).astype("float32")]
y = (x[0][:, -1:, :, :, 1:2] + 0.3).repeat(2, axis=1)
for name, hyper in json.loads({hypers!r}).items():
    keras.utils.set_random_seed(1)
    model = BUILDERS[name](((3, 5, 6, 3), 2, 1, 1), hyper)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    untrained = model.predict(x, verbose=0)
    history = model.fit(x, y, epochs=3, verbose=0).history
    samples = model.sample(x, 2, 0) if MODELS[name].stochastic else None
    print(json.dumps(dict(
        model=name,
        persistence_error=float(np.abs(untrained - (y - 0.3)).max()),
        history=history,
        shape=model.predict(x, verbose=0).shape,
        spread=None if samples is None else float(samples.std(axis=0).mean()),
    )))
"""


@pytest.fixture(scope="module")
def under_jax() -> dict[str, dict[str, Any]]:
    stdout = run_under_jax(JAX_RUN.format(hypers=json.dumps({n: c.hyper for n, c in CONTRACTS.items()})))
    runs = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return {run["model"]: run for run in runs}


@pytest.mark.parametrize("name", CONTRACTS)
def test_runs_under_jax_backend(under_jax: dict[str, dict[str, Any]], name: str) -> None:
    run = under_jax[name]
    losses = run["history"][CONTRACTS[name].loss]
    assert losses[-1] < losses[0], losses
    assert run["shape"] == [2, 2, 5, 6, 1]
    if name in RESIDUAL:
        assert run["persistence_error"] < 1e-6
    assert (run["spread"] is not None and run["spread"] > 0) == MODELS[name].stochastic
