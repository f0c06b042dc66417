"""meta.json as ``SplitMeta``: read without TensorFlow, carrying the target's units, refusing older splits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import split

from ambs.evaluation.forecast_files import target_attrs
from ambs.sequences.meta import SequenceError, SplitMeta


def test_the_metadata_and_the_forecast_files_import_no_tensorflow() -> None:
    code = "import sys, ambs.sequences.meta, ambs.evaluation.forecast_files; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_an_era5_split_carries_the_catalogue_units_of_its_target(tmp_path: Path) -> None:
    meta = SplitMeta.read(split(tmp_path, "test", "2017-07-01T00", 30, 1))
    assert target_attrs(meta) == {"units": "K", "long_name": "2 metre temperature", "standard_name": "air_temperature"}


def test_a_split_without_the_target_units_says_how_to_rebuild_it(tmp_path: Path) -> None:
    split_dir = split(tmp_path, "test", "2017-07-01T00", 30, 1)
    former = json.loads((split_dir / "meta.json").read_text())
    for key in ("target_units", "target_long_name", "target_standard_name"):
        del former[key]
    (split_dir / "meta.json").write_text(json.dumps(former))
    with pytest.raises(SequenceError, match=r"test: meta.json .* lacks \['target_units', .*--forcerun sequences"):
        SplitMeta.read(split_dir)
