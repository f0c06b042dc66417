"""Entry point of the sequences rule: one split's normalised windows as TFRecord shards."""

import argparse
import json
from pathlib import Path

import xarray as xr

from ambs.catalogue import SPLITS
from ambs.preprocessing.normalisation import METHODS
from ambs.sequences.tfrecords import write_split

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--split", required=True, choices=SPLITS)
parser.add_argument("--stats", type=Path, required=True)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("--variables", nargs="+", required=True)
parser.add_argument("--target", required=True)
parser.add_argument("--context", type=int, required=True)
parser.add_argument("--forecast", type=int, required=True)
parser.add_argument("--stride", type=int, required=True)
parser.add_argument("--normalisation", required=True, choices=METHODS, help="scaling with the training statistics")
parser.add_argument(
    "--climatology", type=Path, default=None, help="the target's climatology.nc: store the target as departures from it"
)
parser.add_argument("--forcings", nargs="*", default=[], help="channels after the variables (config key 'forcings')")
parser.add_argument("--static", type=Path, help="the ERA5 invariants (raw/static.nc), for the static forcings")
parser.add_argument("inputs", type=Path, nargs="+", help="cropped monthly netCDF files of the split")
args = parser.parse_args()

meta = write_split(
    split=args.split,
    paths=args.inputs,
    stats=json.loads(args.stats.read_text()),
    variables=args.variables,
    target=args.target,
    context=args.context,
    forecast=args.forecast,
    stride=args.stride,
    out_dir=args.out,
    normalisation=args.normalisation,
    climatology=xr.load_dataset(args.climatology) if args.climatology else None,
    forcings=args.forcings,
    static=args.static,
)
print(f"split {args.split}: {meta.count} windows of shape {meta.shape} written to {args.out}")
