"""SAVP: persistence start, a loss step, shapes, save/reload, ensemble sampling, and the JAX backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
from helpers import run_under_jax

from ambs.models.savp import SAVP

CONTEXT = (4, 9, 10, 3)  # odd height, so the upsampling crop is exercised


def _model() -> SAVP:
    keras.utils.set_random_seed(1)
    return SAVP(
        CONTEXT,
        forecast_steps=3,
        target_index=1,
        filters=4,
        kernel_size=3,
        latent_channels=2,
        kl_weight=0.01,
        adversarial_weight=0.1,
    )


@pytest.fixture(scope="module")
def batch() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, *CONTEXT)).astype("float32")
    y = (x[:, -1:, :, :, 1:2] + 0.3).repeat(3, axis=1)  # a constant change of the target channel
    return x, y


@pytest.fixture(scope="module")
def trained(batch: tuple[np.ndarray, np.ndarray]) -> dict[str, Any]:
    """One model through one optimisation step, with its losses before and after (built once: compiling is slow)."""
    model = _model()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse", metrics=["mae"])
    before = model.evaluate(*batch, verbose=0, return_dict=True)
    model.train_on_batch(*batch)
    return {"model": model, "before": before, "after": model.evaluate(*batch, verbose=0, return_dict=True)}


def test_untrained_forecasts_are_persistence(trained: dict[str, Any]) -> None:
    """Prior (mae) and posterior (l1) forecasts both miss the truth by exactly its constant change."""
    assert trained["before"]["mae"] == pytest.approx(0.3, abs=1e-6)
    assert trained["before"]["l1"] == pytest.approx(0.3, abs=1e-6)


def test_one_step_lowers_the_reconstruction_loss(trained: dict[str, Any]) -> None:
    assert trained["after"]["l1"] < trained["before"]["l1"]
    assert {"kl", "adv", "d_loss"} <= trained["after"].keys()


def test_samples_differ(trained: dict[str, Any], batch: tuple[np.ndarray, np.ndarray]) -> None:
    samples = trained["model"].sample(batch[0], 3, seed=5)
    assert samples.shape == (3, 4, 3, 9, 10, 1)
    assert samples.std(axis=0).mean() > 0
    assert not np.allclose(samples[0], samples[1])


def test_save_and_reload_give_identical_forecasts(
    tmp_path: Path, trained: dict[str, Any], batch: tuple[np.ndarray, np.ndarray]
) -> None:
    model = trained["model"]
    model.save(tmp_path / "m.keras")
    reloaded = keras.models.load_model(tmp_path / "m.keras")
    x = batch[0]
    forecast = model.predict(x, verbose=0)
    assert forecast.shape == (4, 3, 9, 10, 1)
    np.testing.assert_array_equal(forecast, reloaded.predict(x, verbose=0))
    np.testing.assert_array_equal(model.sample(x, 2, seed=3), reloaded.sample(x, 2, seed=3))


def test_runs_under_jax_backend() -> None:
    code = (
        "import keras, numpy as np\n"
        "from ambs.models.savp import SAVP\n"
        "assert keras.backend.backend() == 'jax'\n"
        "m = SAVP((3, 5, 6, 2), 2, 1, 2, 3, 2, 0.01, 0.1)\n"
        "m.compile(optimizer=keras.optimizers.Adam(1e-2), loss='mse')\n"
        "x = np.zeros((2, 3, 5, 6, 2), 'float32'); y = np.ones((2, 2, 5, 6, 1), 'float32')\n"
        "l1 = m.fit(x, y, epochs=2, verbose=0).history['l1']\n"
        "assert l1[-1] < l1[0], l1\n"
        "print(m.predict(x, verbose=0).shape, m.sample(x, 2, seed=0).std(axis=0).mean() > 0)\n"
    )
    stdout = run_under_jax(code)
    assert "(2, 2, 5, 6, 1) True" in stdout
