"""Entry point of the plot_training rule: training and validation curves of one model."""

import argparse
from pathlib import Path

from ambs.report.figure import save_figure
from ambs.report.training_curves import read_history, training_figure

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--model", required=True)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("history", type=Path, help="history.csv written by Keras' CSVLogger")
args = parser.parse_args()

save_figure(training_figure(read_history(args.history), args.model), args.out)
print(f"wrote {args.out}")
