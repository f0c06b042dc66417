"""Entry point of the generate rule: one split of a synthetic dataset, stored as raw netCDF for the sequences step."""

import argparse
import json
from pathlib import Path

from ambs.catalogue import SPLITS
from ambs.datasets.generators import DATASETS, generate
from ambs.datasets.raw import write_raw

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--dataset", required=True, choices=list(DATASETS))
parser.add_argument("--split", required=True, choices=SPLITS)
parser.add_argument("--count", type=int, required=True, help="sequences to generate")
parser.add_argument("--frames", type=int, required=True, help="frames per sequence (context + forecast hours)")
parser.add_argument("--seed", type=int, required=True)
parser.add_argument("--options", type=json.loads, required=True, help="the generator's options as JSON")
parser.add_argument("--out", type=Path, required=True)
args = parser.parse_args()

sequences = generate(args.dataset, args.split, args.count, args.frames, args.seed, args.options)
write_raw(sequences, args.out)
print(f"{args.dataset} {args.split}: {args.count} sequences of shape {sequences.shape[1:]} written to {args.out}")
