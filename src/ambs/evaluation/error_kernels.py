"""Per-field reductions of forecast errors in one pass, compiled with numba: the hot loops of ``ambs.evaluation.metrics``.

NumPy spends most of a per-field metric on temporaries: both inputs promoted to float64,
the difference, its square, then a reduction over two axes. These kernels read the
inputs once in their own precision and accumulate in float64, several times faster on a
test set (single-threaded: the work per field is too small to pay for threads on a busy
machine). Sums run in element order rather than NumPy's pairwise order, so results agree
with the NumPy formulas to rounding (~1e-15 relative), not bit for bit.
"""

from __future__ import annotations

import numba
import numpy as np

MEAN_ERROR, MEAN_ABSOLUTE_ERROR, MEAN_SQUARED_ERROR = 0, 1, 2


def as_fields(*arrays: np.ndarray) -> tuple[tuple[int, ...], list[np.ndarray]]:
    """Broadcast the arrays together and view each as (fields, points); returns the leading shape too."""
    floats = [
        np.asarray(a) if np.issubdtype(np.asarray(a).dtype, np.floating) else np.asarray(a, dtype=np.float64)
        for a in arrays
    ]
    broadcast = np.broadcast_arrays(*floats)
    shape = broadcast[0].shape
    points = shape[-2] * shape[-1]
    return shape[:-2], [np.ascontiguousarray(a).reshape(-1, points) for a in broadcast]


@numba.njit(cache=True, error_model="numpy")
def _error_means(forecast: np.ndarray, truth: np.ndarray, kind: int) -> np.ndarray:
    result = np.empty(forecast.shape[0])
    for k in range(forecast.shape[0]):
        total = 0.0
        for i in range(forecast.shape[1]):
            error = np.float64(forecast[k, i]) - np.float64(truth[k, i])
            if kind == MEAN_SQUARED_ERROR:
                total += error * error
            elif kind == MEAN_ABSOLUTE_ERROR:
                total += abs(error)
            else:
                total += error
        result[k] = total / forecast.shape[1]
    return result


def error_mean(forecast: np.ndarray, truth: np.ndarray, kind: int) -> np.ndarray:
    """Spatial mean of the error, its absolute value or its square (``kind``) per field of (..., lat, lon)."""
    leading, (f, t) = as_fields(forecast, truth)
    return _error_means(f, t, kind).reshape(leading)[()]


@numba.njit(cache=True, error_model="numpy")
def _centred_correlations(forecast: np.ndarray, truth: np.ndarray, reference: np.ndarray) -> np.ndarray:
    result = np.empty(forecast.shape[0])
    n = forecast.shape[1]
    for k in range(forecast.shape[0]):
        mean_f, mean_t = 0.0, 0.0
        for i in range(n):
            mean_f += np.float64(forecast[k, i]) - np.float64(reference[k, i])
            mean_t += np.float64(truth[k, i]) - np.float64(reference[k, i])
        mean_f, mean_t = mean_f / n, mean_t / n
        power_f, power_t, cross = 0.0, 0.0, 0.0
        for i in range(n):
            a = np.float64(forecast[k, i]) - np.float64(reference[k, i]) - mean_f
            b = np.float64(truth[k, i]) - np.float64(reference[k, i]) - mean_t
            power_f += a * a
            power_t += b * b
            cross += a * b
        result[k] = 0.0 if power_f == 0 else cross / np.sqrt(power_f * power_t)
    return result


def centred_correlation(forecast: np.ndarray, truth: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Pearson correlation of the anomalies from ``reference`` per field; 0 where the forecast anomaly is flat."""
    leading, (f, t, c) = as_fields(forecast, truth, reference)
    return _centred_correlations(f, t, c).reshape(leading)[()]
