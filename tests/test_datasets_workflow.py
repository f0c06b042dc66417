"""The workflow on the generated datasets: waveeq and moving_digits through train, evaluate and plots, tiny sizes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from conftest import ROOT

pytestmark = pytest.mark.e2e
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "workflow" / "Snakefile")]
CONTEXT, FORECAST, EVALUATED = 3, 2, 5  # scored 3 hours beyond the trained horizon
SIZES = {"waveeq": 16, "moving_digits": 20}
# What these datasets add, run for real; the rest of the DAG ('all') is checked by a dry run.
TARGETS = ("evaluation/metrics_table.csv", "plots/ssim_vs_lead.png", "plots/example_median.png")


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    cmd = [*SNAKEMAKE, "--directory", str(workdir), "--cores", "2", *args]
    return subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, check=False)


def tiny(dataset: str) -> dict:
    """The shipped config of ``dataset`` shrunk to a few small sequences and one epoch of the PDE model.

    It is the whole config (the workflow's config/config.yaml), so no ERA5 key is set: they are not needed.
    """
    config = yaml.safe_load((ROOT / "config" / f"{dataset}.yaml").read_text())
    config["datasets"][dataset].update(sequences={"train": 16, "val": 4, "test": 6}, size=SIZES[dataset])
    config.update(
        context_hours=CONTEXT, forecast_hours=FORECAST, eval_forecast_hours=EVALUATED, models=["pde", "persistence"]
    )
    config["plots"]["quantile_leads"] = [1, EVALUATED]
    config["bootstrap"]["resamples"] = 20
    config["hyperparameters"] = {
        "pde": {
            "filters": 4,
            "content_channels": 2,
            "dynamic_channels": 2,
            "invariance_weight": 1.0,
            "dynamic_weight": 0.01,
            "epochs": 1,
            "batch_size": 8,
            "learning_rate": 0.002,
        },
    }
    return config


@pytest.fixture(scope="module", params=sorted(SIZES))
def finished_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict]:
    dataset = request.param
    workdir = tmp_path_factory.mktemp(dataset)
    config = tiny(dataset)
    (workdir / "config").mkdir()
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    out = snakemake(workdir, *targets(config))
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-5000:]
    return workdir, dataset, config


def targets(config: dict) -> list[str]:
    return [f"results/{config['experiment']}/{target}" for target in TARGETS]


def planned_jobs(workdir: Path, *args: str) -> dict[str, int]:
    """Rule -> job count of a dry run, read from Snakemake's job stats table."""
    out = snakemake(workdir, *args, "--dry-run", "--quiet", "rules")
    assert out.returncode == 0, out.stderr
    rows = re.findall(r"^(\w+)\s+(\d+)$", out.stdout + out.stderr, flags=re.M)
    return {rule: int(n) for rule, n in rows if rule != "total"}


def test_generated_splits_replace_the_era5_steps(finished_run: tuple[Path, str, dict]) -> None:
    workdir, dataset, config = finished_run
    results = workdir / "results" / config["experiment"]
    assert not (results / "cropped").exists() and not (results / "climatology.nc").exists()
    with xr.open_dataset(results / "raw" / "train.nc") as raw:
        values = next(iter(raw.data_vars.values())).values
    assert values.shape == (16, CONTEXT + FORECAST, SIZES[dataset], SIZES[dataset])
    stats = next(iter(json.loads((results / "statistics.json").read_text()).values()))
    assert stats["mean"] == pytest.approx(values.mean(), rel=1e-5) and stats["max"] == pytest.approx(values.max())
    test_meta = json.loads((results / "sequences" / "test" / "meta.json").read_text())
    assert test_meta["count"] == 6 and test_meta["forecast"] == EVALUATED
    assert json.loads((results / "sequences" / "train" / "meta.json").read_text())["forecast"] == FORECAST


def test_scores_cover_the_long_horizon(finished_run: tuple[Path, str, dict]) -> None:
    workdir, dataset, config = finished_run
    results = workdir / "results" / config["experiment"]
    table = pd.read_csv(results / "evaluation" / "metrics_table.csv")
    for model in config["models"]:
        rows = table[table.model == model].sort_values("lead")
        assert rows["lead"].tolist() == list(range(1, EVALUATED + 1))
        assert np.isfinite(rows[["mse", "psnr", "ssim"]].to_numpy()).all() and (rows["ssim"] <= 1).all()
    assert "acc" not in table.columns or table["acc"].isna().all()
    with xr.open_dataset(results / "evaluation" / "pde" / "seed0" / "forecast.nc") as ds:  # the default seeds: [0]
        assert ds.sizes["lead"] == EVALUATED and ds["forecast"].attrs["units"] == "1"
        if dataset == "moving_digits":  # denormalised back to pixel intensities
            assert float(ds["truth"].min()) > -1e-4 and float(ds["truth"].max()) < 1 + 1e-4
    assert (results / "plots" / "ssim_vs_lead.png").stat().st_size > 10_000


def test_nothing_to_do_on_rerun(finished_run: tuple[Path, str, dict]) -> None:
    workdir, _, config = finished_run
    assert planned_jobs(workdir, *targets(config)) == {}


def test_the_whole_workflow_has_no_era5_step_and_no_geographic_metric(finished_run: tuple[Path, str, dict]) -> None:
    workdir, _, config = finished_run
    jobs = planned_jobs(workdir, "--forceall")
    assert not {"extract", "preprocess", "climatology", "sequences"} & set(jobs)
    assert jobs["generate"] == jobs["dataset_sequences"] == 3 and jobs["dataset_statistics"] == 1
    assert jobs["plot_metric"] == 7  # neither acc (climatology) nor rmse_latw (latitudes)
    assert jobs["evaluate"] == len(config["models"]) and jobs["train"] == 1
