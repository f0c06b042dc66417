"""The Apptainer image of the rules for the tests: apptainer found or set up, the image built by `make`.

`make` rebuilds ``containers/ambs-cpu.sif`` only when its definition, the pins or the package changed, so a
test run with nothing changed reuses the image. Where the system has no apptainer, the Makefile installs one
with ``containers/setup-apptainer.sh`` (Debian, as root) and runs it through ``containers/bin/apptainer``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT

CPU_IMAGE = ROOT / "containers" / "ambs-cpu.sif"


def apptainer_dir() -> tuple[Path | None, str | None]:
    """(directory holding the `apptainer` command to use, None), or (None, why there is none here)."""
    found = shutil.which("apptainer")
    if found:
        return Path(found).parent, None
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return (
            None,
            "apptainer is not installed, and setting it up (containers/setup-apptainer.sh) needs apt-get as root",
        )
    return ROOT / "containers" / "bin", None


def cpu_image() -> Path:
    """``containers/ambs-cpu.sif``, built (and apptainer set up) by `make` when missing or out of date."""
    out = subprocess.run(["make", "-C", str(ROOT), "containers/ambs-cpu.sif"], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"make containers/ambs-cpu.sif failed:\n{out.stdout[-3000:]}{out.stderr[-3000:]}")
    return CPU_IMAGE
