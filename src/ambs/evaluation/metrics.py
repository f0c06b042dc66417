"""Verification metrics of forecasts of one field, vectorised over leading dimensions.

Every metric takes arrays of shape (..., lat, lon) in physical units, reduces the two
trailing spatial axes and returns an array of the leading shape (typically (init, lead)),
so that callers can average over initialisation times themselves. Inputs are promoted
to float64 so that scores do not depend on the model's output precision.
"""

from __future__ import annotations

import numba
import numpy as np

from ambs.evaluation.error_kernels import (
    MEAN_ABSOLUTE_ERROR,
    MEAN_ERROR,
    MEAN_SQUARED_ERROR,
    centred_correlation,
    error_mean,
)

SPATIAL = (-2, -1)
SSIM_K1 = 0.01
SSIM_K2 = 0.03


def _pair(forecast: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both arrays as float64 with one broadcast shape."""
    forecast, truth = np.broadcast_arrays(np.asarray(forecast, dtype=np.float64), np.asarray(truth, dtype=np.float64))
    return forecast, truth


def mse(forecast: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Spatial mean squared error per field."""
    return error_mean(forecast, truth, MEAN_SQUARED_ERROR)


def rmse(forecast: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Root of the spatial MSE per field (root before any averaging over init, as is usual)."""
    return np.sqrt(mse(forecast, truth))


def bias(forecast: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Spatial mean of forecast minus truth: positive means the forecast is too high."""
    return error_mean(forecast, truth, MEAN_ERROR)


def mae(forecast: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Spatial mean absolute error per field."""
    return error_mean(forecast, truth, MEAN_ABSOLUTE_ERROR)


def psnr(forecast: np.ndarray, truth: np.ndarray, data_range: float) -> np.ndarray:
    """Peak signal-to-noise ratio in dB; data_range must come from the data, not a unit range."""
    return psnr_of_mse(mse(forecast, truth), data_range)


def psnr_of_mse(mse_values: np.ndarray, data_range: float) -> np.ndarray:
    """PSNR in dB of already computed MSEs: the evaluation scores MSE, RMSE and PSNR from one pass."""
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(data_range**2 / mse_values)


@numba.njit(cache=True)
def _add_row(columns: np.ndarray, x: np.ndarray, y: np.ndarray, row: int, shift: float, sign: float) -> None:
    """Add (sign=1) or remove (sign=-1) one row's moments to the running column sums."""
    for j in range(x.shape[1]):
        a, b = x[row, j] - shift, y[row, j] - shift
        columns[j, 0] += sign * a
        columns[j, 1] += sign * b
        columns[j, 2] += sign * a * a
        columns[j, 3] += sign * b * b
        columns[j, 4] += sign * a * b


@numba.njit(cache=True)
def _ssim_from_sums(sums: np.ndarray, n: int, shift: float, c1: float, c2: float) -> float:
    """SSIM of one window from its sums of a, b, a^2, b^2 and ab (a, b shifted by -shift)."""
    mu_x, mu_y = sums[0] / n, sums[1] / n
    cov_norm = n / (n - 1)
    var_x = cov_norm * (sums[2] / n - mu_x * mu_x)
    var_y = cov_norm * (sums[3] / n - mu_y * mu_y)
    cov = cov_norm * (sums[4] / n - mu_x * mu_y)
    mu_x, mu_y = mu_x + shift, mu_y + shift
    return (2 * mu_x * mu_y + c1) * (2 * cov + c2) / ((mu_x * mu_x + mu_y * mu_y + c1) * (var_x + var_y + c2))


@numba.njit(cache=True)
def _row_ssim_total(columns: np.ndarray, win_size: int, shift: float, c1: float, c2: float) -> float:
    """Sum of the SSIM map along one output row, sliding the window over the column sums."""
    sums = np.zeros(5)
    total = 0.0
    for j in range(columns.shape[0]):
        for q in range(5):
            sums[q] += columns[j, q]
            if j >= win_size:
                sums[q] -= columns[j - win_size, q]
        if j >= win_size - 1:
            total += _ssim_from_sums(sums, win_size * win_size, shift, c1, c2)
    return total


@numba.njit(cache=True)
def _field_ssim(x: np.ndarray, y: np.ndarray, win_size: int, c1: float, c2: float) -> float:
    """Mean SSIM over the windows lying wholly inside one field, by running window sums.

    Values are shifted by the pair's joint mean first, so that the running sums of
    squares stay small and their differences keep full precision even for Kelvin.
    """
    height, width = x.shape
    shift = 0.5 * (x.mean() + y.mean())
    columns = np.zeros((width, 5))
    for row in range(win_size - 1):
        _add_row(columns, x, y, row, shift, 1.0)
    total = 0.0
    for row in range(win_size - 1, height):
        _add_row(columns, x, y, row, shift, 1.0)
        total += _row_ssim_total(columns, win_size, shift, c1, c2)
        _add_row(columns, x, y, row - win_size + 1, shift, -1.0)
    return total / ((height - win_size + 1) * (width - win_size + 1))


@numba.njit(parallel=True, cache=True)
def _ssim_fields(f: np.ndarray, t: np.ndarray, win_size: int, c1: float, c2: float) -> np.ndarray:
    """Mean SSIM of each of the (field, lat, lon) pairs, fields in parallel."""
    result = np.empty(f.shape[0])
    for k in numba.prange(f.shape[0]):
        result[k] = _field_ssim(f[k], t[k], win_size, c1, c2)
    return result


def ssim(forecast: np.ndarray, truth: np.ndarray, data_range: float, win_size: int = 7) -> np.ndarray:
    """Mean structural similarity (Wang et al. 2004) per field.

    Follows skimage.metrics.structural_similarity defaults: uniform win_size^2 window,
    K1=0.01, K2=0.03, sample (co)variances with the N/(N-1) correction, and the mean over
    the pixels whose window lies inside the field (skimage's crop of (win_size-1)//2).
    """
    f, t = _pair(forecast, truth)
    if win_size % 2 != 1 or win_size > min(f.shape[-2:]):
        raise ValueError(f"win_size must be odd and at most the field size, got {win_size}")
    fields = (-1, *f.shape[-2:])
    c1, c2 = (SSIM_K1 * data_range) ** 2, (SSIM_K2 * data_range) ** 2
    result = _ssim_fields(
        np.ascontiguousarray(f.reshape(fields)), np.ascontiguousarray(t.reshape(fields)), win_size, c1, c2
    )
    return result.reshape(f.shape[:-2])


def acc(forecast: np.ndarray, truth: np.ndarray, climatology: np.ndarray) -> np.ndarray:
    """Centred anomaly correlation coefficient per field.

    Anomalies are taken from the climatology valid at the same time; each anomaly field's
    own spatial mean is then removed, so the ACC is the Pearson correlation of the two
    anomaly fields (it ignores a uniform anomaly bias, which the bias metric reports).
    A forecast without anomaly pattern (the climatology itself) carries no correlation
    and scores 0 rather than an undefined 0/0; NaN inputs give NaN.
    """
    return centred_correlation(forecast, truth, climatology)


def gradient_magnitude(field: np.ndarray) -> np.ndarray:
    """|grad| per grid point in units per grid step: central differences inside, one-sided at the edges."""
    d_lat, d_lon = np.gradient(np.asarray(field, dtype=np.float64), axis=SPATIAL)
    return np.hypot(d_lat, d_lon)


def gradient_ratio(forecast: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """r_G: domain-mean |grad| of the forecast over that of the truth; below 1 means too smooth a forecast.

    Gradients are per grid step; on a regular grid the ratio does not depend on the step size.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return gradient_magnitude(forecast).mean(axis=SPATIAL) / gradient_magnitude(truth).mean(axis=SPATIAL)


def latitude_weights(lats: np.ndarray) -> np.ndarray:
    """cos(latitude) weights, normalised to mean 1, for grid cells whose area shrinks poleward."""
    w = np.cos(np.deg2rad(np.asarray(lats, dtype=np.float64)))
    return w / w.mean()


def rmse_latitude_weighted(forecast: np.ndarray, truth: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Area-weighted RMSE per field: sqrt of the spatial mean of w(lat) * (f - t)^2; lats in degrees."""
    f, t = _pair(forecast, truth)
    w = latitude_weights(lats)[:, np.newaxis]
    return np.sqrt((w * np.square(f - t)).mean(axis=SPATIAL))


def ensemble_spread(members: np.ndarray) -> np.ndarray:
    """Square root of the spatial mean of the ensemble variance; members on axis 0, shape (n, ..., lat, lon)."""
    variance = np.asarray(members, dtype=np.float64).var(axis=0, ddof=1)
    return np.sqrt(variance.mean(axis=(-2, -1)))
