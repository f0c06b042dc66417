"""Each metric against an independent reference: skimage, xskillscore, np.corrcoef, plain loops, hand values."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
import xskillscore as xs
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.ndimage import gaussian_filter
from skimage.metrics import structural_similarity

from ambs.evaluation import metrics

SHAPES = [(7, 7), (16, 16), (16, 24), (33, 20)]


def kelvin_pair(shape: tuple[int, ...], smooth: bool, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Temperature-like truth and a perturbed forecast; smooth fields mimic ERA5, noisy ones stress SSIM."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=shape)
    if smooth:
        truth = gaussian_filter(truth, sigma=(0,) * (len(shape) - 2) + (3, 3)) * 30
    truth = 280.0 + 10 * truth
    forecast = truth + rng.normal(scale=2.0, size=shape) + 0.5
    return forecast, truth


def loop_leading(func, f: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Apply a per-field reference function over every leading index."""
    out = np.empty(f.shape[:-2])
    for index in np.ndindex(out.shape):
        out[index] = func(f[index], t[index])
    return out


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("smooth", [True, False])
def test_ssim_matches_skimage(shape: tuple[int, int], smooth: bool) -> None:
    f, t = kelvin_pair((3, 2, *shape), smooth)
    data_range = float(t.max() - t.min())
    expected = loop_leading(lambda a, b: structural_similarity(a, b, data_range=data_range, win_size=7), f, t)
    np.testing.assert_allclose(metrics.ssim(f, t, data_range), expected, rtol=0, atol=1e-6)


def test_ssim_other_window_matches_skimage() -> None:
    f, t = kelvin_pair((2, 16, 24), smooth=True)
    expected = loop_leading(lambda a, b: structural_similarity(a, b, data_range=40.0, win_size=5), f, t)
    np.testing.assert_allclose(metrics.ssim(f, t, 40.0, win_size=5), expected, rtol=0, atol=1e-6)


def test_ssim_of_one_field_is_a_scalar() -> None:
    f, t = kelvin_pair((16, 24), smooth=True)
    result = metrics.ssim(f, t, 40.0)
    assert result.shape == ()
    assert result == pytest.approx(structural_similarity(f, t, data_range=40.0), abs=1e-6)


def test_ssim_of_identical_fields_is_one() -> None:
    _, t = kelvin_pair((4, 16, 24), smooth=True)
    np.testing.assert_allclose(metrics.ssim(t, t, 50.0), 1.0, rtol=0, atol=1e-12)


def test_ssim_rejects_window_larger_than_field() -> None:
    with pytest.raises(ValueError):
        metrics.ssim(np.zeros((5, 5)), np.zeros((5, 5)), 1.0)


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("mse", lambda a, b: np.mean((a - b) ** 2)),
        ("rmse", lambda a, b: np.sqrt(np.mean((a - b) ** 2))),
        ("bias", lambda a, b: np.mean(a - b)),
        ("mae", lambda a, b: np.mean(np.abs(a - b))),
    ],
)
def test_pointwise_metrics_match_loops(name: str, reference) -> None:
    f, t = kelvin_pair((3, 4, 16, 24), smooth=False)
    result = getattr(metrics, name)(f, t)
    assert result.shape == (3, 4)
    np.testing.assert_allclose(result, loop_leading(reference, f, t), rtol=1e-12)


def test_psnr_known_value() -> None:
    t = np.zeros((8, 8))
    f = np.where(np.indices((8, 8)).sum(axis=0) % 2 == 0, 1.0, -1.0)  # mse exactly 1
    assert metrics.psnr(f, t, data_range=10.0) == pytest.approx(20.0)


def test_acc_equals_pearson_of_anomalies() -> None:
    f, t = kelvin_pair((3, 4, 16, 24), smooth=True)
    clim = kelvin_pair((4, 16, 24), smooth=True, seed=1)[1]  # one climatology per lead, shared over init
    expected = np.empty(f.shape[:-2])
    for i, j in np.ndindex(expected.shape):
        expected[i, j] = np.corrcoef((f[i, j] - clim[j]).ravel(), (t[i, j] - clim[j]).ravel())[0, 1]
    np.testing.assert_allclose(metrics.acc(f, t, clim), expected, rtol=0, atol=1e-6)


def test_acc_ignores_uniform_anomaly_bias() -> None:
    f, t = kelvin_pair((16, 24), smooth=True)
    clim = np.full_like(t, 270.0)
    assert metrics.acc(t + 3.0, t, clim) == pytest.approx(1.0)
    assert metrics.acc(2 * clim - t, t, clim) == pytest.approx(-1.0)


def test_latitude_weights_have_mean_one() -> None:
    w = metrics.latitude_weights(np.array([60.0, 0.0, -60.0]))
    np.testing.assert_allclose(w, [0.75, 1.5, 0.75])


def test_rmse_latitude_weighted_hand_case() -> None:
    lats = np.array([60.0, 0.0])  # cos: 0.5, 1 -> weights 2/3, 4/3
    t = np.zeros((2, 2))
    f = np.array([[3.0, 3.0], [0.0, 0.0]])
    # mean of w * err^2 = (2/3 * 9 * 2 + 0) / 4 = 3
    assert metrics.rmse_latitude_weighted(f, t, lats) == pytest.approx(np.sqrt(3.0))


@pytest.mark.parametrize("lats", [np.zeros(16), np.full(16, 45.0)])
def test_rmse_latitude_weighted_uniform_latitudes_is_rmse(lats: np.ndarray) -> None:
    f, t = kelvin_pair((3, 16, 24), smooth=False)
    np.testing.assert_allclose(metrics.rmse_latitude_weighted(f, t, lats), metrics.rmse(f, t), rtol=1e-12)


# Multiples of 1/1024 so that distinct fields never differ by an amount whose square underflows.
fields = arrays(np.float64, (4, 5), elements=st.integers(-(10**6), 10**6).map(lambda i: i / 1024))


@given(fields, fields)
def test_rmse_nonnegative_and_symmetric(f: np.ndarray, t: np.ndarray) -> None:
    assert metrics.rmse(f, t) >= 0
    assert metrics.rmse(f, t) == metrics.rmse(t, f)


@given(fields, fields)
def test_rmse_zero_iff_equal(f: np.ndarray, t: np.ndarray) -> None:
    assert metrics.rmse(f, f) == 0
    assert (metrics.rmse(f, t) == 0) == np.array_equal(f, t)


def test_ensemble_spread_against_numpy() -> None:
    rng = np.random.default_rng(3)
    members = rng.normal(size=(5, 2, 3, 6, 7))
    expected = np.array([[np.sqrt(members[:, i, j].var(axis=0, ddof=1).mean()) for j in range(3)] for i in range(2)])
    np.testing.assert_allclose(metrics.ensemble_spread(members), expected, rtol=1e-12)
    assert np.all(metrics.ensemble_spread(np.repeat(members[:1], 4, axis=0)) == 0)


def _labelled(values: np.ndarray, lats: np.ndarray) -> xr.DataArray:
    dims = ("init", "lead", "latitude", "longitude")
    return xr.DataArray(values, dims=dims, coords={"latitude": lats})


def test_error_metrics_match_xskillscore() -> None:
    f, t = kelvin_pair((3, 4, 16, 24), smooth=True)
    lats = np.linspace(60.0, 40.0, 16)
    fa, ta, space = _labelled(f, lats), _labelled(t, lats), ["latitude", "longitude"]
    for ours, theirs in [(metrics.mse, xs.mse), (metrics.rmse, xs.rmse), (metrics.mae, xs.mae), (metrics.bias, xs.me)]:
        np.testing.assert_allclose(ours(f, t), theirs(fa, ta, dim=space).values, rtol=0, atol=1e-6)
    weights = np.cos(np.deg2rad(fa["latitude"])).broadcast_like(fa.isel(init=0, lead=0))
    expected = xs.rmse(fa, ta, dim=space, weights=weights).values
    np.testing.assert_allclose(metrics.rmse_latitude_weighted(f, t, lats), expected, rtol=0, atol=1e-6)


def test_acc_matches_xskillscore_pearson_of_anomalies() -> None:
    f, t = kelvin_pair((3, 4, 16, 24), smooth=True)
    clim = kelvin_pair((3, 4, 16, 24), smooth=True, seed=2)[1]  # a different climatology per valid time
    lats = np.linspace(60.0, 40.0, 16)
    expected = xs.pearson_r(_labelled(f - clim, lats), _labelled(t - clim, lats), dim=["latitude", "longitude"]).values
    np.testing.assert_allclose(metrics.acc(f, t, clim), expected, rtol=0, atol=1e-6)


def test_acc_of_the_climatology_itself_is_zero_and_nan_stays_nan() -> None:
    _, t = kelvin_pair((2, 16, 24), smooth=True)
    clim = kelvin_pair((2, 16, 24), smooth=True, seed=1)[1]
    np.testing.assert_array_equal(metrics.acc(clim, t, clim), [0.0, 0.0])
    assert np.isnan(metrics.acc(np.full_like(t, np.nan), t, clim)).all()


def test_gradient_ratio_of_planes_is_the_slope_ratio() -> None:
    rows, cols = np.indices((12, 15), dtype=np.float64)
    truth = 280 + 0.3 * rows - 0.4 * cols  # |grad| = 0.5 everywhere, edges included
    forecast = 270 + 0.6 * cols  # |grad| = 0.6
    assert metrics.gradient_ratio(forecast, truth) == pytest.approx(1.2, rel=1e-12)
    assert metrics.gradient_ratio(truth + 5.0, truth) == pytest.approx(1.0, rel=1e-12)


def test_gradient_ratio_matches_explicit_differences() -> None:
    f, t = kelvin_pair((2, 3, 9, 11), smooth=False)

    def magnitude(field: np.ndarray) -> np.ndarray:
        """Central differences inside, one-sided at the edges, written out per axis."""
        d_lat, d_lon = np.empty_like(field), np.empty_like(field)
        d_lat[1:-1] = (field[2:] - field[:-2]) / 2
        d_lat[0], d_lat[-1] = field[1] - field[0], field[-1] - field[-2]
        d_lon[:, 1:-1] = (field[:, 2:] - field[:, :-2]) / 2
        d_lon[:, 0], d_lon[:, -1] = field[:, 1] - field[:, 0], field[:, -1] - field[:, -2]
        return np.sqrt(d_lat**2 + d_lon**2).mean()

    expected = loop_leading(lambda a, b: magnitude(a) / magnitude(b), f, t)
    np.testing.assert_allclose(metrics.gradient_ratio(f, t), expected, rtol=1e-12)


def test_smoothed_forecast_has_gradient_ratio_below_one() -> None:
    _, t = kelvin_pair((16, 24), smooth=False)
    assert metrics.gradient_ratio(gaussian_filter(t, 2), t) < 0.5
