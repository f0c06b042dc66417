"""Damped, driven 2-D wave equation u_tt = c² ∇²u − γ u_t + s on the unit square.

The synthetic physical benchmark of Donà et al. (2021): known dynamics, so a
model's disentangled state can be judged against the truth. Time stepping is
the explicit leapfrog scheme (second order in space and time) with the damping
term centred, which is stable for c·dt/h ≤ 1/√2. Boundaries are Dirichlet
(u = 0 on the outer ring of grid points) or periodic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numba
import numpy as np

CFL = 0.5  # c·dt/h; below the 2-D stability limit 1/√2 with margin

# (u, u_prev, steps, t0, dt, courant², damping·dt/2, profiles, amplitudes, frequencies, phases, periodic)
Kernel = Callable[..., None]


@numba.njit(cache=True)
def leapfrog_numba(
    u: np.ndarray,
    u_prev: np.ndarray,
    steps: int,
    t0: float,
    dt: float,
    courant2: float,
    half_damp: float,
    profiles: np.ndarray,
    amplitudes: np.ndarray,
    frequencies: np.ndarray,
    phases: np.ndarray,
    periodic: bool,
) -> None:
    """Advance (u, u_prev) by ``steps`` leapfrog steps in place, fused into one pass per step."""
    ny, nx = u.shape
    new = np.empty_like(u)
    forcing = np.empty(amplitudes.size)
    lo = 0 if periodic else 1
    for n in range(steps):
        t = t0 + n * dt
        for k in range(amplitudes.size):
            forcing[k] = dt * dt * amplitudes[k] * np.sin(2.0 * np.pi * frequencies[k] * t + phases[k])
        new[:] = 0.0
        for i in range(lo, ny - lo):
            up, down = (i - 1) % ny, (i + 1) % ny
            for j in range(lo, nx - lo):
                left, right = (j - 1) % nx, (j + 1) % nx
                lap = u[up, j] + u[down, j] + u[i, left] + u[i, right] - 4.0 * u[i, j]
                rhs = 2.0 * u[i, j] - (1.0 - half_damp) * u_prev[i, j] + courant2 * lap
                for k in range(amplitudes.size):
                    rhs += forcing[k] * profiles[k, i, j]
                new[i, j] = rhs / (1.0 + half_damp)
        u_prev[:] = u
        u[:] = new


def leapfrog_numpy(
    u: np.ndarray,
    u_prev: np.ndarray,
    steps: int,
    t0: float,
    dt: float,
    courant2: float,
    half_damp: float,
    profiles: np.ndarray,
    amplitudes: np.ndarray,
    frequencies: np.ndarray,
    phases: np.ndarray,
    periodic: bool,
) -> None:
    """The same scheme with array slicing; the reference the numba kernel is checked and timed against."""
    for n in range(steps):
        t = t0 + n * dt
        forcing = dt * dt * amplitudes * np.sin(2.0 * np.pi * frequencies * t + phases)
        lap = np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1) + np.roll(u, -1, 1) - 4.0 * u
        rhs = 2.0 * u - (1.0 - half_damp) * u_prev + courant2 * lap + np.tensordot(forcing, profiles, 1)
        new = rhs / (1.0 + half_damp)
        if not periodic:
            new[[0, -1], :] = 0.0
            new[:, [0, -1]] = 0.0
        u_prev[:] = u
        u[:] = new


def grid_spacing(size: int, periodic: bool) -> float:
    """Spacing h on the unit square: periodic grids do not repeat the wrapped edge point."""
    return 1.0 / size if periodic else 1.0 / (size - 1)


def energy(u: np.ndarray, u_prev: np.ndarray, dt: float, c: float, h: float, periodic: bool = False) -> float:
    """Discrete energy between levels n−1 and n: kinetic + staggered potential, conserved by leapfrog."""
    kinetic = 0.5 * np.sum(((u - u_prev) / dt) ** 2)

    def grad(a: np.ndarray, axis: int) -> np.ndarray:
        return (np.roll(a, -1, axis) - a) / h if periodic else np.diff(a, axis=axis) / h

    potential = 0.5 * c**2 * sum(np.sum(grad(u, ax) * grad(u_prev, ax)) for ax in (0, 1))
    return float((kinetic + potential) * h * h)


def simulate(
    u0: np.ndarray,
    u_prev: np.ndarray,
    frames: int,
    substeps: int,
    dt: float,
    c: float,
    damping: float = 0.0,
    periodic: bool = False,
    profiles: np.ndarray | None = None,
    amplitudes: np.ndarray | None = None,
    frequencies: np.ndarray | None = None,
    phases: np.ndarray | None = None,
    kernel: Kernel = leapfrog_numba,
) -> np.ndarray:
    """Frames (frames, H, W) sampled every ``substeps`` leapfrog steps, starting with ``u0``."""
    h = grid_spacing(u0.shape[0], periodic)
    if c * dt / h > 1.0 / np.sqrt(2.0):
        raise ValueError(f"CFL violated: c·dt/h = {c * dt / h:.3f} > 1/√2")
    no_source = np.zeros(0)
    sources = (
        np.zeros((0, *u0.shape)) if profiles is None else np.asarray(profiles, np.float64),
        *(no_source if a is None else np.asarray(a, np.float64) for a in (amplitudes, frequencies, phases)),
    )
    u, prev = np.array(u0, np.float64), np.array(u_prev, np.float64)
    out = np.empty((frames, *u.shape))
    for f in range(frames):
        out[f] = u
        kernel(u, prev, substeps, f * substeps * dt, dt, (c * dt / h) ** 2, 0.5 * damping * dt, *sources, periodic)
    return out


def generate_waveeq(
    n_sequences: int,
    length: int,
    size: int = 32,
    seed: int | Sequence[int] = 0,
    wave_speed: float = 1.0,
    damping: float = 0.5,
    sources: tuple[int, int] = (1, 3),
    frame_dt: float = 0.02,
    periodic: bool = False,
    spinup: int = 10,
    kernel: Kernel = leapfrog_numba,
) -> np.ndarray:
    """(n, length, size, size) float32 wave amplitudes from random Gaussian sources.

    Each sequence starts at rest and is driven by ``sources`` (a min, max
    count) sources with random position, width, amplitude, frequency and
    phase; the first ``spinup`` frames, while the waves build up, are dropped.
    ``frame_dt`` (in units of domain crossings by the wave) is split into
    CFL-safe leapfrog substeps. Amplitudes stay physical: the workflow
    normalises them with the training split's statistics like ERA5 fields.
    """
    rng = np.random.default_rng(seed)
    h = grid_spacing(size, periodic)
    substeps = max(1, int(np.ceil(frame_dt * wave_speed / (CFL * h))))
    dt = frame_dt / substeps
    coords = np.arange(size) * h
    yy, xx = np.meshgrid(coords, coords, indexing="ij")
    out = np.empty((n_sequences, length, size, size), np.float32)
    zero = np.zeros((size, size))
    for s in range(n_sequences):
        count = rng.integers(sources[0], sources[1] + 1)
        centres = rng.uniform(0.2, 0.8, size=(count, 2))
        widths = rng.uniform(1.5, 3.0, size=(count, 1, 1)) * h
        profiles = np.exp(-((yy - centres[:, :1, None]) ** 2 + (xx - centres[:, 1:, None]) ** 2) / (2 * widths**2))
        frequencies = rng.uniform(1.0, 4.0, count) * wave_speed
        amplitudes = rng.uniform(0.5, 1.5, count) * rng.choice([-1.0, 1.0], count) * (2 * np.pi * frequencies) ** 2
        phases = rng.uniform(0, 2 * np.pi, count)
        frames = simulate(
            zero,
            zero,
            spinup + length,
            substeps,
            dt,
            wave_speed,
            damping,
            periodic,
            profiles,
            amplitudes,
            frequencies,
            phases,
            kernel,
        )
        out[s] = frames[spinup:]
    return out
