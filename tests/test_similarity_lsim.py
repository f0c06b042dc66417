"""LearnedDistance: pseudo-metric axioms on random and weather-like inputs, for any weights; save/reload."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import keras
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage

from ambs.similarity.encoder import build_encoder
from ambs.similarity.lsim import LearnedDistance

WINDOW = (2, 8, 8, 2)
TOLERANCE = 1e-5


@cache
def _distance() -> LearnedDistance:
    keras.utils.set_random_seed(0)
    return LearnedDistance(build_encoder(WINDOW, filters=(3, 4), embedding_dim=4))


def _inputs(seed: int, kind: str, scale: float) -> np.ndarray:
    """Three windows: white noise, smooth z-scored-like fields, or constant fields, times ``scale``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3, *WINDOW))
    if kind == "smooth":
        x = ndimage.gaussian_filter(x, sigma=(0, 1, 2, 2, 0))
        x /= x.std()
    elif kind == "constant":
        x = np.broadcast_to(x[:, :1, :1, :1], x.shape)
    return (scale * x).astype("float32")


def _with_random_weights(seed: int) -> LearnedDistance:
    """Any raw parameters, negative ones included: non-negativity must come from the construction."""
    distance = _distance()
    rng = np.random.default_rng(seed)
    for raw in distance.raw_weights:
        raw.assign(rng.normal(scale=3.0, size=raw.shape).astype("float32"))
    return distance


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(["noise", "smooth", "constant"]),
    scale=st.floats(1e-3, 1e3),
)
def test_pseudo_metric_axioms(seed: int, kind: str, scale: float) -> None:
    distance = _with_random_weights(seed)
    a, b, c = _inputs(seed, kind, scale)[:, np.newaxis]
    d = distance.pairwise(np.concatenate([a, b, c]), np.concatenate([a, b, c]))
    assert np.all(d >= 0)
    np.testing.assert_array_equal(np.diag(d), 0.0)
    np.testing.assert_allclose(d, d.T, atol=1e-12)
    assert d[0, 2] <= d[0, 1] + d[1, 2] + TOLERANCE
    assert d[1, 0] <= d[1, 2] + d[2, 0] + TOLERANCE
    np.testing.assert_allclose(distance.distance(np.concatenate([a, b]), np.concatenate([b, a])), d[0, 1], rtol=1e-6)
    np.testing.assert_array_equal(distance.distance(a, a), 0.0)


def test_keras_call_matches_numpy_and_weights_are_non_negative() -> None:
    distance = _with_random_weights(7)
    a, b, _ = _inputs(7, "smooth", 1.0)
    got = keras.ops.convert_to_numpy(distance((a[np.newaxis], b[np.newaxis])))
    np.testing.assert_allclose(got, distance.distance(a[np.newaxis], b[np.newaxis]), rtol=1e-4)
    assert all(np.all(keras.ops.convert_to_numpy(w) >= 0) for w in distance.channel_weights())


def test_save_and_reload_give_identical_distances(tmp_path: Path) -> None:
    distance = _with_random_weights(3)
    a, b, c = _inputs(3, "smooth", 1.0)[:, np.newaxis]
    distance.save(tmp_path / "d.keras")
    reloaded = keras.models.load_model(tmp_path / "d.keras")
    np.testing.assert_array_equal(
        distance.pairwise(a, np.concatenate([b, c])), reloaded.pairwise(a, np.concatenate([b, c]))
    )
