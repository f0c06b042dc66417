"""Shared pieces of the benchmark scripts: cached synthetic inputs, interleaved timing, peak memory.

Every benchmark compares two or more ways of doing the same work in one process run on
the same machine. The machine is shared (other jobs may run), so candidates are run in
turns (A, B, C, then B, C, A, then C, A, B, ...) after a warm-up and the median of the rounds is reported.
"""

from __future__ import annotations

import calendar
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "results" / "bench"
VENV_BIN = Path(sys.executable).parent
VARIABLES = ["t2m", "msl", "z500"]
SEED = 42

# The default configuration's geometry (config/config.yaml): 49 x 49 downloaded, 32 x 32 cropped.
DEFAULT_DOMAIN = (56.0, 2.0, 44.0, 14.0)
DEFAULT_REGION = (54.0, 4.0, 46.25, 11.75)


def raw_months(domain: tuple[float, float, float, float], months: Sequence[str], tag: str) -> Path:
    """Synthetic raw downloads of whole months under results/bench/raw-<tag>/, generated once and reused."""
    from ambs.config import Area
    from ambs.extraction.month import extract_month
    from ambs.extraction.requests import raw_filenames
    from ambs.extraction.synthetic import SyntheticClient

    root = BENCH_DIR / f"raw-{tag}"
    client = SyntheticClient(SEED)
    for month in months:
        if all((root / month / name).exists() for name in raw_filenames(VARIABLES)):
            continue
        year, mon = (int(part) for part in month.split("-"))
        days = list(range(1, calendar.monthrange(year, mon)[1] + 1))
        extract_month(client, VARIABLES, Area(*domain), month, days, list(range(24)), root / month, lambda _: None)
    return root


def pipeline(raw_root: Path, months: Sequence[str], out: Path, region: tuple[float, float, float, float]) -> Path:
    """Preprocessing then sequences, as the two rules run them, with every month a training month.

    Windows as in config/config.yaml; returns the directory of the TFRecord split.
    """
    import json

    import yaml

    from ambs.config import Area
    from ambs.preprocessing.crop import run as preprocess
    from ambs.sequences.tfrecords import write_split

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    months = list(months)
    preprocess(
        months, months, raw_root, out / "cropped", out / "statistics.json", VARIABLES, Area(*region), log=lambda _: None
    )
    stats = json.loads((out / "statistics.json").read_text())
    write_split(
        "train",
        [out / "cropped" / f"{m}.nc" for m in months],
        stats,
        VARIABLES,
        config["target"],
        config["context_hours"],
        config["forecast_hours"],
        config["stride_hours"],
        out / "train",
    )
    return out / "train"


def input_bytes(root: Path, months: Sequence[str]) -> int:
    return sum(f.stat().st_size for month in months for f in (root / month).glob("*.nc"))


@dataclass
class Timing:
    """Wall and CPU seconds of each round of one candidate."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class WorkerCpu:
    """Returned by a candidate whose work ran in a long-lived worker process: that worker's CPU seconds."""

    seconds: float


def cpu_seconds() -> float:
    """CPU time of this process (all threads) and of its finished children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def interleaved(candidates: dict[str, Callable[[], object]], rounds: int, warmup: int = 1) -> dict[str, Timing]:
    """Seconds of each candidate per round, candidates taking turns within every round.

    The order rotates from round to round, so that no candidate always runs right after the
    same other one (whose caches, threads or page cache it would otherwise inherit).

    CPU seconds count this process and its finished children; a candidate that runs its
    work in a long-lived worker process returns ``WorkerCpu`` with the worker's instead.
    """
    for _ in range(warmup):
        for run in candidates.values():
            run()
    times = {name: Timing() for name in candidates}
    names = list(candidates)
    for turn in range(rounds):
        for name in names[turn % len(names) :] + names[: turn % len(names)]:
            start, start_cpu = time.perf_counter(), cpu_seconds()
            reported = candidates[name]()
            times[name].wall.append(time.perf_counter() - start)
            times[name].cpu.append(reported.seconds if isinstance(reported, WorkerCpu) else cpu_seconds() - start_cpu)
    return times


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def run_measured(command: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB, largest single process of the tree) of a command."""
    start = time.perf_counter()
    process = subprocess.Popen(
        list(command), env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{output.decode()[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A Markdown table, so the output can be pasted into docs/performance.md as it is."""
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(_cell(value) for value in row) + " |")
    print()


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def machine_note() -> str:
    """CPU count and load average, printed with every result so readers can judge the noise."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load}"
