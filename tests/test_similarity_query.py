"""The S4-style query: the middle test window, its nearest training windows in order, and its log line."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
from helpers import split

from ambs.sequences.meta import SplitMeta, context_part
from ambs.sequences.tfrecords import read_split
from ambs.similarity.encoder import build_encoder
from ambs.similarity.lsim import LearnedDistance
from ambs.similarity.query import middle_test_query


def test_query_of_a_training_window_finds_itself_first(tmp_path: Path) -> None:
    train = split(tmp_path, "train", "2017-07-01T00", 60, 1)
    meta, windows = read_split(train)
    keras.utils.set_random_seed(0)
    distance = LearnedDistance(build_encoder((meta.context, *meta.shape[1:]), filters=(3, 4), embedding_dim=4))
    query = middle_test_query(train, train, distance, 3)
    middle = meta.count // 2
    assert query.time == meta.init_times[middle] and query.variables == meta.variables
    np.testing.assert_array_equal(query.context, context_part(meta, windows)[middle])
    assert query.match_times[0] == query.time and query.distances[0] == 0.0
    assert np.all(np.diff(query.distances) >= 0) and len(query.match_times) == 3
    for time, match, d in zip(query.match_times, query.matches, query.distances, strict=True):
        np.testing.assert_array_equal(match, context_part(meta, windows)[meta.init_times.index(time)])
        np.testing.assert_allclose(distance.distance(query.context[None], match[None]), [d], atol=1e-6)
    assert query.summary().startswith(f"query {query.time}: {query.time} (d=0.000), ")


def test_query_is_the_middle_test_window(tmp_path: Path) -> None:
    train, test = split(tmp_path, "train", "2017-07-01T00", 60, 1), split(tmp_path, "test", "2017-09-01T00", 30, 3)
    meta = SplitMeta.read(test)
    keras.utils.set_random_seed(0)
    distance = LearnedDistance(build_encoder((meta.context, *meta.shape[1:]), filters=(3, 4), embedding_dim=4))
    query = middle_test_query(test, train, distance, 2)
    assert query.time == meta.init_times[meta.count // 2] and set(query.match_times) <= set(
        SplitMeta.read(train).init_times
    )
