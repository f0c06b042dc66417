"""The numba field reductions equal the NumPy formulas they replace, for any dtype and broadcast."""

from __future__ import annotations

import numpy as np
import pytest

from ambs.evaluation.error_kernels import (
    MEAN_ABSOLUTE_ERROR,
    MEAN_ERROR,
    MEAN_SQUARED_ERROR,
    centred_correlation,
    error_mean,
)

NUMPY = {
    MEAN_ERROR: lambda d: d.mean(axis=(-2, -1)),
    MEAN_ABSOLUTE_ERROR: lambda d: np.abs(d).mean(axis=(-2, -1)),
    MEAN_SQUARED_ERROR: lambda d: np.square(d).mean(axis=(-2, -1)),
}


def _numpy_acc(f: np.ndarray, t: np.ndarray, c: np.ndarray) -> np.ndarray:
    a_f, a_t = f.astype(np.float64) - c, t.astype(np.float64) - c
    a_f = a_f - a_f.mean(axis=(-2, -1), keepdims=True)
    a_t = a_t - a_t.mean(axis=(-2, -1), keepdims=True)
    return (a_f * a_t).sum(axis=(-2, -1)) / np.sqrt(
        np.square(a_f).sum(axis=(-2, -1)) * np.square(a_t).sum(axis=(-2, -1))
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("kind", list(NUMPY))
def test_error_means_equal_numpy(dtype: type, kind: int) -> None:
    rng = np.random.default_rng(kind)
    f = (280 + 10 * rng.normal(size=(5, 3, 7, 9))).astype(dtype)
    t = (280 + 10 * rng.normal(size=(5, 3, 7, 9))).astype(dtype)
    expected = NUMPY[kind](f.astype(np.float64) - t.astype(np.float64))
    np.testing.assert_allclose(error_mean(f, t, kind), expected, rtol=1e-12, atol=1e-12)


def test_broadcast_shapes_and_a_single_field() -> None:
    rng = np.random.default_rng(1)
    f, t = rng.normal(size=(4, 6, 5)), rng.normal(size=(6, 5))
    np.testing.assert_allclose(error_mean(f, t, MEAN_SQUARED_ERROR), np.square(f - t).mean(axis=(-2, -1)), rtol=1e-12)
    single = error_mean(f[0], t, MEAN_ERROR)
    assert np.ndim(single) == 0 and np.isclose(single, (f[0] - t).mean())


def test_nan_propagates() -> None:
    f = np.ones((2, 3, 3))
    f[1, 1, 1] = np.nan
    result = error_mean(f, np.zeros((2, 3, 3)), MEAN_ABSOLUTE_ERROR)
    assert result[0] == 1 and np.isnan(result[1])


def test_centred_correlation_equals_numpy() -> None:
    rng = np.random.default_rng(2)
    c = 285 + rng.normal(size=(8, 8))
    t = (c + rng.normal(size=(3, 4, 8, 8))).astype(np.float32)
    f = (t + 0.5 * rng.normal(size=t.shape)).astype(np.float32)
    np.testing.assert_allclose(centred_correlation(f, t, c), _numpy_acc(f, t, c), rtol=1e-12)


def test_flat_forecast_anomaly_correlates_zero() -> None:
    c = np.random.default_rng(3).normal(size=(2, 5, 5))
    t = c + np.random.default_rng(4).normal(size=c.shape)
    np.testing.assert_array_equal(centred_correlation(c, t, c), [0.0, 0.0])  # the climatology as forecast
