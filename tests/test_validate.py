"""validate_download rejects every kind of broken ERA5 file, naming the file and the problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from ambs.config import Area
from ambs.extraction.requests import CdsRequest, build_requests
from ambs.extraction.synthetic import SyntheticClient
from ambs.extraction.validate import Era5FileError, validate_download

AREA = Area(north=50.0, west=5.0, south=49.0, east=6.0)


@pytest.fixture
def sfc(tmp_path: Path) -> tuple[Path, CdsRequest]:
    (request, _) = build_requests(["t2m", "msl", "z500"], AREA, 2017, 7, [1, 2], [0, 6, 12, 18])
    path = tmp_path / request.filename
    SyntheticClient(2).retrieve(request.dataset, request.body, str(path))
    return path, request


def rewrite(path: Path, change: Callable[[xr.Dataset], xr.Dataset]) -> None:
    with xr.open_dataset(path) as ds:
        changed = change(ds.load())
    path.unlink()
    changed.to_netcdf(path)


def test_good_file_passes(sfc: tuple[Path, CdsRequest]) -> None:
    validate_download(*sfc)


def test_missing_variable(sfc: tuple[Path, CdsRequest]) -> None:
    rewrite(sfc[0], lambda ds: ds.drop_vars("msl"))
    with pytest.raises(Era5FileError, match=r"sfc\.nc.*'msl'.*missing"):
        validate_download(*sfc)


def test_missing_hours(sfc: tuple[Path, CdsRequest]) -> None:
    rewrite(sfc[0], lambda ds: ds.isel(time=slice(0, 5)))
    with pytest.raises(Era5FileError, match="3 requested hour"):
        validate_download(*sfc)


def test_nan_values(sfc: tuple[Path, CdsRequest]) -> None:
    def poison(ds: xr.Dataset) -> xr.Dataset:
        ds["t2m"][2, 1, 1] = np.nan
        return ds

    rewrite(sfc[0], poison)
    with pytest.raises(Era5FileError, match="'t2m' contains NaN"):
        validate_download(*sfc)


def test_wrong_units(sfc: tuple[Path, CdsRequest]) -> None:
    def to_hpa(ds: xr.Dataset) -> xr.Dataset:
        ds["msl"].attrs["units"] = "hPa"
        return ds

    rewrite(sfc[0], to_hpa)
    with pytest.raises(Era5FileError, match="units 'hPa'"):
        validate_download(*sfc)


def test_missing_dimension(sfc: tuple[Path, CdsRequest]) -> None:
    rewrite(sfc[0], lambda ds: ds.rename({"latitude": "lat"}))
    with pytest.raises(Era5FileError, match="latitude"):
        validate_download(*sfc)


def test_truncated_file(sfc: tuple[Path, CdsRequest]) -> None:
    path = sfc[0]
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(Era5FileError, match=r"sfc\.nc: cannot read netCDF"):
        validate_download(*sfc)


def test_not_netcdf(sfc: tuple[Path, CdsRequest]) -> None:
    sfc[0].write_text("<html>502 Bad Gateway</html>")
    with pytest.raises(Era5FileError, match="cannot read"):
        validate_download(*sfc)


def test_area_not_covered(sfc: tuple[Path, CdsRequest]) -> None:
    rewrite(sfc[0], lambda ds: ds.isel(longitude=slice(0, 2)))
    with pytest.raises(Era5FileError, match="does not cover"):
        validate_download(*sfc)


def test_fraction_outside_its_range(tmp_path: Path) -> None:
    """Cloud cover in percent, as some other archives deliver it, is not ERA5's fraction."""
    (request,) = build_requests(["tcc"], AREA, 2017, 7, [1], [0, 12])
    path = tmp_path / request.filename
    SyntheticClient(2).retrieve(request.dataset, request.body, str(path))
    validate_download(path, request)

    def to_percent(ds: xr.Dataset) -> xr.Dataset:
        ds["tcc"] = ds["tcc"] * 100
        ds["tcc"].attrs["units"] = "(0 - 1)"
        return ds

    rewrite(path, to_percent)
    with pytest.raises(Era5FileError, match=r"'tcc' ranges [0-9.]+\.\.[0-9.]+, outside its 0\.\.1"):
        validate_download(path, request)
