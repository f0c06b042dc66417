"""Entry point of the score_learned_distance rule: the learned distance of one model's forecasts per init and lead."""

import argparse
from pathlib import Path

from ambs.evaluation.learned_distance import score_forecast_file

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--model", required=True)
parser.add_argument("--forecast", type=Path, required=True, help="forecast.nc of the evaluate rule")
parser.add_argument("--test", type=Path, required=True, help="the test split, for the target and its normalisation")
parser.add_argument("--stats", type=Path, required=True)
parser.add_argument("--distance", type=Path, required=True, help="LearnedDistance of the target view")
parser.add_argument("--out", type=Path, required=True, help="learned_distance.nc")
parser.add_argument("--table", type=Path, required=True, help="mean per lead as CSV")
parser.add_argument("--climatology", type=Path, default=None, help="climatology.nc, for a split of departures from it")
args = parser.parse_args()

score = score_forecast_file(
    args.model, args.forecast, args.test, args.stats, args.distance, args.out, args.table, args.climatology
)
print(score.mean("init").to_series().round(4).to_string())
