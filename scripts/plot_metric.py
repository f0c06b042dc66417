"""Entry point of the plot_metric rule: one metric against lead time for all models, with bootstrap bands."""

import argparse
from pathlib import Path

import xarray as xr

from ambs.plots.figure import save_figure
from ambs.plots.lead_curves import metric_figure

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--metric", required=True)
parser.add_argument("--units", default="", help="units of the target, for the axis label")
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("--models", nargs="+", required=True)
parser.add_argument("--bands", type=Path, nargs="+", required=True, help="bands.nc of each model, in --models order")
args = parser.parse_args()
if len(args.models) != len(args.bands):
    parser.error(f"{len(args.models)} --models but {len(args.bands)} --bands files")

bands = {model: xr.load_dataset(path) for model, path in zip(args.models, args.bands)}
save_figure(metric_figure(bands, args.metric, args.units), args.out)
print(f"wrote {args.out}")
