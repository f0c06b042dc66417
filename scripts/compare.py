"""Side-by-side skill scores of several finished experiments: scripts/compare.py results/a results/b --csv .. --markdown .."""

import argparse
from pathlib import Path

from ambs.atomic import atomic_path
from ambs.evaluation.compare import compare_skill, markdown_summary

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument(
    "--csv", type=Path, required=True, help="every (model, baseline, metric, lead) row, one column per experiment"
)
parser.add_argument("--markdown", type=Path, required=True, help="the mean over lead hours, one column per experiment")
parser.add_argument(
    "experiments", type=Path, nargs="+", help="results folders (results/<experiment>) with evaluation/skill.csv"
)
args = parser.parse_args()

wide = compare_skill(args.experiments)
with atomic_path(args.csv) as tmp:
    wide.to_csv(tmp, index=False, float_format="%.6g")
summary = markdown_summary(wide)
with atomic_path(args.markdown) as tmp:
    tmp.write_text(summary)
print(summary)
