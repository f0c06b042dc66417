"""Side-by-side skill of several finished experiments (different configs or result folders)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ambs.evaluation.skill import COLUMNS

SKILL_FILE = Path("evaluation") / "skill.csv"
KEYS = [column for column in COLUMNS if column != "skill"]


def experiment_labels(folders: list[Path]) -> list[str]:
    """Folder names (results/<experiment>), or the whole paths where two names clash."""
    names = [Path(folder).name for folder in folders]
    return names if len(set(names)) == len(names) else [str(folder) for folder in folders]


def read_skill(folder: Path) -> pd.DataFrame:
    path = Path(folder) / SKILL_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no skill table; run the workflow of that experiment to the end first")
    table = pd.read_csv(path)
    missing = set(COLUMNS) - set(table.columns)
    if missing:
        raise ValueError(f"{path}: lacks the columns {sorted(missing)}")
    return table


def compare_skill(folders: list[Path]) -> pd.DataFrame:
    """One row per (model, baseline, metric, lead), one skill column per experiment (empty where it lacks the row)."""
    tables = [
        read_skill(folder).set_index(KEYS)["skill"].rename(label)
        for folder, label in zip(folders, experiment_labels(folders))
    ]
    return pd.concat(tables, axis=1).sort_index().reset_index()


def markdown_summary(wide: pd.DataFrame) -> str:
    """Mean skill over the lead hours that every experiment has, one row per (model, baseline, metric)."""
    experiments = [column for column in wide.columns if column not in KEYS]
    leads = sorted(set.intersection(*(set(wide.loc[wide[e].notna(), "lead"]) for e in experiments)))
    summary = wide[wide["lead"].isin(leads)].groupby(["model", "baseline", "metric"])[experiments].mean()
    lead_text = f"{leads[0]}-{leads[-1]} h" if leads else "none"
    return (
        f"Skill score (1 perfect, 0 as good as the baseline, negative worse) averaged over the lead hours "
        f"{lead_text}, which every experiment has\n\n{summary.reset_index().to_markdown(index=False, floatfmt='.3f')}\n"
    )
