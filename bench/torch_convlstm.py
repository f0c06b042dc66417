"""A plain PyTorch ConvLSTM with the layers and sizes of ``ambs.models.convlstm``, the training reference.

Same graph as the Keras model: a stride-2 3x3 convolution per context hour, a ConvLSTM
encoder whose final state seeds a ConvLSTM forecaster fed with the last encoded frame,
a stride-2 transposed convolution back to full resolution, the last context frame
concatenated, and a zero-initialised 3x3 convolution giving the change from persistence.
The cell is the textbook one: one convolution over [input, hidden] giving the four gates.
"""

from __future__ import annotations

import torch
from torch import nn


class ConvLSTMCell(nn.Module):
    def __init__(self, channels: int, filters: int, kernel_size: int) -> None:
        super().__init__()
        self.filters = filters
        self.gates = nn.Conv2d(channels + filters, 4 * filters, kernel_size, padding=kernel_size // 2)

    def forward(self, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        i, f, g, o = torch.split(self.gates(torch.cat([x, h], dim=1)), self.filters, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c


class TorchConvLSTM(nn.Module):
    """(batch, time, channel, lat, lon) context -> (batch, forecast, 1, lat, lon) forecast of the target."""

    def __init__(self, channels: int, forecast: int, target: int, filters: int, kernel_size: int) -> None:
        super().__init__()
        self.forecast, self.target, self.filters = forecast, target, filters
        self.down = nn.Conv2d(channels, filters, 3, stride=2, padding=1)
        self.encoder = ConvLSTMCell(filters, filters, kernel_size)
        self.forecaster = ConvLSTMCell(filters, filters, kernel_size)
        self.up = nn.ConvTranspose2d(filters, filters, 3, stride=2, padding=1, output_padding=1)
        self.change = nn.Conv2d(filters + channels, 1, 3, padding=1)
        nn.init.zeros_(self.change.weight)
        nn.init.zeros_(self.change.bias)

    def forward(self, context: torch.Tensor) -> torch.Tensor:
        batch, steps, channels, height, width = context.shape
        down = torch.relu(self.down(context.reshape(batch * steps, channels, height, width)))
        down = down.reshape(batch, steps, self.filters, *down.shape[-2:])
        h = torch.zeros_like(down[:, 0])
        c = torch.zeros_like(h)
        for t in range(steps):
            h, c = self.encoder(down[:, t], h, c)
        last = down[:, -1]
        outputs = []
        for _ in range(self.forecast):
            h, c = self.forecaster(last, h, c)
            outputs.append(h)
        hidden = torch.stack(outputs, dim=1).reshape(batch * self.forecast, self.filters, *h.shape[-2:])
        up = torch.relu(self.up(hidden))[..., :height, :width]
        skip = (
            context[:, -1:].expand(batch, self.forecast, channels, height, width).reshape(-1, channels, height, width)
        )
        change = self.change(torch.cat([up, skip], dim=1)).reshape(batch, self.forecast, 1, height, width)
        return context[:, -1:, self.target : self.target + 1] + change


def train_epoch(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    generator: torch.Generator,
) -> float:
    """One shuffled epoch over in-memory tensors with an MSE loss; returns the last batch's loss."""
    order = torch.randperm(x.shape[0], generator=generator)
    loss = torch.zeros(())
    for first in range(0, x.shape[0], batch_size):
        index = order[first : first + batch_size]
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x[index]), y[index])
        loss.backward()
        optimizer.step()
    return float(loss.detach())
