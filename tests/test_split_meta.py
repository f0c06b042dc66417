"""meta.json as ``SplitMeta``: read without TensorFlow."""

from __future__ import annotations

import subprocess
import sys


def test_the_metadata_and_the_forecast_files_import_no_tensorflow() -> None:
    code = "import sys, ambs.split_meta, ambs.forecasts; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
