"""Moving digits: range, mass kept inside the frame, bounces, and storage as ERA5-like windows."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ambs.datasets import generate_moving_digits, write_synthetic
from ambs.datasets.moving_digits import bounce, digit_sprites
from ambs.sequences import SplitMeta, make_dataset


def test_values_shape_and_reproducibility() -> None:
    data = generate_moving_digits(3, 5, size=24, n_digits=2, seed=7)
    assert data.shape == (3, 5, 24, 24, 1) and data.dtype == np.float32
    assert data.min() >= 0.0 and data.max() <= 1.0 and data.max() > 0.5
    np.testing.assert_array_equal(data, generate_moving_digits(3, 5, size=24, n_digits=2, seed=7))


def test_a_digit_never_loses_pixels_at_the_border() -> None:
    """With one digit, every frame holds the whole sprite: the pixel sum is constant over a long sequence."""
    data = generate_moving_digits(4, 60, size=20, n_digits=1, seed=0, speed=(2.0, 4.0))
    mass = data.sum(axis=(2, 3, 4))
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


def test_synthetic_windows_read_back_like_era5_windows(tmp_path: Path) -> None:
    data = generate_moving_digits(3, 7, size=20, n_digits=2, seed=2)
    meta = write_synthetic(data, "digits", context=4, forecast=3, out_dir=tmp_path / "train")
    assert SplitMeta.read(tmp_path / "train") == meta
    assert meta.shape == (7, 20, 20, 1) and meta.variables == ["digits"] and meta.latitude == list(range(20))
    assert meta.init_times == ["2000-01-01T03", "2000-01-01T10", "2000-01-01T17"]
    x, y = next(iter(make_dataset(tmp_path / "train", batch_size=3)))
    np.testing.assert_array_equal(x.numpy(), data[:, :4])
    np.testing.assert_array_equal(y.numpy(), data[:, 4:])
