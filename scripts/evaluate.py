"""Entry point of the evaluate rule: forecasts, metrics and bootstrap bands of one model on the test split."""

import argparse
import json
from pathlib import Path

import xarray as xr

from ambs.atomic import atomic_path
from ambs.evaluation.bootstrap import bands
from ambs.evaluation.scoring import References, evaluate, load_test_set, summary_table
from ambs.preprocessing.climatology import load_months

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--model", required=True)
parser.add_argument("--weights", type=Path, default=None, help="trained .keras file; none for baselines")
parser.add_argument("--test", type=Path, required=True)
parser.add_argument("--stats", type=Path, required=True)
parser.add_argument(
    "--climatology",
    type=Path,
    default=None,
    help="climatology.nc of the training months; without it acc and rmse_latw are skipped",
)
parser.add_argument(
    "--history",
    type=Path,
    nargs="+",
    default=None,
    help="cropped test months, the past that daily persistence (persistence24) reads",
)
parser.add_argument(
    "--source-seed", type=int, default=None, help="seed of the embedded synthetic source, for its oracle forecast"
)
parser.add_argument("--metrics", type=Path, required=True)
parser.add_argument("--bands", type=Path, required=True)
parser.add_argument("--forecast", type=Path, required=True)
parser.add_argument("--table", type=Path, required=True)
parser.add_argument("--ensemble-size", type=int, default=1, help="members drawn from a stochastic model")
parser.add_argument("--seed", type=int, default=0, help="a network's training seed, also of its ensemble draws")
parser.add_argument("--block-hours", type=int, required=True, help="bootstrap block length")
parser.add_argument("--resamples", type=int, required=True, help="bootstrap resamples")
parser.add_argument("--bootstrap-seed", type=int, required=True)
args = parser.parse_args()

climatology = xr.load_dataset(args.climatology) if args.climatology else None
test = load_test_set(args.test, json.loads(args.stats.read_text()), climatology)
references = References(
    climatology=climatology,
    history=load_months(args.history, test.meta.target) if args.history else None,
    source_seed=args.source_seed,
)
with atomic_path(args.forecast) as forecast_tmp:
    result = evaluate(
        args.model, args.weights, test, references, forecast_tmp, ensemble_size=args.ensemble_size, seed=args.seed
    )
for dataset, path in (
    (result, args.metrics),
    (bands(result, args.block_hours, args.resamples, args.bootstrap_seed), args.bands),
):
    with atomic_path(path) as tmp:
        dataset.to_netcdf(tmp)
table = summary_table(result)
with atomic_path(args.table) as tmp:
    table.to_csv(tmp, index=False, float_format="%.6g")
print(table.to_string(index=False))
