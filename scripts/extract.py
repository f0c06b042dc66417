"""Entry point of the extract rule: download (or generate) and validate one month of ERA5."""

import argparse
import functools
from pathlib import Path

from ambs.config import Area
from ambs.extraction.month import extract_month, make_client

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--source", required=True, choices=["synthetic", "cds"])
parser.add_argument("--seed", type=int, required=True)
parser.add_argument("--month", required=True, help="YYYY-MM")
parser.add_argument("--variables", nargs="+", required=True)
parser.add_argument("--area", type=float, nargs=4, metavar=("N", "W", "S", "E"), required=True)
parser.add_argument("--days", type=int, nargs="+", required=True)
parser.add_argument("--hours", type=int, nargs="+", required=True)
parser.add_argument("--outdir", type=Path, required=True)
args = parser.parse_args()

log = functools.partial(print, flush=True)  # the client's lines and the extraction's, unbuffered into the log
paths = extract_month(
    client=make_client(args.source, args.seed, log),
    variables=args.variables,
    area=Area(*args.area),
    month=args.month,
    days=args.days,
    hours=args.hours,
    outdir=args.outdir,
    log=log,
)
print(f"{args.month}: wrote {', '.join(str(p) for p in paths)}", flush=True)
