"""Evaluation: Spearman of L2 with noise is 1, retrieval finds known twins and is at chance otherwise, analogs."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from scipy import ndimage
from scipy.spatial.distance import cdist

from ambs.evaluation.similarity_protocol import (
    LADDERS,
    baseline_distances,
    l2_distance,
    perturbation_ladder,
    perturbation_spearman,
    retrieval_accuracy,
)
from ambs.similarity.encoder import build_encoder
from ambs.similarity.lsim import LearnedDistance
from ambs.similarity.retrieval import nearest

WINDOW = (2, 16, 16, 2)


def _fields(n: int, seed: int = 0) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(size=(n, *WINDOW))
    fields = ndimage.gaussian_filter(noise, sigma=(0, 1, 3, 3, 0))
    return (fields / fields.std()).astype("float32")


def test_ladders_perturb_more_with_strength() -> None:
    window = _fields(1)[0]
    for kind, strengths in LADDERS.items():
        ladder = perturbation_ladder(window, kind, strengths, seed=0)
        assert ladder.shape == (len(strengths), *WINDOW)
        assert np.all(np.diff(l2_distance(np.broadcast_to(window, ladder.shape), ladder)) > 0), kind


def test_spearman_of_l2_with_noise_is_one() -> None:
    windows = _fields(2)
    keras.utils.set_random_seed(0)
    learned = LearnedDistance(build_encoder(WINDOW, filters=(3, 4), embedding_dim=4))
    scores = perturbation_spearman(windows, {**baseline_distances(float(np.ptp(windows))), "lsim": learned.distance})
    assert set(scores) == set(LADDERS) and all(set(s) == {"l2", "1-ssim", "lsim"} for s in scores.values())
    assert scores["noise"]["l2"] == pytest.approx(1.0)
    assert scores["noise"]["1-ssim"] > 0.95
    assert all(-1 <= rho <= 1 for s in scores.values() for rho in s.values())


def test_noisy_copies_are_retrieved_and_random_galleries_are_at_chance() -> None:
    rng = np.random.default_rng(1)
    queries = _fields(12, seed=1)
    order = rng.permutation(len(queries))
    gallery = queries[order] + 0.05 * rng.normal(size=queries.shape).astype("float32")
    targets = np.argsort(order)  # query i sits at gallery position targets[i]
    keras.utils.set_random_seed(0)
    learned = LearnedDistance(build_encoder(WINDOW, filters=(3, 4), embedding_dim=4))
    assert retrieval_accuracy(learned.pairwise(queries, gallery), targets) == {"top1": 1.0, "top5": 1.0}
    assert retrieval_accuracy(cdist(queries.reshape(12, -1), gallery.reshape(12, -1)), targets)["top1"] == 1.0
    vectors = rng.normal(size=(2, 400, 8))
    chance = retrieval_accuracy(cdist(vectors[0], vectors[1]), rng.integers(0, 400, 400))
    assert chance["top1"] < 0.03 and chance["top5"] < 0.05


def test_ties_count_against_the_query() -> None:
    assert retrieval_accuracy(np.ones((3, 4)), np.array([0, 1, 2]), ks=(1, 3)) == {"top1": 0.0, "top3": 0.0}


def test_nearest_returns_sorted_analogs() -> None:
    archive = np.random.default_rng(2).normal(size=(20, 5))
    index, dist = nearest(archive, archive[7] + 1e-3, k=3)
    assert index[0] == 7 and index.shape == dist.shape == (3,)
    assert np.all(np.diff(dist) >= 0)
    index, dist = nearest(archive, archive[[4, 9]], k=2)
    np.testing.assert_array_equal(index[:, 0], [4, 9])
    np.testing.assert_array_equal(dist[:, 0], 0.0)
    with pytest.raises(ValueError, match="k must be"):
        nearest(archive, archive[0], k=21)
