"""Entry point of the plot_metric rule: one metric against lead time for all models."""

import argparse
from pathlib import Path

import xarray as xr

from ambs.plots import plot_metric_vs_lead

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--metric", required=True)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("inputs", type=Path, nargs="+", help="metrics.nc of each model")
args = parser.parse_args()

plot_metric_vs_lead([xr.load_dataset(p) for p in args.inputs], args.metric, args.out)
print(f"wrote {args.out}")
