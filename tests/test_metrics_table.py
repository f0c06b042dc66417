"""The summarize rule's table: every run's rows, the learned distance joined, the mean and range over seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from ambs.report.metrics_table import RMSE_CAPTION, over_runs, read_metrics_tables, rmse_by_lead, write_metrics_table


def _csv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def metrics(tmp_path: Path) -> list[Path]:
    """metrics.csv of two convlstm seeds and of persistence, as scripts/evaluate.py writes them."""
    return [
        _csv(tmp_path / "a.csv", "model,seed,lead,rmse,ssim\nconvlstm,0,1,1.23456789,0.9\nconvlstm,0,2,2.5,0.8\n"),
        _csv(tmp_path / "b.csv", "model,seed,lead,rmse,ssim\nconvlstm,1,1,1.0,0.8\nconvlstm,1,2,3.5,0.6\n"),
        _csv(tmp_path / "c.csv", "model,seed,lead,rmse,ssim\npersistence,,1,1.5,0.85\npersistence,,2,3.0,0.7\n"),
    ]


def test_learned_distance_joins_each_run_in_order(tmp_path: Path, metrics: list[Path]) -> None:
    learned = [_csv(tmp_path / f"ld{i}.csv", f"model,lead,learned_distance\nx,1,{i}.5\nx,2,{i}.25\n") for i in range(3)]
    table = read_metrics_tables(metrics, learned)
    assert table.columns.tolist() == ["model", "seed", "lead", "rmse", "ssim", "learned_distance"]
    assert table["learned_distance"].tolist() == [0.5, 0.25, 1.5, 1.25, 2.5, 2.25]
    assert read_metrics_tables(metrics, []).columns.tolist() == ["model", "seed", "lead", "rmse", "ssim"]
    with pytest.raises(ValueError, match="2 learned_distance.csv files for 3"):
        read_metrics_tables(metrics, learned[:2])


def test_the_table_holds_the_mean_and_range_over_seeds(tmp_path: Path, metrics: list[Path]) -> None:
    summary = over_runs(read_metrics_tables(metrics, []))
    write_metrics_table(summary, tmp_path / "table.csv", tmp_path / "table.md")
    assert (tmp_path / "table.csv").read_text().splitlines() == [
        "model,lead,runs,rmse,ssim,rmse_min,ssim_min,rmse_max,ssim_max",
        "convlstm,1,2,1.11728,0.85,1,0.8,1.23457,0.9",
        "convlstm,2,2,3,0.7,2.5,0.6,3.5,0.8",
        "persistence,1,1,1.5,0.85,1.5,0.85,1.5,0.85",
        "persistence,2,1,3,0.7,3,0.7,3,0.7",
    ]
    assert rmse_by_lead(summary).to_dict() == {
        "convlstm": {1: "1.117 [1.000, 1.235]", 2: "3.000 [2.500, 3.500]"},
        "persistence": {1: "1.500", 2: "3.000"},
    }
    markdown = (tmp_path / "table.md").read_text().splitlines()
    assert markdown[0] == RMSE_CAPTION and markdown[1] == ""
    assert [cell.strip() for cell in markdown[4].split("|")[1:-1]] == ["1", "1.117 [1.000, 1.235]", "1.500"]
