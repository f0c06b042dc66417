"""Cropping and MPI statistics: identical bits for 1 and 2 ranks, clear errors on bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from conftest import ROOT

from ambs.config import Area
from ambs.extraction.month import extract_month
from ambs.extraction.synthetic import SyntheticClient
from ambs.extraction.validate import Era5FileError
from ambs.preprocessing.crop import run

DOMAIN = Area(north=52.0, west=5.0, south=48.0, east=9.0)
REGION = Area(north=51.0, west=6.0, south=49.0, east=8.0)
MONTHS = ["2017-06", "2017-07", "2017-08"]
VARIABLES = ["t2m", "msl", "z500"]


@pytest.fixture(scope="module")
def raw_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("raw")
    for month in MONTHS:
        extract_month(
            SyntheticClient(5), VARIABLES, DOMAIN, month, [1, 2, 3], list(range(24)), root / month, lambda _: None
        )
    return root


def _mpirun(ranks: int, raw_root: Path, out: Path) -> bytes:
    mpiexec = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or "mpiexec"
    cmd = [
        mpiexec,
        "-n",
        str(ranks),
        sys.executable,
        str(ROOT / "scripts" / "preprocess.py"),
        "--variables",
        *VARIABLES,
        "--region",
        "51",
        "6",
        "49",
        "8",
        "--months",
        *MONTHS,
        "--train-months",
        *MONTHS[:2],
        "--raw-root",
        str(raw_root),
        "--out-root",
        str(out / "cropped"),
        "--stats",
        str(out / "stats.json"),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ), check=False, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"rank 0/{ranks}" in result.stdout
    return (out / "stats.json").read_bytes()


def test_statistics_bit_identical_for_one_and_two_ranks(raw_root: Path, tmp_path: Path) -> None:
    one = _mpirun(1, raw_root, tmp_path / "n1")
    two = _mpirun(2, raw_root, tmp_path / "n2")
    assert one == two
    stats = json.loads(two)
    train = xr.concat([xr.open_dataset(tmp_path / "n2" / "cropped" / f"{m}.nc") for m in MONTHS[:2]], "time")
    for name in VARIABLES:
        values = train[name].values.astype(np.float64)
        np.testing.assert_allclose(stats[name]["mean"], values.mean(), rtol=1e-12)
        np.testing.assert_allclose(stats[name]["std"], values.std(), rtol=1e-9)
    for month in MONTHS:
        a = xr.load_dataset(tmp_path / "n1" / "cropped" / f"{month}.nc")
        b = xr.load_dataset(tmp_path / "n2" / "cropped" / f"{month}.nc")
        xr.testing.assert_identical(a, b)


def test_crop_selects_region(raw_root: Path, tmp_path: Path) -> None:
    run(MONTHS[:1], MONTHS[:1], raw_root, tmp_path, tmp_path / "s.json", VARIABLES, REGION, log=lambda _: None)
    with xr.open_dataset(tmp_path / f"{MONTHS[0]}.nc") as ds:
        assert ds.sizes["latitude"] == 9 and ds.sizes["longitude"] == 9
        assert float(ds.latitude[0]) == 51.0 and float(ds.latitude[-1]) == 49.0
        assert ds["z500"].attrs["units"] == "m**2 s**-2"


def test_region_outside_grid_is_named(raw_root: Path, tmp_path: Path) -> None:
    outside = Area(north=60.0, west=6.0, south=49.0, east=8.0)
    with pytest.raises(Era5FileError, match="outside the data's grid"):
        run(MONTHS[:1], MONTHS[:1], raw_root, tmp_path, tmp_path / "s.json", VARIABLES, outside, log=lambda _: None)
    assert not (tmp_path / "s.json").exists()


def test_corrupt_file_is_named(raw_root: Path, tmp_path: Path) -> None:
    broken = tmp_path / "raw" / MONTHS[0]
    shutil.copytree(raw_root / MONTHS[0], broken)
    data = (broken / "sfc.nc").read_bytes()
    (broken / "sfc.nc").write_bytes(data[: len(data) // 3])
    with pytest.raises(Era5FileError, match="sfc.nc"):
        run(
            MONTHS[:1],
            MONTHS[:1],
            tmp_path / "raw",
            tmp_path / "out",
            tmp_path / "s.json",
            VARIABLES,
            REGION,
            log=lambda _: None,
        )
    assert not (tmp_path / "out" / f"{MONTHS[0]}.nc").exists()
