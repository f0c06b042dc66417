"""Entry point of the plot_query rule: the middle test window and its nearest training windows (S4-style query)."""

import argparse
from pathlib import Path

from ambs.report.similarity import plot_query
from ambs.similarity.lsim import load_distance
from ambs.similarity.query import middle_test_query

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--test", type=Path, required=True)
parser.add_argument("--train", type=Path, required=True)
parser.add_argument("--distance", type=Path, required=True, help="LearnedDistance of the context view")
parser.add_argument("--matches", type=int, required=True)
parser.add_argument("--out", type=Path, required=True)
args = parser.parse_args()

query = middle_test_query(args.test, args.train, load_distance(args.distance), args.matches)
plot_query(query, args.out)
print(query.summary())
