"""How every stage's time and peak memory grow with the number of months and the region's area.

Runs the real workflow (Snakemake, local profile, one job at a time, synthetic source) up to the
ConvLSTM evaluation, on config/test.yaml's windows and ConvLSTM (one short epoch) over whole months:
- months1, months4, months16: 1, 4 and 16 training months and as many test months (one
  validation month) on a 16 x 16 region,
- area4: 1 month each on a 32 x 32 region (4x the grid points; the extracted domain is the region).
A sampler reads every job's peak resident memory (VmHWM in /proc), CPU seconds and lifetime every
20 ms; a stage's seconds are the sum over its jobs (interpreter start and imports included), its
peak the largest job's. The growth exponent of a stage is the least-squares slope of log(cost)
against log(scale): 1 is linear, 0 flat. Time exponents are fitted to CPU seconds, which a shared
machine's load inflates far less than wall seconds.

    nice .venv/bin/python bench/scaling.py [--variants months1 months4 months16 area4]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil
import yaml
from common import ROOT, VENV_BIN, machine_note, print_table

from ambs.catalogue import Run

STAGES = ("extract", "preprocess", "climatology", "sequences", "train", "evaluate")
# (north, west, south, east) on the 0.25 degree grid: 16 x 16 and 32 x 32 points
SMALL = (51.0, 6.0, 47.25, 9.75)
LARGE = (51.0, 6.0, 43.25, 13.75)


@dataclass(frozen=True)
class Variant:
    region: tuple[float, float, float, float]
    months: int  # training months, and as many test months

    def month_list(self, first_year: int) -> list[str]:
        return [f"{first_year + i // 12}-{i % 12 + 1:02d}" for i in range(self.months)]


VARIANTS = {
    "months1": Variant(SMALL, 1),
    "months4": Variant(SMALL, 4),
    "months16": Variant(SMALL, 16),
    "area4": Variant(LARGE, 1),
}
MONTH_SERIES = ("months1", "months4", "months16")
AREA_SERIES = ("months1", "area4")
EVALUATION_MEMORY_TOLERANCE = 0.20  # issue 18: evaluation peak within 20 % between 1 and 4 test months
MAX_TIME_EXPONENT = 1.1
MAX_MEMORY_EXPONENT = 0.1  # "flat": 16x the months cost at most 16**0.1 = 1.32x the memory


def area(bounds: tuple[float, float, float, float]) -> dict[str, float]:
    return dict(zip(("north", "west", "south", "east"), bounds))


def variant_config(name: str) -> dict:
    variant = VARIANTS[name]
    config = yaml.safe_load((ROOT / "config" / "test.yaml").read_text())
    config.update(
        experiment=f"bench-scaling-{name}",
        domain=area(variant.region),
        region=area(variant.region),
        days="all",
        months={"train": variant.month_list(2010), "val": ["2009-12"], "test": variant.month_list(2030)},
        models=["convlstm", "persistence"],
        seeds=[0],
        mpi_tasks=1,
    )
    return config


@dataclass
class JobSample:
    stage: str
    started: float
    last_seen: float
    peak_kib: int = 0
    cpu: float = 0.0


@dataclass
class Sampler:
    """Watches the Python processes below one Snakemake process and files them under their stage."""

    root: psutil.Process
    jobs: dict[int, JobSample] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                children = self.root.children(recursive=True)
            except psutil.NoSuchProcess:
                return
            for process in children:
                self._sample(process)
            time.sleep(0.02)

    def _sample(self, process: psutil.Process) -> None:
        now = time.perf_counter()
        if process.pid not in self.jobs:
            # Asked again every time: the job's bash wrapper execs its python under the same pid.
            try:
                name, cmdline = process.name(), " ".join(process.cmdline())
            except psutil.Error:
                return
            stage = next((s for s in STAGES if f"scripts/{s}.py" in cmdline), None)
            if stage is None or not name.startswith("python"):
                return
            self.jobs[process.pid] = JobSample(stage, now, now)
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
            times = process.cpu_times()
        except (OSError, psutil.Error):
            return
        job = self.jobs[process.pid]
        peak = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
        job.last_seen, job.peak_kib, job.cpu = now, max(job.peak_kib, peak), times.user + times.system


@dataclass(frozen=True)
class Measured:
    seconds: dict[str, float]  # per stage, summed over its jobs
    cpu: dict[str, float]  # CPU seconds per stage, summed over its jobs
    peak_mib: dict[str, float]  # per stage, its largest job
    wall: float  # the whole Snakemake run


def run_variant(name: str, workdir: Path) -> Measured:
    config = variant_config(name)
    configfile = workdir / f"{name}.yaml"
    configfile.write_text(yaml.safe_dump(config))
    run = Run("convlstm", config["seeds"][0])
    target = f"results/{config['experiment']}/evaluation/{run.name}/metrics.nc"
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [str(VENV_BIN / "snakemake"), target, "--profile", "profiles/local", "--cores", "1", "--forceall"]
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        snakemake = subprocess.Popen(
            [*command, "--configfile", str(configfile)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        sampler = Sampler(psutil.Process(snakemake.pid))
        thread = threading.Thread(target=sampler.run, daemon=True)
        thread.start()
        returncode = snakemake.wait()
        wall = time.perf_counter() - start
        sampler.stop.set()
        thread.join()
        if returncode != 0:
            log.seek(0)
            sys.exit(f"variant {name}: the workflow failed:\n{log.read()[-3000:]}")
    missed = set(STAGES) - {job.stage for job in sampler.jobs.values()}
    if missed:
        sys.exit(f"variant {name}: the sampler saw no job of {sorted(missed)}")
    seconds: dict[str, float] = defaultdict(float)
    cpu: dict[str, float] = defaultdict(float)
    peak: dict[str, float] = defaultdict(float)
    for job in sampler.jobs.values():
        seconds[job.stage] += job.last_seen - job.started
        cpu[job.stage] += job.cpu
        peak[job.stage] = max(peak[job.stage], job.peak_kib / 1024)
    return Measured(seconds, cpu, peak, wall)


def growth_exponent(scales: list[float], costs: list[float]) -> float:
    """Least-squares slope of log(cost) against log(scale): cost ~ scale ** exponent."""
    return float(np.polyfit(np.log(scales), np.log(costs), 1)[0])


def exponents(measured: dict[str, Measured], series: tuple[str, ...], scale: str) -> dict[str, tuple[float, float]]:
    """(CPU time exponent, memory exponent) of every stage along ``series`` of variants, scaled by ``scale``."""
    scales = [getattr(VARIANTS[name], scale) for name in series]
    if scale == "region":
        scales = [(r[0] - r[2] + 0.25) * (r[3] - r[1] + 0.25) for r in scales]  # area in square degrees
    return {
        stage: (
            growth_exponent(scales, [measured[name].cpu[stage] for name in series]),
            growth_exponent(scales, [measured[name].peak_mib[stage] for name in series]),
        )
        for stage in STAGES
    }


def local_exponent(measured: dict[str, Measured], stage: str) -> float:
    """CPU time exponent between 4 and 16 months, where the fixed start-up (imports) weighs least."""
    low, high = (measured[name] for name in MONTH_SERIES[1:])
    return growth_exponent([4, 16], [low.cpu[stage], high.cpu[stage]])


def mib_per_month(measured: dict[str, Measured], stage: str) -> float:
    """Peak memory added by each further month (slope of a straight line): what the exponent hides under a fixed base."""
    months = [VARIANTS[name].months for name in MONTH_SERIES]
    return float(np.polyfit(months, [measured[name].peak_mib[stage] for name in MONTH_SERIES], 1)[0])


def checks(measured: dict[str, Measured], by_months: dict[str, tuple[float, float]]) -> list[tuple[str, str, bool]]:
    """Issue 18's targets: (what, measured, met)."""
    one, four = measured["months1"].peak_mib["evaluate"], measured["months4"].peak_mib["evaluate"]
    change = four / one - 1
    rows = [
        (
            "evaluation peak, 4 vs 1 test months",
            f"{one:.0f} -> {four:.0f} MiB ({change:+.1%})",
            abs(change) <= EVALUATION_MEMORY_TOLERANCE,
        )
    ]
    for stage, (time_exp, memory_exp) in by_months.items():
        rows.append(
            (
                f"{stage}: CPU time exponent in months <= {MAX_TIME_EXPONENT}",
                f"{time_exp:.2f}",
                time_exp <= MAX_TIME_EXPONENT,
            )
        )
        rows.append(
            (
                f"{stage}: memory exponent in months <= {MAX_MEMORY_EXPONENT}",
                f"{memory_exp:.3f}",
                memory_exp <= MAX_MEMORY_EXPONENT,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args()
    measured = {}
    with tempfile.TemporaryDirectory(prefix="ambs-bench-") as tmp:
        for name in args.variants:
            measured[name] = run_variant(name, Path(tmp))
            print(f"{name}: {measured[name].wall:.0f} s", flush=True)
    names = list(measured)
    header = ["stage", *(f"{n} s (CPU s)" for n in names), *(f"{n} peak MiB" for n in names)]
    rows = [
        (
            stage,
            *(f"{measured[n].seconds[stage]:.1f} ({measured[n].cpu[stage]:.1f})" for n in names),
            *(f"{measured[n].peak_mib[stage]:.0f}" for n in names),
        )
        for stage in STAGES
    ]
    rows.append(("whole run (wall)", *(f"{measured[n].wall:.1f}" for n in names), *("" for _ in names)))
    print_table(f"Stages of the workflow per variant ({machine_note()})", header, rows)
    if not set(MONTH_SERIES) <= set(names):
        return
    by_months = exponents(measured, MONTH_SERIES, "months")
    by_area = exponents(measured, AREA_SERIES, "region") if set(AREA_SERIES) <= set(names) else {}
    growth = [
        (
            stage,
            f"{by_months[stage][0]:.2f}",
            f"{local_exponent(measured, stage):.2f}",
            f"{by_months[stage][1]:.3f}",
            f"{mib_per_month(measured, stage):.2f}",
            *((f"{by_area[stage][0]:.2f}", f"{by_area[stage][1]:.2f}") if by_area else ()),
        )
        for stage in STAGES
    ]
    area_header = ["CPU time exponent, area", "memory exponent, area"] if by_area else []
    print_table(
        "Growth exponents (cost ~ scale ** exponent)",
        [
            "stage",
            "CPU time exponent, months",
            "same, 4 to 16 months",
            "memory exponent, months",
            "MiB per month",
            *area_header,
        ],
        growth,
    )
    print_table(
        "Issue 18's targets",
        ["target", "measured", "met"],
        [(what, value, "yes" if met else "NO") for what, value, met in checks(measured, by_months)],
    )


if __name__ == "__main__":
    main()
