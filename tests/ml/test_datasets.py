"""Datasets of exact unit inputs: exactness, families, and clear errors on bad inputs."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from proofcheck.ml import datasets as ds
from proofcheck.store.codec import decode, encode
from proofcheck.model.num import NumericError
from proofcheck.ml.linalg_exact import rational_unit_vector


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


# ---------------------------------------------------------------- strategies of the setting (du_strategies)
from hypothesis import find

from proofcheck.ml import du_strategies as dst


@settings(max_examples=30, deadline=None)
@given(dst.datasets(n=st.integers(1, 4), C=2))
def test_drawn_datasets_are_exact_non_parallel_and_bounded(D):
    assert dst.is_setting_dataset(C=2)(D)
    G = D.gram_exact()
    assert all(G[i][i] == 1 for i in range(D.n))
    assert all(abs(G[i][j]) < 1 for i in range(D.n) for j in range(D.n) if i != j)
    assert np.all(np.abs(D.y) <= 2)
    back = decode(encode(D))
    assert back.X_exact == D.X_exact and np.array_equal(back.y, D.y) and np.array_equal(back.X, D.X)
    assert dst.is_setting_dataset(C=2)(back)


def test_datasets_shrink_to_the_simplest_instance():
    D = find(dst.datasets(), lambda D: True)
    assert D.n == 1 and D.X_exact[0][-1] == 1 and D.y.tolist() == [0.0]
    D2 = find(dst.datasets(n=st.integers(1, 3)), lambda D: D.n >= 2)
    assert D2.n == 2 and D2.d == 2
    # a property about labels shrinks to the smallest label that has it
    D3 = find(dst.datasets(C=1), lambda D: abs(D.y[0]) >= 0.5)
    assert abs(D3.y[0]) == 0.5


def test_widths_step_sizes_probabilities_initialisations():
    assert find(dst.widths(1, 10**6), lambda m: True) == 1
    assert find(dst.widths(1, 10**6), lambda m: m >= 1000) == 1000
    eta = find(dst.step_sizes(Fraction(1, 2)), lambda e: e >= Fraction(1, 10))
    assert eta.denominator & (eta.denominator - 1) == 0  # dyadic: exact as a float
    p = find(dst.probabilities(), lambda p: p > Fraction(1, 2))
    assert 0 < p < 1
    init = find(dst.initialisations(), lambda i: True)
    assert init == dst.Init(0)
    W, a = init.weights(3, 2)
    W2, a2 = decode(encode(init)).weights(3, 2)
    assert np.array_equal(W, W2) and np.array_equal(a, a2) and W.shape == (3, 2)


def test_domain_predicate_rejects_what_the_setting_excludes():
    ok = dst.dataset_of([[1, 0], [0, 1]], [0, 1])
    assert dst.is_setting_dataset(C=1)(ok)
    assert not dst.is_setting_dataset(C=Fraction(1, 2))(ok)  # a label above C
    parallel = ds.Dataset(np.array([[1.0, 0.0], [-1.0, 0.0]]), np.zeros(2), 1.0, "given",
                          [[Fraction(1), Fraction(0)], [Fraction(-1), Fraction(0)]])
    assert not dst.is_setting_dataset()(parallel)
    assert not dst.is_setting_dataset()(ds.Dataset(np.eye(2), np.zeros(2)))  # no exact inputs
    assert not dst.is_setting_dataset()("not a dataset")


def test_bad_setting_inputs_are_one_line_errors():
    cases = [([[0, 0], [1, 0]], [0, 0], "zero vector"),
             ([[1, 0], [-1, 0]], [0, 0], "parallel"),
             ([[1, 1]], [0], "norm"),
             ([[1, 0]], [3], "exceeds")]
    for X, y, word in cases:
        with pytest.raises(ds.DatasetError) as e:
            dst.dataset_of(X, y, C=1)
        assert word in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(NumericError, match="non-finite"):
        rational_unit_vector([float("nan")])
    with pytest.raises(NumericError, match="seed"):
        dst.Init(-1)
