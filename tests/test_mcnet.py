"""MCnet: shapes, persistence start, a loss step, save/reload, and the JAX backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
from helpers import run_under_jax

from ambs.models.mcnet import MCNet

CONTEXT = (4, 9, 10, 3)  # odd height, so the upsampling crop is exercised


@pytest.fixture(scope="module")
def batch() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, *CONTEXT)).astype("float32")
    y = (x[:, -1:, :, :, 1:2] + 0.3).repeat(3, axis=1)  # a constant change of the target channel
    return x, y


@pytest.fixture(scope="module")
def trained(batch: tuple[np.ndarray, np.ndarray]) -> dict[str, Any]:
    """One model through one optimisation step, with its losses before and after (built once: compiling is slow)."""
    keras.utils.set_random_seed(1)
    model = MCNet(CONTEXT, forecast_steps=3, target_index=1, filters=4, kernel_size=3, gdl_weight=1.0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    before = model.evaluate(*batch, verbose=0, return_dict=True)
    model.train_on_batch(*batch)
    return {"model": model, "before": before, "after": model.evaluate(*batch, verbose=0, return_dict=True)}


def test_untrained_forecast_is_persistence(trained: dict[str, Any]) -> None:
    """Persistence misses the truth by its constant change 0.3 everywhere: MSE 0.09 and no gradient difference."""
    assert trained["before"]["loss"] == pytest.approx(0.09, abs=1e-6)
    assert trained["before"]["gdl"] == pytest.approx(0.0, abs=1e-6)


def test_one_step_lowers_the_loss(trained: dict[str, Any]) -> None:
    assert trained["after"]["loss"] < trained["before"]["loss"]


def test_save_and_reload_give_identical_forecasts(
    tmp_path: Path, trained: dict[str, Any], batch: tuple[np.ndarray, np.ndarray]
) -> None:
    model = trained["model"]
    model.save(tmp_path / "m.keras")
    reloaded = keras.models.load_model(tmp_path / "m.keras")
    forecast = model.predict(batch[0], verbose=0)
    assert forecast.shape == (4, 3, 9, 10, 1)
    np.testing.assert_array_equal(forecast, reloaded.predict(batch[0], verbose=0))


def test_runs_under_jax_backend() -> None:
    code = (
        "import keras, numpy as np\n"
        "from ambs.models.mcnet import MCNet\n"
        "assert keras.backend.backend() == 'jax'\n"
        "m = MCNet((3, 5, 6, 2), 2, 1, 2, 3, 1.0)\n"
        "m.compile(optimizer=keras.optimizers.Adam(1e-2), loss='mse')\n"
        "x = np.zeros((2, 3, 5, 6, 2), 'float32'); y = np.ones((2, 2, 5, 6, 1), 'float32')\n"
        "loss = m.fit(x, y, epochs=2, verbose=0).history['loss']\n"
        "assert loss[-1] < loss[0], loss\n"
        "print(m.predict(x, verbose=0).shape)\n"
    )
    stdout = run_under_jax(code)
    assert "(2, 2, 5, 6, 1)" in stdout
