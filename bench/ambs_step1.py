"""The reference for the preprocessing benchmark: crop + statistics + TFRecords as the original AMBS did it.

The original step 1 (``process_netCDF_v2.py``, class ``PreprocessNcToPkl``) walked over the
hourly ERA5 files of a month, opened each with xarray, selected the target domain, fed
every field to a ``Calc_data_stat`` object that accumulated min, max and mean in Python,
and stored the month; step 2 (``ERA5Pkl2Tfrecords``) normalised the month and wrote one
``tf.train.Example`` per sequence. The CDS delivers a month per file today, so here each
hour of the monthly file plays the part of one hourly file. Kept fair, not a straw man:
the hours are gathered in a list and concatenated once (the original concatenated in the
loop, which is quadratic), the standard deviation the benchmark needs is accumulated the
same way, and the windows are stored as raw float32 bytes like the pipeline's own
records (the original used a ``FloatList`` of Python floats).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import tensorflow as tf
import xarray as xr

from ambs.config import Area
from ambs.extraction.requests import raw_filename
from ambs.extraction.variables import VARIABLES

HOUR = np.timedelta64(1, "h")
SEQUENCES_PER_FILE = 256


class HourlyStatistics:
    """Min, max, sum and sum of squares per variable, updated once per hourly field (Calc_data_stat)."""

    def __init__(self, variables: list[str]) -> None:
        self.count = dict.fromkeys(variables, 0)
        self.total = dict.fromkeys(variables, 0.0)
        self.squares = dict.fromkeys(variables, 0.0)
        self.minimum = dict.fromkeys(variables, math.inf)
        self.maximum = dict.fromkeys(variables, -math.inf)

    def add(self, name: str, field: np.ndarray) -> None:
        values = field.astype(np.float64)
        self.count[name] += values.size
        self.total[name] += float(values.sum())
        self.squares[name] += float(np.square(values).sum())
        self.minimum[name] = min(self.minimum[name], float(values.min()))
        self.maximum[name] = max(self.maximum[name], float(values.max()))

    def as_json(self) -> dict[str, dict[str, float]]:
        result = {}
        for name, count in self.count.items():
            mean = self.total[name] / count
            std = math.sqrt(max(self.squares[name] / count - mean * mean, 0.0))
            result[name] = {
                "mean": mean,
                "std": std,
                "min": self.minimum[name],
                "max": self.maximum[name],
                "count": count,
            }
        return result


def crop_month(raw_dir: Path, out_path: Path, variables: list[str], region: Area, stats: HourlyStatistics) -> None:
    """Step 1 for one month: every hourly field selected with xarray, fed to the statistics, month written."""
    files = {name: raw_dir / raw_filename(name) for name in variables}
    opened = {path: xr.open_dataset(path) for path in set(files.values())}
    try:
        times = next(iter(opened.values()))["time"].values
        hours = []
        for hour in range(times.size):
            fields = {}
            for name in variables:
                field = (
                    opened[files[name]][VARIABLES[name].short_name]
                    .isel(time=hour)
                    .sel(latitude=slice(region.north, region.south), longitude=slice(region.west, region.east))
                    .load()
                )
                stats.add(name, field.values)
                fields[name] = field.drop_vars([c for c in field.coords if c not in field.dims + ("time",)])
            hours.append(xr.Dataset(fields))
        xr.concat(hours, dim="time").to_netcdf(out_path)
    finally:
        for ds in opened.values():
            ds.close()


def write_sequences(
    paths: list[Path], stats: dict[str, dict[str, float]], variables: list[str], length: int, stride: int, out_dir: Path
) -> int:
    """Step 2: normalise the cropped months and write every window of ``length`` hours as one Example."""
    month = xr.concat([xr.open_dataset(p) for p in paths], dim="time")
    data = np.stack([(month[v].values - stats[v]["mean"]) / stats[v]["std"] for v in variables], axis=-1)
    data = data.astype(np.float32)
    times = month["time"].values
    starts = [
        s for s in range(0, times.size - length + 1, stride) if times[s + length - 1] - times[s] == (length - 1) * HOUR
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    for first in range(0, len(starts), SEQUENCES_PER_FILE):
        with tf.io.TFRecordWriter(str(out_dir / f"sequence_{first:06d}.tfrecords")) as writer:
            for s in starts[first : first + SEQUENCES_PER_FILE]:
                feature = {
                    "window": tf.train.Feature(bytes_list=tf.train.BytesList(value=[data[s : s + length].tobytes()])),
                    "t_start": tf.train.Feature(
                        int64_list=tf.train.Int64List(value=[int(times[s].astype("datetime64[h]").astype(np.int64))])
                    ),
                }
                writer.write(tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString())
    month.close()
    return len(starts)


def run(
    raw_root: Path, months: list[str], out_root: Path, variables: list[str], region: Area, length: int, stride: int
) -> dict[str, dict[str, float]]:
    """Both steps over ``months``; all months count as training months. Returns the statistics."""
    stats = HourlyStatistics(variables)
    cropped = []
    for month in months:
        path = out_root / "cropped" / f"{month}.nc"
        path.parent.mkdir(parents=True, exist_ok=True)
        crop_month(raw_root / month, path, variables, region, stats)
        cropped.append(path)
    result = stats.as_json()
    (out_root / "statistics.json").write_text(json.dumps(result, indent=2))
    write_sequences(cropped, result, variables, length, stride, out_root / "sequences")
    return result
