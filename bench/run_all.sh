#!/usr/bin/env bash
# Every benchmark in turn; each prints Markdown tables for docs/performance.md.
# About 15 minutes on 2 quiet cores (bench/scaling.py runs the workflow four times); the no-op line first runs config/test.yaml once if it is not finished.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
for bench in preprocess mpi training metrics scaling; do
    echo "== bench/$bench.py"
    python "bench/$bench.py"
done
echo "== bench/noop.py"
python bench/noop.py --prepare
