"""Config validation: shipped configs pass, wrong ones fail naming the key."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

from ambs.config import (
    ConfigError,
    all_months,
    days_of_month,
    hours_of_day,
    load_config,
    split_forecast_hours,
    validate_config,
)


@pytest.mark.parametrize("name", ["config.yaml", "test.yaml", "waveeq.yaml", "moving_digits.yaml", "gmd2022.yaml"])
def test_shipped_configs_are_valid(name: str) -> None:
    load_config(ROOT / "config" / name)


def test_omitted_keys_get_the_schema_defaults(default_config: dict) -> None:
    assert "dataset" not in default_config
    del default_config["bootstrap"]
    default_config["normalisation"] = "minmax"
    validate_config(default_config)
    assert default_config["dataset"] == "era5"
    assert default_config["normalisation"] == "minmax"  # a value given is kept
    assert default_config["bootstrap"] == {"block_hours": 168, "resamples": 1000, "seed": 0}


def test_each_config_gets_its_own_copy_of_a_default(default_config: dict, test_config: dict) -> None:
    del default_config["bootstrap"], test_config["bootstrap"]
    validate_config(default_config)
    validate_config(test_config)
    default_config["bootstrap"]["seed"] = 9
    assert test_config["bootstrap"]["seed"] == 0


def test_an_installed_package_validates_configs(tmp_path: Path) -> None:
    """A non-editable install (as in the containers) carries the schema: nothing is read from the source tree."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, project / name)
    site = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*install, "--target", str(site), str(project)], check=True, capture_output=True, timeout=300)
    shutil.rmtree(project)
    check = "import ambs, sys; from ambs.config import load_config; load_config(sys.argv[1]); print(ambs.__file__)"
    command = [sys.executable, "-c", check, str(ROOT / "config" / "config.yaml")]
    env = {**os.environ, "PYTHONPATH": str(site)}
    found = subprocess.check_output(command, cwd=tmp_path, env=env, text=True, timeout=120)
    assert Path(found.strip()).is_relative_to(site)


def _set(config: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        config = config[key]
    if value is _DELETE:
        del config[last]
    else:
        config[last] = value


_DELETE = object()

WRONG = [
    ("source", "ftp", "source", "allowed values: 'synthetic', 'cds'"),
    ("regoin", {"north": 1}, "<top level>", "'regoin' was unexpected"),
    ("variables", ["t2m", "rain"], "variables.1", "allowed values"),
    ("target", "msl2", "target", "allowed values"),
    ("models", ["convlstm", "gpt"], "models.1", "allowed values"),
    ("months.train", ["2017-13"], "months.train.0", "does not match"),
    ("months.test", [], "months.test", "should be non-empty"),
    ("context_hours", 0, "context_hours", "less than the minimum"),
    ("forecast_hours", "12", "forecast_hours", "not of type 'integer'"),
    ("region.north", 95, "region.north", "greater than the maximum"),
    ("domain.west", _DELETE, "domain", "'west' is a required property"),
    ("days", [0], "days", "'all' or a list"),
    ("hours", "some", "hours", "'all' or a list"),
    ("hyperparameters.convlstm.kernel_size", 4, "hyperparameters.convlstm.kernel_size", "allowed values"),
    ("mpi_tasks", 0, "mpi_tasks", "less than the minimum"),
    ("experiment", "my run", "experiment", "does not match"),
    ("normalisation", "robust", "normalisation", "allowed values: 'zscore', 'minmax'"),
    ("forcings", ["lsm", "sunshine"], "forcings.1", "allowed values: 'toa_incident_solar_radiation'"),
    ("forcings", ["lsm", "lsm"], "forcings", "non-unique elements"),
    ("bootstrap.resamples", 5, "bootstrap.resamples", "less than the minimum"),
    ("bootstrap.blocks", 4, "bootstrap", "'blocks' was unexpected"),
    ("seeds", [0, 1, 0], "seeds", "non-unique"),
    ("seeds", [0, -1], "seeds.1", "less than the minimum"),
    ("seeds", [], "seeds", "should be non-empty"),
]


@pytest.mark.parametrize(("key", "value", "named", "says"), WRONG, ids=[w[0] for w in WRONG])
def test_schema_errors_name_the_key(default_config: dict, key: str, value: Any, named: str, says: str) -> None:
    _set(default_config, key, value)
    with pytest.raises(ConfigError) as error:
        validate_config(default_config)
    assert f"config key '{named}'" in str(error.value)
    assert says in str(error.value)


SEMANTIC = [
    ("region.south", 57.0, "region", "north"),
    ("region.east", 20.0, "region", "inside 'domain'"),
    ("region.west", 4.1, "region.west", "0.25 degree"),
    ("target", "msl", "target", None),
    ("months.val", ["2017-06"], "months.val", "already in months.train"),
    ("hours", [0, 6, 12, 18], "context_hours", "at most 1 in months.train"),
    ("source", "cds", "models", "['oracle'] is the embedded source's own forecast"),
]


@pytest.mark.parametrize(("key", "value", "named", "says"), SEMANTIC, ids=[s[0] for s in SEMANTIC])
def test_cross_field_errors_name_the_key(
    default_config: dict, key: str, value: Any, named: str, says: str | None
) -> None:
    if key == "target":
        default_config["variables"] = ["t2m", "z500"]
    _set(default_config, key, value)
    with pytest.raises(ConfigError) as error:
        validate_config(default_config)
    assert f"config key '{named}'" in str(error.value)
    if says:
        assert says in str(error.value)


def test_missing_hyperparameters_for_a_trained_model(default_config: dict) -> None:
    default_config["hyperparameters"] = {}
    with pytest.raises(ConfigError, match="hyperparameters.convlstm"):
        validate_config(default_config)


def test_baselines_need_no_hyperparameters(default_config: dict) -> None:
    default_config["models"] = ["persistence", "persistence24", "climatology"]
    default_config["hyperparameters"] = {}
    validate_config(default_config)


def test_month_helpers(default_config: dict) -> None:
    assert all_months(default_config)[0] == default_config["months"]["train"][0]
    assert all_months(default_config)[-1] == default_config["months"]["test"][-1]
    default_config["days"] = [1, 30, 31]
    assert days_of_month(default_config, "2017-06") == [1, 30]
    assert days_of_month(default_config, "2017-07") == [1, 30, 31]
    assert hours_of_day(default_config) == list(range(24))


DRY_RUN_WRONG = [
    ("source", "ftp", "source"),
    ("region.north", 53.0, "region"),
    ("hours", [0, 6, 12, 18], "context_hours"),
]


def _dry_run(workdir: Path, configfile: str) -> subprocess.CompletedProcess[str]:
    """``snakemake --dry-run`` of the workflow in ``workdir`` with ``configfile`` (relative to it)."""
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(ROOT / "workflow" / "Snakefile"),
        "--directory",
        str(workdir),
        "--cores",
        "1",
        "--configfile",
        configfile,
        "--dry-run",
    ]
    return subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, check=False, timeout=300)


@pytest.mark.parametrize(("key", "value", "named"), DRY_RUN_WRONG, ids=[w[0] for w in DRY_RUN_WRONG])
def test_snakemake_stops_before_any_job(test_config: dict, tmp_path: Path, key: str, value: Any, named: str) -> None:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    _set(test_config, key, value)
    (tmp_path / "wrong.yaml").write_text(yaml.safe_dump(test_config))
    result = _dry_run(tmp_path, "wrong.yaml")
    output = result.stdout + result.stderr
    assert result.returncode != 0 and f"config key '{named}'" in output, output[-3000:]
    assert "jobid" not in output and not (tmp_path / "results").exists()


def test_the_gmd2022_config_plans_without_running(tmp_path: Path) -> None:
    """The AMBS paper's setting (too large for CI) plans its whole DAG: 13 years of t2m, tcc and t850 from the CDS."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    result = _dry_run(tmp_path, "config/gmd2022.yaml")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", output, flags=re.M))
    assert (jobs["extract"], jobs["train"]) == ("156", "6")  # every month of 2007-2019; convlstm, savp: 3 seeds each
    for name in ("sfc.nc", "pl850.nc"):
        assert f"results/gmd2022/raw/2019-12/{name}" in output
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("name", ["waveeq", "moving_digits"])
def test_the_generated_dataset_configs_plan_over_the_default_config(tmp_path: Path, name: str) -> None:
    """``make run CONFIG=config/<name>.yaml`` merges the file over config/config.yaml: its keys must still agree."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    result = _dry_run(tmp_path, f"config/{name}.yaml")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", output, flags=re.M))
    assert (jobs["generate"], jobs["train"]) == ("3", "6")  # one per split; two networks, three seeds each
    assert "extract" not in jobs and not (tmp_path / "results").exists()


ERA5_KEYS = (
    "source",
    "domain",
    "region",
    "variables",
    "target",
    "months",
    "days",
    "hours",
    "stride_hours",
    "mpi_tasks",
)


def _generated(name: str) -> dict[str, Any]:
    """A shipped generated-dataset config on its own: without the ERA5 keys, which it does not need."""
    config = yaml.safe_load((ROOT / "config" / f"{name}.yaml").read_text())
    assert not set(ERA5_KEYS) & set(config)
    return config


GENERATED_WRONG = [
    ("waveeq", "dataset", "mnist", "dataset", "allowed values: 'era5', 'waveeq', 'moving_digits'"),
    ("waveeq", "datasets", _DELETE, "<top level>", "'datasets' is a required property with the chosen 'dataset'"),
    ("moving_digits", "datasets.moving_digits", _DELETE, "datasets", "'moving_digits' is a required property"),
    ("waveeq", "datasets.waveeq.sources", [3, 1], "datasets.waveeq.sources", "minimum 3 exceeds maximum 1"),
    ("waveeq", "datasets.waveeq.sources", [0, 2], "datasets.waveeq.sources.0", "less than the minimum"),
    ("waveeq", "datasets.waveeq.frame_dt", 0, "datasets.waveeq.frame_dt", "less than or equal to the minimum"),
    ("moving_digits", "datasets.moving_digits.speed", [2.0], "datasets.moving_digits.speed", "too short"),
    ("moving_digits", "datasets.moving_digits.size", 16, "datasets.moving_digits.size", "use at least 17"),
    ("moving_digits", "models", ["pde", "climatology"], "models", "need ERA5 data"),
    ("waveeq", "forcings", ["sin_local_time"], "forcings", "must be empty"),
    ("waveeq", "eval_forecast_hours", 5, "eval_forecast_hours", "shorter than forecast_hours (6)"),
    ("waveeq", "plots.quantile_leads", [19], "plots.quantile_leads", "beyond the 18 evaluated lead hours"),
    (
        "waveeq",
        "hyperparameters.pde.dynamic_channels",
        _DELETE,
        "hyperparameters.pde",
        "'dynamic_channels' is a required",
    ),
]


@pytest.mark.parametrize(
    ("name", "key", "value", "named", "says"), GENERATED_WRONG, ids=[f"{w[0]}-{w[1]}" for w in GENERATED_WRONG]
)
def test_generated_dataset_errors_name_the_key(name: str, key: str, value: Any, named: str, says: str) -> None:
    config = _generated(name)
    _set(config, key, value)
    with pytest.raises(ConfigError) as error:
        validate_config(config)
    assert f"config key '{named}'" in str(error.value) and says in str(error.value)


def test_era5_keys_are_required_for_era5_only(default_config: dict) -> None:
    validate_config(_generated("waveeq"))
    del default_config["region"]
    with pytest.raises(ConfigError, match="config key '<top level>': 'region' is a required property with the chosen"):
        validate_config(default_config)
    default_config["dataset"] = "era5"
    with pytest.raises(ConfigError, match="'region' is a required property"):
        validate_config(default_config)


def test_the_test_split_has_the_evaluated_lead_hours(default_config: dict) -> None:
    assert [split_forecast_hours(default_config, s) for s in ("train", "test")] == [12, 12]
    default_config["eval_forecast_hours"] = 36
    validate_config(default_config)
    assert [split_forecast_hours(default_config, s) for s in ("train", "val", "test")] == [12, 12, 36]
