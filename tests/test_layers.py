"""The fast layers compute what the Keras layers they replace compute: ConvLSTM2D and TimeDistributed; Accumulate's
running sum is numpy's."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from ambs.models.layers import Accumulate, ConvLSTM, PerFrame

SEQUENCE = (5, 7, 6, 3)  # time, lat, lon, channels
FILTERS = 4


def _pair(return_sequences: bool) -> tuple[ConvLSTM, keras.layers.ConvLSTM2D]:
    keras.utils.set_random_seed(0)
    ours = ConvLSTM(FILTERS, 3, return_sequences=return_sequences)
    reference = keras.layers.ConvLSTM2D(
        FILTERS, 3, padding="same", return_sequences=return_sequences, return_state=True
    )
    ours.build((None, *SEQUENCE))
    reference.build((None, *SEQUENCE))
    rng = np.random.default_rng(1)
    weights = [rng.normal(scale=0.3, size=w.shape).astype("float32") for w in reference.get_weights()]
    reference.set_weights(weights)
    ours.set_weights(weights)
    return ours, reference


@pytest.mark.parametrize("return_sequences", [False, True])
def test_matches_keras_convlstm2d(return_sequences: bool) -> None:
    ours, reference = _pair(return_sequences)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, *SEQUENCE)).astype("float32")
    state = [rng.normal(size=(2, 7, 6, FILTERS)).astype("float32") for _ in range(2)]
    for initial_state in (None, state):
        expected = reference(x, initial_state=initial_state)
        got = ours(x, initial_state=initial_state)
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_allclose(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b), atol=1e-5)


def test_default_initialisation_matches_keras() -> None:
    """Same initialisers, in particular the forget-gate bias of one."""
    layer = ConvLSTM(FILTERS, 3)
    layer.build((None, *SEQUENCE))
    bias = keras.ops.convert_to_numpy(layer.bias)
    np.testing.assert_array_equal(bias, np.repeat([0.0, 1.0, 0.0, 0.0], FILTERS))
    reference = keras.layers.ConvLSTM2D(FILTERS, 3, padding="same")
    reference.build((None, *SEQUENCE))
    assert [w.shape for w in layer.weights] == [tuple(w.shape) for w in reference.weights]


@pytest.mark.parametrize(
    "inner",
    [
        lambda: keras.layers.Conv2D(5, 3, strides=2, padding="same", activation="relu"),
        lambda: keras.layers.Conv2DTranspose(5, 3, strides=2, padding="same"),
        lambda: keras.layers.GlobalAveragePooling2D(),
    ],
)
def test_per_frame_matches_time_distributed(inner) -> None:
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(4).normal(size=(2, *SEQUENCE)).astype("float32")
    ours, reference = PerFrame(inner()), keras.layers.TimeDistributed(inner())
    expected = reference(x)
    ours.build(x.shape)
    ours.set_weights(reference.get_weights())
    got = ours(x)
    assert tuple(got.shape) == tuple(expected.shape) == ours.compute_output_shape((2, *SEQUENCE))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(got), keras.ops.convert_to_numpy(expected), atol=1e-6)


def test_accumulate_is_the_running_sum_over_time_per_step() -> None:
    x = np.random.default_rng(5).normal(size=(2, *SEQUENCE)).astype("float32")
    got = keras.ops.convert_to_numpy(Accumulate()(x))
    np.testing.assert_allclose(got, np.cumsum(x, axis=1) / SEQUENCE[0], rtol=1e-6, atol=1e-6)
