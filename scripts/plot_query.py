"""Entry point of the plot_query rule: the middle test window and its nearest training windows (S4-style query)."""

import argparse
from pathlib import Path

from ambs.sequences import read_split
from ambs.similarity.analog import nearest_past_states
from ambs.similarity.lsim import load_distance
from ambs.similarity.plots import plot_query
from ambs.split_meta import context_part

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--test", type=Path, required=True)
parser.add_argument("--train", type=Path, required=True)
parser.add_argument("--distance", type=Path, required=True, help="LearnedDistance of the context view")
parser.add_argument("--matches", type=int, required=True)
parser.add_argument("--out", type=Path, required=True)
args = parser.parse_args()

test_meta, test_windows = read_split(args.test)
train_meta, train_windows = read_split(args.train)
query_index = test_meta.count // 2
query, archive = context_part(test_meta, test_windows)[query_index], context_part(train_meta, train_windows)
index, distances = nearest_past_states(load_distance(args.distance), query, archive, args.matches)

plot_query(
    query,
    test_meta.init_times[query_index],
    archive[index],
    [train_meta.init_times[i] for i in index],
    distances,
    test_meta.variables,
    args.out,
)
matches = ", ".join(f"{train_meta.init_times[i]} (d={d:.3f})" for i, d in zip(index, distances, strict=True))
print(f"query {test_meta.init_times[query_index]}: {matches}")
