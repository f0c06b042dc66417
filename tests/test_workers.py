"""Multi-worker training: the launcher's environment read as a group, 2 workers on 127.0.0.1 taking the same
steps as 1 worker with the same global batch, and a group that lost a worker resuming from its last epoch."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import killed_mid_epoch, split, train_command

from ambs.models.registry import load_model
from ambs.training.launch import worker_launcher
from ambs.training.workers import from_environment, local_cluster, port_base

MPIEXEC = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or "mpiexec"
# 32 windows (4 context + 3 forecast hours every 2 h): 4 global batches of 8, 4 windows per worker and batch
HYPER = {"filters": 4, "kernel_size": 3, "epochs": 1, "batch_size": 8, "learning_rate": 0.003, "patience": 3}
TRAIN_HOURS = 7 + 2 * 31


def test_one_worker_where_no_launcher_started_a_group() -> None:
    assert from_environment({}).count == 1 and from_environment({"PMI_RANK": "0", "PMI_SIZE": "1"}).chief


def test_mpiexec_ranks_are_workers_on_this_host() -> None:
    workers = from_environment({"PMI_RANK": "1", "PMI_SIZE": "2", "AMBS_WORKER_PORT": "31000"})
    assert (workers.count, workers.index, workers.chief) == (2, 1, False)
    assert workers.resolver.cluster_spec().as_dict() == {"worker": ["127.0.0.1:31000", "127.0.0.1:31001"]}
    assert workers.own(Path("out/model.keras"), Path("scratch")) == Path("scratch/model.keras")


# GPUs the task sees -> the ones it uses: all 4 of the node split between its 2 tasks, one bound by Slurm, none
@pytest.mark.parametrize("visible, used", [("0,1,2,3", "0,1"), ("3", "3"), ("", "")])
def test_srun_tasks_are_workers_of_the_step(monkeypatch: pytest.MonkeyPatch, visible: str, used: str) -> None:
    """Two nodes of two tasks each: the resolver names every task's host and port and gives it its GPUs."""
    env = {
        "SLURM_PROCID": "2",
        "SLURM_STEP_NUM_TASKS": "4",
        "SLURM_STEP_NODELIST": "jwb[0001-0002]",
        "SLURM_STEP_TASKS_PER_NODE": "2(x2)",
        "SLURM_JOB_ID": "5001",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)  # the resolver reads os.environ itself
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", visible)
    workers = from_environment({**env, "CUDA_VISIBLE_DEVICES": visible})
    base = port_base(env, 5001)
    assert base == 20_008 and (workers.count, workers.index) == (4, 2)
    assert workers.resolver.cluster_spec().as_dict() == {
        "worker": [f"jwb0001:{base}", f"jwb0001:{base + 1}", f"jwb0002:{base}", f"jwb0002:{base + 1}"]
    }
    assert os.environ["CUDA_VISIBLE_DEVICES"] == used  # task 2 is the first of the second node


def test_tf_config_is_taken_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    config = json.dumps({"cluster": local_cluster(3, 32000), "task": {"type": "worker", "index": 2}})
    monkeypatch.setenv("TF_CONFIG", config)
    workers = from_environment(os.environ)
    assert (workers.count, workers.index) == (3, 2)
    assert workers.resolver.cluster_spec().as_dict() == local_cluster(3, 32000)


@pytest.fixture(scope="module")
def splits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("splits")
    split(root, "train", "2017-07-01T00", TRAIN_HOURS, 1)
    split(root, "val", "2017-08-01T00", 7 + 2 * 7, 2)
    return root


def run_dir(splits: Path, path: Path) -> Path:
    for name in ("train", "val"):
        shutil.copytree(splits / name, path / name)
    return path


def workers_command(cmd: list[str], count: int) -> list[str]:
    return [MPIEXEC, "-n", str(count), *cmd]


def free_port_base() -> str:
    return str(port_base({}, os.getpid()))


def test_two_workers_take_the_steps_of_one_with_the_same_global_batch(splits: Path, tmp_path: Path) -> None:
    one, two = run_dir(splits, tmp_path / "one"), run_dir(splits, tmp_path / "two")
    single = subprocess.run(train_command(one, HYPER), capture_output=True, text=True, check=False, timeout=300)
    assert single.returncode == 0, single.stderr[-3000:]
    env = {**os.environ, "AMBS_WORKER_PORT": free_port_base()}
    group = subprocess.run(
        workers_command(train_command(two, HYPER), 2), env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert group.returncode == 0, group.stdout[-3000:] + group.stderr[-3000:]
    assert "worker 0 of 2" in group.stdout and "worker 1 of 2" in group.stdout
    # only the chief's results, none of the other worker's scratch
    assert sorted(p.name for p in two.iterdir()) == sorted(p.name for p in one.iterdir())
    assert sorted(p.name for p in (two / "work").iterdir()) == ["history.csv", "tensorboard"]
    # the same steps up to the order of float32 sums: the all-reduce adds the workers' halves of each batch
    # (seen: 1 weight of 72 in the first kernel off by 2e-9, the rest equal)
    for got, want in zip(load_model(two / "model.keras").weights, load_model(one / "model.keras").weights):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-7, err_msg=got.path)


def test_a_group_that_lost_a_worker_resumes_from_the_last_epoch(splits: Path, tmp_path: Path) -> None:
    run = run_dir(splits, tmp_path)
    cmd = train_command(run, {**HYPER, "epochs": 3})
    env = {**os.environ, "AMBS_WORKER_PORT": free_port_base()}
    killed = subprocess.run(
        workers_command(killed_mid_epoch(cmd, signal.SIGKILL, 'os.environ["PMI_RANK"] == "1"'), 2),
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert killed.returncode != 0 and "epoch 1/3" in killed.stdout, killed.stdout[-3000:] + killed.stderr[-3000:]
    assert "epoch 2/3" not in killed.stdout and not (run / "model.keras").exists()
    assert sorted(p.name for p in (run / "work" / "backup").iterdir()) == ["best", "epoch-0001"]  # best: early stopping
    resumed = subprocess.run(workers_command(cmd, 2), env=env, capture_output=True, text=True, check=False, timeout=300)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert resumed.stdout.count("resuming after epoch 1 ") == 2, resumed.stdout  # both workers
    assert "epoch 1/3" not in resumed.stdout and "epoch 3/3" in resumed.stdout
    assert (run / "model.keras").exists() and not (run / "work" / "backup").exists()
    assert sorted(p.name for p in (run / "work").iterdir()) == ["history.csv", "tensorboard"]


def test_the_train_rule_starts_several_tasks_through_the_launcher() -> None:
    assert worker_launcher(1, "srun") == ""
    assert worker_launcher(2) == "mpiexec -n 2 " and worker_launcher(4, "srun --kill-on-bad-exit=1") == (
        "srun --kill-on-bad-exit=1 -n 4 "
    )


# One SGD step of a network on 2 logical CPUs under MirroredStrategy and on 1 device (each in a process of
# its own: strategies built one after another in one process can mix up their collective ops); prints the
# largest difference of the weights relative to their size. SGD keeps the gradients' scale, which a loss term
# added by hand without the replicas' scaling would multiply by 2 (mcnet's GDL was: 0.16 off).
ONE_STEP_ON_TWO_REPLICAS = """
import sys, tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras, numpy as np
from test_model_contract import batch, build

def stepped(strategy):
    with strategy.scope():
        model = build(sys.argv[1], 2)
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        model.train_on_batch(*batch(2))
    return [w.numpy() for w in model.weights]

one, two = stepped(tf.distribute.get_strategy()), stepped(tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]))
print(max(float(np.max(np.abs(a - b)) / (np.max(np.abs(a)) + 1e-12)) for a, b in zip(one, two)))
"""


# the networks with loss terms of their own (mcnet's in compute_loss, pde's by add_loss); SAVP is left out,
# as each replica draws its own noise
@pytest.mark.parametrize("name", ["mcnet", "pde"])
def test_a_network_takes_the_same_step_on_two_replicas_as_on_one(name: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", ONE_STEP_ON_TWO_REPLICAS, name],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert float(out.stdout.split()[-1]) < 1e-5, out.stdout
