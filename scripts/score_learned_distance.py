"""Entry point of the score_learned_distance rule: the learned distance of one model's forecasts per init and lead."""

import argparse
import json
from pathlib import Path

import xarray as xr

from ambs.normalisation import Normaliser
from ambs.similarity.forecast_metric import learned_distance, write_learned_distance
from ambs.similarity.lsim import load_distance
from ambs.split_meta import SplitMeta

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--model", required=True)
parser.add_argument("--forecast", type=Path, required=True, help="forecast.nc of the evaluate rule")
parser.add_argument("--test", type=Path, required=True, help="the test split, for the target and its normalisation")
parser.add_argument("--stats", type=Path, required=True)
parser.add_argument("--distance", type=Path, required=True, help="LearnedDistance of the target view")
parser.add_argument("--out", type=Path, required=True, help="learned_distance.nc")
parser.add_argument("--table", type=Path, required=True, help="mean per lead as CSV")
args = parser.parse_args()

meta = SplitMeta.read(args.test)
normaliser = Normaliser.from_stats(json.loads(args.stats.read_text()), meta.target, meta.normalisation)
score = learned_distance(load_distance(args.distance), xr.load_dataset(args.forecast), normaliser)
write_learned_distance(score, args.model, args.out, args.table)
print(score.mean("init").to_series().round(4).to_string())
