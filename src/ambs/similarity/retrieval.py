"""The nearest past states of a query: the search that the analog forecast and the query figure share."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

from ambs.similarity.lsim import LearnedDistance


def nearest(archive: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and Euclidean distances of the k archive vectors nearest to each query, nearest first.

    archive is (n, dim); query is (dim,) or (queries, dim) and the results have shape
    (k,) or (queries, k) accordingly. Works for unit embeddings (Euclidean is monotone
    in cosine similarity) and for ``LearnedDistance.numpy_vectors``.
    """
    if not 0 < k <= len(archive):
        raise ValueError(f"k must be in 1..{len(archive)}, the archive size, got {k}")
    d = cdist(np.atleast_2d(query), archive)
    index = np.argsort(d, axis=1, kind="stable")[:, :k]
    found = np.take_along_axis(d, index, axis=1)
    return (index[0], found[0]) if np.ndim(query) == 1 else (index, found)


def nearest_past_states(
    distance: LearnedDistance, query: np.ndarray, archive_context: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and learned distances of the k archive contexts nearest to one query context, nearest first."""
    return nearest(distance.numpy_vectors(archive_context), distance.numpy_vectors(query[np.newaxis])[0], k)
