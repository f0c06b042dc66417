"""MPI preprocessing, 2 ranks vs 1: parallel efficiency T1 / (2 T2), of the work and of the whole command.

Runs ``mpiexec -n 1`` and ``mpiexec -n 2`` in turns over the same months of the default
configuration's geometry and reports, for each, the wall time of the whole command (with
interpreter start and imports), the wall time of ``ambs.preprocessing.crop.run`` itself (slowest
rank) and its CPU time summed over the ranks, plus the statistics files' equality. On a
machine busy with other jobs two ranks rarely get two cores, so the wall efficiency then
says more about the load than about the code; the CPU efficiency, CPU(1 rank) / CPU(2 ranks),
shows the work that parallelising adds (duplicated reads, gathering, merging).

    .venv/bin/python bench/mpi.py [--rounds 3] [--months 2017-01 ... 2017-08]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from common import DEFAULT_DOMAIN, ROOT, VENV_BIN, machine_note, median, print_table, raw_months

WORKER = ROOT / "bench" / "mpi_worker.py"


def mpi_run(ranks: int, raw_root: Path, out: Path, months: list[str]) -> tuple[float, float, float]:
    """(wall seconds of the command, wall and CPU seconds of the preprocessing itself)."""
    mpiexec = shutil.which("mpiexec", path=str(VENV_BIN)) or "mpiexec"
    start = time.perf_counter()
    result = subprocess.run(
        [mpiexec, "-n", str(ranks), str(VENV_BIN / "python"), str(WORKER), str(raw_root), str(out), *months],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    printed = dict(line.split() for line in result.stdout.splitlines() if line.startswith(("seconds ", "cpu ")))
    return wall, float(printed["seconds"]), float(printed["cpu"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--months", nargs="+", default=[f"2017-{m:02d}" for m in range(1, 9)])
    args = parser.parse_args()
    raw_root = raw_months(DEFAULT_DOMAIN, args.months, "default")
    results: dict[int, list[tuple[float, float, float]]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="ambs-bench-") as tmp:
        for ranks in (1, 2):  # warm-up
            mpi_run(ranks, raw_root, Path(tmp) / f"n{ranks}", args.months)
        for _ in range(args.rounds):
            for ranks in (1, 2):
                results[ranks].append(mpi_run(ranks, raw_root, Path(tmp) / f"n{ranks}", args.months))
        identical = (Path(tmp) / "n1" / "statistics.json").read_bytes() == (
            Path(tmp) / "n2" / "statistics.json"
        ).read_bytes()
    wall = {n: median([r[0] for r in runs]) for n, runs in results.items()}
    work = {n: median([r[1] for r in runs]) for n, runs in results.items()}
    cpu = {n: median([r[2] for r in runs]) for n, runs in results.items()}
    print_table(
        f"MPI preprocessing of {len(args.months)} months ({machine_note()})",
        ["ranks", "command wall s", "preprocessing wall s (slowest rank)", "preprocessing CPU s (all ranks)"],
        [(n, f"{wall[n]:.2f}", f"{work[n]:.3f}", f"{cpu[n]:.3f}") for n in (1, 2)],
    )
    print(f"statistics.json identical for 1 and 2 ranks: {identical}")
    print(f"efficiency of the preprocessing, T1 / (2 T2): {work[1] / (2 * work[2]):.0%}  (target >= 80%)")
    print(f"efficiency of the whole command:             {wall[1] / (2 * wall[2]):.0%}")
    print(f"CPU efficiency of the preprocessing, CPU1 / CPU2: {cpu[1] / cpu[2]:.0%}")


if __name__ == "__main__":
    main()
