"""Entry point of the evaluate rule: forecasts and metrics of one model on the test split."""

import argparse
import json
from pathlib import Path

import xarray as xr

from ambs.atomic import atomic_path
from ambs.evaluate import evaluate, summary_table

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--model", required=True)
parser.add_argument("--weights", type=Path, default=None, help="trained .keras file; none for baselines")
parser.add_argument("--test", type=Path, required=True)
parser.add_argument("--stats", type=Path, required=True)
parser.add_argument("--climatology", type=Path, required=True)
parser.add_argument("--metrics", type=Path, required=True)
parser.add_argument("--forecast", type=Path, required=True)
parser.add_argument("--table", type=Path, required=True)
parser.add_argument("--ensemble-size", type=int, default=1, help="members drawn from a stochastic model")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

with xr.open_dataset(args.climatology) as clim_ds:
    climatology = clim_ds[next(iter(clim_ds.data_vars))].load()
result = evaluate(
    args.model, args.weights, args.test, json.loads(args.stats.read_text()), climatology, args.metrics, args.forecast,
    ensemble_size=args.ensemble_size, seed=args.seed,
)
table = summary_table(result)
with atomic_path(args.table) as tmp:
    table.to_csv(tmp, index=False, float_format="%.6g")
print(table.to_string(index=False))
