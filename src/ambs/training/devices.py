"""Use every GPU of the node for training, or the CPU when there is none.

``distribution_scope()`` is entered around building, compiling, fitting and
saving a Keras model. With one visible GPU or none it does nothing (Keras places
the model on the GPU or the CPU by itself). With several GPUs it replicates the
model on all of them and splits every batch between them:

- TensorFlow backend: ``tf.distribute.MirroredStrategy`` (all-reduce of the
  gradients; the model and optimizer variables must be created in its scope),
- JAX backend: ``keras.distribution.DataParallel`` over the GPU devices,
- other backends: no distribution (a warning says so).

Which GPUs are visible is decided outside (``CUDA_VISIBLE_DEVICES``, which Slurm
sets from the job's ``--gres=gpu:N``), so the same code uses 4 GPUs on a JUWELS
Booster node and the CPU on a laptop.

With several workers (``ambs.training.workers``: one process per ``srun`` task or
``mpiexec`` rank) the TensorFlow backend joins them with ``MultiWorkerMirroredStrategy``,
each worker using the GPUs it sees (or its CPU). Under ``KERAS_BACKEND=jax`` the same
group would be ``keras.distribution.initialize`` (``jax.distributed`` with the chief's
address, the worker count and index) followed by ``DataParallel`` over ``jax.devices()``
of all processes; it is not wired: jaxlib's CPU backend needs a separate collectives
implementation (gloo) across processes, so it could not be tested here, and the
workflow's GPU image trains with TensorFlow.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import keras

from ambs.training.workers import Workers, multi_worker_strategy


def visible_gpus(backend: str | None = None) -> list[Any]:
    """The GPU devices the ``backend`` (default: Keras' current backend) can see."""
    backend = backend or keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return list(tf.config.list_logical_devices("GPU"))
    if backend == "jax":
        import jax

        try:
            return list(jax.devices("gpu"))
        except RuntimeError:  # no GPU platform in this jaxlib
            return []
    if backend == "torch":
        import torch

        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    return []


def describe(gpus: list[Any]) -> str:
    """A one-line description of where training runs, for the log."""
    if not gpus:
        return "training on the CPU (no GPU visible)"
    if len(gpus) == 1:
        return "training on 1 GPU"
    return f"training data-parallel on {len(gpus)} GPUs"


def container() -> str:
    """' in Apptainer image <path>' inside an image (Apptainer sets APPTAINER_CONTAINER), else '': the training
    log says which image ran it, e.g. that a GPU job really ran in the GPU image."""
    image = os.environ.get("APPTAINER_CONTAINER")
    return f" in Apptainer image {image}" if image else ""


@contextlib.contextmanager
def distribution_scope(
    backend: str | None = None,
    gpus: list[Any] | None = None,
    log: Callable[[str], None] | None = print,
    workers: Workers | None = None,
) -> Iterator[object | None]:
    """Context in which to build, compile and fit a model so it uses all visible GPUs of all ``workers``.

    Yields the distribution object in use (a ``tf.distribute.MirroredStrategy`` or
    ``MultiWorkerMirroredStrategy``, a ``keras.distribution.DataParallel``) or ``None``
    for a single device. ``gpus`` overrides the detected devices (for tests).
    """
    backend = backend or keras.backend.backend()
    if workers is not None and workers.count > 1:
        if backend != "tensorflow":
            raise NotImplementedError(f"{workers.count} training workers need KERAS_BACKEND=tensorflow, not {backend}")
        group = multi_worker_strategy(workers)  # before listing the GPUs, which starts TensorFlow's runtime
        if log is not None:
            log(f"{describe(visible_gpus(backend))} in {workers.describe()} (Keras backend {backend}){container()}")
        with group.scope():
            yield group
        return
    gpus = visible_gpus(backend) if gpus is None else list(gpus)
    if log is not None:
        log(f"{describe(gpus)} (Keras backend {backend}){container()}")
    if len(gpus) <= 1:
        yield None
        return
    if backend == "tensorflow":
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy([getattr(g, "name", str(g)) for g in gpus])
        with strategy.scope():
            yield strategy
        return
    if backend == "jax":
        distribution = keras.distribution.DataParallel(devices=gpus)
        with distribution.scope():
            yield distribution
        return
    warnings.warn(f"no multi-GPU distribution for Keras backend {backend!r}; using one device", stacklevel=2)
    yield None
