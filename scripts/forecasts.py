"""Entry point of the forecasts rule: every model's test forecasts in one CF file with a model dimension."""

import argparse
from pathlib import Path

import xarray as xr

from ambs.atomic import atomic_path
from ambs.evaluation.forecast_files import combine

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("inputs", type=Path, nargs="+", help="forecast.nc of each model")
args = parser.parse_args()

combined = combine([xr.load_dataset(path) for path in args.inputs])
with atomic_path(args.out) as tmp:
    combined.to_netcdf(tmp)
print(f"{combined.sizes['model']} models x {combined.sizes['init']} init times written to {args.out}")
