"""Seeds: every network runs once per seed into its own folders, scores are summarised over the seeds, and a seed
added to the config adds its own jobs and recomputes only the tables and figures that read them."""

from __future__ import annotations

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

from ambs.catalogue import Run, runs
from ambs.evaluation.gap import gap_closed
from ambs.evaluation.seeds import over_seeds, run_of, seed_means


def test_networks_run_once_per_seed_and_every_other_model_once() -> None:
    planned = runs(["convlstm", "analog", "persistence", "savp", "oracle"], [0, 3])
    assert [run.name for run in planned] == [
        "convlstm/seed0",
        "convlstm/seed3",
        "analog",
        "persistence",
        "savp/seed0",
        "savp/seed3",
        "oracle",
    ]
    assert run_of(xr.Dataset(attrs={"model": "savp", "seed": np.int64(3)})) == Run("savp", 3)
    assert run_of(xr.Dataset(attrs={"model": "analog"})) == Run("analog")


def test_scores_over_seeds_are_their_mean_and_range() -> None:
    table = pd.DataFrame(
        {
            "model": ["convlstm"] * 4 + ["persistence"] * 2,
            "seed": [0, 0, 1, 1, None, None],
            "lead": [1, 2, 1, 2, 1, 2],
            "rmse": [1.0, 2.0, 3.0, 6.0, 5.0, 7.0],
        }
    )
    summary = over_seeds(table, ["model", "lead"])
    assert summary.columns.tolist() == ["model", "lead", "runs", "rmse", "rmse_min", "rmse_max"]
    assert summary.values.tolist() == [
        ["convlstm", 1, 2, 2.0, 1.0, 3.0],
        ["convlstm", 2, 2, 4.0, 2.0, 6.0],
        ["persistence", 1, 1, 5.0, 5.0, 5.0],
        ["persistence", 2, 1, 7.0, 7.0, 7.0],
    ]


def _metrics(model: str, mse: np.ndarray, seed: int | None = None) -> xr.Dataset:
    inits = np.datetime64("2019-07-01T00", "ns") + np.arange(mse.shape[0]) * np.timedelta64(5, "h")
    attrs = {"model": model} if seed is None else {"model": model, "seed": seed}
    return xr.Dataset({"mse": (("init", "lead"), mse)}, coords={"init": inits, "lead": [1, 2]}, attrs=attrs)


def test_a_models_skill_input_is_the_mean_of_its_seeds_at_every_init() -> None:
    first, second = np.arange(8.0).reshape(4, 2), np.arange(8.0, 16.0).reshape(4, 2)
    means = seed_means([_metrics("mcnet", first, 0), _metrics("mcnet", second, 1), _metrics("climatology", first)])
    assert list(means) == ["mcnet", "climatology"]
    np.testing.assert_array_equal(means["mcnet"]["mse"], (first + second) / 2)
    assert means["mcnet"].attrs == {"model": "mcnet", "runs": 2}


def test_the_gap_closed_runs_from_the_best_baseline_at_each_lead_to_the_oracle() -> None:
    rows = [
        ("persistence", None, 1, 1.0),
        ("persistence", None, 2, 4.0),
        ("climatology", None, 1, 3.0),
        ("climatology", None, 2, 3.0),
        ("oracle", None, 1, 0.5),
        ("oracle", None, 2, 1.0),
        ("mcnet", 0, 1, 0.75),
        ("mcnet", 0, 2, 2.0),
        ("mcnet", 1, 1, 1.25),
        ("mcnet", 1, 2, 3.0),
        ("analog", None, 1, 1.0),
        ("analog", None, 2, 3.5),
    ]
    table = pd.DataFrame(rows, columns=["model", "seed", "lead", "rmse"])
    closed = gap_closed(table, ["persistence", "climatology"]).set_index(["model", "lead"])
    assert closed["best_baseline"].to_dict() == {
        ("mcnet", 1): "persistence",
        ("mcnet", 2): "climatology",
        ("analog", 1): "persistence",
        ("analog", 2): "climatology",
    }
    np.testing.assert_allclose(closed.loc["mcnet", "gap_closed"], [0.0, 0.25])  # seeds 0.5/-0.5 and 0.5/0
    np.testing.assert_allclose(closed.loc["mcnet", "gap_closed_min"], [-0.5, 0.0])
    np.testing.assert_allclose(closed.loc["mcnet", "gap_closed_max"], [0.5, 0.5])
    np.testing.assert_allclose(closed.loc["analog", "gap_closed"], [0.0, -0.25])
    assert closed.loc["mcnet", "runs"].tolist() == [2, 2]
    with pytest.raises(ValueError, match="needs the 'oracle'"):
        gap_closed(table[table["model"] != "oracle"], ["persistence", "climatology"])


def _snakemake(workdir: Path, *args: str) -> str:
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "workflow" / "Snakefile")]
    command += ["--directory", str(workdir), "--cores", "2", "--configfile", "config/test.yaml", *args]
    out = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    return out.stdout + out.stderr


def _planned(workdir: Path) -> dict[str, int]:
    rows = re.findall(r"^(\w+)\s+(\d+)$", _snakemake(workdir, "--dry-run", "--quiet", "rules"), flags=re.M)
    return {rule: int(count) for rule, count in rows if rule != "total"}


def test_an_added_seed_adds_its_jobs_and_recomputes_only_what_reads_them(tmp_path: Path) -> None:
    """Every planned output made up (empty files, marked done with --touch), then another seed in the config."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    summary = _snakemake(tmp_path, "--summary").splitlines()
    outputs = [line.split("\t")[0] for line in summary if "\t" in line][1:]  # below the header
    for output in map(tmp_path.joinpath, outputs):
        if output.parent.name == "sequences":
            output.mkdir(parents=True, exist_ok=True)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.touch()
    assert "results/test/models/convlstm/seed0/model.keras" in outputs
    assert (
        "results/test/evaluation/savp/seed0/metrics.nc" in outputs
        and "results/test/evaluation/analog/bands.nc" in outputs
    )
    _snakemake(tmp_path, "--touch")
    assert _planned(tmp_path) == {}

    config = yaml.safe_load((tmp_path / "config" / "test.yaml").read_text())
    config["seeds"] = [*config["seeds"], 5]
    (tmp_path / "config" / "test.yaml").write_text(yaml.safe_dump(config))
    jobs = _planned(tmp_path)
    trained = ["convlstm", "savp", "mcnet"]
    assert {rule: jobs.pop(rule) for rule in ("train", "evaluate", "score_learned_distance", "plot_training")} == {
        "train": 3,
        "evaluate": 3,
        "score_learned_distance": 3,
        "plot_training": 3,
    }
    assert set(jobs) == {"summarize", "skill", "significance", "gap_closed", "plot_metric", "table_html", "all"}
    evaluated = re.findall(r"output: results/test/evaluation/(\S+)/metrics\.nc", _snakemake(tmp_path, "--dry-run"))
    assert sorted(evaluated) == [f"{model}/seed5" for model in sorted(trained)]
