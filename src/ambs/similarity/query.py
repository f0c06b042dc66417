"""An S4-style query: one test window's context and its nearest training contexts by the learned distance.

The query is the middle test window, a choice that needs no configuration and gives
the same figure on every run of the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ambs.sequences.meta import context_part
from ambs.sequences.tfrecords import read_split
from ambs.similarity.lsim import LearnedDistance
from ambs.similarity.retrieval import nearest_past_states


@dataclass(frozen=True)
class Query:
    """A query context (time, lat, lon, variable) and its matches (k, time, lat, lon, variable), nearest first.

    Times are the ISO init times of ``SplitMeta``; fields are normalised, as the encoder sees them.
    """

    context: np.ndarray
    time: str
    matches: np.ndarray
    match_times: list[str]
    distances: np.ndarray
    variables: list[str]

    def summary(self) -> str:
        """One log line: the query's init time, then each match's with its distance."""
        matches = ", ".join(f"{t} (d={d:.3f})" for t, d in zip(self.match_times, self.distances, strict=True))
        return f"query {self.time}: {matches}"


def middle_test_query(test_dir: Path, train_dir: Path, distance: LearnedDistance, k: int) -> Query:
    """The middle window of the ``test_dir`` split and the k training contexts nearest to it by ``distance``."""
    test_meta, test_windows = read_split(test_dir)
    train_meta, train_windows = read_split(train_dir)
    middle = test_meta.count // 2
    query, archive = context_part(test_meta, test_windows)[middle], context_part(train_meta, train_windows)
    index, distances = nearest_past_states(distance, query, archive, k)
    return Query(
        query,
        test_meta.init_times[middle],
        archive[index],
        [train_meta.init_times[i] for i in index],
        distances,
        test_meta.channels[: len(test_meta.variables)],
    )
