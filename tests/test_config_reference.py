"""config/README.md is the rendering of the schema, and the schema describes every key."""

from __future__ import annotations

from typing import Any

from conftest import ROOT

from ambs.config import load_schema
from ambs.config_reference import describe_keys, render


def test_the_committed_reference_is_the_rendering_of_the_schema() -> None:
    committed = (ROOT / "config" / "README.md").read_text(encoding="utf-8")
    assert committed == render(load_schema()), "regenerate: python -m ambs.config_reference > config/README.md"


def test_every_key_is_described() -> None:
    undescribed = [doc.key for doc in describe_keys(load_schema()) if not doc.description]
    assert not undescribed


def _null_keywords(node: Any, path: str) -> list[str]:
    if isinstance(node, dict):
        return [f"{path}/{k}" for k, v in node.items() if v is None] + [
            found for k, v in node.items() for found in _null_keywords(v, f"{path}/{k}")
        ]
    if isinstance(node, list):
        return [found for i, v in enumerate(node) for found in _null_keywords(v, f"{path}/{i}")]
    return []


def test_no_description_is_cut_at_a_comma() -> None:
    """In a YAML flow mapping an unquoted comma ends the description and makes the rest a key without value."""
    assert not _null_keywords(load_schema(), "")


def test_rows_show_types_defaults_and_conditions() -> None:
    docs = {doc.key: doc for doc in describe_keys(load_schema())}
    assert docs["bootstrap"].default == "`{block_hours: 168, resamples: 1000, seed: 0}`"
    assert docs["normalisation"].kind == "`zscore`, `minmax`"
    assert docs["context_hours"].kind == "integer 1 to 168" and docs["context_hours"].required == "yes"
    assert docs["region"].required == "when `dataset` is `era5`"
    assert docs["datasets"].required == "when `dataset` is `waveeq` or `moving_digits`"
    assert docs["hours"].kind == "`all` or list of distinct: integer 0 to 23"
    assert docs["hyperparameters.mcnet.epochs"].description == docs["hyperparameters.convlstm.epochs"].description
    assert "\\|" in render(load_schema())  # the month pattern's '|' does not split its table cell
