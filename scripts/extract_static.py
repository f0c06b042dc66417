"""Entry point of the extract_static rule: download (or generate) and validate ERA5's invariants (lsm, orography)."""

import argparse
import functools
from pathlib import Path

from ambs.config import Area
from ambs.extraction.month import extract_static, make_client

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--source", required=True, choices=["synthetic", "cds"])
parser.add_argument("--seed", type=int, required=True)
parser.add_argument("--area", type=float, nargs=4, metavar=("N", "W", "S", "E"), required=True)
parser.add_argument("--outdir", type=Path, required=True)
args = parser.parse_args()

log = functools.partial(print, flush=True)  # the client's lines and the extraction's, unbuffered into the log
path = extract_static(make_client(args.source, args.seed, log), Area(*args.area), args.outdir, log)
print(f"invariants: wrote {path}", flush=True)
