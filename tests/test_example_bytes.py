"""Hand-serialised run Examples parse exactly like protobuf-built ones."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from ambs.sequences.example_encoding import run_example, varint

SPEC = {
    "frames": tf.io.FixedLenFeature([], tf.string),
    "starts": tf.io.RaggedFeature(tf.int64),
    "init": tf.io.RaggedFeature(tf.int64),
}


def _protobuf(frames: np.ndarray, starts: list[int], inits: list[int]) -> tf.train.Example:
    feature = {
        "frames": tf.train.Feature(bytes_list=tf.train.BytesList(value=[frames.tobytes()])),
        "starts": tf.train.Feature(int64_list=tf.train.Int64List(value=starts)),
        "init": tf.train.Feature(int64_list=tf.train.Int64List(value=inits)),
    }
    return tf.train.Example(features=tf.train.Features(feature=feature))


@pytest.mark.parametrize("shape", [(0,), (1,), (2, 3, 4, 1), (339, 32, 32, 3)])
@pytest.mark.parametrize("inits", [[0], [127, 128], [1_500_000_000, -2_524_608_000, 2**62]])
def test_same_message_as_protobuf(shape: tuple[int, ...], inits: list[int]) -> None:
    frames = np.random.default_rng(len(inits)).normal(size=shape).astype(np.float32)
    starts = [5 * i for i in range(len(inits))]
    serialised = run_example(frames, starts, inits)
    assert tf.train.Example.FromString(serialised) == _protobuf(frames, starts, inits)
    assert len(serialised) == _protobuf(frames, starts, inits).ByteSize()


def test_parsed_by_tensorflow_from_a_strided_view() -> None:
    frames = np.arange(5 * 4 * 3 * 2, dtype=np.float32).reshape(5, 4, 3, 2)
    run = frames[1:4, :, ::-1]  # not contiguous: serialised in C order, like tobytes()
    parsed = tf.io.parse_single_example(run_example(run, [0, 1], [3600, 7200]), SPEC)
    assert parsed["starts"].numpy().tolist() == [0, 1] and parsed["init"].numpy().tolist() == [3600, 7200]
    np.testing.assert_array_equal(tf.io.decode_raw(parsed["frames"], tf.float32).numpy().reshape(run.shape), run)


def test_varint_matches_protobuf_encoding() -> None:
    assert varint(0) == b"\x00" and varint(1) == b"\x01" and varint(300) == b"\xac\x02"
    assert varint(-1) == b"\xff" * 9 + b"\x01"
