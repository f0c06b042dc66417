"""Crop raw ERA5 months to the benchmark region and compute normalisation statistics.

Runs under MPI (``mpiexec -n N`` or ``srun``): months are dealt round-robin to the
ranks, every rank crops its months, and the per-month moments of the training
months are gathered and merged in month order, so the statistics do not depend
on N. Works without MPI as a single rank.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ambs.atomic import atomic_path
from ambs.config import Area
from ambs.extraction.requests import raw_filename
from ambs.extraction.validate import Era5FileError
from ambs.extraction.variables import VARIABLES
from ambs.preprocessing.idle_barrier import wait_for_all
from ambs.preprocessing.moments import Moments, merge_in_order, to_json
from ambs.preprocessing.netcdf_variables import read_variables


def load_raw_month(raw_dir: Path, variables: list[str]) -> xr.Dataset:
    """Merge a month's raw downloads into one dataset whose variables carry config names (z -> z500).

    Each download is read once for all of its variables, through h5py (``ambs.preprocessing.netcdf_variables``).
    """
    by_file: dict[Path, list[str]] = {}
    for name in variables:
        by_file.setdefault(raw_dir / raw_filename(name), []).append(name)
    fields = {}
    for path, names in by_file.items():
        try:
            ds = read_variables(path, [VARIABLES[name].short_name for name in names])
        except (OSError, ValueError) as error:
            raise Era5FileError(f"{path}: cannot read netCDF ({error})") from error
        for name in names:
            short = VARIABLES[name].short_name
            if short not in ds:
                raise Era5FileError(f"{path}: variable '{short}' (for {name}) is missing")
            fields[name] = ds[short]
    return xr.Dataset(fields)


def crop(ds: xr.Dataset, region: Area, source: str) -> xr.Dataset:
    """Select the region (latitude descending as in ERA5); fail if the grid does not cover it."""
    lat, lon = ds["latitude"].values, ds["longitude"].values
    tol = 1e-6
    if (
        region.north > lat.max() + tol
        or region.south < lat.min() - tol
        or region.west < lon.min() - tol
        or region.east > lon.max() + tol
    ):
        raise Era5FileError(
            f"{source}: region N{region.north} W{region.west} S{region.south} E{region.east} lies outside the data's grid "
            f"(lat {lat.min()}..{lat.max()}, lon {lon.min()}..{lon.max()})"
        )
    cropped = ds.sel(
        latitude=slice(region.north + tol, region.south - tol), longitude=slice(region.west - tol, region.east + tol)
    )
    for name, var in cropped.data_vars.items():
        if not np.isfinite(var.values).all():
            raise Era5FileError(f"{source}: variable '{name}' contains NaN or infinite values")
    return cropped


def write_cropped(ds: xr.Dataset, path: Path) -> None:
    ds = ds.astype(np.float32, copy=False)  # ERA5 fields are float32 already: no copy
    for name in ds.data_vars:
        variable = VARIABLES[str(name)]
        ds[name].attrs.update(units=variable.units, long_name=variable.long_name)
    ds.attrs.update(Conventions="CF-1.6", history="cropped to the benchmark region by ambs.preprocessing.crop")
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp)


def process_month(
    raw_dir: Path, out_path: Path, variables: list[str], region: Area, with_moments: bool
) -> dict[str, Moments] | None:
    ds = crop(load_raw_month(raw_dir, variables), region, str(raw_dir))
    write_cropped(ds, out_path)
    return {name: Moments.of(ds[name].values) for name in variables} if with_moments else None


def run(
    months: list[str],
    train_months: list[str],
    raw_root: Path,
    out_root: Path,
    stats_path: Path,
    variables: list[str],
    region: Area,
    comm: Any = None,
    log: Callable[[str], None] = print,
) -> dict[str, Moments]:
    """Crop all months, then write the training statistics (rank 0). Returns the statistics on every rank."""
    rank, size = (comm.Get_rank(), comm.Get_size()) if comm is not None else (0, 1)
    partials: dict[str, dict[str, Moments]] = {}
    failure = None
    for month in months[rank::size]:
        start = time.perf_counter()
        try:
            moments = process_month(
                raw_root / month, out_root / f"{month}.nc", variables, region, month in train_months
            )
        except Exception as error:  # reported collectively below so no rank hangs
            failure = f"{month}: {error}"
            break
        if moments is not None:
            partials[month] = moments
        log(f"[rank {rank}/{size}] cropped {month} in {time.perf_counter() - start:.1f} s")
    if comm is not None:
        wait_for_all(comm)  # the slower ranks keep the cores while the others wait
    gathered = comm.allgather((partials, failure)) if comm is not None else [(partials, failure)]
    failures = [f for _, f in gathered if f]
    if failures:
        raise Era5FileError("preprocessing failed: " + "; ".join(failures))
    everything = {m: p for part, _ in gathered for m, p in part.items()}
    stats = merge_in_order([everything[m] for m in sorted(train_months)])
    if rank == 0:
        with atomic_path(stats_path) as tmp:
            tmp.write_text(json.dumps(to_json(stats), indent=2))
        log(f"statistics over {len(train_months)} training months written to {stats_path}")
    if comm is not None:
        comm.Barrier()
    return stats
