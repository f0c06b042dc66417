"""CDS request bodies must match what the CDS API expects, byte for byte."""

from __future__ import annotations

import numpy as np
import pytest

from ambs.config import Area
from ambs.extraction.requests import (
    build_requests,
    build_static_request,
    raw_filenames,
    request_times,
    request_variables,
)
from ambs.extraction.variables import STATIC_FIELDS, VARIABLES

AREA = Area(north=52.0, west=5.0, south=47.0, east=10.25)


def test_catalogue_entries() -> None:
    assert VARIABLES["t2m"].cds_name == "2m_temperature" and VARIABLES["t2m"].units == "K"
    assert VARIABLES["msl"].standard_name == "air_pressure_at_mean_sea_level"
    z = VARIABLES["z500"]
    assert (z.short_name, z.dataset, z.units, z.level) == ("z", "reanalysis-era5-pressure-levels", "m**2 s**-2", 500)
    t = VARIABLES["t850"]
    assert (t.short_name, t.cds_name, t.dataset, t.units, t.level) == (
        "t",
        "temperature",
        "reanalysis-era5-pressure-levels",
        "K",
        850,
    )
    tcc = VARIABLES["tcc"]
    assert (tcc.short_name, tcc.cds_name, tcc.units, tcc.level) == ("tcc", "total_cloud_cover", "(0 - 1)", None)
    assert tcc.valid_range == (0.0, 1.0) and not tcc.static


def test_static_fields_are_the_era5_invariants() -> None:
    assert STATIC_FIELDS == ["lsm", "z"]
    lsm, z = (VARIABLES[name] for name in STATIC_FIELDS)
    assert (lsm.cds_name, lsm.short_name, lsm.units, lsm.standard_name) == (
        "land_sea_mask",
        "lsm",
        "(0 - 1)",
        "land_binary_mask",
    )
    assert (z.cds_name, z.short_name, z.units, z.level) == ("geopotential", "z", "m**2 s**-2", None)
    assert lsm.static and z.static and lsm.dataset == z.dataset == "reanalysis-era5-single-levels"


def test_static_request_asks_one_hour_of_the_invariants() -> None:
    request = build_static_request(AREA)
    assert (request.dataset, request.filename) == ("reanalysis-era5-single-levels", "static.nc")
    assert request.body == {
        "product_type": ["reanalysis"],
        "variable": ["land_sea_mask", "geopotential"],
        "year": ["2000"],
        "month": ["01"],
        "day": ["01"],
        "time": ["00:00"],
        "area": [52.0, 5.0, 47.0, 10.25],
        "data_format": "netcdf",
        "download_format": "unarchived",
    }
    assert [v.name for v in request_variables(request.dataset, request.body)] == ["lsm", "z"]
    assert list(request_times(request.body)) == [np.datetime64("2000-01-01T00:00", "ns")]


def test_single_and_pressure_level_bodies() -> None:
    sfc, pl = build_requests(["t2m", "z500", "msl"], AREA, 2017, 7, [1, 2, 10], [0, 6, 18])
    common = {
        "product_type": ["reanalysis"],
        "year": ["2017"],
        "month": ["07"],
        "day": ["01", "02", "10"],
        "time": ["00:00", "06:00", "18:00"],
        "area": [52.0, 5.0, 47.0, 10.25],
        "data_format": "netcdf",
        "download_format": "unarchived",
    }
    assert sfc.dataset == "reanalysis-era5-single-levels" and sfc.filename == "sfc.nc"
    assert sfc.body == {**common, "variable": ["2m_temperature", "mean_sea_level_pressure"]}
    assert pl.dataset == "reanalysis-era5-pressure-levels" and pl.filename == "pl500.nc"
    assert pl.body == {**common, "variable": ["geopotential"], "pressure_level": ["500"]}


def test_the_gmd2022_variables_download_as_surface_and_850_hpa_files() -> None:
    sfc, pl = build_requests(["t2m", "tcc", "t850"], AREA, 2017, 7, [1], [0])
    assert (sfc.filename, sfc.body["variable"]) == ("sfc.nc", ["2m_temperature", "total_cloud_cover"])
    assert (pl.filename, pl.dataset) == ("pl850.nc", "reanalysis-era5-pressure-levels")
    assert (pl.body["variable"], pl.body["pressure_level"]) == (["temperature"], ["850"])
    assert raw_filenames(["t850", "z500", "t2m"]) == ["sfc.nc", "pl500.nc", "pl850.nc"]


def test_raw_filenames_follow_request_order() -> None:
    for variables in (["t2m"], ["z500"], ["z500", "t2m", "msl"]):
        requests = build_requests(variables, AREA, 2018, 1, [5], [12])
        assert raw_filenames(variables) == [r.filename for r in requests]
    assert raw_filenames(["z500"]) == ["pl500.nc"]


def test_unknown_variable_is_named() -> None:
    with pytest.raises(ValueError, match="sst"):
        build_requests(["sst"], AREA, 2017, 7, [1], [0])


def test_request_times_skip_impossible_dates() -> None:
    (request,) = build_requests(["t2m"], AREA, 2017, 6, [30, 31], [0, 23])
    assert list(request_times(request.body)) == [
        np.datetime64("2017-06-30T00:00", "ns"),
        np.datetime64("2017-06-30T23:00", "ns"),
    ]


def test_request_variables_round_trip() -> None:
    for request in build_requests(["t2m", "msl", "z500", "tcc", "t850"], AREA, 2017, 7, [1], [0]):
        names = [v.name for v in request_variables(request.dataset, request.body)]
        assert names in (["t2m", "msl", "tcc"], ["z500"], ["t850"])
