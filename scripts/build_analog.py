"""Entry point of the build_analog rule: the analog forecast model over the training archive."""

import argparse
from pathlib import Path

from ambs.models.analog import build_analog

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--distance", type=Path, required=True, help="LearnedDistance of the context view")
parser.add_argument("--train", type=Path, required=True)
parser.add_argument("--k", type=int, required=True, help="analogs averaged per forecast")
parser.add_argument("--out", type=Path, required=True)
args = parser.parse_args()

model = build_analog(args.distance, args.train, args.k, args.out)
print(f"analog model over {model.archive_size} training windows, k={model.k}, saved to {args.out}")
