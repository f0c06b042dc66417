"""Entry point of the summarize rule: every model's mean scores per lead in one table."""

import argparse
from pathlib import Path

import pandas as pd

from ambs.atomic import atomic_path

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--csv", type=Path, required=True)
parser.add_argument("--markdown", type=Path, required=True)
parser.add_argument("--learned", type=Path, nargs="*", default=[], help="learned_distance.csv of each model")
parser.add_argument("inputs", type=Path, nargs="+", help="metrics.csv of each model")
args = parser.parse_args()

table = pd.concat([pd.read_csv(p) for p in args.inputs], ignore_index=True)
if args.learned:
    learned = pd.concat([pd.read_csv(p) for p in args.learned], ignore_index=True)
    table = table.merge(learned, on=["model", "lead"], how="left", validate="one_to_one")
with atomic_path(args.csv) as tmp:
    table.to_csv(tmp, index=False, float_format="%.6g")
rmse = table.pivot(index="lead", columns="model", values="rmse")
with atomic_path(args.markdown) as tmp:
    tmp.write_text(
        "RMSE of the target in its physical units per lead hour on the test months\n\n"
        + rmse.to_markdown(floatfmt=".3f")
        + "\n"
    )
print(rmse.to_string())
