"""The command prefix that starts a training job's workers, for the train rule (no TensorFlow: read at parse time).

One task runs the command as it is. Several tasks run it once per task through the launcher the job's
``mpi`` resource names (``srun ...`` in ``profiles/slurm``, which then runs the rule inside the job's
allocation as one Slurm step) or, with none, ``mpiexec`` on this machine; ``ambs.training.workers`` then
joins the processes into one group.
"""

from __future__ import annotations

LOCAL_LAUNCHER = "mpiexec"


def worker_launcher(tasks: int, launcher: str | None = None) -> str:
    """'' for one task, else '<launcher> -n <tasks> ' to put before the training command."""
    if tasks <= 1:
        return ""
    return f"{launcher or LOCAL_LAUNCHER} -n {tasks} "
