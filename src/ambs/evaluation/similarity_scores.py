"""How good the learned distance is on the test windows, next to simple distances: one row per distance.

Columns: ``spearman_<perturbation>`` (LSiM protocol: rank correlation of the distance
between a window and its perturbed copy with the perturbation strength, mean over
windows; 1 = grows strictly with strength), ``twin_top<k>`` (a window finds its own
augmented copy among the augmented copies of all test windows) and
``neighbour_top<k>`` (a window finds the next window in time among all other test
windows). Retrieval is done for the distances that are Euclidean in some vectors
(learned, embedding, L2); 1-SSIM has no vectors and only takes part in the protocol.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from ambs.evaluation.similarity_protocol import baseline_distances, perturbation_spearman, retrieval_accuracy
from ambs.sequences.tfrecords import read_split
from ambs.similarity.augment import augment, next_in_time
from ambs.similarity.encoder import embed
from ambs.similarity.lsim import LearnedDistance, paired_distances
from ambs.similarity.windows import evenly_spaced, select_view

Vectors = Callable[[np.ndarray], np.ndarray]


def rms_vectors(windows: np.ndarray) -> np.ndarray:
    """Flattened windows scaled so that their Euclidean distance is the RMS difference (``l2_distance``)."""
    flat = np.asarray(windows, np.float64).reshape(len(windows), -1)
    return flat / math.sqrt(flat.shape[1])


def representations(distance: LearnedDistance) -> dict[str, Vectors]:
    """Vectors whose Euclidean distances are the learned distance, the embedding distance and L2."""
    return {"learned": distance.numpy_vectors, "embedding": partial(embed, distance.encoder), "l2": rms_vectors}


def retrieval(vectors: Vectors, windows: np.ndarray, twins: np.ndarray, neighbours: np.ndarray) -> dict[str, float]:
    """Top-1/top-5 of finding the augmented twin and the next window in time (queries without one are skipped)."""
    v = vectors(windows)
    twin = retrieval_accuracy(cdist(v, vectors(twins)), np.arange(len(windows)))
    others = cdist(v, v)
    np.fill_diagonal(others, np.inf)  # a window is not its own neighbour
    has = neighbours >= 0
    neighbour = retrieval_accuracy(others[has], neighbours[has]) if has.any() else {"top1": np.nan, "top5": np.nan}
    return {**{f"twin_{k}": v for k, v in twin.items()}, **{f"neighbour_{k}": v for k, v in neighbour.items()}}


def metric_scores(
    distance: LearnedDistance,
    windows: np.ndarray,
    init_times: np.ndarray,
    protocol_windows: int,
    neighbour_hours: int,
    seed: int,
) -> pd.DataFrame:
    """The table described in the module docstring for one view's test windows, indexed by distance."""
    vectors = representations(distance)
    spearman = perturbation_spearman(
        windows[evenly_spaced(len(windows), protocol_windows)],
        {
            **{name: partial(paired_distances, v) for name, v in vectors.items()},
            **baseline_distances(float(np.ptp(windows))),
        },
        seed=seed,
    )
    table = pd.DataFrame({f"spearman_{kind}": rhos for kind, rhos in spearman.items()})
    twins = augment(windows, np.random.default_rng(seed))
    neighbours = next_in_time(init_times, neighbour_hours)
    found = pd.DataFrame({name: retrieval(v, windows, twins, neighbours) for name, v in vectors.items()}).T
    return table.join(found).rename_axis("distance")


def score_views(
    distances: dict[str, LearnedDistance],
    test_dir: Path,
    protocol_windows: int,
    neighbour_hours: int,
    seed: int,
) -> pd.DataFrame:
    """``metric_scores`` of each view's distance on the test split, stacked with a ``view`` column first."""
    meta, windows = read_split(test_dir)
    tables = []
    for view, distance in distances.items():
        hours = distance.encoder.input_shape[1]  # the test split may forecast longer (eval_forecast_hours)
        view_windows = select_view(meta, windows, view)[:, :hours]
        table = metric_scores(distance, view_windows, meta.init_datetimes, protocol_windows, neighbour_hours, seed)
        tables.append(table.reset_index().assign(view=view))
    table = pd.concat(tables, ignore_index=True)
    return table[["view", *table.columns.drop("view")]]
