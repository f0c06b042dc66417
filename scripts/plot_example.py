"""Entry point of the plot_example rule: maps of one test case (best, median or worst MSE) for all models."""

import argparse
from pathlib import Path

import xarray as xr

from ambs.catalogue import EXAMPLE_CASES
from ambs.report.coastline import load_coastlines
from ambs.report.examples import case_index, example_figure
from ambs.report.figure import save_figure

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--case", required=True, choices=list(EXAMPLE_CASES))
parser.add_argument(
    "--coastline", type=Path, help="coastline polylines (GeoJSON MultiLineString); leave out for data not on the Earth"
)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("inputs", type=Path, nargs="+", help="forecast.nc of each model")
args = parser.parse_args()

forecasts = [xr.load_dataset(p) for p in args.inputs]
index = case_index(forecasts, args.case)
title = f"{args.case} case (MSE quantile {EXAMPLE_CASES[args.case]:.1f})"
coastlines = load_coastlines(args.coastline) if args.coastline else None
save_figure(example_figure(forecasts, index, title, coastlines), args.out, dpi=90)
print(f"wrote {args.out} (init {forecasts[0]['init'].values[index]})")
