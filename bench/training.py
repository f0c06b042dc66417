"""ConvLSTM training throughput (samples/s): TFRecords vs in-memory arrays, and Keras vs plain PyTorch.

On the windows of the default configuration's geometry (32 x 32, 3 variables, 12 + 12 hours)
and its ConvLSTM hyperparameters, one epoch per round, rounds interleaved:
- Keras, fed by ``ambs.sequences.tfrecords.make_dataset`` from the TFRecord shards (what ``ambs.training.networks`` does),
- Keras, fed from the same windows held in memory as NumPy arrays (shuffled, batched and
  prefetched by tf.data like the TFRecords, with the same fixed parallelism),
- with ``--xla``: Keras from the TFRecords with XLA compilation (what Keras does by itself on
  a GPU; on this CPU it was 15x slower, so it is left out by default to keep the run short),
- PyTorch (``torch_convlstm.py``), same layers and sizes, from in-memory tensors, if torch is installed
  (``pip install -e .[bench]``).

    .venv/bin/python bench/training.py [--rounds 9] [--months 2017-06] [--xla]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
import yaml
from common import (
    DEFAULT_DOMAIN,
    DEFAULT_REGION,
    ROOT,
    WorkerCpu,
    interleaved,
    machine_note,
    median,
    pipeline,
    print_table,
    raw_months,
)

from ambs.models.registry import build_model
from ambs.sequences.meta import SplitMeta
from ambs.sequences.tfrecords import make_dataset, without_autotuning

HYPER = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["hyperparameters"]["convlstm"]


def keras_model(meta: SplitMeta, jit_compile: bool | str = "auto") -> keras.Model:
    """The model as ``ambs.training.networks`` compiles it (Keras' "auto" means XLA on a GPU and none on the CPU)."""
    keras.utils.set_random_seed(0)
    model = build_model("convlstm", meta, HYPER)
    model.compile(
        optimizer=keras.optimizers.Adam(HYPER["learning_rate"]), loss="mse", metrics=["mae"], jit_compile=jit_compile
    )
    return model


def in_memory_batches(x: tuple[np.ndarray, np.ndarray], y: np.ndarray, batch_size: int) -> tf.data.Dataset:
    """The windows as ``make_dataset`` serves them, from arrays instead of TFRecords.

    Not Keras' own array adapter: it keeps tf.data's autotuning on, and deleting its iterator at the
    end of each ``fit`` waited for the autotuning thread (see ``ambs.sequences.tfrecords.without_autotuning``).
    """
    batches = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(y), seed=0).batch(batch_size).prefetch(2)
    return without_autotuning(batches)


def torch_candidate(meta: SplitMeta, x: np.ndarray, y: np.ndarray, workdir: Path) -> subprocess.Popen | None:
    """A PyTorch worker process (``torch_worker.py``) holding the same windows, or None without torch."""
    if importlib.util.find_spec("torch") is None:
        print("torch is not installed (pip install -e .[bench]): the PyTorch line is skipped")
        return None
    np.savez(workdir / "windows.npz", x=x, y=y)
    worker = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("torch_worker.py")),
            str(workdir / "windows.npz"),
            str(meta.target_index),
            str(HYPER["filters"]),
            str(HYPER["kernel_size"]),
            str(HYPER["batch_size"]),
            str(HYPER["learning_rate"]),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    if worker.stdout is None or worker.stdout.readline().strip() != "ready":
        raise RuntimeError("the PyTorch worker did not start")
    return worker


def torch_epoch(worker: subprocess.Popen) -> WorkerCpu:
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write("epoch\n")
    worker.stdin.flush()
    answer = worker.stdout.readline().split()
    if not answer or answer[0] != "done":
        raise RuntimeError("the PyTorch worker failed")
    return WorkerCpu(float(answer[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds",
        type=int,
        default=9,
        help="9: three per position in the rotating order; 3 left the 5 %% target inside the noise",
    )
    parser.add_argument("--months", nargs="+", default=["2017-06"])
    parser.add_argument("--xla", action="store_true", help="add Keras with jit_compile=True")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ambs-bench-") as tmp:
        split = pipeline(raw_months(DEFAULT_DOMAIN, args.months, "default"), args.months, Path(tmp), DEFAULT_REGION)
        meta = SplitMeta.read(split)
        batches = list(make_dataset(split, HYPER["batch_size"]).as_numpy_iterator())
        # (context, forecast hours' forcings): the bench's windows have no forcings, like the PyTorch model's
        x = (np.concatenate([b[0][0] for b in batches]), np.concatenate([b[0][1] for b in batches]))
        y = np.concatenate([b[1] for b in batches])
        from_records, in_memory = keras_model(meta), keras_model(meta)
        candidates = {
            "Keras from TFRecords (make_dataset)": lambda: from_records.fit(
                make_dataset(split, HYPER["batch_size"], shuffle=True), epochs=1, shuffle=False, verbose=0
            ),
            "Keras from in-memory arrays": lambda: in_memory.fit(
                in_memory_batches(x, y, HYPER["batch_size"]), epochs=1, shuffle=False, verbose=0
            ),
        }
        if args.xla:
            xla = keras_model(meta, jit_compile=True)
            candidates["Keras from TFRecords, XLA (jit_compile=True)"] = lambda: xla.fit(
                make_dataset(split, HYPER["batch_size"], shuffle=True), epochs=1, shuffle=False, verbose=0
            )
        worker = torch_candidate(meta, x[0], y, Path(tmp))
        if worker is not None:
            candidates["PyTorch from in-memory tensors (own process)"] = lambda: torch_epoch(worker)
        times = interleaved(candidates, args.rounds)  # the warm-up round traces and compiles
        if worker is not None:
            worker.communicate()
    rates = {name: meta.count / median(t.wall) for name, t in times.items()}
    cpu_rates = {name: meta.count / median(t.cpu) for name, t in times.items()}
    print_table(
        f"ConvLSTM training, {meta.count} windows of {meta.shape}, batch {HYPER['batch_size']}, "
        f"{HYPER['filters']} filters ({machine_note()})",
        ["what", "median wall s/epoch", "samples/s", "median CPU s/epoch", "samples per CPU s"],
        [
            (name, f"{median(t.wall):.2f}", f"{rates[name]:.2f}", f"{median(t.cpu):.2f}", f"{cpu_rates[name]:.2f}")
            for name, t in times.items()
        ],
    )
    records, memory, *others = list(rates)
    torch = [name for name in others if name.startswith("PyTorch")]
    print(
        f"TFRecord input overhead vs in-memory: {rates[memory] / rates[records] - 1:+.1%} wall, "
        f"{cpu_rates[memory] / cpu_rates[records] - 1:+.1%} CPU  (target <= 5%)"
    )
    if torch:
        print(
            f"Keras (TFRecords) / PyTorch: {rates[records] / rates[torch[0]]:.2f}x wall, "
            f"{cpu_rates[records] / cpu_rates[torch[0]]:.2f}x CPU  (target >= 1.0x)"
        )


if __name__ == "__main__":
    main()
