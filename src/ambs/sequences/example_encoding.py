"""The serialised ``tf.train.Example`` of one run of frames, written straight from the array's buffer.

Building the Example through protobuf objects copies the frames three times (``tobytes``,
into the message, out of ``SerializeToString``); for TFRecords of hundreds of MB that is
most of the time spent outside the writer. The message has a fixed layout, so its bytes
are a short header, the raw float32 frames and a short trailer, joined in one copy:

    Example   { 1: Features }
    Features  { 1: entry{1: "frames", 2: Feature{1: BytesList{1: <frames>}}},
                1: entry{1: "starts", 2: Feature{3: Int64List{1: [<start>, ...] packed}}},
                1: entry{1: "init",   2: Feature{3: Int64List{1: [<init>, ...] packed}}} }

``tf.io.parse_single_example`` reads it exactly like the protobuf-built message.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

LENGTH_DELIMITED = 2
UINT64 = 1 << 64


def varint(value: int) -> bytes:
    """Protobuf base-128 varint; negative int64 values as their 64-bit two's complement (10 bytes)."""
    value %= UINT64
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field(number: int, payload_length: int) -> bytes:
    """Tag and length of a length-delimited field whose payload follows."""
    return varint(number << 3 | LENGTH_DELIMITED) + varint(payload_length)


def _message(number: int, payload: bytes) -> bytes:
    return _field(number, len(payload)) + payload


def _int64_entry(key: str, values: Iterable[int]) -> bytes:
    """A Features map entry holding an Int64List, packed."""
    packed = b"".join(varint(int(v)) for v in values)
    return _message(1, _message(1, key.encode()) + _message(2, _message(3, _message(1, packed))))


def run_example(frames: np.ndarray, starts: Iterable[int], inits: Iterable[int]) -> bytes:
    """Serialised Example with features ``frames`` (the C-ordered bytes of ``frames``), ``starts`` and ``init`` (int64 lists)."""
    data = np.ascontiguousarray(frames).data.cast("B")
    value_tag = _field(1, len(data))  # BytesList.value
    bytes_list_length = len(value_tag) + len(data)
    bytes_list_tag = _field(1, bytes_list_length)  # Feature.bytes_list
    feature_length = len(bytes_list_tag) + bytes_list_length
    key = _message(1, b"frames")
    feature_tag = _field(2, feature_length)  # entry value
    entry_length = len(key) + len(feature_tag) + feature_length
    trailer = _int64_entry("starts", starts) + _int64_entry("init", inits)
    entry_tag = _field(1, entry_length)  # Features.feature
    header = b"".join(
        [
            _field(1, len(entry_tag) + entry_length + len(trailer)),
            entry_tag,
            key,
            feature_tag,
            bytes_list_tag,
            value_tag,
        ]
    )
    return b"".join([header, data, trailer])
