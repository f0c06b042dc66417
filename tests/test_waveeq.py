"""Wave-equation solver: discrete energy, an analytic standing mode, kernel agreement, generated data."""

from __future__ import annotations

import numpy as np
import pytest

from ambs.datasets.waveeq import energy, generate_waveeq, grid_spacing, leapfrog_numba, leapfrog_numpy, simulate

SIZE = 33
NO_SOURCE = (np.zeros((0, SIZE, SIZE)), np.zeros(0), np.zeros(0), np.zeros(0))


def _pulse(periodic: bool) -> np.ndarray:
    x = np.arange(SIZE) * grid_spacing(SIZE, periodic)
    u = np.exp(-((x[:, None] - 0.4) ** 2 + (x[None, :] - 0.6) ** 2) / 0.01)
    if not periodic:
        u[[0, -1]] = 0.0
        u[:, [0, -1]] = 0.0
    return u


@pytest.mark.parametrize("periodic", [False, True])
def test_energy_is_conserved_without_damping_or_sources(periodic: bool) -> None:
    h = grid_spacing(SIZE, periodic)
    dt = 0.5 * h
    u, u_prev = _pulse(periodic), _pulse(periodic)
    start = energy(u, u_prev, dt, 1.0, h, periodic)
    for _ in range(20):
        leapfrog_numba(u, u_prev, 50, 0.0, dt, 0.25, 0.0, *NO_SOURCE, periodic)
        assert energy(u, u_prev, dt, 1.0, h, periodic) == pytest.approx(start, rel=1e-6)


def test_damping_dissipates_energy() -> None:
    h = grid_spacing(SIZE, False)
    dt = 0.5 * h
    u, u_prev = _pulse(False), _pulse(False)
    energies = []
    for _ in range(10):
        leapfrog_numba(u, u_prev, 20, 0.0, dt, 0.25, 0.5 * 2.0 * dt, *NO_SOURCE, False)
        energies.append(energy(u, u_prev, dt, 1.0, h))
    assert np.all(np.diff(energies) < 0) and energies[-1] < 0.5 * energies[0]


def test_standing_mode_oscillates_at_the_analytic_frequency() -> None:
    """sin(kπx)sin(mπy) with zero initial velocity on the unit square gives u(t) = u(0)·cos(cπ√(k²+m²)·t)."""
    k, m, c = 1, 2, 1.0
    h = grid_spacing(SIZE, False)
    x = np.arange(SIZE) * h
    mode = np.sin(k * np.pi * x)[:, None] * np.sin(m * np.pi * x)[None, :]
    dt, substeps = 0.25 * h, 4
    frames = simulate(mode, mode, 120, substeps, dt, c)
    times = np.arange(120) * substeps * dt  # four periods
    row, col = SIZE // 2, SIZE // 4
    expected = mode[row, col] * np.cos(c * np.pi * np.hypot(k, m) * times)
    # A 10 % error in ω misses by about twice the amplitude, so this tolerance tells frequencies apart.
    np.testing.assert_allclose(frames[:, row, col], expected, atol=0.05 * abs(mode[row, col]))


@pytest.mark.parametrize("periodic", [False, True])
def test_numba_and_numpy_kernels_agree(periodic: bool) -> None:
    a = generate_waveeq(2, 6, 16, seed=3, damping=1.0, periodic=periodic, kernel=leapfrog_numba)
    b = generate_waveeq(2, 6, 16, seed=3, damping=1.0, periodic=periodic, kernel=leapfrog_numpy)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-5 * np.abs(b).max())


def test_generated_sequences_are_reproducible_and_wave_like() -> None:
    data = generate_waveeq(3, 8, 24, seed=1, spinup=10)
    assert data.shape == (3, 8, 24, 24) and data.dtype == np.float32
    np.testing.assert_array_equal(data, generate_waveeq(3, 8, 24, seed=1, spinup=10))
    assert not np.array_equal(data, generate_waveeq(3, 8, 24, seed=[1, 1], spinup=10))
    assert np.all(data[:, :, 0] == 0.0) and np.all(data[:, :, :, -1] == 0.0)  # Dirichlet edges
    assert np.all(data.std(axis=(2, 3)) > 0.05 * data.std())  # after the spin-up every frame carries waves


def test_spinup_drops_the_first_frames() -> None:
    np.testing.assert_array_equal(
        generate_waveeq(2, 5, 16, seed=4, spinup=3), generate_waveeq(2, 8, 16, seed=4, spinup=0)[:, 3:]
    )


def test_cfl_violation_is_refused() -> None:
    with pytest.raises(ValueError, match="CFL"):
        simulate(np.zeros((8, 8)), np.zeros((8, 8)), 2, 1, dt=1.0, c=1.0)
