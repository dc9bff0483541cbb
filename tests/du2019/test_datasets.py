"""Datasets of exact unit inputs: exactness, families, and clear errors on bad inputs."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from proofcheck.ml import datasets as ds
from proofcheck.codec import decode, encode
from proofcheck.num import NumericError


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=5))
def test_rational_unit_is_exactly_unit(v):
    if not any(v):
        with pytest.raises(ds.DatasetError, match="zero vector"):
            ds.rational_unit(v)
        return
    if max(abs(c) for c in v) < 1e-6:
        return  # a direction, but too short for the closeness check below
    x = ds.rational_unit(v)
    assert sum(c * c for c in x) == 1
    u = np.asarray(v) / np.linalg.norm(v)
    assert np.allclose([float(c) for c in x], u, atol=1e-4)


@settings(max_examples=15, deadline=None)
@given(ds.datasets(n=st.integers(1, 4)))
def test_generated_datasets_meet_the_setting(D):
    assert np.allclose(np.linalg.norm(D.X, axis=1), 1, atol=1e-12)
    assert np.all(np.abs(D.y) <= D.C)
    G = D.gram_exact()
    assert all(G[i][i] == 1 for i in range(D.n))


@pytest.mark.parametrize("kind", ds.KINDS)
def test_each_family(kind):
    D = ds.make(np.random.default_rng(0), 3, 3, kind, spread=1e-3)
    assert D.n == 3 and D.kind == kind
    if kind == "parallel":
        assert D.min_angle() < 0.01
    if kind == "orthogonal":
        assert D.min_angle() > np.pi / 2 - 1e-6


def test_bad_inputs_raise_one_line_errors():
    cases = [
        (np.array([[0.0, 0.0], [1.0, 0.0]]), [0.0, 0.0], "zero vector"),
        (np.array([[np.nan, 1.0]]), [0.0], "NaN"),
        (np.array([[2.0, 0.0]]), [0.0], "norm"),
        (np.array([[1.0, 0.0]]), [3.0], "exceeds"),
    ]
    for X, y, word in cases:
        with pytest.raises(ds.DatasetError) as e:
            ds.Dataset(X, np.array(y), C=1.0)
        assert isinstance(e.value, NumericError)
        assert word in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(ds.DatasetError, match="zero vector"):
        ds.from_directions(np.array([[0.0, 0.0]]), [0.0])
    with pytest.raises(ds.DatasetError, match="orthogonal"):
        ds.make(np.random.default_rng(0), 3, 2, "orthogonal")


def test_dataset_round_trips_exactly_through_the_codec():
    D = ds.make(np.random.default_rng(1), 3, 2, "clustered")
    back = decode(encode(D))
    assert np.array_equal(back.X, D.X) and np.array_equal(back.y, D.y)
    assert back.X_exact == D.X_exact
    assert isinstance(back.X_exact[0][0], Fraction)
