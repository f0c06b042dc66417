"""CDS API requests for one month: one for the single-level variables, one per pressure level; and the
request of ERA5's invariants (land-sea mask, orography) for the static file.

The helpers that read a request body back (times, variables) live here too, so
the synthetic source and the validation interpret a body exactly as it was built.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Any

import numpy as np

from ambs.config import Area
from ambs.extraction.variables import PRESSURE_LEVELS, SINGLE_LEVELS, STATIC_FIELDS, VARIABLES, Era5Variable, lookup

STATIC_FILENAME = "static.nc"
# The CDS serves the invariants with the single levels, at any hour and identical at every one; the request names
# one fixed hour so the static file depends on the area only, never on the configured months.
INVARIANT_HOUR = (2000, 1, 1, 0)


@dataclass(frozen=True)
class CdsRequest:
    """What ``client.retrieve(dataset, body, target)`` needs, plus the file it is stored as."""

    dataset: str
    body: dict[str, Any]
    filename: str


def _groups(variables: list[str]) -> list[tuple[int | None, list[Era5Variable]]]:
    """Variables grouped by download: single levels first, then pressure levels ascending."""
    entries = [lookup(name) for name in variables]
    levels = sorted({v.level for v in entries if v.level is not None})
    groups = [(None, [v for v in entries if v.level is None])] + [
        (level, [v for v in entries if v.level == level]) for level in levels
    ]
    return [(level, members) for level, members in groups if members]


def _filename(level: int | None) -> str:
    return "sfc.nc" if level is None else f"pl{level}.nc"


def raw_filename(name: str) -> str:
    """The download that holds one variable: the single-level file or its pressure level's file."""
    return _filename(lookup(name).level)


def raw_filenames(variables: list[str]) -> list[str]:
    """The files ``build_requests`` produces, in the same order; needs no date (Snakemake outputs)."""
    return [_filename(level) for level, _ in _groups(variables)]


def build_requests(
    variables: list[str], area: Area, year: int, month: int, days: list[int], hours: list[int]
) -> list[CdsRequest]:
    """The CDS requests that download ``variables`` for the given days and hours of one month."""
    requests = []
    for level, members in _groups(variables):
        body = _body(members, area, year, month, days, hours)
        if level is not None:
            body["pressure_level"] = [str(level)]
        requests.append(CdsRequest(SINGLE_LEVELS if level is None else PRESSURE_LEVELS, body, _filename(level)))
    return requests


def build_static_request(area: Area) -> CdsRequest:
    """The request of ERA5's invariants (land-sea mask, surface geopotential) over ``area``, at one hour."""
    year, month, day, hour = INVARIANT_HOUR
    body = _body([lookup(name) for name in STATIC_FIELDS], area, year, month, [day], [hour])
    return CdsRequest(SINGLE_LEVELS, body, STATIC_FILENAME)


def _body(
    members: list[Era5Variable], area: Area, year: int, month: int, days: list[int], hours: list[int]
) -> dict[str, Any]:
    return {
        "product_type": ["reanalysis"],
        "variable": [v.cds_name for v in members],
        "year": [f"{year:04d}"],
        "month": [f"{month:02d}"],
        "day": [f"{d:02d}" for d in days],
        "time": [f"{h:02d}:00" for h in hours],
        "area": area.as_cds(),
        "data_format": "netcdf",
        "download_format": "unarchived",
    }


def request_times(body: dict[str, Any]) -> np.ndarray:
    """The hourly datetime64[ns] times a body asks for; impossible dates (31 June) are skipped, as CDS does."""
    hours = sorted(int(t.split(":")[0]) for t in body["time"])
    times = [
        np.datetime64(f"{int(y):04d}-{int(m):02d}-{int(d):02d}T{h:02d}:00", "ns")
        for y in body["year"]
        for m in body["month"]
        for d in body["day"]
        if int(d) <= calendar.monthrange(int(y), int(m))[1]
        for h in hours
    ]
    return np.array(sorted(times), dtype="datetime64[ns]")


def request_variables(dataset: str, body: dict[str, Any]) -> list[Era5Variable]:
    """Catalogue entries a body asks for; a ValueError names any variable or level the catalogue lacks."""
    levels: list[int | None] = [int(p) for p in body.get("pressure_level", [])] or [None]
    found = []
    for cds_name in body["variable"]:
        for level in levels:
            match = [
                v for v in VARIABLES.values() if v.cds_name == cds_name and v.dataset == dataset and v.level == level
            ]
            if not match:
                where = dataset if level is None else f"{dataset} at {level} hPa"
                raise ValueError(f"unknown variable {cds_name!r} in {where}")
            found.append(match[0])
    return found
