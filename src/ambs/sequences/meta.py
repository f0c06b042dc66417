"""What one split of windows holds, as its ``meta.json`` says: shapes, init times, grid and the target's units.

Apart from the TFRecord writer and reader (``ambs.sequences.tfrecords``), so that what needs only these
facts (forecast files, evaluation, plots, the workflow) does not import TensorFlow.

A window is ``context + forecast`` consecutive hours of every variable and every forcing, (time, lat, lon,
channel), the channels in the order of ``variables`` and then of ``forcings``. The networks see the context
hours of every channel and the forcings of the forecast hours, which are known in advance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np

from ambs.preprocessing.normalisation import DEFAULT_METHOD

RECORDS = "runs"  # the record layout, kept in meta.json: splits written with one record per window have none
HOUR = np.timedelta64(1, "h")
REBUILD = "rebuild it with `snakemake --forcerun sequences` (`dataset_sequences` for a generated dataset)"


class SequenceError(ValueError):
    """The data cannot give the requested windows; the message names the split or file."""


@dataclass(frozen=True)
class SplitMeta:
    """What a reader needs to know about one split's windows.

    The target's CF attributes travel with the windows, so that forecasts in physical units
    are labelled from the split alone; without them, a field is dimensionless and unnamed.
    """

    count: int
    shape: tuple[int, int, int, int]
    variables: list[str]
    target: str
    context: int
    forecast: int
    init_times: list[str]
    latitude: list[float]
    longitude: list[float]
    normalisation: str = DEFAULT_METHOD
    target_units: str = "1"  # CF's dimensionless unit
    target_long_name: str = ""
    target_standard_name: str = ""  # empty where CF names no such quantity (generated datasets)
    target_anomaly: bool = False  # the target channel holds the departure from the climatology (sequences.target_scale)
    forcings: list[str] = field(default_factory=list)  # channels after the variables (ambs.catalogue.FORCINGS)

    @property
    def channels(self) -> list[str]:
        """What a window's channels hold, for labels: the variables (the target as its departure from the
        climatology with ``target_anomaly``), then the forcings."""
        variables = [f"{v} - climatology" if self.target_anomaly and v == self.target else v for v in self.variables]
        return [*variables, *self.forcings]

    @property
    def target_index(self) -> int:
        return self.variables.index(self.target)

    @property
    def init_datetimes(self) -> np.ndarray:
        """The init times (last context hour) as datetime64[ns]."""
        return np.array(self.init_times, dtype="datetime64[ns]")

    @property
    def leads(self) -> np.ndarray:
        """Forecast lead hours 1 .. forecast."""
        return np.arange(1, self.forecast + 1)

    @property
    def valid_times(self) -> np.ndarray:
        """(init, lead) valid times as datetime64[ns]."""
        return self.init_datetimes[:, None] + self.leads[None, :].astype("timedelta64[h]")

    @property
    def context_times(self) -> np.ndarray:
        """(init, context hour) times of the context as datetime64[ns], the init time last."""
        return self.init_datetimes[:, None] + np.arange(1 - self.context, 1)[None, :].astype("timedelta64[h]")

    def part(self, start: int, count: int) -> SplitMeta:
        """The metadata of windows ``start .. start + count``: what one batch of a split read in pieces covers."""
        return replace(self, count=count, init_times=self.init_times[start : start + count])

    def write(self, split_dir: Path) -> None:
        """``split_dir/meta.json``, with the record layout of the shards beside it."""
        (Path(split_dir) / "meta.json").write_text(json.dumps({**self.__dict__, "records": RECORDS}, indent=1))

    @classmethod
    def read(cls, split_dir: Path) -> SplitMeta:
        """The metadata of ``split_dir``; a split written by an older ambs fails with how to rebuild it."""
        data = json.loads((Path(split_dir) / "meta.json").read_text())
        if data.pop("records", None) != RECORDS:
            raise SequenceError(f"{split_dir}: written by an older ambs (one TFRecord per window); {REBUILD}")
        missing = [field.name for field in fields(cls) if field.name not in data]
        if missing:
            raise SequenceError(f"{split_dir}: meta.json written by an older ambs lacks {missing}; {REBUILD}")
        data["shape"] = tuple(data["shape"])
        return cls(**data)


def context_part(meta: SplitMeta, windows: np.ndarray) -> np.ndarray:
    """The context hours of every channel: (n, context, lat, lon, variables + forcings); of arrays and tensors alike."""
    return windows[:, : meta.context]


def future_forcings(meta: SplitMeta, windows: np.ndarray) -> np.ndarray:
    """The forcings of the forecast hours: (n, forecast, lat, lon, forcings), none without forcings; of arrays and
    tensors alike."""
    return windows[:, meta.context :, :, :, len(meta.variables) :]


def future_target(meta: SplitMeta, windows: np.ndarray) -> np.ndarray:
    """The forecast hours of the target: (n, forecast, lat, lon, 1); of arrays and tensors alike."""
    return windows[:, meta.context :, :, :, meta.target_index : meta.target_index + 1]
