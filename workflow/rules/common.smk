import json
from pathlib import Path

from ambs.config import all_months, days_of_month, hours_of_day, validate_config
from ambs.era5.requests import raw_filenames
from ambs.models.kinds import is_trained

# Cross-field checks with messages that name the key; the schema itself is also
# applied by Snakemake's validate() in the Snakefile.
validate_config(config)

RESULTS = f"results/{config['experiment']}"
SCRIPTS = Path(workflow.basedir).parent / "scripts"
# Apptainer images built from containers/*.def; used with --software-deployment-method apptainer.
CPU_IMAGE = str(Path(workflow.basedir).parent / "containers" / "ambs-cpu.sif")
GPU_IMAGE = str(Path(workflow.basedir).parent / "containers" / "ambs-gpu.sif")
MONTHS = all_months(config)
PLOTTED_METRICS = ["rmse", "mse", "bias", "mae", "psnr", "ssim", "acc", "rmse_latw"]
RAW_FILES = raw_filenames(config["variables"])


wildcard_constraints:
    month=r"\d{4}-\d{2}",
    split="train|val|test",
    model="|".join(config["models"]),
    metric="|".join(PLOTTED_METRICS),


def area_args(area):
    return " ".join(str(area[k]) for k in ("north", "west", "south", "east"))


def cropped(split):
    return [f"{RESULTS}/cropped/{month}.nc" for month in config["months"][split]]


def evaluation_inputs(wildcards):
    inputs = {
        "test": f"{RESULTS}/sequences/test",
        "stats": f"{RESULTS}/statistics.json",
        "climatology": f"{RESULTS}/climatology.nc",
    }
    if is_trained(wildcards.model):
        inputs["weights"] = f"{RESULTS}/models/{wildcards.model}/model.keras"
    return inputs
