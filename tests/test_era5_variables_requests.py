"""CDS request bodies must match what the CDS API expects, byte for byte."""

from __future__ import annotations

import numpy as np
import pytest

from ambs.config import Area
from ambs.extraction.requests import build_requests, raw_filenames, request_times, request_variables
from ambs.extraction.variables import VARIABLES

AREA = Area(north=52.0, west=5.0, south=47.0, east=10.25)


def test_catalogue_entries() -> None:
    assert VARIABLES["t2m"].cds_name == "2m_temperature" and VARIABLES["t2m"].units == "K"
    assert VARIABLES["msl"].standard_name == "air_pressure_at_mean_sea_level"
    z = VARIABLES["z500"]
    assert (z.short_name, z.dataset, z.units, z.level) == ("z", "reanalysis-era5-pressure-levels", "m**2 s**-2", 500)


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
    for request in build_requests(["t2m", "msl", "z500"], AREA, 2017, 7, [1], [0]):
        names = [v.name for v in request_variables(request.dataset, request.body)]
        assert names in (["t2m", "msl"], ["z500"])
