"""Skill scores against baselines and the side-by-side comparison of experiments."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import ROOT

from ambs.evaluation.compare import compare_skill, experiment_labels, markdown_summary
from ambs.evaluation.skill import COLUMNS, paired_skill, skill_score, skill_table


def test_skill_score_hand_values() -> None:
    assert skill_score(1.0, 2.0, 0.0) == pytest.approx(0.5)  # half the baseline's error
    assert skill_score(3.0, 2.0, 0.0) == pytest.approx(-0.5)
    assert skill_score(0.9, 0.6, 1.0) == pytest.approx(0.75)  # ssim / acc: perfect is 1
    assert skill_score(0.0, 0.0, 1.0) == pytest.approx(0.0)  # acc of the climatology is 0
    assert np.isnan(skill_score(0.5, 0.0, 0.0))  # a perfect baseline leaves no room


def _result(model: str, rmse: np.ndarray, acc: np.ndarray | None = None) -> xr.Dataset:
    init = np.datetime64("2019-07-01T11", "ns") + np.arange(rmse.shape[0]) * np.timedelta64(5, "h")
    coords = {"init": init, "lead": np.arange(1, rmse.shape[1] + 1)}
    data = {"rmse": (("init", "lead"), rmse), "mse": (("init", "lead"), rmse**2)}
    if acc is not None:
        data["acc"] = (("init", "lead"), acc)
    return xr.Dataset(data, coords=coords, attrs={"model": model})


def test_skill_pairs_model_and_baseline_on_common_inits() -> None:
    model = _result("net", np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])).rmse
    baseline = _result("p24", np.array([[np.nan, 2.0], [4.0, 4.0], [6.0, 6.0]])).rmse
    # lead 1: inits 2 and 3 only -> means 2.5 vs 5; lead 2: all -> 2 vs 4
    np.testing.assert_allclose(paired_skill(model, baseline, 0.0), [0.5, 0.5])


def test_skill_table_rows_for_every_model_baseline_metric_and_lead() -> None:
    results = {
        "convlstm": _result("convlstm", np.full((4, 3), 1.0), np.full((4, 3), 0.8)),
        "persistence": _result("persistence", np.full((4, 3), 2.0), np.full((4, 3), 0.6)),
        "climatology": _result("climatology", np.full((4, 3), 4.0), np.zeros((4, 3))),
    }
    table = skill_table(results, ["persistence", "climatology"])
    assert list(table.columns) == COLUMNS
    assert len(table) == 2 * 2 * 3 * 3  # (model, baseline) pairs without self x metrics x leads
    assert not ((table.model == table.baseline).any())
    rows = table.set_index(["model", "baseline", "metric"])["skill"]
    assert rows.loc[("convlstm", "persistence", "rmse")].tolist() == [0.5, 0.5, 0.5]
    assert rows.loc[("convlstm", "persistence", "mse")].tolist() == [0.75, 0.75, 0.75]
    assert rows.loc[("convlstm", "climatology", "acc")].tolist() == pytest.approx([0.8] * 3)
    assert rows.loc[("persistence", "climatology", "acc")].tolist() == pytest.approx([0.6] * 3)
    assert skill_table(results, []).columns.tolist() == COLUMNS


def _experiment(root: Path, name: str, skill: float, leads: int) -> Path:
    folder = root / name
    (folder / "evaluation").mkdir(parents=True)
    rows = [
        {"model": "convlstm", "baseline": "persistence", "metric": "rmse", "lead": lead, "skill": skill}
        for lead in range(1, leads + 1)
    ]
    pd.DataFrame(rows, columns=COLUMNS).to_csv(folder / "evaluation" / "skill.csv", index=False)
    return folder


def test_compare_tables_experiments_side_by_side(tmp_path: Path) -> None:
    folders = [_experiment(tmp_path, "small", 0.2, 6), _experiment(tmp_path, "large", 0.4, 12)]
    wide = compare_skill(folders)
    assert wide.columns.tolist() == ["model", "baseline", "metric", "lead", "small", "large"]
    assert len(wide) == 12 and wide["small"].isna().sum() == 6
    summary = markdown_summary(wide)
    assert "lead hours 1-6 h" in summary
    assert "| convlstm | persistence | rmse     |   0.200 |   0.400 |" in summary


def test_compare_labels_and_errors(tmp_path: Path) -> None:
    assert experiment_labels([Path("a/run"), Path("b/run")]) == ["a/run", "b/run"]
    with pytest.raises(FileNotFoundError, match="missing/evaluation/skill.csv"):
        compare_skill([tmp_path / "missing"])


def test_compare_script_writes_csv_and_markdown(tmp_path: Path) -> None:
    folders = [_experiment(tmp_path, "a", 0.1, 3), _experiment(tmp_path, "b", -0.3, 3)]
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "compare.py"),
        "--csv",
        str(tmp_path / "c.csv"),
        "--markdown",
        str(tmp_path / "c.md"),
        *map(str, folders),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert pd.read_csv(tmp_path / "c.csv")[["a", "b"]].mean().tolist() == pytest.approx([0.1, -0.3])
    assert "-0.300" in (tmp_path / "c.md").read_text()
