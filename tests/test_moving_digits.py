"""Moving digits: range, mass kept inside the frame, bounces."""

from __future__ import annotations

import numpy as np
import pytest

from ambs.datasets.moving_digits import SPRITE_SIZE, bounce, digit_sprites, generate_moving_digits


def test_values_shape_and_reproducibility() -> None:
    data = generate_moving_digits(3, 5, size=24, digits=2, seed=7)
    assert data.shape == (3, 5, 24, 24) and data.dtype == np.float32
    assert data.min() >= 0.0 and data.max() <= 1.0 and data.max() > 0.5
    np.testing.assert_array_equal(data, generate_moving_digits(3, 5, size=24, digits=2, seed=7))
    assert digit_sprites().shape[1:] == (SPRITE_SIZE, SPRITE_SIZE)


def test_a_digit_never_loses_pixels_at_the_border() -> None:
    """With one digit, every frame holds the whole sprite: the pixel sum is constant over a long sequence."""
    data = generate_moving_digits(4, 60, size=20, digits=1, seed=0, speed=(2.0, 4.0))
    mass = data.sum(axis=(2, 3))
    np.testing.assert_allclose(mass, mass[:, :1].repeat(60, axis=1), rtol=1e-5)
    sprite_masses = digit_sprites().sum(axis=(1, 2))
    assert np.all(np.isclose(mass[:, :1], sprite_masses[None], rtol=1e-5).any(axis=1))


def test_bounces_reflect_velocity_and_keep_positions_in_range() -> None:
    rng = np.random.default_rng(1)
    positions, velocities = bounce(rng.uniform(0, 10, (3, 2)), rng.uniform(-3, 3, (3, 2)), 80, 10)
    assert positions.min() >= 0.0 and positions.max() <= 10.0
    flips = np.sign(velocities[1:]) != np.sign(velocities[:-1])
    assert flips.sum(axis=0).min() >= 2  # every coordinate of every point bounced at least twice
    np.testing.assert_allclose(np.abs(velocities), np.abs(velocities[:1]).repeat(80, axis=0))


def test_a_frame_too_small_for_a_digit_is_refused() -> None:
    with pytest.raises(ValueError, match="no room"):
        generate_moving_digits(1, 2, size=SPRITE_SIZE)
