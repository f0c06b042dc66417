"""extract_month: validated files under final names, nothing under a final name after a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
import yaml
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, ResourceSettings

from ambs.config import Area
from ambs.extraction.month import extract_month, extract_static, harmonise, make_client
from ambs.extraction.synthetic import G, SyntheticClient, grid, land_fraction, orography
from ambs.extraction.validate import Era5FileError

ROOT = Path(__file__).resolve().parents[1]
AREA = Area(north=50.0, west=5.0, south=49.0, east=6.0)


class DroppingClient(SyntheticClient):
    """Serves the synthetic data but loses the last requested hour, like a truncated CDS job."""

    def retrieve(self, name: str, request: dict[str, Any], target: str) -> None:
        super().retrieve(name, request, target)
        with xr.open_dataset(target) as ds:
            short = ds.isel(time=slice(0, -1)).load()
        Path(target).unlink()
        short.to_netcdf(target)


def test_extract_month_writes_validated_files(tmp_path: Path) -> None:
    lines: list[str] = []
    paths = extract_month(SyntheticClient(4), ["t2m", "z500"], AREA, "2017-07", [1], [0, 1], tmp_path, lines.append)
    assert paths == [tmp_path / "sfc.nc", tmp_path / "pl500.nc"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pl500.nc", "sfc.nc"]
    assert len(lines) == 2 and "sfc.nc" in lines[0]


def test_failed_validation_leaves_no_final_file(tmp_path: Path) -> None:
    with pytest.raises(Era5FileError, match="sfc.nc"):
        extract_month(DroppingClient(4), ["t2m"], AREA, "2017-07", [1], [0, 1], tmp_path, lambda _: None)
    assert list(tmp_path.iterdir()) == []


def test_extract_static_writes_the_validated_invariants(tmp_path: Path) -> None:
    lines: list[str] = []
    path = extract_static(SyntheticClient(4), AREA, tmp_path, lines.append)
    assert path == tmp_path / "static.nc" and [p.name for p in tmp_path.iterdir()] == ["static.nc"]
    assert "land_sea_mask, geopotential" in lines[0]
    lats, lons = grid(AREA.as_cds())
    with xr.open_dataset(path) as ds:
        assert list(ds.data_vars) == ["lsm", "z"] and ds["lsm"].dims == ("time", "latitude", "longitude")
        assert (
            ds.sizes["time"] == 1 and ds["lsm"].attrs["units"] == "(0 - 1)" and ds["z"].attrs["units"] == "m**2 s**-2"
        )
        np.testing.assert_allclose(ds["lsm"].values[0], land_fraction(lats, lons), rtol=1e-6)
        np.testing.assert_allclose(ds["z"].values[0], G * orography(lats, lons), rtol=1e-6)


class PercentMaskClient(SyntheticClient):
    """Serves the land-sea mask in percent, as some other archives do."""

    def retrieve(self, name: str, request: dict[str, Any], target: str) -> None:
        super().retrieve(name, request, target)
        with xr.open_dataset(target) as ds:
            percent = ds.assign(lsm=ds["lsm"] * 100).load()
        Path(target).unlink()
        percent.to_netcdf(target)


def test_a_broken_static_download_gets_no_final_name(tmp_path: Path) -> None:
    with pytest.raises(Era5FileError, match=r"^invariants .*static\.nc.*land_sea_mask.*'lsm' ranges"):
        extract_static(PercentMaskClient(4), AREA, tmp_path, lambda _: None)
    assert list(tmp_path.iterdir()) == []


def test_harmonise_new_cds_layout(tmp_path: Path) -> None:
    path = tmp_path / "pl500.nc"
    SyntheticClient(4).retrieve(
        "reanalysis-era5-pressure-levels",
        {
            "variable": ["geopotential"],
            "pressure_level": ["500"],
            "year": ["2017"],
            "month": ["07"],
            "day": ["01"],
            "time": ["00:00", "01:00"],
            "area": [50, 5, 49, 6],
        },
        str(path),
    )
    with xr.open_dataset(path) as ds:
        new_cds = ds.rename({"time": "valid_time"}).expand_dims(pressure_level=[500.0], axis=1).load()
    path.unlink()
    new_cds.assign_coords(number=0).to_netcdf(path)
    harmonise(path)
    with xr.open_dataset(path) as ds:
        assert ds["z"].dims == ("time", "latitude", "longitude") and "number" not in ds.coords


def test_make_client() -> None:
    assert isinstance(make_client("synthetic", 1), SyntheticClient)
    with pytest.raises(ValueError, match="ftp"):
        make_client("ftp", 1)


def test_script_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "extract.py"),
            "--source",
            "synthetic",
            "--seed",
            "3",
            "--month",
            "2017-07",
            "--variables",
            "t2m",
            "msl",
            "z500",
            "--area",
            "50",
            "5",
            "49",
            "6",
            "--days",
            "31",
            "--hours",
            "0",
            "12",
            "--outdir",
            str(tmp_path / "raw"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "sfc.nc" in result.stdout and (tmp_path / "raw" / "pl500.nc").exists()


def _test_config(tmp_path: Path, source: str, **keys: object) -> None:
    """config/test.yaml with ``source`` (and ``keys``) as tmp_path/run.yaml; the oracle only where the source has one."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    config = {**yaml.safe_load((ROOT / "config" / "test.yaml").read_text()), "source": source, **keys}
    if source == "cds":
        config["models"] = [model for model in config["models"] if model != "oracle"]
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(config))


@pytest.mark.parametrize(("source", "local"), [("cds", True), ("synthetic", False)])
def test_extract_runs_on_the_submitting_host_only_for_the_cds(tmp_path: Path, source: str, local: bool) -> None:
    """Compute nodes often lack internet: a cluster run must download on the host that submits the jobs."""
    _test_config(tmp_path, source)
    with SnakemakeApi() as api:
        workflow = api.workflow(
            ResourceSettings(cores=1),
            ConfigSettings(configfiles=[tmp_path / "run.yaml"]),
            snakefile=ROOT / "workflow" / "Snakefile",
            workdir=tmp_path,
        )
        localrules = workflow._workflow._localrules  # what Snakemake schedules on the submitting host
    assert ("extract" in localrules) is local and "preprocess" not in localrules


@pytest.mark.parametrize(
    ("source", "override", "slots", "held"),
    [("cds", None, 2, 1), ("cds", 3, 3, 1), ("synthetic", None, 2, 0)],
    ids=["cds_parallel", "command-line", "synthetic"],
)
def test_cds_extract_jobs_share_cds_parallel_slots(
    tmp_path: Path, source: str, override: int | None, slots: int, held: int
) -> None:
    """The CDS queues a few requests per user: at most ``cds_parallel`` extract jobs may hold one at once."""
    _test_config(tmp_path, source, cds_parallel=2)
    with SnakemakeApi() as api:
        workflow = api.workflow(
            ResourceSettings(cores=1, resources={} if override is None else {"cds": override}),
            ConfigSettings(configfiles=[tmp_path / "run.yaml"]),
            snakefile=ROOT / "workflow" / "Snakefile",
            workdir=tmp_path,
        )
        limit = workflow._workflow.global_resources["cds"].value  # what the scheduler shares out
        extract = workflow._workflow.get_rule("extract").resources["cds"]
    assert limit == slots and extract == held
