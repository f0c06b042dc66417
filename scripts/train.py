"""Entry point of the train rule: fit one model on the training split, validate on the val split."""

import argparse
import json
from pathlib import Path

from ambs.training.networks import train

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--model", required=True)
parser.add_argument("--hyper", type=json.loads, required=True, help="hyperparameters as JSON")
parser.add_argument("--seed", type=int, required=True)
parser.add_argument("--train", type=Path, required=True)
parser.add_argument("--val", type=Path, required=True)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("--history", type=Path, required=True)
parser.add_argument("--workdir", type=Path, required=True)
args = parser.parse_args()

train(args.model, args.hyper, args.train, args.val, args.out, args.history, args.workdir, args.seed)
print(f"model {args.model} saved to {args.out}")
