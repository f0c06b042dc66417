"""Entry point of the summarize rule: every model's mean scores per lead, over its seeds, in one table."""

import argparse
from pathlib import Path

from ambs.report.metrics_table import over_runs, read_metrics_tables, rmse_by_lead, write_metrics_table

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--csv", type=Path, required=True)
parser.add_argument("--markdown", type=Path, required=True)
parser.add_argument(
    "--learned", type=Path, nargs="*", default=[], help="learned_distance.csv of each run, in the order of the inputs"
)
parser.add_argument("inputs", type=Path, nargs="+", help="metrics.csv of each run")
args = parser.parse_args()

summary = over_runs(read_metrics_tables(args.inputs, args.learned))
write_metrics_table(summary, args.csv, args.markdown)
print(rmse_by_lead(summary).to_string())
