"""ConvLSTM: shapes, a loss step, persistence start, save/reload, and the JAX backend."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
from helpers import run_under_jax

from ambs.models.convlstm import build_convlstm

CONTEXT = (4, 9, 10, 3)  # odd height, so the upsampling crop is exercised


@pytest.fixture
def batch() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, *CONTEXT)).astype("float32")
    y = (x[:, -1:, :, :, 1:2] + 0.3).repeat(3, axis=1)  # a constant change of the target channel
    return x, y


def _model() -> keras.Model:
    keras.utils.set_random_seed(1)
    return build_convlstm(CONTEXT, forecast_steps=3, target_index=1, filters=6, kernel_size=3)


def test_output_shape(batch: tuple[np.ndarray, np.ndarray]) -> None:
    assert _model().predict(batch[0], verbose=0).shape == (4, 3, 9, 10, 1)


def test_one_step_lowers_the_loss(batch: tuple[np.ndarray, np.ndarray]) -> None:
    model = _model()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    before = model.evaluate(*batch, verbose=0)
    model.train_on_batch(*batch)
    assert model.evaluate(*batch, verbose=0) < before


def test_starts_near_persistence(batch: tuple[np.ndarray, np.ndarray]) -> None:
    """The residual design: an untrained model forecasts the last observed target frame."""
    x, _ = batch
    persistence = np.repeat(x[:, -1:, :, :, 1:2], 3, axis=1)
    np.testing.assert_allclose(_model().predict(x, verbose=0), persistence, atol=1e-6)


def test_save_and_reload_give_identical_predictions(tmp_path: Path, batch: tuple[np.ndarray, np.ndarray]) -> None:
    model = _model()
    model.save(tmp_path / "m.keras")
    reloaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(model.predict(batch[0], verbose=0), reloaded.predict(batch[0], verbose=0))


def test_runs_under_jax_backend() -> None:
    code = (
        "import keras, numpy as np\n"
        "from ambs.models.convlstm import build_convlstm\n"
        "assert keras.backend.backend() == 'jax'\n"
        "m = build_convlstm((4, 9, 10, 3), 3, 1, 6, 3)\n"
        "m.compile(optimizer='adam', loss='mse')\n"
        "x = np.zeros((2, 4, 9, 10, 3), 'float32'); y = np.ones((2, 3, 9, 10, 1), 'float32')\n"
        "l0 = m.evaluate(x, y, verbose=0); m.fit(x, y, epochs=3, verbose=0)\n"
        "assert m.evaluate(x, y, verbose=0) < l0\n"
        "print(m.predict(x, verbose=0).shape)\n"
    )
    stdout = run_under_jax(code)
    assert "(2, 3, 9, 10, 1)" in stdout
