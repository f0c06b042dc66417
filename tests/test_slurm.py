"""The Slurm side: the whole workflow through profiles/slurm on a real single-node Slurm,
a failed Slurm job named with its log, SIGTERM checkpointing of training, and the
GPU distribution scope on the CPU.

The cluster test installs Debian's slurm-wlm, slurmdbd, munge and mariadb-server with
apt-get when they are missing (it is skipped, with the reason, only where there is no
apt-get or no root), starts the cluster of tests/slurm/cluster.py under a temporary
directory, and stops every daemon it started at the end.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
import yte
from conftest import ROOT
from helpers import split, train_command

sys.path.insert(0, str(ROOT / "tests" / "slurm"))
from cluster import ACCOUNT, LocalSlurm, install_with_apt  # noqa: E402

PROFILE = ROOT / "profiles" / "slurm"
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "workflow" / "Snakefile")]
# The test's override of the profile's site settings: the test cluster's account, and
# training without GPUs (the node has none) on two cores, by two workers (srun tasks) on the one node.
SITE = {
    "AMBS_SLURM_ACCOUNT": ACCOUNT,
    "AMBS_SLURM_GPUS": "0",
    "AMBS_SLURM_GPU_CPUS": "2",
    "AMBS_SLURM_TRAIN_TASKS_PER_NODE": "2",
}


def profile_resources(env: dict[str, str]) -> tuple[dict[str, object], dict[str, dict[str, object]]]:
    """The profile's default-resources and set-resources as Snakemake sees them under ``env``."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        with open(PROFILE / "config.v8+.yaml") as f:
            profile = yte.process_yaml(f, require_use_yte=True)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return profile["default-resources"], profile["set-resources"]


def test_profile_maps_rules_to_juwels_partitions() -> None:
    default, rules = profile_resources({})
    partition = {rule: res.get("slurm_partition", default["slurm_partition"]) for rule, res in rules.items()}
    assert partition["preprocess"] == "batch" and rules["preprocess"]["mpi"].startswith("srun")
    assert partition["train"] in {"develgpus", "gpus", "booster"} and rules["train"]["gpu"] >= 1
    assert "--signal=TERM@" in rules["train"]["slurm_extra"]
    assert all(partition[r] in {"devel", "batch"} for r in ("extract", "summarize", "plot_metric", "plot_example"))
    assert all({"runtime", "mem_mb"} <= set(res) for res in rules.values())
    workflow_rules = {
        name
        for smk in (ROOT / "workflow" / "rules").glob("*.smk")
        for name in re.findall(r"^rule (\w+):", smk.read_text(), flags=re.M)
    }
    assert workflow_rules - set(rules) == set(), "rules without resources in the Slurm profile"
    overridden = profile_resources({"AMBS_SLURM_ACCOUNT": "x", "AMBS_SLURM_GPU_PARTITION": "booster"})
    assert overridden[0]["slurm_account"] == "x" and overridden[1]["train"]["slurm_partition"] == "booster"


def test_profile_trains_on_n_nodes_with_one_srun_step_of_all_workers() -> None:
    """JUWELS Booster: 4 nodes of 4 GPUs, one worker per GPU."""
    _, rules = profile_resources({"AMBS_SLURM_TRAIN_NODES": "4", "AMBS_SLURM_TRAIN_TASKS_PER_NODE": "4"})
    train = rules["train"]
    assert (train["nodes"], train["tasks"]) == (4, 16) and "gpu" not in train  # --gpus would count the whole job
    assert train["mpi"].startswith("srun --kill-on-bad-exit=1") and "--gpus-per-node=4" in train["mpi"]
    assert "--signal=TERM@" in train["slurm_extra"] and "--gpus-per-node=4" in train["slurm_extra"]
    _, single = profile_resources({})
    assert "mpi" not in single["train"] and single["train"]["nodes"] == 1  # one task: the plugin's own srun -n1


# ---------------------------------------------------------------------------------------------
# a real Slurm


@pytest.fixture(scope="module")
def slurm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSlurm]:
    reason = install_with_apt()
    if reason:
        pytest.skip(reason)
    with LocalSlurm(tmp_path_factory.mktemp("slurm")) as cluster:
        yield cluster


def run_snakemake(
    cluster: LocalSlurm, workdir: Path, *args: str, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    env = {**cluster.env, **SITE, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    cmd = [
        *SNAKEMAKE,
        "--directory",
        str(workdir),
        "--profile",
        str(PROFILE),
        "--slurm-init-seconds-before-status-checks",
        "2",
        *args,
    ]
    return subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, check=False, timeout=timeout)


def rule_of(comment: str, rules: list[str]) -> str | None:
    """The rule named in the plugin's job comment 'rule_<rule>[_wildcards_<...>]'."""
    for rule in sorted(rules, key=len, reverse=True):
        if comment == f"rule_{rule}" or comment.startswith(f"rule_{rule}_wildcards_"):
            return rule
    return None


# Every kind of job (light, CPU, MPI, GPU-partition training of a network and of the similarity
# encoder) with one network: the whole DAG of config/test.yaml runs locally in test_workflow_e2e.
SLURM_MODELS = ["convlstm", "persistence"]
SLURM_TARGETS = ["results/test/evaluation/metrics_table.csv", "results/test/plots/rmse_vs_lead.png"]


def requeue_after_first_epoch(cluster: LocalSlurm, backup: Path, done: threading.Event, requeued: list[str]) -> None:
    """Requeue the network's training job, as a preemption does, once it has checkpointed its first epoch."""
    while not done.wait(0.5):
        running = [
            line.split("|")[0]
            for line in cluster.run(["squeue", "-h", "-o", "%i|%k|%T"], check=False).stdout.splitlines()
            if "|rule_train_wildcards_" in line and line.endswith("|RUNNING")
        ]
        if running and (backup / "epoch-0001").is_dir():
            cluster.run(["scontrol", "requeue", running[0]])
            requeued.append(running[0])
            return


def numbered_steps(records: list[dict[str, str]], job: dict[str, str]) -> list[dict[str, str]]:
    """The job's steps started by srun (JobID <job>.<n>), not its batch and extern steps."""
    return [r for r in records if r["JobID"].startswith(job["JobID"] + ".") and r["JobID"].split(".")[1].isdigit()]


@pytest.mark.slurm
def test_workflow_runs_in_the_profiles_partitions(slurm: LocalSlurm, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    config = yaml.safe_load((tmp_path / "config" / "test.yaml").read_text())
    config["models"] = SLURM_MODELS
    config["hyperparameters"]["convlstm"]["epochs"] = 4  # time to requeue it after its first epoch
    config["hyperparameters"]["convlstm"]["patience"] = 4  # and no early stop before the fourth
    (tmp_path / "config" / "test.yaml").write_text(yaml.safe_dump(config))
    done, requeued = threading.Event(), []
    backup = tmp_path / "results" / "test" / "models" / "convlstm" / "seed0" / "work" / "backup"
    watcher = threading.Thread(target=requeue_after_first_epoch, args=(slurm, backup, done, requeued))
    watcher.start()
    started = time.monotonic()
    try:
        out = run_snakemake(slurm, tmp_path, *SLURM_TARGETS, "--configfile", "config/test.yaml")
    finally:
        done.set()
        watcher.join()
    elapsed = time.monotonic() - started
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-6000:] + slurm.log("slurmctld")[-2000:]
    assert (tmp_path / "results" / "test" / "evaluation" / "metrics_table.csv").exists()

    default, resources = profile_resources(SITE)
    expected = {rule: res.get("slurm_partition", default["slurm_partition"]) for rule, res in resources.items()}
    records = slurm.sacct()
    # the requeued training job: its first run (state REQUEUED) and the run that resumed it
    assert [r["JobID"] for r in records if r["State"] == "REQUEUED"] == requeued and len(requeued) == 1, records
    train_log = (tmp_path / "results" / "test" / "logs" / "train" / "convlstm" / "seed0.log").read_text()
    assert "resuming after epoch" in train_log and "epoch 4/4" in train_log, train_log[-3000:]
    assert "worker 0 of 2" in train_log and "worker 1 of 2" in train_log, train_log[-3000:]
    records = [r for r in records if r["State"] != "REQUEUED"]
    jobs = [r for r in records if "." not in r["JobID"]]
    ran: dict[str, list[dict[str, str]]] = {}
    for job in jobs:
        rule = rule_of(job["Comment"], list(expected))
        assert rule is not None, f"a job of no known rule: {job}"
        ran.setdefault(rule, []).append(job)
    counts = {rule: len(js) for rule, js in ran.items()}
    assert counts == {
        "extract": 3,
        "extract_static": 1,
        "preprocess": 1,
        "climatology": 1,
        "sequences": 3,
        "train": 1,
        "train_similarity": 1,
        "score_learned_distance": 2,
        "evaluate": 2,
        "summarize": 1,
        "plot_metric": 1,
    }
    for rule, js in ran.items():
        for job in js:
            assert job["Partition"] == expected[rule], (rule, job)
            assert job["Account"] == ACCOUNT and job["State"] == "COMPLETED", (rule, job)

    # the MPI step: one Slurm step of the preprocess job with mpi_tasks tasks
    (pre,) = ran["preprocess"]
    steps = numbered_steps(records, pre)
    assert [int(s["NTasks"]) for s in steps] == [config["mpi_tasks"]], steps
    assert all(s["State"] == "COMPLETED" for s in steps)
    # the network's training: one srun step of its 2 workers (in the requeued run and in the one that resumed)
    (train,) = ran["train"]
    steps = numbered_steps(records, train)
    assert {int(s["NTasks"]) for s in steps} == {2} and steps[-1]["State"] == "COMPLETED", steps
    print(f"Slurm end-to-end run: {len(jobs)} jobs in {elapsed:.0f} s")


@pytest.mark.slurm
def test_failed_slurm_job_names_its_log(slurm: LocalSlurm, tmp_path: Path) -> None:
    (tmp_path / "Snakefile").write_text(
        'rule fail:\n    output: "never.txt"\n    shell: "echo going to fail; exit 3"\n'
    )
    env = {**slurm.env, **SITE, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--snakefile",
            "Snakefile",
            "--profile",
            str(PROFILE),
            "--slurm-init-seconds-before-status-checks",
            "2",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    text = out.stdout + out.stderr
    assert out.returncode != 0
    logs = re.findall(r"(\S*slurm_logs/rule_fail/\S*?\.log)", text)
    assert logs, text[-3000:]
    log = Path(logs[0]) if Path(logs[0]).is_absolute() else tmp_path / logs[0]
    assert log.exists(), text[-3000:]
    assert "going to fail" in log.read_text() and "exit code" in log.read_text()
    (job,) = [r for r in slurm.sacct() if r["Comment"] == "rule_fail"]
    assert job["State"] == "FAILED", job


# ---------------------------------------------------------------------------------------------
# SIGTERM (Slurm's signal at the time limit) and the distribution scope, no Slurm needed

HYPER = {"filters": 4, "kernel_size": 3, "epochs": 4, "batch_size": 4, "learning_rate": 0.003, "patience": 4}


def _train_cmd(tmp_path: Path) -> list[str]:
    return train_command(tmp_path, HYPER)


def test_sigterm_saves_a_backup_and_the_rerun_resumes(tmp_path: Path) -> None:
    split(tmp_path, "train", "2017-07-01T00", 240, 1)
    split(tmp_path, "val", "2017-08-01T00", 48, 2)
    process = subprocess.Popen(_train_cmd(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline, seen = time.time() + 240, ""
    while "epoch 1/" not in seen and time.time() < deadline and process.poll() is None:
        seen += process.stdout.readline()
    time.sleep(0.5)  # into the second epoch
    process.send_signal(signal.SIGTERM)
    seen += process.communicate(timeout=120)[0]
    assert process.returncode == 128 + signal.SIGTERM, seen
    assert "SIGTERM: training stopped" in seen and not (tmp_path / "model.keras").exists()
    assert list((tmp_path / "work" / "backup").glob("epoch-*"))  # the last finished epoch's checkpoint
    result = subprocess.run(_train_cmd(tmp_path), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "epoch 1/" not in result.stdout and f"epoch {HYPER['epochs']}/{HYPER['epochs']}" in result.stdout
    assert (tmp_path / "model.keras").exists() and not (tmp_path / "work" / "backup").exists()


def test_distribution_scope_on_the_cpu() -> None:
    import keras

    from ambs.training.devices import distribution_scope

    lines: list[str] = []
    with distribution_scope(log=lines.append) as strategy:
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        model.compile(optimizer="adam", loss="mse")
    assert strategy is None and "CPU" in lines[0]
    with distribution_scope(gpus=["gpu:0"], log=lines.append) as strategy:
        pass
    assert strategy is None and "1 GPU" in lines[1]


def test_data_parallel_over_several_devices_under_jax(tmp_path: Path) -> None:
    """The multi-device path, with two host devices standing in for two GPUs."""
    code = (
        "import jax, keras, numpy as np\n"
        "from ambs.training.devices import distribution_scope\n"
        "devices = jax.devices('cpu')\n"
        "with distribution_scope(gpus=devices) as d:\n"
        "    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\n"
        "    m.compile(optimizer='adam', loss='mse')\n"
        "    m.fit(np.ones((8, 3)), np.ones((8, 2)), batch_size=4, epochs=1, verbose=0)\n"
        "print(type(d).__name__, len(devices))\n"
    )
    env = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
        "JAX_PLATFORMS": "cpu",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "DataParallel 2"
