"""Augmentations: shifts move content without wrapping, strengths are honoured, pairs are reproducible."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from ambs.similarity.augment import Augmentation, augment, jitter, make_views, shift, smooth, time_neighbours


def _windows(n: int = 3) -> np.ndarray:
    """Smooth fields of unit variance, like z-scored weather rather than white noise."""
    noise = np.random.default_rng(0).normal(size=(n, 2, 8, 9, 2))
    fields = ndimage.gaussian_filter(noise, sigma=(0, 0, 2, 2, 0))
    return (fields / fields.std()).astype("float32")


def test_shift_moves_content_and_repeats_the_edge() -> None:
    x = _windows(2)
    moved = shift(x, np.array([2, 0]), np.array([-1, 0]))
    np.testing.assert_array_equal(moved[0, :, 2:, :-1], x[0, :, :-2, 1:])
    np.testing.assert_array_equal(moved[0, :, 0], moved[0, :, 2])  # edge rows repeated, not wrapped
    np.testing.assert_array_equal(moved[1], x[1])


def test_smooth_and_jitter_strengths() -> None:
    x = np.random.default_rng(0).normal(size=(2, 2, 8, 9, 2)).astype("float32")
    smoothed = smooth(x, np.array([0.0, 2.0]))
    np.testing.assert_array_equal(smoothed[0], x[0])
    assert smoothed[1].std() < 0.5 * x[1].std()
    scale, offset = np.array([[2.0, 1.0]] * 2), np.array([[0.0, 3.0]] * 2)
    np.testing.assert_allclose(jitter(x, scale, offset)[..., 0], 2 * x[..., 0])
    np.testing.assert_allclose(jitter(x, scale, offset)[..., 1], x[..., 1] + 3)


def test_augment_is_mild_and_reproducible() -> None:
    x = _windows()
    a = augment(x, np.random.default_rng(5))
    np.testing.assert_array_equal(a, augment(x, np.random.default_rng(5)))
    assert a.shape == x.shape and a.dtype == np.float32
    assert 0 < np.abs(a - x).mean() < np.abs(x).mean()
    still = Augmentation(max_shift=0, noise=0.0, max_smooth=0.0, scale_jitter=0.0, offset_jitter=0.0)
    np.testing.assert_allclose(augment(x, np.random.default_rng(5), still), x)
    first, second = make_views(x, x, np.random.default_rng(5), still)
    np.testing.assert_allclose(first, second)


def test_time_neighbours_start_a_few_hours_later_or_are_the_window_itself() -> None:
    times = np.array(["2017-06-01T00", "2017-06-01T03", "2017-06-01T06", "2017-06-03T00"], dtype="datetime64[h]")
    rng = np.random.default_rng(0)
    for _ in range(20):
        partners = time_neighbours(times[::-1], max_hours=6, rng=rng)
        gaps = (times[::-1][partners] - times[::-1]) / np.timedelta64(1, "h")
        np.testing.assert_array_equal(partners[:2], [0, 1])  # nothing within 6 h after the last two
        assert np.all((gaps[2:] >= 3) & (gaps[2:] <= 6))
