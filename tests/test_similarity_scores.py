"""Scores of the metric itself: retrieval with known answers, RMS vectors, the table over both views of a split."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
from helpers import split

from ambs.evaluation.similarity_protocol import l2_distance
from ambs.evaluation.similarity_scores import retrieval, rms_vectors, score_views
from ambs.similarity.augment import next_in_time
from ambs.similarity.encoder import build_encoder
from ambs.similarity.lsim import LearnedDistance


def _first_value(windows: np.ndarray) -> np.ndarray:
    return windows.reshape(len(windows), -1)[:, :1].astype(np.float64)


def test_retrieval_known_answers() -> None:
    """Values 0, 1, 3, 6, 10 hourly: only 0 has its next value nearest; 10 has no next one."""
    windows = np.broadcast_to(np.array([0.0, 1.0, 3.0, 6.0, 10.0])[:, None, None, None, None], (5, 1, 2, 2, 1))
    hours = np.datetime64("2017-07-01T00") + np.arange(5) * np.timedelta64(1, "h")
    found = retrieval(_first_value, windows, windows + 0.1, next_in_time(hours, 1))
    assert found == {"twin_top1": 1.0, "twin_top5": 1.0, "neighbour_top1": 0.25, "neighbour_top5": 1.0}


def test_rms_vectors_give_the_l2_distance() -> None:
    a, b = np.random.default_rng(0).normal(size=(2, 3, 2, 4, 5, 2))
    np.testing.assert_allclose(np.linalg.norm(rms_vectors(a) - rms_vectors(b), axis=1), l2_distance(a, b))


def test_table_of_both_views_on_a_split_with_longer_forecasts(tmp_path: Path) -> None:
    test = split(tmp_path, "test", "2017-09-01T00", 40, 3, forecast=5)
    keras.utils.set_random_seed(0)
    distances = {
        "context": LearnedDistance(build_encoder((4, 8, 8, 2), filters=(3,), embedding_dim=4)),
        "target": LearnedDistance(build_encoder((3, 8, 8, 1), filters=(3,), embedding_dim=4)),  # trained on 3 hours
    }
    table = score_views(distances, test, protocol_windows=2, neighbour_hours=2, seed=0)
    assert table[["view", "distance"]].values.tolist() == [
        [view, distance] for view in ("context", "target") for distance in ("learned", "embedding", "l2", "1-ssim")
    ]
    spearman = [c for c in table.columns if c.startswith("spearman_")]
    retrieval_columns = ["twin_top1", "twin_top5", "neighbour_top1", "neighbour_top5"]
    assert len(spearman) == 3 and table[spearman].notna().all().all()
    assert table[retrieval_columns].iloc[:3].notna().all().all() and table[retrieval_columns].iloc[3].isna().all()
    assert ((table[retrieval_columns].fillna(0) >= 0) & (table[retrieval_columns].fillna(0) <= 1)).all().all()
