"""The synthetic source: deterministic, area-independent, continuous and physically plausible."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from ambs.config import Area
from ambs.extraction.requests import build_requests
from ambs.extraction.synthetic import LAPSE_OFFSET_K, G, SyntheticAtmosphere, SyntheticClient, grid, orography

NAMES = ["t2m", "msl", "z500", "t850", "tcc"]


def hourly(start: str, hours: int) -> np.ndarray:
    return np.datetime64(start, "ns") + np.arange(hours) * np.timedelta64(1, "h")


@pytest.fixture(scope="module")
def month_fields() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Ten July days over central Europe, on a 1 degree subset of the 0.25 degree grid."""
    lats, lons = np.arange(58.0, 39.9, -1.0), np.arange(-5.0, 20.1, 1.0)
    return lats, lons, SyntheticAtmosphere(3).fields(hourly("2017-07-01T00", 240), lats, lons, [*NAMES, "lsm"])


def test_same_seed_same_bytes_other_seed_differs() -> None:
    times, (lats, lons) = hourly("2017-07-01T00", 6), grid([50, 5, 48, 7])
    first = SyntheticAtmosphere(11).fields(times, lats, lons, NAMES)
    again = SyntheticAtmosphere(11).fields(times, lats, lons, NAMES)
    other = SyntheticAtmosphere(12).fields(times, lats, lons, NAMES)
    for name in NAMES:
        assert first[name].dtype == np.float32 and first[name].shape == (6, 9, 9)
        assert first[name].tobytes() == again[name].tobytes()
        assert not np.array_equal(first[name], other[name])


def test_sub_area_equals_crop_of_larger_area() -> None:
    atmosphere = SyntheticAtmosphere(5)
    big_lats, big_lons = grid([55, 0, 45, 10])
    small_lats, small_lons = grid([52, 3.5, 48.25, 6])
    big = atmosphere.fields(hourly("2019-01-31T20", 8), big_lats, big_lons, NAMES)
    small = atmosphere.fields(hourly("2019-01-31T23", 3), small_lats, small_lons, NAMES)
    rows = np.searchsorted(-big_lats, -small_lats)
    cols = np.searchsorted(big_lons, small_lons)
    for name in NAMES:
        np.testing.assert_array_equal(small[name], big[name][3:6][:, rows][:, :, cols])


def test_continuous_across_month_boundary() -> None:
    atmosphere = SyntheticAtmosphere(9)
    lats, lons = grid([52, 5, 47, 10])
    july = atmosphere.fields(hourly("2017-07-31T00", 24), lats, lons, NAMES)
    august = atmosphere.fields(hourly("2017-08-01T00", 24), lats, lons, NAMES)
    for name in NAMES:
        steps = np.abs(np.diff(july[name], axis=0)).mean(axis=(1, 2))
        jump = np.abs(august[name][0] - july[name][-1]).mean()
        assert jump <= 2 * steps.max(), name


def test_value_ranges(month_fields: tuple) -> None:
    _, _, fields = month_fields
    assert 230 < fields["t2m"].min() and fields["t2m"].max() < 320
    assert 95000 < fields["msl"].min() and fields["msl"].max() < 105000
    assert 5.0e4 < fields["z500"].min() and fields["z500"].max() < 6.0e4
    assert 260 < fields["t850"].min() and fields["t850"].max() < 300
    assert fields["tcc"].min() == 0 and fields["tcc"].max() == 1  # clear and overcast both occur, as in ERA5
    assert 0.3 < fields["tcc"].mean() < 0.8


def test_north_south_gradients(month_fields: tuple) -> None:
    _, _, fields = month_fields
    for name in ("t2m", "z500"):
        zonal_mean = fields[name].mean(axis=(0, 2))  # latitude descending: north first
        assert zonal_mean[0] < zonal_mean[-1] - 5 * np.abs(np.diff(zonal_mean)).mean(), name


def test_land_diurnal_cycle_exceeds_sea(month_fields: tuple) -> None:
    """The land-sea contrast of t2m follows the land-sea mask the source serves."""
    lats, lons, fields = month_fields
    land = fields["lsm"][0]
    assert (land > 0.8).any() and (land < 0.2).any()
    days = fields["t2m"].reshape(10, 24, lats.size, lons.size)
    amplitude = (days.max(axis=1) - days.min(axis=1)).mean(axis=0)
    assert amplitude[land > 0.8].mean() > 2 * amplitude[land < 0.2].mean()


def test_msl_and_z500_anomalies_correlate(month_fields: tuple) -> None:
    _, _, fields = month_fields
    msl = fields["msl"] - fields["msl"].mean(axis=0)
    z = fields["z500"] - fields["z500"].mean(axis=0)
    assert np.corrcoef(msl.ravel(), z.ravel())[0, 1] > 0.5


def test_lows_bring_warm_air_ahead_and_cold_behind(month_fields: tuple) -> None:
    """Southerly flow (msl rising eastward) must warm t2m: the coupling a model can learn."""
    _, _, fields = month_fields
    gradient = np.gradient(fields["msl"].astype(float), axis=2)
    t2m = fields["t2m"] - fields["t2m"].mean(axis=0)
    assert np.corrcoef(gradient.ravel(), t2m.ravel())[0, 1] > 0.1


def test_t850_is_t2m_lifted_by_the_lapse_rate(month_fields: tuple) -> None:
    _, _, fields = month_fields
    difference = fields["t2m"] - fields["t850"]
    assert abs(difference.mean() - LAPSE_OFFSET_K) < 3
    t2m, t850 = (fields[name] - fields[name].mean(axis=0) for name in ("t2m", "t850"))
    assert np.corrcoef(t2m.ravel(), t850.ravel())[0, 1] > 0.5
    daily = fields["t850"].reshape(10, 24, *t850.shape[1:])
    surface = fields["t2m"].reshape(daily.shape)
    assert np.ptp(daily, axis=1).mean() < 0.7 * np.ptp(surface, axis=1).mean()  # a weak diurnal cycle aloft


def test_clouds_fill_lows_and_clear_in_highs(month_fields: tuple) -> None:
    _, _, fields = month_fields
    msl = fields["msl"] - fields["msl"].mean(axis=0)
    assert np.corrcoef(msl.ravel(), fields["tcc"].ravel())[0, 1] < -0.4
    assert fields["tcc"][msl < -1000].mean() > fields["tcc"][msl > 500].mean() + 0.3


def test_static_fields_are_constant_and_consistent() -> None:
    lats, lons = grid([58, -5, 40, 20])
    fields = SyntheticAtmosphere(3).fields(hourly("2017-01-01T00", 3), lats, lons, ["lsm", "z", "t2m"])
    lsm, z = fields["lsm"], fields["z"]
    assert lsm.shape == z.shape == (3, lats.size, lons.size)
    assert np.all(lsm == lsm[0]) and np.all(z == z[0])
    assert 0 <= lsm.min() and lsm.max() <= 1 and (lsm < 0.05).any() and (lsm > 0.95).any()
    np.testing.assert_allclose(z[0], G * orography(lats, lons), rtol=1e-6)
    assert np.abs(z[0][lsm[0] < 0.05]).max() < G * 5  # sea level at sea
    assert z[0][lsm[0] > 0.9].max() > G * 1000  # mountains on land
    again = SyntheticAtmosphere(11).fields(hourly("2019-07-01T00", 1), lats, lons, ["lsm", "z"])
    assert np.array_equal(again["lsm"][0], lsm[0]) and np.array_equal(again["z"][0], z[0])  # ERA5's are fixed too


# The default config's data (seed 42, its domain, the month 2017-07) as generated before tcc, t850, the static
# fields and the oracle were added: sha256 of the float32 bytes, and the mean in float64.
DEFAULT_MONTH = {
    "t2m": ("5169b25ee8eee21bd90522a9907a271276c114527244047cb5bb1cfcdaa81c4d", 289.70931653448594),
    "msl": ("ef62a164a099418317184581bbd46f805d24d6d1cd4b98c19361ffd23f62d36e", 101100.70508010617),
    "z500": ("200b24415b9984fab6727c2d5cf3e7ef9da8c7881aee83844ad22dc7beb8a3b0", 54475.08424529112),
}


def test_default_month_is_unchanged() -> None:
    """The default run's data stay bit-identical.

    The means are checked first: a changed formula moves them, whereas a CPU whose libm differs in the last
    bit of a float64 (which survives the rounding to float32 about once in 10**8 values) changes only the bytes.
    """
    lats, lons = grid([56.0, 2.0, 44.0, 14.0])
    fields = SyntheticAtmosphere(42).fields(hourly("2017-07-01T00", 31 * 24), lats, lons, list(DEFAULT_MONTH))
    for name, (digest, mean) in DEFAULT_MONTH.items():
        assert fields[name].astype(np.float64).mean() == pytest.approx(mean, rel=1e-12), name
        assert hashlib.sha256(fields[name].tobytes()).hexdigest() == digest, name


def test_client_writes_era5_like_netcdf(tmp_path: Path) -> None:
    sfc, pl500, pl850 = build_requests(NAMES, Area(50, 5, 48.5, 6.5), 2017, 7, [30, 31], [0, 1, 2, 12])
    client = SyntheticClient(1)
    for request, short in ((sfc, ["t2m", "msl", "tcc"]), (pl500, ["z"]), (pl850, ["t"])):
        target = tmp_path / request.filename
        client.retrieve(request.dataset, request.body, str(target))
        with xr.open_dataset(target) as ds:
            assert list(ds.data_vars) == short
            assert ds["latitude"].values[0] == 50 and np.all(np.diff(ds["latitude"].values) == -0.25)
            assert ds["longitude"].values[0] == 5 and ds["longitude"].values[-1] == 6.5
            assert ds["time"].size == 8 and ds["time"].values[1] - ds["time"].values[0] == np.timedelta64(1, "h")
            assert ds.attrs["Conventions"] == "CF-1.6" and "synthetic" in ds.attrs["history"]
            assert ds["latitude"].attrs["units"] == "degrees_north"
            for name in short:
                assert ds[name].dims == ("time", "latitude", "longitude") and ds[name].dtype == np.float32
    with xr.open_dataset(tmp_path / "sfc.nc") as ds:
        assert ds["msl"].attrs["units"] == "Pa" and ds["t2m"].attrs["standard_name"] == "air_temperature"
        assert ds["tcc"].attrs == {
            "units": "(0 - 1)",
            "long_name": "Total cloud cover",
            "standard_name": "cloud_area_fraction",
        }
    with xr.open_dataset(tmp_path / "pl500.nc") as ds:
        assert ds["z"].attrs["units"] == "m**2 s**-2" and "500" in ds["z"].attrs["pressure_level"]
    with xr.open_dataset(tmp_path / "pl850.nc") as ds:
        assert ds["t"].attrs["units"] == "K" and ds["t"].attrs["pressure_level"] == "850 hPa"


def test_client_rejects_unknown_variable(tmp_path: Path) -> None:
    (request,) = build_requests(["t2m"], Area(50, 5, 49, 6), 2017, 7, [1], [0])
    body = {**request.body, "variable": ["sea_surface_temperature"]}
    with pytest.raises(ValueError, match="sea_surface_temperature"):
        SyntheticClient(1).retrieve(request.dataset, body, str(tmp_path / "x.nc"))
    assert not list(tmp_path.iterdir())
