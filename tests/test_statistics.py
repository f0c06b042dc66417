"""Merged per-month moments equal the statistics of all data at once."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ambs.preprocessing.moments import Moments, merge_in_order, to_json

chunks = st.lists(
    arrays(np.float64, st.integers(1, 40), elements=st.floats(-1e4, 1e4, allow_nan=False)), min_size=1, max_size=6
)


@given(chunks)
@settings(max_examples=60, deadline=None)
def test_merge_matches_numpy(parts: list[np.ndarray]) -> None:
    merged = merge_in_order([{"x": Moments.of(p)} for p in parts])["x"]
    everything = np.concatenate(parts)
    assert merged.count == everything.size
    np.testing.assert_allclose(merged.mean, everything.mean(), rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(merged.std, everything.std(), rtol=1e-7, atol=1e-6)
    assert merged.minimum == everything.min() and merged.maximum == everything.max()


def test_json_fields() -> None:
    stats = to_json({"t2m": Moments.of(np.array([1.0, 3.0]))})
    assert stats == {"t2m": {"mean": 2.0, "std": 1.0, "min": 1.0, "max": 3.0, "count": 2}}


def test_float32_fields_over_many_blocks_match_numpy_in_float64() -> None:
    """The compiled kernel reads float32 in place; it must agree with NumPy's float64 formulas."""
    rng = np.random.default_rng(3)
    fields = rng.normal(288.0, 8.0, (31, 40, 50)).astype(np.float32)  # 62000 values: 15 blocks and a partial one
    moments = Moments.of(fields)
    reference = fields.astype(np.float64)
    assert moments.count == reference.size
    np.testing.assert_allclose(moments.mean, reference.mean(), rtol=1e-14)
    np.testing.assert_allclose(moments.m2, np.square(reference - reference.mean()).sum(), rtol=1e-12)
    assert (moments.minimum, moments.maximum) == (reference.min(), reference.max())
