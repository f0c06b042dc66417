"""Entry point of the significance rule: paired tests of every model against the best baseline and each other,
and the ranking per lead that states only the orders every seed's test finds."""

import argparse
from pathlib import Path

import pandas as pd
import xarray as xr

from ambs.atomic import atomic_path
from ambs.evaluation.seeds import seed_means
from ambs.evaluation.significance import RANKED, significance_table
from ambs.report.ranking import ranking_markdown

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--out", type=Path, required=True, help="significance.csv")
parser.add_argument("--ranking", type=Path, required=True, help="ranking.md")
parser.add_argument("--baselines", nargs="+", required=True, help="the baselines among the models")
parser.add_argument("--lag-hours", type=float, required=True, help="HAC lag window: inits within it are correlated")
parser.add_argument("--metrics", type=Path, nargs="+", required=True, help="metrics.nc of each run")
args = parser.parse_args()

results = [xr.load_dataset(path) for path in args.metrics]
table = significance_table(results, args.baselines, args.lag_hours)
mse = pd.DataFrame({model: result[RANKED].mean("init").to_series() for model, result in seed_means(results).items()})
with atomic_path(args.out) as tmp:
    table.to_csv(tmp, index=False, float_format="%.6g")
with atomic_path(args.ranking) as tmp:
    tmp.write_text(ranking_markdown(table, mse))
print(args.ranking.read_text())
