"""The shared two-layer ReLU network (:mod:`proofcheck.ml.two_layer`): the forward pass against its definition
written as a loop, the gradient against central differences, the exact bridge against rationals."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from proofcheck.ml import two_layer as tl


def _loop_predictions(W, a, X):
    """``f(W, a, x_i) = (1/sqrt m) sum_r a_r max(w_r . x_i, 0)``, one neuron and one input at a time."""
    m = W.shape[0]
    return np.array([sum(a[r] * max(float(np.dot(W[r], x)), 0.0) for r in range(m)) / math.sqrt(m) for x in X])


def _loss(W, a, X, y):
    return 0.5 * float(np.sum((tl.predictions(W, a, X) - y) ** 2))


def test_predictions_and_residual_follow_the_definition():
    rng = np.random.default_rng(0)
    W, a, X, y = rng.standard_normal((7, 3)), rng.choice([-1.0, 1.0], 7), rng.standard_normal((4, 3)), rng.standard_normal(4)
    assert np.allclose(tl.predictions(W, a, X), _loop_predictions(W, a, X), rtol=1e-13, atol=1e-15)
    assert np.allclose(tl.residual(W, a, X, y), y - _loop_predictions(W, a, X), rtol=1e-13, atol=1e-15)
    batch = np.stack([W, 2 * W])
    assert np.allclose(tl.predictions(batch, np.stack([a, a]), X)[1], 2 * tl.predictions(W, a, X))
    assert np.array_equal(tl.activations(W, X), (W @ X.T) >= 0)


def test_gradients_match_central_differences_and_a_small_step_descends():
    rng = np.random.default_rng(1)
    W, a, X, y = rng.standard_normal((6, 3)), rng.choice([-1.0, 1.0], 6), rng.standard_normal((3, 3)), rng.standard_normal(3)
    gW, ga, u = tl.gradients(W, a, X, y, both=True)
    assert np.allclose(u, tl.predictions(W, a, X))
    h = 1e-6
    for r in range(6):
        for q in range(3):
            E = np.zeros_like(W)
            E[r, q] = h
            assert abs((_loss(W + E, a, X, y) - _loss(W - E, a, X, y)) / (2 * h) - gW[r, q]) < 1e-6
        e = np.zeros(6)
        e[r] = h
        assert abs((_loss(W, a + e, X, y) - _loss(W, a - e, X, y)) / (2 * h) - ga[r]) < 1e-6
    assert _loss(tl.descent_step(W, gW, 1e-3), a, X, y) < _loss(W, a, X, y)


def test_exact_sum_is_exact():
    rng = np.random.default_rng(3)
    x = rng.standard_normal(5000) * 10.0 ** rng.integers(-30, 30, 5000)
    assert tl.exact_sum(x) == sum((Fraction(float(v)) for v in x), Fraction(0))
    assert tl.exact_sum(np.zeros(3)) == 0


def test_exact_forward_pass_and_output_sums():
    rng = np.random.default_rng(2)
    W, a, X = rng.standard_normal((5, 2)), rng.choice([-1.0, 1.0], 5), rng.standard_normal((3, 2))
    Xq = tl.exact_inputs(X, None)[0]
    S = tl.activations_exact(W, Xq)
    assert np.array_equal(S, (W @ X.T) >= 0)  # no tie at these draws
    P = [[tl.dot_exact(W[r], x) for r in range(5)] for x in Xq]
    sums = tl.active_sums_exact(W, a, S, Xq)
    for j in range(3):
        assert tl.output_exact(P[j], 1, a) == sums[j]  # sqrt(m) u_j, exactly
        assert abs(float(tl.output_exact(P[j], Fraction(1, 4), a)) - tl.predictions(W, a, X[j:j + 1])[0] * math.sqrt(5) / 4) < 1e-12
    assert tl.output_exact([Fraction(-1), Fraction(2), Fraction(3)], Fraction(1, 3)) == Fraction(5, 3)  # every a_r = 1


def test_initial_patterns_decide_a_sign_the_floats_get_wrong():
    """``1e16 - 1 - 1e16`` is ``-1`` but rounds to ``0`` in floats: the float pattern says active, the exact
    one (inside the error bound) says inactive, and an exact zero is reported as one."""
    W = np.array([[1e16, -1.0, -1e16], [1.0, -1.0, 0.0], [2.0, 0.5, 1.0]])
    X = np.ones((1, 3))
    P0 = tl.thin_pre_activations(W, X)
    assert P0[0, 0] == 0.0 and np.array_equal(P0, tl.pre_activations(W, X))
    err = tl.preactivation_error(W, X)
    assert np.all(np.abs(P0 - W @ X.T) <= err)
    Xq = tl.exact_inputs(X, None)[0]
    exact = tl.ExactPreActivations(W, Xq)
    S, zeros = tl.initial_patterns(P0, err, exact)
    assert exact(0, 0) == -1 and exact(2, 0) == Fraction(7, 2)
    assert S[:, 0].tolist() == [False, True, True] and zeros == {(1, 0)}


def test_pattern_groups_partition_the_neurons_by_pattern_and_sign():
    rng = np.random.default_rng(4)
    S, a = rng.random((40, 3)) < 0.5, rng.choice([-1.0, 1.0], 40)
    key, members = tl.pattern_groups(S, a)
    assert sorted(np.concatenate(list(members.values())).tolist()) == list(range(40))
    for k, mem in members.items():
        assert np.all(key[mem] == k)
        assert all(np.array_equal(S[r], S[mem[0]]) and a[r] == a[mem[0]] for r in mem)
