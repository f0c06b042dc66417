"""The summarize rule's table: the models' rows in order, the learned distance joined, six digits, RMSE per lead."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ambs.report.metrics_table import RMSE_CAPTION, read_metrics_tables, rmse_by_lead, write_metrics_table


def _csv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def metrics(tmp_path: Path) -> list[Path]:
    return [
        _csv(tmp_path / "a.csv", "model,lead,rmse,ssim\nconvlstm,1,1.23456789,0.9\nconvlstm,2,2.5,0.8\n"),
        _csv(tmp_path / "b.csv", "model,lead,rmse,ssim\npersistence,1,1.5,0.85\npersistence,2,3.0,0.7\n"),
    ]


def test_learned_distance_joins_the_models_that_have_it(tmp_path: Path, metrics: list[Path]) -> None:
    learned = _csv(tmp_path / "ld.csv", "model,lead,learned_distance\nconvlstm,2,0.25\nconvlstm,1,0.125\n")
    table = read_metrics_tables(metrics, [learned])
    assert table.columns.tolist() == ["model", "lead", "rmse", "ssim", "learned_distance"]
    assert table["model"].tolist() == ["convlstm", "convlstm", "persistence", "persistence"]
    assert table["learned_distance"].tolist()[:2] == [0.125, 0.25] and table["learned_distance"][2:].isna().all()
    assert read_metrics_tables(metrics, []).columns.tolist() == ["model", "lead", "rmse", "ssim"]
    with pytest.raises(pd.errors.MergeError):
        read_metrics_tables(metrics, [learned, learned])  # a model scored twice


def test_written_table_keeps_six_digits_and_the_rmse_per_lead(tmp_path: Path, metrics: list[Path]) -> None:
    table = read_metrics_tables(metrics, [])
    write_metrics_table(table, tmp_path / "table.csv", tmp_path / "table.md")
    assert (tmp_path / "table.csv").read_text() == (
        "model,lead,rmse,ssim\nconvlstm,1,1.23457,0.9\nconvlstm,2,2.5,0.8\npersistence,1,1.5,0.85\npersistence,2,3,0.7\n"
    )
    assert rmse_by_lead(table).to_dict() == {"convlstm": {1: 1.23456789, 2: 2.5}, "persistence": {1: 1.5, 2: 3.0}}
    markdown = (tmp_path / "table.md").read_text().splitlines()
    assert markdown[0] == RMSE_CAPTION and markdown[1] == ""
    assert markdown[2].split("|")[1:-1] == ["   lead ", "   convlstm ", "   persistence "]
    assert markdown[4].split("|")[1:-1] == ["      1 ", "      1.235 ", "         1.500 "]
