"""The synthetic source: deterministic, area-independent, continuous and physically plausible."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from ambs.config import Area
from ambs.extraction.requests import build_requests
from ambs.extraction.synthetic import SyntheticAtmosphere, SyntheticClient, grid, land_fraction

NAMES = ["t2m", "msl", "z500"]


def hourly(start: str, hours: int) -> np.ndarray:
    return np.datetime64(start, "ns") + np.arange(hours) * np.timedelta64(1, "h")


@pytest.fixture(scope="module")
def month_fields() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Ten July days over central Europe, on a 1 degree subset of the 0.25 degree grid."""
    lats, lons = np.arange(58.0, 39.9, -1.0), np.arange(-5.0, 20.1, 1.0)
    return lats, lons, SyntheticAtmosphere(3).fields(hourly("2017-07-01T00", 240), lats, lons, NAMES)


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


def test_north_south_gradients(month_fields: tuple) -> None:
    _, _, fields = month_fields
    for name in ("t2m", "z500"):
        zonal_mean = fields[name].mean(axis=(0, 2))  # latitude descending: north first
        assert zonal_mean[0] < zonal_mean[-1] - 5 * np.abs(np.diff(zonal_mean)).mean(), name


def test_land_diurnal_cycle_exceeds_sea(month_fields: tuple) -> None:
    lats, lons, fields = month_fields
    land = land_fraction(lats, lons)
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


def test_client_writes_era5_like_netcdf(tmp_path: Path) -> None:
    sfc, pl = build_requests(NAMES, Area(50, 5, 48.5, 6.5), 2017, 7, [30, 31], [0, 1, 2, 12])
    client = SyntheticClient(1)
    for request, short in ((sfc, ["t2m", "msl"]), (pl, ["z"])):
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
    with xr.open_dataset(tmp_path / "pl500.nc") as ds:
        assert ds["z"].attrs["units"] == "m**2 s**-2" and "500" in ds["z"].attrs["pressure_level"]


def test_client_rejects_unknown_variable(tmp_path: Path) -> None:
    (request,) = build_requests(["t2m"], Area(50, 5, 49, 6), 2017, 7, [1], [0])
    body = {**request.body, "variable": ["sea_surface_temperature"]}
    with pytest.raises(ValueError, match="sea_surface_temperature"):
        SyntheticClient(1).retrieve(request.dataset, body, str(tmp_path / "x.nc"))
    assert not list(tmp_path.iterdir())
