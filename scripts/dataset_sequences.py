"""Entry point of the dataset_sequences rule: one generated split as normalised windows (TFRecord shards)."""

import argparse
import json
from pathlib import Path

from ambs.datasets.store import write_synthetic
from ambs.preprocessing.normalisation import METHODS

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--raw", type=Path, required=True, help="raw netCDF of the split")
parser.add_argument("--stats", type=Path, required=True, help="statistics.json of the training split")
parser.add_argument("--normalisation", required=True, choices=METHODS)
parser.add_argument("--context", type=int, required=True)
parser.add_argument("--forecast", type=int, required=True)
parser.add_argument("--out", type=Path, required=True)
args = parser.parse_args()

meta = write_synthetic(
    args.raw, json.loads(args.stats.read_text()), args.normalisation, args.context, args.forecast, args.out
)
print(f"{meta.count} windows of shape {meta.shape} written to {args.out}")
