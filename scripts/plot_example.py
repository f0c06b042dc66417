"""Entry point of the plot_example rule: forecast maps of one test case for all models."""

import argparse
from pathlib import Path

import xarray as xr

from ambs.plots import plot_example_forecast

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("inputs", type=Path, nargs="+", help="forecast.nc of each model")
args = parser.parse_args()

plot_example_forecast([xr.load_dataset(p) for p in args.inputs], args.out)
print(f"wrote {args.out}")
