"""Shared fixtures: the repository paths and a validated default config to vary."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def default_config() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load((ROOT / "config" / "config.yaml").read_text()))


@pytest.fixture
def test_config() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load((ROOT / "config" / "test.yaml").read_text()))
