"""Entry point of the plot_quantiles rule: conditional-quantile diagrams of one model at chosen leads."""

import argparse
from pathlib import Path

import xarray as xr

from ambs.report.figure import save_figure
from ambs.report.quantile_diagrams import check_leads, quantiles_figure

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--leads", type=int, nargs="+", required=True, help="lead hours (config plots.quantile_leads)")
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("forecast", type=Path, help="forecast.nc of the model")
args = parser.parse_args()

forecast = xr.load_dataset(args.forecast)
check_leads(forecast, args.leads, str(args.forecast))
save_figure(quantiles_figure(forecast, args.leads), args.out)
print(f"wrote {args.out}")
