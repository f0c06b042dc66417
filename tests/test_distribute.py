"""The training log's line on where training runs names the Apptainer image it runs in."""

from __future__ import annotations

import keras
import pytest

from ambs.training.devices import distribution_scope


def test_log_names_the_apptainer_image_inside_one(monkeypatch: pytest.MonkeyPatch) -> None:
    lines: list[str] = []
    monkeypatch.delenv("APPTAINER_CONTAINER", raising=False)
    with distribution_scope(gpus=[], log=lines.append):
        pass
    monkeypatch.setenv("APPTAINER_CONTAINER", "/images/ambs-gpu.sif")
    with distribution_scope(gpus=[], log=lines.append):
        pass
    where = f"training on the CPU (no GPU visible) (Keras backend {keras.backend.backend()})"
    assert lines == [where, f"{where} in Apptainer image /images/ambs-gpu.sif"]
