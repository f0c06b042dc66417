"""Entry point of the dataset_statistics rule: statistics.json of a generated training split."""

import argparse
import json
from pathlib import Path

from ambs.atomic import atomic_path
from ambs.datasets.raw import raw_statistics

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--train", type=Path, required=True, help="raw netCDF of the training split")
parser.add_argument("--out", type=Path, required=True)
args = parser.parse_args()

stats = raw_statistics(args.train)
with atomic_path(args.out) as tmp:
    tmp.write_text(json.dumps(stats, indent=1))
print(json.dumps(stats))
