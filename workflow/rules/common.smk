import json
import os
from pathlib import Path

from ambs.config import all_months, dataset_name, days_of_month, hours_of_day, split_forecast_hours, validate_config
from ambs.era5.requests import raw_filenames
from ambs.models.kinds import has_train_job, is_trained

# Cross-field checks with messages that name the key; the schema itself is also
# applied by Snakemake's validate() in the Snakefile.
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
PLOTTED_METRICS = ["rmse", "mse", "bias", "mae", "psnr", "ssim", "acc", "rmse_latw", "gradient_ratio"]
# ACC needs the ERA5 climatology, the latitude-weighted RMSE latitudes; generated datasets have neither.
PLOTTED_METRICS = PLOTTED_METRICS if ERA5 else [m for m in PLOTTED_METRICS if m not in ("acc", "rmse_latw")]
RAW_FILES = raw_filenames(config["variables"]) if ERA5 else []
BASELINE_MODELS = [m for m in config["models"] if not is_trained(m)]


wildcard_constraints:
    month=r"\d{4}-\d{2}",
    split="train|val|test",
    model="|".join(config["models"]),
    metric="|".join(PLOTTED_METRICS),


def area_args(area):
    return " ".join(str(area[k]) for k in ("north", "west", "south", "east"))


def cropped(split):
    return [f"{RESULTS}/cropped/{month}.nc" for month in config["months"][split]]


def optional_args(*names):
    """A params function: ``--name path...`` for each of the named inputs the job has, nothing for the others."""
    return lambda wildcards, input: " ".join(f"--{name} {input[name]}" for name in names if name in input.keys())


def evaluation_inputs(wildcards):
    inputs = {
        "test": f"{RESULTS}/sequences/test",
        "stats": f"{RESULTS}/statistics.json",
    }
    if ERA5:
        inputs["climatology"] = f"{RESULTS}/climatology.nc"
    if is_trained(wildcards.model):
        inputs["weights"] = f"{RESULTS}/models/{wildcards.model}/model.keras"
    if wildcards.model == "persistence24":
        inputs["history"] = cropped("test")  # the day before each valid time, outside the windows
    return inputs
