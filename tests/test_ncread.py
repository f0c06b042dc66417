"""ambs.preprocessing.netcdf_variables gives exactly what xr.open_dataset gives: values, coordinates, attributes and order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from ambs.config import Area
from ambs.extraction.month import extract_month
from ambs.extraction.synthetic import SyntheticClient
from ambs.preprocessing.netcdf_variables import read_variables


def _reference(path: Path, names: list[str]) -> xr.Dataset:
    with xr.open_dataset(path) as ds:
        return ds[[n for n in names if n in ds]].load()


def _assert_same(path: Path, names: list[str]) -> xr.Dataset:
    ours, reference = read_variables(path, names), _reference(path, names)
    xr.testing.assert_identical(ours, reference)
    assert list(ours.variables) == list(reference.variables)
    for name in ours.variables:
        assert ours[name].dtype == reference[name].dtype
    assert ours["time"].encoding["units"] == reference["time"].encoding["units"]
    return ours


def test_era5_download_reads_identically(tmp_path: Path) -> None:
    area = Area(north=50.0, west=6.0, south=49.0, east=7.5)
    extract_month(
        SyntheticClient(3), ["t2m", "msl", "z500"], area, "2017-06", [1, 2], [0, 6, 12, 18], tmp_path, lambda _: None
    )
    ds = _assert_same(tmp_path / "sfc.nc", ["t2m", "msl"])
    assert ds.sizes == {"time": 8, "latitude": 5, "longitude": 7}
    _assert_same(tmp_path / "pl500.nc", ["z"])


@pytest.mark.parametrize("file_format", ["NETCDF4", "NETCDF3_64BIT"])
def test_packed_data_with_gaps_is_unpacked_and_masked(tmp_path: Path, file_format: str) -> None:
    """Older CDS files: int16 with scale_factor/add_offset/_FillValue; netCDF-3 goes through xarray itself."""
    rng = np.random.default_rng(0)
    values = 280 + 5 * rng.normal(size=(4, 3, 2))
    values[1, 2, 0] = np.nan
    ds = xr.Dataset(
        {"t2m": (("time", "latitude", "longitude"), values, {"units": "K", "long_name": "2 metre temperature"})},
        coords={
            "time": np.datetime64("2017-01-01T00", "ns") + np.arange(4) * np.timedelta64(1, "h"),
            "latitude": [50.0, 49.75, 49.5],
            "longitude": [6.0, 6.25],
        },
        attrs={"Conventions": "CF-1.6"},
    )
    path = tmp_path / "packed.nc"
    ds.to_netcdf(
        path,
        format=file_format,
        encoding={"t2m": {"dtype": "int16", "scale_factor": 0.01, "add_offset": 280.0, "_FillValue": -32767}},
    )
    ours = _assert_same(path, ["t2m"])
    assert np.isnan(ours["t2m"].values[1, 2, 0])
    np.testing.assert_allclose(ours["t2m"].values, values, atol=0.005)
    assert ours.attrs["Conventions"] == "CF-1.6"


def test_absent_variables_are_left_out(tmp_path: Path) -> None:
    path = tmp_path / "one.nc"
    xr.Dataset({"msl": (("time",), np.arange(3.0))}, coords={"time": np.arange(3)}).to_netcdf(path)
    assert list(read_variables(path, ["t2m", "msl"]).data_vars) == ["msl"]


def test_truncated_file_raises_oserror(tmp_path: Path) -> None:
    path = tmp_path / "cut.nc"
    xr.Dataset({"msl": (("time",), np.arange(1000.0))}, coords={"time": np.arange(1000)}).to_netcdf(path)
    path.write_bytes(path.read_bytes()[:3000])
    with pytest.raises((OSError, ValueError)):
        read_variables(path, ["msl"])
