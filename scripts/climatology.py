"""Entry point of the climatology rule: month x hour-of-day mean of the target over the training months."""

import argparse
from pathlib import Path

from ambs.preprocessing.climatology import write_climatology

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--variable", required=True)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("inputs", type=Path, nargs="+")
args = parser.parse_args()

write_climatology(args.inputs, args.variable, args.out)
print(f"climatology of {args.variable} from {len(args.inputs)} months written to {args.out}")
