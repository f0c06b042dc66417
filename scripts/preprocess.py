"""Entry point of the MPI preprocessing rule: crop every month and compute training statistics."""

import argparse
from pathlib import Path

from mpi4py import MPI

from ambs.config import Area
from ambs.preprocessing.crop import run

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--variables", nargs="+", required=True)
parser.add_argument("--region", type=float, nargs=4, metavar=("N", "W", "S", "E"), required=True)
parser.add_argument("--months", nargs="+", required=True)
parser.add_argument("--train-months", nargs="+", required=True)
parser.add_argument("--raw-root", type=Path, required=True)
parser.add_argument("--out-root", type=Path, required=True)
parser.add_argument("--stats", type=Path, required=True)
args = parser.parse_args()

run(
    months=args.months,
    train_months=args.train_months,
    raw_root=args.raw_root,
    out_root=args.out_root,
    stats_path=args.stats,
    variables=args.variables,
    region=Area(*args.region),
    comm=MPI.COMM_WORLD,
    log=lambda line: print(line, flush=True),
)
