"""PDE-driven disentangled model: the shapes of its codes and rollouts, and a measured content/dynamics swap.

What every trainable model promises (a loss step, save/reload, JAX) is in test_model_contract.py.
"""

from __future__ import annotations

import keras
import numpy as np
from helpers import no_forcings

from ambs.datasets.moving_digits import bounce, render
from ambs.models.pde import build_pde

CONTEXT = (4, 9, 10, 3)


def test_codes_and_rollouts_have_their_shapes() -> None:
    keras.utils.set_random_seed(1)
    model = build_pde(
        CONTEXT, 3, 1, 1, content_channels=4, dynamic_channels=3, filters=6, invariance_weight=1.0, dynamic_weight=0.1
    )
    rng = np.random.default_rng(0)
    x, ahead = rng.normal(size=(4, *CONTEXT)).astype("float32"), rng.normal(size=(4, 3, 9, 10, 1)).astype("float32")
    assert model.predict([x, ahead], verbose=0).shape == (4, 3, 9, 10, 1)
    content, state = model.encode_content(x), model.encode_dynamics(x)
    assert content.shape == (4, 9, 10, 4) and state.shape == (4, 9, 10, 3)
    assert model.hourly_forcings(x, ahead).shape == (4, 7, 9, 10, 1)
    np.testing.assert_array_equal(model.hourly_forcings(x, ahead)[:, :4], x[..., 2:])  # the context's, then ahead
    assert model.decode_rollout(content, state, ahead[:, :2]).shape == (4, 2, 9, 10, 1)


SIZE, LENGTH, SWAP_CONTEXT = 16, 8, 4
BLOB = np.exp(-0.5 * ((np.arange(5) - 2)[:, None] ** 2 + (np.arange(5) - 2)[None, :] ** 2)).astype("float32")[None]


def _scenes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per sequence a static wave-pattern background (content) and a bouncing blob trajectory (dynamics)."""
    rng = np.random.default_rng(seed)
    grid = np.arange(SIZE) * 2 * np.pi / SIZE
    k = rng.integers(1, 3, size=(n, 2, 1, 1)) * rng.choice([-1, 1], size=(n, 2, 1, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1, 1))
    backgrounds = 0.5 * np.sin(k[:, 0] * grid[:, None] + k[:, 1] * grid[None, :] + phase)
    velocities = rng.choice([-1.0, 1.0], size=(n, 1, 2)) * rng.integers(1, 3, size=(n, 1, 2))
    starts = rng.uniform(0, SIZE - 5, size=(n, 1, 2))
    trajectories = np.stack([bounce(s, v, LENGTH, SIZE - 5)[0] for s, v in zip(starts, velocities)])
    return backgrounds.astype("float32"), trajectories


def _frames(backgrounds: np.ndarray, trajectories: np.ndarray) -> np.ndarray:
    """Ground truth for any pairing: each background with the blob moving along the paired trajectory."""
    blobs = np.stack([render(BLOB, t, SIZE) for t in trajectories])
    return (backgrounds[:, None] + blobs)[..., None]


def test_swapping_codes_gives_a_content_with_b_motion() -> None:
    """After brief training, decode(S of A, T_0 of B) is far closer to A's background with B's blob than to B."""
    keras.utils.set_random_seed(0)
    data = _frames(*_scenes(512, seed=0))
    model = build_pde((SWAP_CONTEXT, SIZE, SIZE, 1), LENGTH - SWAP_CONTEXT, 0, 0, 4, 4, 16, 1.0, 0.1)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    context = data[:, :SWAP_CONTEXT]
    ahead = no_forcings(context, LENGTH - SWAP_CONTEXT)
    model.fit([context, ahead], data[:, SWAP_CONTEXT:], batch_size=32, epochs=6, verbose=0)

    backgrounds, trajectories = _scenes(32, seed=1)
    test = _frames(backgrounds, trajectories)
    a, b = test[:16], test[16:]
    swapped = keras.ops.convert_to_numpy(
        model.decode_rollout(
            model.encode_content(a[:, :SWAP_CONTEXT]),
            model.encode_dynamics(b[:, :SWAP_CONTEXT]),
            no_forcings(a, LENGTH),
        )
    )
    a_with_b_motion = _frames(backgrounds[:16], trajectories[16:])
    to_truth = np.mean((swapped - a_with_b_motion) ** 2)
    to_b = np.mean((swapped - b) ** 2)
    print(f"swap MSE to A-content-with-B-motion {to_truth:.4f}, to B {to_b:.4f}")
    assert to_truth < 0.25 * to_b, (to_truth, to_b)
