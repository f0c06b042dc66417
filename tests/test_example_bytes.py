"""Hand-serialised window Examples parse exactly like protobuf-built ones."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from ambs.example_bytes import varint, window_example

SPEC = {"window": tf.io.FixedLenFeature([], tf.string), "init": tf.io.FixedLenFeature([], tf.int64)}


def _protobuf(window: np.ndarray, init: int) -> tf.train.Example:
    feature = {
        "window": tf.train.Feature(bytes_list=tf.train.BytesList(value=[window.tobytes()])),
        "init": tf.train.Feature(int64_list=tf.train.Int64List(value=[init])),
    }
    return tf.train.Example(features=tf.train.Features(feature=feature))


@pytest.mark.parametrize("shape", [(0,), (1,), (2, 3, 4, 1), (24, 32, 32, 3)])
@pytest.mark.parametrize("init", [0, 127, 128, 1_500_000_000, -2_524_608_000, 2**62])
def test_same_message_as_protobuf(shape: tuple[int, ...], init: int) -> None:
    window = np.random.default_rng(init % 97).normal(size=shape).astype(np.float32)
    serialised = window_example(window, init)
    assert tf.train.Example.FromString(serialised) == _protobuf(window, init)
    assert len(serialised) == _protobuf(window, init).ByteSize()


def test_parsed_by_tensorflow_from_a_strided_view() -> None:
    frames = np.arange(5 * 4 * 3 * 2, dtype=np.float32).reshape(5, 4, 3, 2)
    window = frames[1:4, :, ::-1]  # not contiguous: serialised in C order, like tobytes()
    parsed = tf.io.parse_single_example(window_example(window, 3600), SPEC)
    assert int(parsed["init"]) == 3600
    np.testing.assert_array_equal(tf.io.decode_raw(parsed["window"], tf.float32).numpy().reshape(window.shape), window)


def test_varint_matches_protobuf_encoding() -> None:
    assert varint(0) == b"\x00" and varint(1) == b"\x01" and varint(300) == b"\xac\x02"
    assert varint(-1) == b"\xff" * 9 + b"\x01"
