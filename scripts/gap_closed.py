"""Entry point of the gap_closed rule: per model and lead, the fraction of the gap from the best baseline to the
oracle that it closes, mean and range over its seeds."""

import argparse
from pathlib import Path

import pandas as pd

from ambs.atomic import atomic_path
from ambs.evaluation.gap import gap_closed

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--out", type=Path, required=True, help="gap_closed.csv")
parser.add_argument("--baselines", nargs="+", required=True, help="the baselines among the models")
parser.add_argument(
    "--metrics", type=Path, nargs="+", required=True, help="metrics.csv of each run, the oracle's among them"
)
args = parser.parse_args()

table = gap_closed(pd.concat([pd.read_csv(path) for path in args.metrics], ignore_index=True), args.baselines)
with atomic_path(args.out) as tmp:
    table.to_csv(tmp, index=False, float_format="%.6g")
print(table.pivot(index="lead", columns="model", values="gap_closed").to_string(float_format="%.3f"))
