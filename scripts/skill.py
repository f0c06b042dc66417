"""Entry point of the skill rule: skill scores of every model (its mean over seeds) against every baseline, per lead."""

import argparse
from pathlib import Path

import xarray as xr

from ambs.atomic import atomic_path
from ambs.evaluation.seeds import seed_means
from ambs.evaluation.skill import skill_table

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--out", type=Path, required=True, help="skill.csv")
parser.add_argument("--baselines", nargs="*", required=True, help="models used as references (none: an empty table)")
parser.add_argument("--metrics", type=Path, nargs="+", required=True, help="metrics.nc of each run")
args = parser.parse_args()

results = seed_means([xr.load_dataset(path) for path in args.metrics])
unknown = sorted(set(args.baselines) - set(results))
if unknown:
    parser.error(f"--baselines {unknown} have no file among --metrics")
table = skill_table(results, args.baselines)
with atomic_path(args.out) as tmp:
    table.to_csv(tmp, index=False, float_format="%.6g")
print(table.groupby(["model", "baseline", "metric"])["skill"].mean().unstack("metric").to_string(float_format="%.3f"))
