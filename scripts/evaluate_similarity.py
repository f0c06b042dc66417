"""Entry point of the evaluate_similarity rule: LSiM protocol and retrieval scores of both similarity views."""

import argparse
from pathlib import Path

import pandas as pd

from ambs.atomic import atomic_path
from ambs.evaluation.similarity_scores import score_views
from ambs.report.similarity import plot_scores
from ambs.similarity.lsim import load_distance

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--test", type=Path, required=True)
parser.add_argument("--context-distance", type=Path, required=True, help="LearnedDistance of the context view")
parser.add_argument("--target-distance", type=Path, required=True, help="LearnedDistance of the target view")
parser.add_argument("--protocol-windows", type=int, required=True, help="test windows perturbed in the LSiM protocol")
parser.add_argument("--neighbour-hours", type=int, required=True, help="how much later a time neighbour may start")
parser.add_argument("--seed", type=int, required=True)
parser.add_argument("--table", type=Path, required=True)
parser.add_argument("--plot", type=Path, required=True)
args = parser.parse_args()

distances = {"context": load_distance(args.context_distance), "target": load_distance(args.target_distance)}
table = score_views(distances, args.test, args.protocol_windows, args.neighbour_hours, args.seed)
with atomic_path(args.table) as tmp:
    table.to_csv(tmp, index=False, float_format="%.4f")
plot_scores(table, args.plot)
with pd.option_context("display.width", 200):
    print(table.round(3).to_string(index=False))
