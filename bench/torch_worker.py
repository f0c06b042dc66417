"""PyTorch side of bench/training.py, in its own process so that its threads never share one with TensorFlow's.

``python bench/torch_worker.py ARRAYS.npz TARGET FILTERS KERNEL BATCH LEARNING_RATE``: loads the
windows (x: context, y: forecast of the target, channels last), then runs one training epoch
per ``epoch`` line read from stdin and answers each with a line ``done <CPU seconds of the epoch>``.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import torch
from torch_convlstm import TorchConvLSTM, train_epoch


def main() -> None:
    arrays, target, filters, kernel, batch = sys.argv[1], *map(int, sys.argv[2:6])
    learning_rate = float(sys.argv[6])
    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 1)
    with np.load(arrays) as data:  # channels last -> channels first
        x = torch.from_numpy(np.ascontiguousarray(data["x"].transpose(0, 1, 4, 2, 3)))
        y = torch.from_numpy(np.ascontiguousarray(data["y"].transpose(0, 1, 4, 2, 3)))
    model = TorchConvLSTM(x.shape[2], y.shape[1], target, filters, kernel)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    generator = torch.Generator().manual_seed(0)
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "epoch":
            start = time.process_time()
            train_epoch(model, optimizer, x, y, batch, generator)
            print(f"done {time.process_time() - start:.6f}", flush=True)


if __name__ == "__main__":
    main()
