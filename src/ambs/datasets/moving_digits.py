"""Moving-MNIST-style sequences from scikit-learn's bundled 8x8 digits (no download).

Content (which sprite) and dynamics (where it is) are separable by
construction, which is what a disentangling model is tested on. Sprites move
at constant velocity and reflect off the frame edges, so each stays wholly
inside the frame and keeps its pixel mass in every frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from ambs.catalogue import DIGIT_SPRITE_SIZE as SPRITE_SIZE

SCALE = SPRITE_SIZE // 8  # scikit-learn's 8x8 digits drawn with SCALE x SCALE pixels


@cache
def digit_sprites() -> np.ndarray:
    """All scikit-learn digits as (n, SPRITE_SIZE, SPRITE_SIZE) float32 in [0, 1], upscaled by pixel repetition."""
    from sklearn.datasets import load_digits

    images = load_digits().images / 16.0
    return np.kron(images, np.ones((1, SCALE, SCALE))).astype(np.float32)


def bounce(start: np.ndarray, velocity: np.ndarray, length: int, span: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions and velocities (length, ..., 2) of points moving in [0, span], reflected at both ends."""
    position, velocity = np.array(start, np.float64), np.array(velocity, np.float64)
    positions, velocities = [], []
    for _ in range(length):
        positions.append(position.copy())
        velocities.append(velocity.copy())
        position += velocity
        low, high = position < 0, position > span
        position = np.where(low, -position, np.where(high, 2 * span - position, position))
        velocity = np.where(low | high, -velocity, velocity)
    return np.stack(positions), np.stack(velocities)


def render(sprites: np.ndarray, positions: np.ndarray, size: int) -> np.ndarray:
    """Frames (time, size, size) with each sprite's top-left corner at its rounded position, overlaps by maximum."""
    height, width = sprites.shape[1:]
    frames = np.zeros((positions.shape[0], size, size), np.float32)
    corners = np.rint(positions).astype(int)
    for t, frame in enumerate(frames):
        for sprite, (row, col) in zip(sprites, corners[t]):
            patch = frame[row : row + height, col : col + width]
            np.maximum(patch, sprite, out=patch)
    return frames


def generate_moving_digits(
    n_sequences: int,
    length: int,
    size: int = 32,
    digits: int = 2,
    seed: int | Sequence[int] = 0,
    speed: tuple[float, float] = (1.0, 3.0),
) -> np.ndarray:
    """(n, length, size, size) float32 in [0, 1]: random digits, start positions and velocities.

    Each velocity component has a random sign and a magnitude drawn from ``speed`` (pixels per frame).
    """
    sprites = digit_sprites()
    span = size - SPRITE_SIZE
    if span < 1:
        raise ValueError(f"frame size {size} leaves no room to move a {SPRITE_SIZE}-pixel digit")
    rng = np.random.default_rng(seed)
    out = np.empty((n_sequences, length, size, size), np.float32)
    for s in range(n_sequences):
        chosen = sprites[rng.integers(len(sprites), size=digits)]
        velocity = rng.uniform(*speed, size=(digits, 2)) * rng.choice([-1.0, 1.0], size=(digits, 2))
        positions, _ = bounce(rng.uniform(0, span, size=(digits, 2)), velocity, length, span)
        out[s] = render(chosen, positions, size)
    return out
