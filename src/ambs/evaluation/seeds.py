"""A model's scores over its runs: every network is trained once per seed, and one run is not the model.

The model's score is the mean over its seeds; its spread is the range (min and max) of the seeds'
scores. With a handful of seeds the range says what every seed reached without assuming a
distribution, where a standard deviation of three values would be a guess. A model without a seed
has one run: its mean, min and max are that run's score.
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

from ambs.catalogue import Run

SPREAD = ("min", "max")


def run_of(result: xr.Dataset) -> Run:
    """The run a metrics.nc (or bands.nc) belongs to, from its ``model`` and, for a seeded model, ``seed``."""
    seed = result.attrs.get("seed")
    return Run(str(result.attrs["model"]), None if seed is None else int(seed))


def over_seeds(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per ``keys`` (e.g. model and lead): ``runs``, the mean of every other column but ``seed`` over the runs,
    and its range as ``<column>_min`` and ``<column>_max``, in the order the keys first appear."""
    values = [column for column in table.columns if column not in keys and column != "seed"]
    grouped = table.groupby(keys, sort=False)[values]
    summary = pd.concat(
        [grouped.size().rename("runs"), grouped.mean(), *(grouped.agg(stat).add_suffix(f"_{stat}") for stat in SPREAD)],
        axis=1,
    )
    return summary.reset_index()


def seed_means(results: list[xr.Dataset]) -> dict[str, xr.Dataset]:
    """Per model, the mean over its runs of every score at each (init, lead): what skill compares with a baseline."""
    by_model: dict[str, list[xr.Dataset]] = {}
    for result in results:
        by_model.setdefault(run_of(result).model, []).append(result)
    means = {}
    for model, runs in by_model.items():
        mean = xr.concat(runs, dim="run", combine_attrs="drop_conflicts").mean("run", keep_attrs=True)
        mean.attrs.pop("seed", None)
        means[model] = mean.assign_attrs(runs=len(runs))
    return means
