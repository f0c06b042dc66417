"""The whole workflow on config/test.yaml: contents of the outputs, rerun behaviour, lint, report."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from conftest import ROOT
from images import apptainer_dir, cpu_image
from report_browser import chromium, render_report

from ambs.catalogue import BASELINES, EXAMPLE_CASES, METRICS, MODELS, SPLITS, runs
from ambs.sequences.meta import SplitMeta

pytestmark = pytest.mark.e2e
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "workflow" / "Snakefile")]
PLOTTED = [name for name, metric in METRICS.items() if metric.plotted]


def snakemake(workdir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = env or {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    cmd = [*SNAKEMAKE, "--directory", str(workdir), "--cores", "2", "--configfile", "config/test.yaml", *args]
    return subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, check=False)


def planned_jobs(workdir: Path) -> dict[str, int]:
    """Rule -> job count of a dry run, read from Snakemake's job stats table."""
    out = snakemake(workdir, "--dry-run", "--quiet", "rules")
    assert out.returncode == 0, out.stderr
    rows = re.findall(r"^(\w+)\s+(\d+)$", out.stdout + out.stderr, flags=re.M)
    return {rule: int(n) for rule, n in rows if rule != "total"}


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("run")
    shutil.copytree(ROOT / "config", workdir / "config")
    out = snakemake(workdir)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-5000:]
    return workdir


def test_metrics_for_every_model_and_lead(finished_run: Path) -> None:
    config = yaml.safe_load((finished_run / "config" / "test.yaml").read_text())
    results = finished_run / "results" / config["experiment"]
    table = pd.read_csv(results / "evaluation" / "metrics_table.csv")
    leads = list(range(1, config["forecast_hours"] + 1))
    rmse: dict[str, list[np.ndarray]] = {}
    for run in runs(config["models"], config["seeds"]):
        with xr.open_dataset(results / "evaluation" / run.name / "metrics.nc") as ds:
            assert set(PLOTTED) <= set(ds.data_vars) and ds.sizes["lead"] == len(leads)
            assert ds.attrs.get("seed") == run.seed
            rmse.setdefault(run.model, []).append(ds["rmse"].mean("init").values)
        with xr.open_dataset(results / "evaluation" / run.name / "forecast.nc") as ds:
            assert ds["forecast"].attrs["units"] == "K"
            assert float(ds["truth"].min()) > 200 and float(ds["truth"].max()) < 330
    for model in config["models"]:
        rows = table[table.model == model].sort_values("lead")
        assert rows["lead"].tolist() == leads and (rows["runs"] == len(rmse[model])).all()
        assert rows[PLOTTED].notna().all().all()
        assert (rows["rmse"] > 0).all() and (rows["ssim"] <= 1).all()
        np.testing.assert_allclose(np.mean(rmse[model], axis=0), rows["rmse"].values, rtol=1e-5)
        np.testing.assert_allclose(np.min(rmse[model], axis=0), rows["rmse_min"].values, rtol=1e-5)
    persistence = table[table.model == "persistence"].sort_values("lead")["rmse"].to_numpy()
    assert np.all(np.diff(persistence) > -0.05), "persistence error should grow with lead time"
    oracle = table[table.model == "oracle"].sort_values("lead")["rmse"].to_numpy()
    assert (oracle < persistence).all(), "the oracle knows the source's dynamics"


@pytest.mark.apptainer
def test_containerised_run_gives_the_same_metrics(finished_run: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every job in its rule's Apptainer image (training's through AMBS_GPU_IMAGE, a link to the CPU image here):
    the same numbers as the run without containers, before the tests below change that run."""
    apptainer, missing = apptainer_dir()
    if apptainer is None:
        pytest.skip(missing)
    workdir = tmp_path_factory.mktemp("apptainer")
    shutil.copytree(ROOT / "config", workdir / "config")
    train_image = workdir / "train.sif"
    train_image.symlink_to(cpu_image())
    # no PYTHONPATH: inside the image ambs is the image's own installed package
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env |= {"PATH": f"{apptainer}{os.pathsep}{os.environ['PATH']}", "AMBS_GPU_IMAGE": str(train_image)}
    # the rules' scripts are in the repository, outside this working directory (which Apptainer binds)
    out = snakemake(workdir, "--software-deployment-method", "apptainer", "--apptainer-args", f"--bind {ROOT}", env=env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-5000:]
    total = re.search(r"^total\s+(\d+)$", out.stdout + out.stderr, flags=re.M)
    assert total and (out.stdout + out.stderr).count("Activating singularity image") == int(total[1]) - 1  # not `all`
    logs = workdir / "results" / "test" / "logs"
    training_logs = [*logs.glob("train/*/seed*.log"), *logs.glob("train_similarity/*.log")]
    assert training_logs and all(f"in Apptainer image {train_image}" in log.read_text() for log in training_logs)
    for table in ("metrics_table.csv", "skill.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(workdir / "results" / "test" / "evaluation" / table),
            pd.read_csv(finished_run / "results" / "test" / "evaluation" / table),
            check_exact=True,
        )


def test_bands_skill_and_combined_forecasts(finished_run: Path) -> None:
    config = yaml.safe_load((finished_run / "config" / "test.yaml").read_text())
    evaluation = finished_run / "results" / config["experiment"] / "evaluation"
    with xr.open_dataset(evaluation / "convlstm" / "seed0" / "bands.nc") as bands:
        assert bands["rmse"].dims == ("lead", "bound") and bands.attrs["resamples"] == config["bootstrap"]["resamples"]
        assert (bands["rmse"].sel(bound="q05") <= bands["rmse_mean"]).all()
    skill = pd.read_csv(evaluation / "skill.csv")
    assert set(skill["baseline"]) == set(BASELINES) and skill["skill"].notna().all()
    significance = pd.read_csv(evaluation / "significance.csv")
    competing = {model for model in config["models"] if MODELS[model].competes}
    assert set(significance["model"]) == competing and significance["p_value"].between(0, 1).all()
    assert set(significance["seed"].dropna()) == set(config["seeds"])
    ranking = (evaluation / "ranking.md").read_text()
    assert all(model in ranking for model in competing)
    gap = pd.read_csv(evaluation / "gap_closed.csv")
    assert set(gap["model"]) == competing and len(gap) == len(competing) * config["forecast_hours"]
    with xr.open_dataset(evaluation / "forecasts.nc") as forecasts:
        assert forecasts["model"].values.tolist() == config["models"] and forecasts.attrs["Conventions"].startswith(
            "CF"
        )


def test_cf_readable_intermediates(finished_run: Path) -> None:
    results = finished_run / "results" / "test"
    raw = sorted((results / "raw").glob("*/sfc.nc"))
    with xr.open_dataset(raw[0]) as ds:
        assert ds["t2m"].attrs["units"] == "K" and ds["msl"].attrs["units"] == "Pa"
        assert ds["latitude"].values[0] > ds["latitude"].values[-1]
    with xr.open_dataset(sorted((results / "cropped").glob("*.nc"))[0]) as ds:
        assert set(ds.data_vars) == {"t2m", "msl", "z500"}
    assert (results / "plots" / "example_median.png").stat().st_size > 10_000


def test_windows_carry_the_configured_forcings(finished_run: Path) -> None:
    """The invariants are extracted once; every split's windows hold the forcing channels after the variables."""
    config = yaml.safe_load((finished_run / "config" / "test.yaml").read_text())
    results = finished_run / "results" / config["experiment"]
    with xr.open_dataset(results / "raw" / "static.nc") as ds:
        assert {"lsm", "z"} <= set(ds.data_vars)
    for split in SPLITS:
        meta = SplitMeta.read(results / "sequences" / split)
        assert meta.forcings == config["forcings"] and meta.shape[-1] == len(config["variables"] + config["forcings"])


def test_nothing_to_do_on_rerun(finished_run: Path) -> None:
    assert planned_jobs(finished_run) == {}


def test_deleted_plot_rebuilds_only_that_plot(finished_run: Path) -> None:
    (finished_run / "results" / "test" / "plots" / "ssim_vs_lead.png").unlink()
    assert planned_jobs(finished_run) == {"all": 1, "plot_metric": 1}
    out = snakemake(finished_run)
    assert out.returncode == 0, out.stderr[-3000:]
    assert planned_jobs(finished_run) == {}


def test_changed_region_reruns_what_depends_on_it(finished_run: Path) -> None:
    config_path = finished_run / "config" / "test.yaml"
    original = config_path.read_text()
    config = yaml.safe_load(original)
    config["region"]["north"] -= 0.25
    config_path.write_text(yaml.safe_dump(config))
    try:
        jobs = planned_jobs(finished_run)
    finally:
        config_path.write_text(original)
    trained = [m for m in config["models"] if MODELS[m].has_train_job]  # the analog model is built, not trained
    assert "extract" not in jobs
    assert jobs["preprocess"] == 1 and jobs["train"] == len(trained) * len(config["seeds"])
    assert jobs["evaluate"] == len(runs(config["models"], config["seeds"]))
    assert jobs["sequences"] == 3 and jobs["plot_metric"] == len(PLOTTED)


def test_added_model_trains_only_that_model(finished_run: Path) -> None:
    config_path = finished_run / "config" / "test.yaml"
    original = config_path.read_text()
    config = yaml.safe_load(original)
    config["models"] = [m for m in config["models"] if m != "mcnet"]
    config_path.write_text(yaml.safe_dump(config))
    try:
        out = snakemake(finished_run)
        assert out.returncode == 0, out.stderr[-3000:]
    finally:
        config_path.write_text(original)
    for folder in ("models", "evaluation"):
        shutil.rmtree(finished_run / "results" / "test" / folder / "mcnet")
    jobs = planned_jobs(finished_run)
    assert jobs["train"] == jobs["evaluate"] == len(config["seeds"])
    assert not {"extract", "preprocess", "sequences", "climatology"} & set(jobs)
    out = snakemake(finished_run)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "train" not in planned_jobs(finished_run)


def test_report_lists_plots(finished_run: Path) -> None:
    out = snakemake(finished_run, "--report", "report.html")
    assert out.returncode == 0, out.stderr[-3000:]
    html = (finished_run / "report.html").read_text(errors="replace")
    assert "example_median.png" in html and "rmse_vs_lead.png" in html


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def test_report_renders_every_plot_and_table_in_chromium(finished_run: Path) -> None:
    executable, missing = chromium()
    if executable is None:
        pytest.skip(missing)
    out = snakemake(finished_run, "--report", "rendered.html")
    assert out.returncode == 0, out.stderr[-3000:]
    shown, errors = render_report(finished_run / "rendered.html", executable)
    assert errors == []
    config = yaml.safe_load((finished_run / "config" / "test.yaml").read_text())
    results = finished_run / "results" / config["experiment"]
    plots = sorted((results / "plots").glob("*.png"))
    expected = (
        {f"{metric}_vs_lead.png" for metric in PLOTTED}
        | {f"example_{case}.png" for case in EXAMPLE_CASES}
        | {f"quantiles_{model}.png" for model in config["models"]}
        | {f"training_{model}.png" for model in config["models"] if MODELS[model].has_train_job}
    )
    assert expected <= {plot.name for plot in plots}
    for plot in plots:
        path = plot.relative_to(finished_run).as_posix()
        assert path in shown, f"{path} is not in the report"
        assert shown[path].kind == "image" and shown[path].size == png_size(plot), path
    for table in ("metrics_table", "skill", "significance", "gap_closed"):
        result = shown[f"results/test/evaluation/{table}.html"]
        rows = len(pd.read_csv(results / "evaluation" / f"{table}.csv"))
        assert result.kind == "html" and result.table_rows == rows + 1, table
    assert shown["results/test/evaluation/metrics_table.csv"].download_name == "metrics_table.csv"
    assert all(result.caption.strip() for result in shown.values())
    assert "savp" in shown["results/test/plots/quantiles_savp.png"].caption
    block_hours = config["bootstrap"]["block_hours"]
    assert f"blocks of {block_hours} h" in shown["results/test/plots/rmse_vs_lead.png"].caption


def test_lint_is_clean() -> None:
    out = subprocess.run(
        [*SNAKEMAKE, "--lint", "--configfile", str(ROOT / "config" / "test.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Lints for" not in out.stdout + out.stderr
