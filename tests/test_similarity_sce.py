"""SCE and distance NCE losses against hand computations, one training step, and the JAX backend."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from helpers import run_under_jax

from ambs.similarity.encoder import build_encoder
from ambs.similarity.lsim import LearnedDistance
from ambs.similarity.sce import SiameseTrainer, distance_nce_loss, sce_loss

WINDOW = (3, 8, 8, 2)


def _loss(query: np.ndarray, key: np.ndarray, **kwargs: float) -> float:
    return float(keras.ops.convert_to_numpy(sce_loss(keras.ops.array(query), keras.ops.array(key), **kwargs)))


def _distance_loss(first: np.ndarray, second: np.ndarray) -> float:
    return float(keras.ops.convert_to_numpy(distance_nce_loss(keras.ops.array(first), keras.ops.array(second))))


@pytest.mark.parametrize("lam", [0.0, 0.5, 1.0])
def test_identical_orthogonal_views_by_hand(lam: float) -> None:
    """z = I_4: p(positive) = e^10 / (e^10 + 3), p(other) = 1 / (e^10 + 3); the soft target is uniform on the others."""
    tau = 0.1
    z = np.eye(4, dtype="float32")
    denominator = np.exp(1 / tau) + 3
    expected = -lam * np.log(np.exp(1 / tau) / denominator) - (1 - lam) * np.log(1 / denominator)
    assert _loss(z, z, tau=tau, tau_target=0.05, lam=lam) == pytest.approx(expected, rel=1e-5, abs=1e-6)


def test_lam_one_is_infonce() -> None:
    rng = np.random.default_rng(0)
    q, k = (v / np.linalg.norm(v, axis=1, keepdims=True) for v in rng.normal(size=(2, 6, 5)).astype("float32"))
    logits = q @ k.T / 0.2
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    assert _loss(q, k, tau=0.2, lam=1.0) == pytest.approx(-np.diag(log_softmax).mean(), rel=1e-5)


def test_soft_target_excludes_self_and_follows_relations() -> None:
    """With lam=0 and two windows, all target mass goes to the other window."""
    q = np.array([[1.0, 0.0], [0.6, 0.8]], dtype="float32")
    logits = q @ q.T / 0.1
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    assert _loss(q, q, tau=0.1, lam=0.0) == pytest.approx(-(log_softmax[0, 1] + log_softmax[1, 0]) / 2, rel=1e-5)


def test_distance_nce_by_hand() -> None:
    """Vectors 0 and 1 apart on a line: each row's softmax over -d^2 is [1, e^-1] / (1 + e^-1), in both directions."""
    first = np.array([[0.0], [1.0]], dtype="float32")
    expected = np.log1p(np.exp(-1.0))
    assert _distance_loss(first, first) == pytest.approx(expected, rel=1e-5)
    swapped = first[::-1].copy()  # every partner is now the farther one
    assert _distance_loss(first, swapped) == pytest.approx(1.0 + expected, rel=1e-5)


def _trainer() -> SiameseTrainer:
    keras.utils.set_random_seed(0)
    trainer = SiameseTrainer(LearnedDistance(build_encoder(WINDOW, filters=(4, 8), embedding_dim=8)))
    trainer.compile(optimizer=keras.optimizers.Adam(1e-2))
    return trainer


def test_one_training_step_lowers_the_loss_and_fits_the_distance_weights() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, *WINDOW)).astype("float32")
    views = {"first": x, "second": x + 0.1 * rng.normal(size=x.shape).astype("float32")}
    trainer = _trainer()
    weights = [keras.ops.convert_to_numpy(w).copy() for w in trainer.distance.raw_weights]
    before = trainer.test_on_batch(views)
    trainer.train_on_batch(views)
    assert trainer.test_on_batch(views) < before
    assert all(np.any(keras.ops.convert_to_numpy(w) != old) for w, old in zip(trainer.distance.raw_weights, weights))


def test_runs_under_jax_backend() -> None:
    code = (
        "import keras, numpy as np\n"
        "from ambs.similarity.encoder import build_encoder\n"
        "from ambs.similarity.sce import SiameseTrainer\n"
        "from ambs.similarity.lsim import LearnedDistance\n"
        "assert keras.backend.backend() == 'jax'\n"
        "keras.utils.set_random_seed(0)\n"
        "d = LearnedDistance(build_encoder((3, 8, 8, 2), (4, 8), 8))\n"
        "t = SiameseTrainer(d); t.compile(optimizer=keras.optimizers.Adam(1e-2))\n"
        "x = np.random.default_rng(0).normal(size=(6, 3, 8, 8, 2)).astype('float32')\n"
        "v = {'first': x, 'second': x + 0.1}\n"
        "losses = t.fit(v, epochs=2, verbose=0).history['loss']; assert losses[1] < losses[0], losses\n"
        "print(d.distance(x, x).max())\n"
    )
    stdout = run_under_jax(code)
    assert stdout.split()[-1] == "0.0"
