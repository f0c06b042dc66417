"""Entry point of the plot_metric rule: one metric against lead time for all models, with bootstrap bands."""

import argparse
from pathlib import Path

import xarray as xr

from ambs.report.figure import save_figure
from ambs.report.lead_curves import metric_figure

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--metric", required=True)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("--bands", type=Path, nargs="+", required=True, help="bands.nc of each run, in legend order")
args = parser.parse_args()

bands = [xr.load_dataset(path) for path in args.bands]  # each file names its model, seed and units
units = {ds.attrs["units"] for ds in bands}
if len(units) != 1:
    parser.error(f"the --bands files disagree on the target's units: {sorted(units)}")
save_figure(metric_figure(bands, args.metric, units.pop()), args.out)
print(f"wrote {args.out}")
