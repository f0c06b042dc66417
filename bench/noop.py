"""Whole-DAG no-op re-run: seconds for Snakemake to find nothing to do on a finished experiment.

Needs a finished experiment of the given config; ``--prepare`` runs the workflow once first
if it is not finished. Times, in turns, a dry run (``-n``) and a real run with the local
profile, and checks that parsing the workflow imports no TensorFlow (``python -X importtime``).

    .venv/bin/python bench/noop.py [--configfile config/test.yaml] [--rounds 5] [--prepare]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from common import ROOT, VENV_BIN, interleaved, machine_note, median, print_table


def snakemake(configfile: str, *extra: str, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        *(["-X", "importtime"] if importtime else []),
        str(VENV_BIN / "snakemake"),
        "--profile",
        "profiles/local",
        "--cores",
        "2",
        "--configfile",
        configfile,
        *extra,
    ]
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configfile", default="config/test.yaml")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--prepare", action="store_true", help="run the workflow first if it is not finished")
    args = parser.parse_args()
    if args.prepare:
        snakemake(args.configfile)
    dry = snakemake(args.configfile, "-n", importtime=True)
    if "Nothing to be done" not in dry.stdout + dry.stderr:
        sys.exit(
            f"{args.configfile}: the experiment is not finished; run the workflow once first:\n{dry.stdout[-2000:]}"
        )
    tensorflow = sorted(
        {
            line.split("|")[-1].strip()
            for line in dry.stderr.splitlines()
            if line.startswith("import time:") and "tensorflow" in line.split("|")[-1]
        }
    )
    times = interleaved(
        {
            "snakemake -n (dry run)": lambda: snakemake(args.configfile, "-n"),
            "snakemake (real no-op run)": lambda: snakemake(args.configfile),
        },
        args.rounds,
    )
    print_table(
        f"No-op re-run of {args.configfile} ({machine_note()})",
        ["what", "median s", "min s"],
        [(name, f"{median(t.wall):.2f}", f"{min(t.wall):.2f}") for name, t in times.items()],
    )
    print(f"TensorFlow modules imported while parsing the workflow: {len(tensorflow)}")
    print(f"real no-op run: {median(times['snakemake (real no-op run)'].wall):.2f} s  (target < 5 s)")


if __name__ == "__main__":
    main()
