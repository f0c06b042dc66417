"""One MPI preprocessing run for bench/mpi.py: prints the seconds of ``ambs.preprocessing.crop.run``.

Started as ``mpiexec -n N python bench/mpi_worker.py RAW_ROOT OUT_DIR MONTH...``; prints the
wall seconds of the slowest rank and the CPU seconds of all ranks together. Both exclude
interpreter start and imports, which every rank pays once in parallel, and the first-use
costs (modules imported lazily, compiled kernels loaded from numba's cache: about half a
second per process, more than the work on a month here), which every rank pays in a
warm-up month of its own before the timed run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from common import DEFAULT_REGION, VARIABLES
from mpi4py import MPI

from ambs.config import Area
from ambs.preprocessing.crop import run

raw_root, out, months = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
comm = MPI.COMM_WORLD
warmup = out / f"warmup-{comm.Get_rank()}"
run(
    months[:1],
    months[:1],
    raw_root,
    warmup / "cropped",
    warmup / "statistics.json",
    VARIABLES,
    Area(*DEFAULT_REGION),
    log=lambda _: None,
)
comm.Barrier()
start, start_cpu = time.perf_counter(), time.process_time()
run(
    months,
    months,
    raw_root,
    out / "cropped",
    out / "statistics.json",
    VARIABLES,
    Area(*DEFAULT_REGION),
    comm=comm,
    log=lambda _: None,
)
elapsed = comm.allreduce(time.perf_counter() - start, op=MPI.MAX)
cpu = comm.allreduce(time.process_time() - start_cpu, op=MPI.SUM)
if comm.Get_rank() == 0:
    print(f"seconds {elapsed:.6f}")
    print(f"cpu {cpu:.6f}")
