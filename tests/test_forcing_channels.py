"""The forcing channels of the windows: scaled time forcings, static fields cropped to the windows' grid and z-scored."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from ambs.config import Area
from ambs.extraction.month import extract_static
from ambs.extraction.synthetic import SyntheticClient, orography
from ambs.sequences.forcing_channels import forcing_channels
from ambs.sequences.forcings import SOLAR_CONSTANT, local_time_angle, toa_incident_solar_radiation
from ambs.sequences.meta import SequenceError

DOMAIN = Area(52.0, 5.0, 47.0, 10.0)
LAT, LON = np.arange(51.0, 47.99, -0.25), np.arange(6.0, 9.01, 0.25)  # a region inside the domain
TIMES = np.arange(np.datetime64("2017-07-01T00", "h"), np.datetime64("2017-07-02T00", "h"))


@pytest.fixture(scope="module")
def static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return extract_static(SyntheticClient(7), DOMAIN, tmp_path_factory.mktemp("raw"), lambda _: None)


def test_channels_follow_the_order_of_the_names_each_scaled_to_order_one(static: Path) -> None:
    channels = forcing_channels(["z", "toa_incident_solar_radiation", "cos_local_time"], TIMES, LAT, LON, static)
    assert channels.shape == (24, len(LAT), len(LON), 3) and channels.dtype == np.float32
    np.testing.assert_allclose(channels[..., 1], toa_incident_solar_radiation(TIMES, LAT, LON) / SOLAR_CONSTANT)
    assert channels[..., 1].min() == 0.0 and 0.8 < channels[..., 1].max() < 1.0  # night, and the July noon sun at 50 N
    clock = np.broadcast_to(np.cos(local_time_angle(TIMES, LON))[:, None, :], channels.shape[:3])
    np.testing.assert_allclose(channels[..., 2], clock, atol=1e-6)
    # orography: the embedded source's field on the region's points, z-scored over them, the same every hour
    height = orography(LAT, LON)
    np.testing.assert_allclose(channels[5, ..., 0], (height - height.mean()) / height.std(), rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(channels[0, ..., 0], channels[23, ..., 0])


def test_a_constant_static_field_becomes_zero(tmp_path: Path) -> None:
    """A region all land has a land-sea mask without spread: zero, not a division by zero."""
    coords = {"time": TIMES[:1].astype("datetime64[ns]"), "latitude": LAT, "longitude": LON}
    land = xr.DataArray(np.ones((1, len(LAT), len(LON)), np.float32), coords, ("time", "latitude", "longitude"))
    xr.Dataset({"lsm": land}).to_netcdf(tmp_path / "static.nc")
    np.testing.assert_array_equal(forcing_channels(["lsm"], TIMES, LAT, LON, tmp_path / "static.nc"), 0.0)


def test_static_fields_need_the_invariants_file_covering_the_grid(static: Path) -> None:
    with pytest.raises(SequenceError, match=r"forcings \['lsm'\] are static fields: they need the ERA5 invariants"):
        forcing_channels(["sin_day_of_year", "lsm"], TIMES, LAT, LON, None)
    with pytest.raises(SequenceError, match="static field 'lsm' does not cover the grid of the windows"):
        forcing_channels(["lsm"], TIMES, LAT + 10, LON, static)
    with pytest.raises(SequenceError, match=r"unknown forcings \['tisr'\]"):
        forcing_channels(["tisr"], TIMES, LAT, LON, static)
