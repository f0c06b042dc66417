"""Entry point of the train_similarity rule: fit one similarity view's encoder and learned distance on the training split."""

import argparse
import json
from pathlib import Path

from ambs.catalogue import VIEWS
from ambs.training.similarity import train_similarity

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--view", choices=VIEWS, required=True)
parser.add_argument("--hyper", type=json.loads, required=True, help="hyperparameters.similarity as JSON")
parser.add_argument("--seed", type=int, required=True)
parser.add_argument("--train", type=Path, required=True)
parser.add_argument("--out", type=Path, required=True, help="the LearnedDistance (.keras), encoder included")
parser.add_argument("--history", type=Path, required=True)
parser.add_argument("--workdir", type=Path, required=True)
args = parser.parse_args()

train_similarity(args.view, args.hyper, args.train, args.out, args.history, args.workdir, args.seed)
print(f"{args.view} similarity model saved to {args.out}")
