"""Bad input at the preprocessing and sequence stages: a clear error naming the file, key or split, and no
output that looks complete. (Downloads: test_validate.py and test_cds.py; configs: test_config.py.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from helpers import STATS, cropped_month

from ambs.config import Area
from ambs.extraction.month import extract_month
from ambs.extraction.synthetic import SyntheticClient
from ambs.extraction.validate import Era5FileError
from ambs.preprocessing.crop import run
from ambs.sequences.meta import SequenceError
from ambs.sequences.tfrecords import write_split

MONTH = "2017-07"
VARIABLES = ["t2m", "msl", "z500"]
REGION = Area(north=50.5, west=5.5, south=49.5, east=6.5)


@pytest.fixture
def raw_root(tmp_path: Path) -> Path:
    root = tmp_path / "raw"
    extract_month(
        SyntheticClient(3),
        VARIABLES,
        Area(51.0, 5.0, 49.0, 7.0),
        MONTH,
        [1, 2],
        list(range(24)),
        root / MONTH,
        lambda _: None,
    )
    return root


def _rewrite(path: Path, change: Callable[[xr.Dataset], xr.Dataset]) -> None:
    with xr.open_dataset(path) as ds:
        changed = change(ds.load())
    path.unlink()
    changed.to_netcdf(path)


def _poison(name: str, value: float) -> Callable[[xr.Dataset], xr.Dataset]:
    def change(ds: xr.Dataset) -> xr.Dataset:
        ds[name][5, 3, 3] = value  # a point inside the region
        return ds

    return change


BREAKS: dict[str, tuple[str, Callable[[Path], None], str]] = {
    "missing": ("pl500.nc", lambda p: p.unlink(), "cannot read netCDF"),
    "corrupt": ("sfc.nc", lambda p: p.write_bytes(b"CDF\x01 not really netCDF"), "cannot read netCDF"),
    "truncated": ("sfc.nc", lambda p: p.write_bytes(p.read_bytes()[:5000]), "cannot read netCDF"),
    "variable absent": ("sfc.nc", lambda p: _rewrite(p, lambda ds: ds.drop_vars("msl")), "'msl'.*missing"),
    "NaN": ("sfc.nc", lambda p: _rewrite(p, _poison("t2m", np.nan)), "'t2m' contains NaN or infinite"),
    "infinity": ("pl500.nc", lambda p: _rewrite(p, _poison("z", np.inf)), "'z500' contains NaN or infinite"),
}


@pytest.mark.parametrize("kind", BREAKS)
def test_preprocessing_names_the_broken_file_and_writes_nothing(raw_root: Path, tmp_path: Path, kind: str) -> None:
    filename, damage, says = BREAKS[kind]
    damage(raw_root / MONTH / filename)
    stats = tmp_path / "statistics.json"
    with pytest.raises(Era5FileError, match=rf"{MONTH}: .*{MONTH}(/{filename})?.*{says}"):
        run([MONTH], [MONTH], raw_root, tmp_path / "cropped", stats, VARIABLES, REGION, log=lambda _: None)
    assert not stats.exists() and not (tmp_path / "cropped" / f"{MONTH}.nc").exists()


def test_an_empty_split_names_its_key(tmp_path: Path) -> None:
    with pytest.raises(SequenceError, match=r"split 'test'.*config key 'months.test'"):
        write_split("test", [], STATS, ["t2m", "msl"], "t2m", 3, 2, 1, tmp_path / "seq")
    assert not (tmp_path / "seq").exists()


def test_non_finite_cropped_data_is_refused_before_any_window_is_written(tmp_path: Path) -> None:
    path = cropped_month(tmp_path / "2017-07.nc", "2017-07-01T00", 24, 0)
    _rewrite(path, _poison("msl", np.inf))
    with pytest.raises(SequenceError, match=r"split 'train': \['msl'\] hold NaN or infinite values in .*2017-07\.nc"):
        write_split("train", [path], STATS, ["t2m", "msl"], "t2m", 3, 2, 1, tmp_path / "seq")
    assert not (tmp_path / "seq").exists()
