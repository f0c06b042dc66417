"""A throw-away single-node Slurm cluster on 127.0.0.1 with JUWELS' partition names, for tests.

Everything (configuration, state, spool, logs, sockets, the accounting database)
lives under one directory; nothing under /etc is touched. The daemons started:

- ``munged`` with its own key and socket (``AuthInfo=socket=...`` points Slurm at it),
- ``mariadbd`` on a free loopback port, datadir in the directory, for
- ``slurmdbd`` (job accounting, so ``sacct`` - which the Snakemake Slurm plugin
  uses for job status - and the test's assertions read Slurm's own records),
- ``slurmctld`` and ``slurmd`` (one node ``localhost``, ``SlurmdParameters=config_overrides``
  so the node can be declared with a JUWELS-like 48 cores and 192 GB).

Client commands (``sbatch``, ``srun``, ``sacct``, ``sacctmgr``) find the
cluster through ``SLURM_CONF``; ``cluster.env`` is the environment to run them
in. ``stop()`` ends every daemon it started (by its own process handle).

Run ``python tests/slurm/cluster.py DIR`` to start one by hand (Ctrl-C stops it).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PARTITIONS = ["devel", "batch", "mem192", "develgpus", "gpus", "booster"]
ACCOUNT = "ambs"
DAEMONS = [
    "munged",
    "munge",
    "unmunge",
    "mariadbd",
    "mariadb-install-db",
    "slurmdbd",
    "slurmctld",
    "slurmd",
    "sacct",
    "sbatch",
]
APT_PACKAGES = ["slurm-wlm", "slurmdbd", "munge", "mariadb-server"]


def missing_programs() -> list[str]:
    return [
        name for name in DAEMONS if shutil.which(name, path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/bin") is None
    ]


def install_with_apt() -> str | None:
    """Install Debian's Slurm, munge and MariaDB with apt-get if they are missing.

    Returns why they cannot be installed here (no apt-get, not root), or None when they
    are there; raises if apt-get itself fails.
    """
    missing = missing_programs()
    if not missing:
        return None
    if shutil.which("apt-get") is None:
        return f"Slurm is not installed ({', '.join(missing)} missing) and there is no apt-get to install it"
    if os.geteuid() != 0:
        return f"Slurm is not installed ({', '.join(missing)} missing) and apt-get needs root to install it"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *APT_PACKAGES]):
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {result.stdout[-2000:]}{result.stderr[-2000:]}")
    missing = missing_programs()
    if missing:
        raise RuntimeError(f"still missing after apt-get install {' '.join(APT_PACKAGES)}: {missing}")
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _which(name: str) -> str:
    found = shutil.which(name, path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/bin")
    if found is None:
        raise FileNotFoundError(name)
    return found


class LocalSlurm:
    """A single-node Slurm with accounting, rooted at ``root``; use as a context manager."""

    def __init__(self, root: Path, cpus: int = 48, memory_mb: int = 192_000) -> None:
        self.root = Path(root).resolve()
        self.cpus = cpus
        self.memory_mb = memory_mb
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.linked_conf: Path | None = None
        self.conf = self.root / "etc" / "slurm.conf"
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}
        for key in [k for k in self.env if k.startswith(("SLURM_", "SBATCH_", "SRUN_", "SALLOC_"))]:
            if key != "SLURM_CONF":
                del self.env[key]

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> LocalSlurm:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float = 120) -> None:
        for sub in ("etc", "state", "spool", "log", "run", "munge", "db"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._start_munge()
        self._start_mariadb(timeout)
        self._write_configs()
        self._link_default_conf()
        self._spawn("slurmdbd", [_which("slurmdbd"), "-D"])
        self._wait(lambda: self._port_open(self.dbd_port), timeout, "slurmdbd to listen")
        self._register_cluster(timeout)
        self._spawn("slurmctld", [_which("slurmctld"), "-D", "-i"])
        self._wait(lambda: self._run(["scontrol", "ping"]).returncode == 0, timeout, "slurmctld to answer")
        self._spawn("slurmd", [_which("slurmd"), "-D"])
        self._wait(self._node_idle, timeout, "the node to be idle")

    def stop(self) -> None:
        """Stop the daemons in reverse order of starting them: SIGTERM, then SIGKILL."""
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.processes.clear()
        if self.linked_conf is not None:
            self.linked_conf.unlink(missing_ok=True)
            self.linked_conf = None

    def _link_default_conf(self) -> None:
        """Point Slurm's default /etc/slurm/slurm.conf at this cluster's configuration.

        The Slurm plugin's job step (snakemake-executor-plugin-slurm-jobstep 0.6.1) removes
        every SLURM_* variable but the job's identity from the environment of the job's
        command, SLURM_CONF included, so an ``srun`` inside a job (the MPI step, the
        plugin's own ``srun -n1``) reads the compiled-in default path. The link is removed
        by ``stop()``; an existing, foreign slurm.conf is left alone and the test fails.
        """
        default = Path("/etc/slurm/slurm.conf")
        if default.is_symlink() and not default.exists():
            default.unlink()  # left behind by a killed test run
        if default.exists() or default.is_symlink():
            if default.resolve() == self.conf:
                return
            raise RuntimeError(f"{default} exists: this machine has a Slurm of its own; run the test elsewhere")
        default.parent.mkdir(parents=True, exist_ok=True)
        default.symlink_to(self.conf)
        self.linked_conf = default

    def log(self, name: str) -> str:
        path = self.root / "log" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- client commands -----------------------------------------------------------------------
    def run(self, cmd: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        result = self._run(cmd)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: {result.stdout}{result.stderr}")
        return result

    def sacct(self, *args: str) -> list[dict[str, str]]:
        """Slurm's accounting records of all jobs and steps, as dicts of the given fields."""
        fields = ["JobID", "JobName", "Partition", "Account", "State", "ExitCode", "NTasks", "AllocCPUS", "Comment"]
        out = self.run(
            ["sacct", "-a", "-P", "-n", "-D", "--starttime", "2000-01-01", "--format", ",".join(fields), *args]
        ).stdout
        return [dict(zip(fields, line.split("|"), strict=False)) for line in out.splitlines() if line.strip()]

    # -- internals -----------------------------------------------------------------------------
    def _run(self, cmd: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(cmd, env=self.env, capture_output=True, text=True, check=False, timeout=60)

    def _spawn(self, name: str, cmd: list[str]) -> None:
        log = open(self.root / "log" / f"{name}.out", "wb")  # noqa: SIM115 - owned by the process
        self.processes[name] = subprocess.Popen(
            cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def _wait(self, ready, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None and name != "mariadb-install-db":
                    raise RuntimeError(
                        f"{name} exited with {process.returncode} while waiting for {what}:\n"
                        f"{self.log(name)[-3000:]}{(self.root / 'log' / f'{name}.out').read_text()[-2000:]}"
                    )
            if ready():
                return
            time.sleep(0.5)
        raise TimeoutError(f"timed out waiting for {what}")

    @staticmethod
    def _port_open(port: int) -> bool:
        with socket.socket() as s:
            s.settimeout(0.5)
            return s.connect_ex(("127.0.0.1", port)) == 0

    def _node_idle(self) -> bool:
        out = self._run(["sinfo", "-h", "-N", "-o", "%t"]).stdout.split()
        return bool(out) and all(state.rstrip("*") == "idle" for state in out)

    def _munge_works(self) -> bool:
        encode = subprocess.run(
            [_which("munge"), "-n", f"--socket={self.munge_socket}"], capture_output=True, check=False
        )
        return (
            encode.returncode == 0
            and subprocess.run(
                [_which("unmunge"), f"--socket={self.munge_socket}"],
                input=encode.stdout,
                capture_output=True,
                check=False,
            ).returncode
            == 0
        )

    def _start_munge(self) -> None:
        # Slurm's clients (sacctmgr's connection to slurmdbd in particular) use libmunge's
        # default socket whatever AuthInfo says, so munged listens there; a munged already
        # running there (a machine with munge set up) is used as it is.
        self.munge_socket = Path("/run/munge/munge.socket.2")
        if self.munge_socket.exists() and self._munge_works():
            return
        munge = self.root / "munge"
        key = munge / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        self.munge_socket.parent.mkdir(parents=True, exist_ok=True)
        self.munge_socket.parent.chmod(0o755)
        self._spawn(
            "munged",
            [
                _which("munged"),
                "--foreground",
                "--force",
                f"--socket={self.munge_socket}",
                f"--key-file={key}",
                f"--pid-file={munge / 'munged.pid'}",
                f"--log-file={self.root / 'log' / 'munged.log'}",
                f"--seed-file={munge / 'seed'}",
            ],
        )
        self._wait(lambda: self.munge_socket.exists() and self._munge_works(), 30, "munged")

    def _start_mariadb(self, timeout: float) -> None:
        datadir = self.root / "db" / "data"
        install = subprocess.run(
            [
                _which("mariadb-install-db"),
                "--no-defaults",
                f"--datadir={datadir}",
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if install.returncode != 0:
            raise RuntimeError(f"mariadb-install-db failed: {install.stdout}{install.stderr}")
        self.db_port = free_port()
        self._spawn(
            "mariadbd",
            [
                _which("mariadbd"),
                "--no-defaults",
                f"--datadir={datadir}",
                "--user=root",
                f"--socket={self.root / 'db' / 'mysqld.sock'}",
                f"--port={self.db_port}",
                "--bind-address=127.0.0.1",
                "--skip-grant-tables",
                "--skip-name-resolve",
                f"--pid-file={self.root / 'db' / 'mysqld.pid'}",
                f"--log-error={self.root / 'log' / 'mariadbd.log'}",
                "--innodb-buffer-pool-size=64M",
                "--innodb-log-file-size=16M",
            ],
        )
        self._wait(lambda: self._port_open(self.db_port), timeout, "mariadbd to listen")

    def _register_cluster(self, timeout: float) -> None:
        def added() -> bool:
            return (
                self._run(["sacctmgr", "-i", "add", "cluster", "ambs"]).returncode == 0
                or "ambs" in self._run(["sacctmgr", "-n", "-P", "list", "cluster", "format=cluster"]).stdout
            )

        self._wait(added, timeout, "sacctmgr to add the cluster")
        self.run(
            ["sacctmgr", "-i", "add", "account", ACCOUNT, "Cluster=ambs", "Description=tests", "Organization=ambs"],
            check=False,
        )
        user = self._run(["id", "-un"]).stdout.strip() or "root"
        self.run(["sacctmgr", "-i", "add", "user", user, f"Account={ACCOUNT}", "Cluster=ambs"], check=False)

    def _write_configs(self) -> None:
        root, etc = self.root, self.root / "etc"
        self.ctld_port, self.slurmd_port, self.dbd_port = free_port(), free_port(), free_port()
        auth = "AuthType=auth/munge\n"
        partitions = "\n".join(
            f"PartitionName={name} Nodes=localhost MaxTime={'2:00:00' if name.startswith('devel') else '1-00:00:00'}"
            f" State=UP{' Default=YES' if name == 'batch' else ''}"
            for name in PARTITIONS
        )
        self.conf.write_text(f"""# written by tests/slurm/cluster.py
ClusterName=ambs
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort={self.ctld_port}
SlurmdPort={self.slurmd_port}
{auth}StateSaveLocation={root / "state"}
SlurmdSpoolDir={root / "spool"}
SlurmctldPidFile={root / "run" / "slurmctld.pid"}
SlurmdPidFile={root / "run" / "slurmd.pid"}
SlurmctldLogFile={root / "log" / "slurmctld.log"}
SlurmdLogFile={root / "log" / "slurmd.log"}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
LaunchParameters=use_interactive_step
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
KillWait=30
InactiveLimit=0
SlurmctldTimeout=60
SlurmdTimeout=300
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort={self.dbd_port}
AccountingStorageEnforce=associations
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30
JobCompType=jobcomp/none
AccountingStoreFlags=job_comment
NodeName=localhost NodeAddr=127.0.0.1 CPUs={self.cpus} RealMemory={self.memory_mb} State=UNKNOWN
{partitions}
""")
        dbd = etc / "slurmdbd.conf"
        dbd.write_text(f"""# written by tests/slurm/cluster.py
{auth}DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort={self.dbd_port}
SlurmUser=root
PidFile={root / "run" / "slurmdbd.pid"}
LogFile={root / "log" / "slurmdbd.log"}
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort={self.db_port}
StorageUser=root
StorageLoc=slurm_acct_db
""")
        dbd.chmod(0o600)
        # slurmd loads a cgroup plugin even with proctrack/linuxproc; v1 with no constraints
        # works in containers that have the v1 hierarchies, autodetect where they have not.
        plugin = "cgroup/v1" if Path("/sys/fs/cgroup/freezer").is_dir() else "autodetect"
        (etc / "cgroup.conf").write_text(
            f"CgroupPlugin={plugin}\nIgnoreSystemd=yes\nConstrainCores=no\nConstrainRAMSpace=no\nConstrainDevices=no\n"
        )


if __name__ == "__main__":
    cluster = LocalSlurm(Path(sys.argv[1]))
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop the daemons on SIGTERM too
    with cluster:
        print(f"export SLURM_CONF={cluster.conf}", flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
