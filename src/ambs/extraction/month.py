"""Download one month of ERA5, or its invariants, from the CDS or the synthetic source into validated raw files."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import xarray as xr

from ambs.atomic import atomic_path
from ambs.config import Area
from ambs.extraction.cds import CdsClient, CdsError
from ambs.extraction.requests import CdsRequest, build_requests, build_static_request
from ambs.extraction.synthetic import SyntheticClient
from ambs.extraction.validate import Era5FileError, validate_download


class Client(Protocol):
    """What ``CdsClient`` and ``SyntheticClient`` share."""

    def retrieve(self, name: str, request: dict[str, Any], target: str) -> Any: ...


def make_client(source: str, seed: int, log: Callable[[str], None] = print) -> Client:
    """The client of the configured source; the CDS one reads its URL and key from the environment or ~/.cdsapirc."""
    if source == "synthetic":
        return SyntheticClient(seed)
    if source == "cds":
        return CdsClient(log=log)
    raise ValueError(f"unknown ERA5 source {source!r}; expected 'synthetic' or 'cds'")


def extract_month(
    client: Client,
    variables: list[str],
    area: Area,
    month: str,
    days: list[int],
    hours: list[int],
    outdir: Path,
    log: Callable[[str], None] = print,
) -> list[Path]:
    """Retrieve and validate every request of ``month`` (YYYY-MM); a file gets its final name only if valid.

    Errors name the month, the file and the request, so a failed CDS download can be reproduced.
    """
    year, mon = (int(part) for part in month.split("-"))
    return [
        _retrieve(client, request, month, outdir, log)
        for request in build_requests(variables, area, year, mon, days, hours)
    ]


def extract_static(client: Client, area: Area, outdir: Path, log: Callable[[str], None] = print) -> Path:
    """Retrieve and validate ERA5's invariants (land-sea mask, surface geopotential) over ``area`` into static.nc.

    The file is as the CDS delivers it, with its one time step; errors name the file and the request.
    """
    return _retrieve(client, build_static_request(area), "invariants", outdir, log)


def _retrieve(client: Client, request: CdsRequest, label: str, outdir: Path, log: Callable[[str], None]) -> Path:
    """One request into ``outdir``, harmonised and validated; the file gets its final name only if valid."""
    final = Path(outdir) / request.filename
    start = time.perf_counter()
    where = f"{label} {final}: {request.dataset} request {json.dumps(request.body)}"
    with atomic_path(final) as tmp:
        try:
            client.retrieve(request.dataset, request.body, str(tmp))
        except CdsError as error:
            raise CdsError(f"{where} failed: {error}") from error
        harmonise(tmp)
        try:
            validate_download(tmp, request)
        except Era5FileError as error:
            raise Era5FileError(f"{where} gave an invalid download: {error}") from error
    log(f"{label} {request.filename}: {', '.join(request.body['variable'])} in {time.perf_counter() - start:.1f} s")
    return final


def harmonise(path: Path) -> None:
    """Give new-CDS downloads the classic ERA5 layout the pipeline reads (time, latitude, longitude).

    The new CDS names time 'valid_time', keeps a length-1 'pressure_level' dimension
    and adds 'number'/'expver' coordinates. Unreadable files are left untouched for
    ``validate_download`` to report.
    """
    try:
        with xr.open_dataset(path) as ds:
            if "valid_time" not in ds.dims and ds.sizes.get("pressure_level") != 1:
                return
            ds = ds.load()
    except (OSError, ValueError, RuntimeError):
        return
    if "valid_time" in ds.dims:
        ds = ds.rename({"valid_time": "time"})
    if ds.sizes.get("pressure_level") == 1:
        ds = ds.squeeze("pressure_level")
    ds = ds.drop_vars([name for name in ("number", "expver") if name in ds.coords])
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp)
