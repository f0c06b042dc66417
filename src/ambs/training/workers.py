"""The group of training processes that the cluster's launcher started, as TensorFlow's multi-worker strategy.

One worker per task: ``srun`` (Slurm) or ``mpiexec`` starts the same training command once per task, and
every worker reads from its environment who it is and where the others listen:

- under ``srun`` with several tasks: ``tf.distribute.cluster_resolver.SlurmClusterResolver`` (the step's
  nodes and tasks per node; the GPUs of a node are split between its tasks through ``CUDA_VISIBLE_DEVICES``),
- under ``mpiexec`` with several ranks (MPICH's ``PMI_RANK``/``PMI_SIZE``, Open MPI's
  ``OMPI_COMM_WORLD_RANK``/``_SIZE``): all ranks on this host, listening on 127.0.0.1,
- with ``TF_CONFIG`` set by hand: that cluster, as TensorFlow reads it,
- else one worker, and training runs as before (``ambs.training.devices``).

Worker ``i`` of ``n`` listens on port ``base + i`` (per host under Slurm), the base from ``AMBS_WORKER_PORT`` or
from the job (Slurm job id, or the launcher's process id), so that the groups of two jobs on one host do not meet.

The workers are joined by ``MultiWorkerMirroredStrategy``: every worker holds the whole model, each global
batch is split between them (the input is sharded by DATA, see ``shard_by_data``) and the gradients are summed
by all-reduce, so n workers take the same steps as one worker with the same global batch. Only worker 0 (the
chief) writes the results; the others write what the strategy makes them write (saving creates variables, whose
initial values the strategy broadcasts from every worker) to a scratch directory of their own (``Workers.own``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tensorflow as tf
from tensorflow.python.distribute.cluster_resolver import slurm_cluster_resolver

PORT_VARIABLE = "AMBS_WORKER_PORT"
FIRST_PORT = 20_000
PORTS_PER_GROUP = 8  # workers of one group on one host
GROUPS = 5_000  # port bases 20000 ... 59992
MPI_RANKS = (("PMI_RANK", "PMI_SIZE"), ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"))


@dataclass(frozen=True)
class Workers:
    """This process's place in the group: ``index`` of ``count`` workers, and how TensorFlow finds the others."""

    count: int
    index: int
    resolver: tf.distribute.cluster_resolver.ClusterResolver | None = None

    @property
    def chief(self) -> bool:
        """Worker 0 writes checkpoints, history, logs and the model."""
        return self.index == 0

    def own(self, path: Path, scratch: Path) -> Path:
        """Where this worker writes ``path``: the path itself on the chief, its name in ``scratch`` on the others."""
        return Path(path) if self.chief else Path(scratch) / Path(path).name

    def describe(self) -> str:
        return f"worker {self.index} of {self.count} on {os.uname().nodename} (pid {os.getpid()})"


def port_base(env: Mapping[str, str], job: int) -> int:
    """The first port of the group: ``AMBS_WORKER_PORT``, else one of 5000 bases chosen by ``job``."""
    if env.get(PORT_VARIABLE):
        return int(env[PORT_VARIABLE])
    return FIRST_PORT + PORTS_PER_GROUP * (job % GROUPS)


def slurm_workers(env: Mapping[str, str]) -> Workers:
    """The tasks of this Slurm step; where they all see the node's GPUs, each takes its share of them."""
    gpus = len([gpu for gpu in env.get("CUDA_VISIBLE_DEVICES", "").split(",") if gpu.strip()])
    tasks = max(slurm_cluster_resolver.expand_tasks_per_node(env["SLURM_STEP_TASKS_PER_NODE"]))
    options: dict[str, Any] = {"port_base": port_base(env, int(env.get("SLURM_JOB_ID", "0")))}
    if gpus >= tasks:
        options["gpus_per_node"] = gpus
    else:
        # Fewer GPUs than tasks: Slurm bound each task to its own already, or there are none (where the
        # resolver's split would divide by zero): a slot per task, and CUDA_VISIBLE_DEVICES left as it is.
        options.update(gpus_per_node=tasks, gpus_per_task=1, auto_set_gpu=False)
    resolver = tf.distribute.cluster_resolver.SlurmClusterResolver(**options)
    return Workers(int(env["SLURM_STEP_NUM_TASKS"]), int(env["SLURM_PROCID"]), resolver)


def local_cluster(count: int, base: int) -> dict[str, list[str]]:
    """The cluster of ``count`` workers on this host, worker i on port ``base + i``."""
    return {"worker": [f"127.0.0.1:{base + i}" for i in range(count)]}


def mpi_workers(env: Mapping[str, str], rank: int, size: int) -> Workers:
    """The ranks of an ``mpiexec`` on this host; they share the launcher's proxy process, whose id picks the ports."""
    cluster = tf.train.ClusterSpec(local_cluster(size, port_base(env, os.getppid())))
    resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
        cluster, task_type="worker", task_id=rank, rpc_layer="grpc"
    )
    return Workers(size, rank, resolver)


def from_environment(env: Mapping[str, str] = os.environ) -> Workers:
    """The workers the launcher started, read from its environment; one worker where there is no group."""
    if env.get("TF_CONFIG"):
        config = json.loads(env["TF_CONFIG"])
        resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
        return Workers(len(config["cluster"]["worker"]), int(config["task"]["index"]), resolver)
    if int(env.get("SLURM_STEP_NUM_TASKS", "1")) > 1 and "SLURM_PROCID" in env:
        return slurm_workers(env)
    for rank, size in MPI_RANKS:
        if int(env.get(size, "1")) > 1 and rank in env:
            return mpi_workers(env, int(env[rank]), int(env[size]))
    return Workers(1, 0)


class KerasMultiWorkerStrategy(tf.distribute.MultiWorkerMirroredStrategy):
    """``MultiWorkerMirroredStrategy`` whose ``reduce`` takes what Keras 3.15's ``fit`` passes it.

    Keras reduces the first (x, y) batch as one nested value (to build the model) and every scalar loss
    and metric with ``axis=0``; MirroredStrategy accepts both, this strategy's own ``reduce`` neither. Here
    a nested value is reduced leaf by leaf, and a scalar across the replicas whatever the axis.
    """

    def reduce(self, reduce_op: Any, value: Any, axis: int | None) -> Any:
        def leaf(v: Any) -> Any:
            local = v.values[0] if isinstance(v, tf.distribute.DistributedValues) else tf.convert_to_tensor(v)
            return super(KerasMultiWorkerStrategy, self).reduce(reduce_op, v, None if local.shape.rank == 0 else axis)

        return tf.nest.map_structure(leaf, value)


def multi_worker_strategy(workers: Workers) -> tf.distribute.Strategy:
    """The strategy joining ``workers``; created before anything else starts TensorFlow's runtime."""
    return KerasMultiWorkerStrategy(cluster_resolver=workers.resolver)


def shard_by_data(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """``dataset`` whose every batch is split between the workers (not its files, which would change the batches)."""
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


def remove_scratch(workers: Workers, scratch: Path) -> None:
    """A worker other than the chief drops what it wrote: nothing of it is a result."""
    if not workers.chief:
        shutil.rmtree(scratch, ignore_errors=True)
