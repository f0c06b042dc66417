"""Cost of every stage and its peak memory, and how both grow with region size and number of months.

Runs the real workflow (Snakemake, local profile, one job at a time) up to the ConvLSTM
evaluation for three variants of config/test.yaml over whole months:
- base:   32 x 32 region (the default configuration's), 1 training month,
- region: 64 x 64 region, 1 training month (4x the grid points),
- months: 32 x 32 region, 2 training months (2x the training data),
each with one validation and one test month. A sampler reads every job's peak resident
memory (VmHWM in /proc) and lifetime every 50 ms; a stage's seconds are the sum over its jobs,
interpreter start and imports included.

    .venv/bin/python bench/scaling.py [--variants base region months]
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

import psutil
import yaml
from common import DEFAULT_DOMAIN, DEFAULT_REGION, ROOT, VENV_BIN, WIDE_DOMAIN, WIDE_REGION, machine_note, print_table

STAGES = ("extract", "preprocess", "climatology", "sequences", "train", "evaluate")
VARIANTS = {
    "base": (DEFAULT_DOMAIN, DEFAULT_REGION, ["2017-06"]),
    "region": (WIDE_DOMAIN, WIDE_REGION, ["2017-06"]),
    "months": (DEFAULT_DOMAIN, DEFAULT_REGION, ["2017-06", "2017-07"]),
}


def area(bounds: tuple[float, float, float, float]) -> dict[str, float]:
    return dict(zip(("north", "west", "south", "east"), bounds))


def variant_config(name: str) -> dict:
    domain, region, train = VARIANTS[name]
    config = yaml.safe_load((ROOT / "config" / "test.yaml").read_text())
    config.update(
        experiment=f"bench-scaling-{name}",
        domain=area(domain),
        region=area(region),
        days="all",
        months={"train": train, "val": ["2018-08"], "test": ["2019-07"]},
        models=["convlstm", "persistence"],
        mpi_tasks=1,
    )
    return config


@dataclass
class JobSample:
    stage: str
    started: float
    last_seen: float
    peak_kib: int = 0


@dataclass
class Sampler:
    """Watches the Python processes below one Snakemake process and files them under their stage."""

    root: psutil.Process
    jobs: dict[int, JobSample] = field(default_factory=dict)
    ignored: set[int] = field(default_factory=set)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                children = self.root.children(recursive=True)
            except psutil.NoSuchProcess:
                return
            for process in children:
                self._sample(process)
            time.sleep(0.05)

    def _sample(self, process: psutil.Process) -> None:
        if process.pid in self.ignored:
            return
        now = time.perf_counter()
        if process.pid not in self.jobs:
            try:
                name, cmdline = process.name(), " ".join(process.cmdline())
            except psutil.Error:
                return
            stage = next((s for s in STAGES if f"scripts/{s}.py" in cmdline), None)
            if stage is None or not name.startswith("python"):  # not the job's bash wrapper
                self.ignored.add(process.pid)
                return
            self.jobs[process.pid] = JobSample(stage, now, now)
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
        except OSError:
            return
        job = self.jobs[process.pid]
        peak = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
        job.last_seen, job.peak_kib = now, max(job.peak_kib, peak)


def run_variant(name: str, workdir: Path) -> tuple[dict[str, float], dict[str, float], float]:
    """(seconds per stage, peak MiB per stage, wall seconds of the whole run)."""
    config = variant_config(name)
    configfile = workdir / f"{name}.yaml"
    configfile.write_text(yaml.safe_dump(config))
    target = f"results/{config['experiment']}/evaluation/convlstm/metrics.nc"
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        snakemake = subprocess.Popen(
            [
                str(VENV_BIN / "snakemake"),
                target,
                "--profile",
                "profiles/local",
                "--cores",
                "1",
                "--forceall",
                "--configfile",
                str(configfile),
            ],
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
    seconds: dict[str, float] = defaultdict(float)
    peak: dict[str, float] = defaultdict(float)
    for job in sampler.jobs.values():
        seconds[job.stage] += job.last_seen - job.started
        peak[job.stage] = max(peak[job.stage], job.peak_kib / 1024)
    return seconds, peak, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args()
    measured = {}
    with tempfile.TemporaryDirectory(prefix="ambs-bench-") as tmp:
        for name in args.variants:
            measured[name] = run_variant(name, Path(tmp))
    header = ["stage", *(f"{name} s" for name in args.variants), *(f"{name} peak MiB" for name in args.variants)]
    rows = [
        (
            stage,
            *(f"{measured[n][0].get(stage, 0.0):.1f}" for n in args.variants),
            *(f"{measured[n][1].get(stage, 0.0):.0f}" for n in args.variants),
        )
        for stage in STAGES
    ]
    rows.append(("whole run (wall)", *(f"{measured[n][2]:.1f}" for n in args.variants), *("" for _ in args.variants)))
    print_table(f"Stages of the workflow per variant ({machine_note()})", header, rows)
    base = measured.get("base")
    for name in args.variants:
        if base is None or name == "base":
            continue
        growth = ", ".join(f"{s} {measured[name][0].get(s, 0.0) / max(base[0].get(s, 0.0), 1e-9):.1f}x" for s in STAGES)
        print(f"{name} vs base: {growth}")


if __name__ == "__main__":
    main()
