import json
import os
import re
from pathlib import Path

from ambs.catalogue import EXAMPLE_CASES, METRICS, MODELS, SPLITS, STATIC_FORCINGS, VIEWS, Kind, runs
from ambs.config import all_months, dataset_name, days_of_month, hours_of_day, split_forecast_hours, validate_config
from ambs.extraction.requests import STATIC_FILENAME, raw_filenames
from ambs.training.launch import worker_launcher

# The schema (its defaults filled in) and the cross-field checks, with messages that name the key.
validate_config(config)

RESULTS = f"results/{config['experiment']}"
# 'era5' runs extract/preprocess/climatology/sequences; a generated dataset runs rules/datasets.smk instead.
DATASET = dataset_name(config)
ERA5 = DATASET == "era5"
SIMILARITY = config["hyperparameters"].get("similarity")  # the similarity rules run when it is set
SCRIPTS = Path(workflow.basedir).parent / "scripts"
# Apptainer images built from containers/*.def (`make images`), used with --software-deployment-method apptainer:
# the CPU image is every rule's (Snakefile), the GPU image training's. AMBS_GPU_IMAGE names another image for
# training, e.g. the CPU image where there is no GPU (the tests).
IMAGES = Path(workflow.basedir).parent / "containers"
CPU_IMAGE = str(IMAGES / "ambs-cpu.sif")
GPU_IMAGE = os.environ.get("AMBS_GPU_IMAGE", str(IMAGES / "ambs-gpu.sif"))
MONTHS = all_months(config) if ERA5 else []
# Geographic metrics need the ERA5 climatology or latitudes, which generated datasets lack.
PLOTTED_METRICS = [name for name, m in METRICS.items() if m.plotted and (ERA5 or not m.geographic)]
RAW_FILES = raw_filenames(config["variables"]) if ERA5 else []
# ERA5's invariants (rule extract_static), extracted when a static field is among the forcings (ERA5 only).
STATIC_FILE = f"{RESULTS}/raw/{STATIC_FILENAME}" if set(config["forcings"]) & set(STATIC_FORCINGS) else None
BASELINE_MODELS = [m for m in config["models"] if MODELS[m].kind is Kind.BASELINE]
# Fitted by rule train, with a history.csv (the analog model is built by rule build_analog instead).
TRAINED_MODELS = [m for m in config["models"] if MODELS[m].has_train_job]
# The target's windows hold departures from the climatology (target_anomaly): the input of every rule that writes or
# reads them in physical units.
ANOMALY_REFERENCE = {"climatology": f"{RESULTS}/climatology.nc"} if ERA5 and config["target_anomaly"] else {}
SEEDS = config["seeds"]
# What is scored: every network once per seed (folder <model>/seed<s>), every other model once (folder <model>).
RUNS = {run.name: run for run in runs(config["models"], SEEDS)}
# The run of each model that the per-model figures and forecasts.nc show: a network's first seed.
SHOWN_RUNS = {model: runs([model], SEEDS[:1])[0].name for model in config["models"]}
# The paired tests and the ranking need models to rank and baselines to rank them against.
SIGNIFICANCE = bool(BASELINE_MODELS) and any(MODELS[m].competes for m in config["models"])
# The gap from the best baseline to the reference forecast (the oracle) needs both.
GAP_CLOSED = bool(BASELINE_MODELS) and any(MODELS[m].kind is Kind.REFERENCE for m in config["models"])


wildcard_constraints:
    month=r"\d{4}-\d{2}",
    split="|".join(SPLITS),
    model="|".join(config["models"]),
    run="|".join(map(re.escape, RUNS)),
    seed=r"\d+",
    metric="|".join(PLOTTED_METRICS),


def area_args(area):
    return " ".join(str(area[k]) for k in ("north", "west", "south", "east"))


def cropped(split):
    return [f"{RESULTS}/cropped/{month}.nc" for month in config["months"][split]]


def optional_args(*names):
    """A params function: ``--name path...`` for each of the named inputs the job has, nothing for the others."""
    return lambda wildcards, input: " ".join(f"--{name} {input[name]}" for name in names if name in input.keys())


def sequences_inputs(wildcards):
    inputs = {"months": cropped(wildcards.split), "stats": f"{RESULTS}/statistics.json"}
    if STATIC_FILE:
        inputs["static"] = STATIC_FILE
    return {**inputs, **ANOMALY_REFERENCE}


def run_model(wildcards):
    """The model of the run a job scores."""
    return RUNS[wildcards.run].model


def evaluation_inputs(wildcards):
    model = MODELS[run_model(wildcards)]
    inputs = {
        "test": f"{RESULTS}/sequences/test",
        "stats": f"{RESULTS}/statistics.json",
    }
    if ERA5:
        inputs["climatology"] = f"{RESULTS}/climatology.nc"
    if model.has_model_file:
        inputs["weights"] = f"{RESULTS}/models/{wildcards.run}/model.keras"
    if "history" in model.needs:
        inputs["history"] = cropped("test")  # the day before each valid time, outside the windows
    return inputs
