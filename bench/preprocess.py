"""Preprocessing throughput: crop + statistics + TFRecords in MB/s of raw input, side by side.

Compares, on the same synthetic months of the default configuration's geometry:
- ``cat`` of the raw files to /dev/null (the page cache is warm after the first round),
- the pipeline (``ambs.preprocessing.crop.run`` then ``ambs.sequences.tfrecords.write_split``, in one process),
- the original AMBS step 1 + 2 style (``ambs_step1.py``: a per-hour xarray loop),
- two floors: writing the pipeline's own TFRecords again, and the least any preprocessing must
  do (read the cropped block of every variable and write it once, raw, with no statistics,
  no normalisation and no file format).
Prints MB/s of each, the pipeline's share of the raw read speed and its speed-up over the
per-hour loop, and checks that both produce the same statistics.

    .venv/bin/python bench/preprocess.py [--rounds 3] [--months 2017-06 2017-07 ...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import ambs_step1
import yaml
from common import (
    DEFAULT_DOMAIN,
    DEFAULT_REGION,
    ROOT,
    VARIABLES,
    input_bytes,
    interleaved,
    machine_note,
    median,
    pipeline,
    print_table,
    raw_months,
)

from ambs.config import Area

CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


class WriteRecordsOnly:
    """The floor of the sequences step: writing the pipeline's own serialised records again, nothing else."""

    def __init__(self, split_dir: Path, out: Path) -> None:
        self.split_dir, self.out, self.records = split_dir, out, None

    def __call__(self) -> None:
        import tensorflow as tf

        if self.records is None:  # the pipeline ran before in the warm-up round
            shards = sorted(str(p) for p in self.split_dir.glob("*.tfrecord"))
            self.records = [r.numpy() for r in tf.data.TFRecordDataset(shards)]
        with tf.io.TFRecordWriter(str(self.out)) as writer:
            for record in self.records:
                writer.write(record)


class CropAndWriteOnce:
    """The least any preprocessing must do: read each variable's cropped block and write it once, raw."""

    def __init__(self, files: list[str], region: tuple[float, float, float, float], out: Path) -> None:
        self.files, self.region, self.out = files, region, out

    def __call__(self) -> None:
        import h5py
        import numpy as np

        north, west, south, east = self.region
        with open(self.out, "wb") as sink:
            for path in self.files:
                with h5py.File(path, "r") as raw:
                    rows = np.flatnonzero((raw["latitude"][:] <= north) & (raw["latitude"][:] >= south))
                    cols = np.flatnonzero((raw["longitude"][:] >= west) & (raw["longitude"][:] <= east))
                    for name in (n for n in raw if raw[n].ndim == 3):
                        block = raw[name][:, rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
                        sink.write(memoryview(block))


def output_megabytes(out: Path) -> float:
    return sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--months", nargs="+", default=["2017-06", "2017-07", "2017-08", "2018-06"])
    args = parser.parse_args()
    raw_root = raw_months(DEFAULT_DOMAIN, args.months, "default")
    files = [str(f) for m in args.months for f in sorted((raw_root / m).glob("*.nc"))]
    megabytes = input_bytes(raw_root, args.months) / 1e6
    with tempfile.TemporaryDirectory(prefix="ambs-bench-") as tmp:
        work = Path(tmp)
        candidates = {
            "cat > /dev/null": lambda: subprocess.run(["cat", *files], stdout=subprocess.DEVNULL, check=True),
            "ambs pipeline": lambda: pipeline(raw_root, args.months, work / "ambs", DEFAULT_REGION),
            "its TFRecord writes alone": WriteRecordsOnly(work / "ambs" / "train", work / "again.tfrecord"),
            "floor: read the cropped blocks, write them once": CropAndWriteOnce(
                files, DEFAULT_REGION, work / "once.bin"
            ),
            "AMBS step 1+2 style (per-hour xarray)": lambda: ambs_step1.run(
                raw_root,
                args.months,
                work / "step1",
                VARIABLES,
                Area(*DEFAULT_REGION),
                CONFIG["context_hours"] + CONFIG["forecast_hours"],
                CONFIG["stride_hours"],
            ),
        }
        times = interleaved(candidates, args.rounds)
        written = output_megabytes(work / "ambs")
        ours = json.loads((work / "ambs" / "statistics.json").read_text())
        theirs = json.loads((work / "step1" / "statistics.json").read_text())
        shutil.rmtree(work)
    for name in VARIABLES:  # both did the same work
        assert abs(ours[name]["mean"] - theirs[name]["mean"]) <= 1e-9 * abs(ours[name]["mean"]), name
        assert abs(ours[name]["std"] - theirs[name]["std"]) <= 1e-6 * ours[name]["std"], name
    rates = {name: megabytes / median(t.wall) for name, t in times.items()}
    rows = [
        (
            name,
            f"{median(t.wall):.3f}",
            f"{median(t.cpu):.3f}",
            f"{rates[name]:.0f}",
            f"{megabytes / median(t.cpu):.0f}",
        )
        for name, t in times.items()
    ]
    print_table(
        f"Preprocessing {len(args.months)} months: {megabytes:.1f} MB of raw netCDF in, {written:.1f} MB of "
        f"cropped netCDF and TFRecords out ({machine_note()})",
        ["what", "median wall s", "median CPU s", "MB/s (wall)", "MB/s (CPU)"],
        rows,
    )
    cat, ours_rate, _, floor, step1 = rates.values()
    print(f"pipeline / raw read:            {ours_rate / cat:.1%}  (target >= 50%)")
    print(f"floor / raw read:               {floor / cat:.1%}  (the least any preprocessing does)")
    print(f"pipeline / AMBS step 1+2 style: {ours_rate / step1:.1f}x  (target >= 10x)")


if __name__ == "__main__":
    main()
