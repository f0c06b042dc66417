"""Similarity figures: the scores table and a query with its matches become PNG files with one panel per field."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd

from ambs.report.similarity import plot_query, plot_scores
from ambs.similarity.query import Query

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_scores_plot_has_a_row_per_view(tmp_path: Path) -> None:
    rows = [
        {
            "view": view,
            "distance": distance,
            "spearman_noise": 0.9,
            "twin_top1": np.nan if distance == "1-ssim" else 0.5,
        }
        for view in ("context", "target")
        for distance in ("learned", "l2", "1-ssim")
    ]
    one_view, two_views = tmp_path / "one.png", tmp_path / "two.png"
    plot_scores(pd.DataFrame(rows[:3]), one_view)
    plot_scores(pd.DataFrame(rows), two_views)
    assert two_views.read_bytes().startswith(PNG_SIGNATURE)
    assert matplotlib.image.imread(two_views).shape[0] > 1.8 * matplotlib.image.imread(one_view).shape[0]


def test_query_plot_has_a_column_per_window_and_a_row_per_variable(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    times = [f"2017-07-0{day}T00:00:00" for day in range(1, 6)]
    small, large = tmp_path / "small.png", tmp_path / "large.png"
    plot_query(
        Query(
            rng.normal(size=(3, 6, 6, 1)),
            times[0],
            rng.normal(size=(1, 3, 6, 6, 1)),
            times[1:2],
            np.array([0.5]),
            ["t2m"],
        ),
        small,
    )
    plot_query(
        Query(
            rng.normal(size=(3, 6, 6, 2)),
            times[0],
            rng.normal(size=(4, 3, 6, 6, 2)),
            times[1:],
            np.linspace(0.5, 0.8, 4),
            ["t2m", "msl"],
        ),
        large,
    )
    small_image, large_image = matplotlib.image.imread(small), matplotlib.image.imread(large)
    assert large.read_bytes().startswith(PNG_SIGNATURE)
    assert large_image.shape[0] > 1.5 * small_image.shape[0]  # two variables: two rows
    assert large_image.shape[1] > 1.3 * small_image.shape[1]  # five panels, not two (the title sets the small width)
