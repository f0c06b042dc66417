"""Entry point of the plot_training rule: training and validation curves of one model, every seed in one figure."""

import argparse
from pathlib import Path

from ambs.report.figure import save_figure
from ambs.report.training_curves import read_history, training_figure

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--model", required=True)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("--seeds", type=int, nargs="+", required=True, help="the training seed of each history")
parser.add_argument(
    "--histories", type=Path, nargs="+", required=True, help="history.csv written by Keras' CSVLogger, one per seed"
)
args = parser.parse_args()

if len(args.seeds) != len(args.histories):
    parser.error(f"{len(args.seeds)} --seeds for {len(args.histories)} histories")
histories = {seed: read_history(path) for seed, path in zip(args.seeds, args.histories)}
save_figure(training_figure(histories, args.model), args.out)
print(f"wrote {args.out}")
