"""Dynamics: gradients, descent, flow error estimates, the exact frozen-pattern flows."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from proofcheck.ml import datasets as ds
from proofcheck.ml import dynamics as dy
from proofcheck.ml import gram


def _loss(W, a, D):
    return 0.5 * np.sum((dy.predictions(W, a, D.X) - D.y) ** 2)


@settings(max_examples=10, deadline=None)
@given(ds.datasets(n=st.integers(1, 3)), st.integers(0, 2**31))
def test_gradients_match_finite_differences(D, seed):
    rng = np.random.default_rng(seed)
    W, a = dy.init(rng, 20, D.d)
    gW, ga, _ = dy.gradients(W, a, D.X, D.y, both=True)
    V, va = rng.standard_normal(W.shape), rng.standard_normal(a.shape)
    eps = 1e-7
    pre = W @ D.X.T
    if np.min(np.abs(pre)) < 1e-4:  # a kink within reach of the finite difference
        return
    fd = (_loss(W + eps * V, a + eps * va, D) - _loss(W - eps * V, a - eps * va, D)) / (2 * eps)
    assert fd == pytest.approx(np.sum(gW * V) + np.sum(ga * va), rel=1e-5, abs=1e-8)


@settings(max_examples=10, deadline=None)
@given(ds.datasets(n=st.integers(1, 4)), st.integers(0, 2**31))
def test_loss_decreases_under_small_steps(D, seed):
    W, a = dy.init(np.random.default_rng(seed), 200, D.d)
    tr = dy.gd(W, a, D.X, D.y, 0.05, 30)
    assert np.all(np.diff(tr.residual_sq) <= 1e-12)


def test_prediction_dynamics_kernel_is_h():
    """du/dt = J J^T (y - u) with J J^T = H (a_r^2 = 1): checked on the Jacobian."""
    rng = np.random.default_rng(1)
    D = ds.make(rng, 3, 3, "random")
    m = 40
    W, a = dy.init(rng, m, 3)
    S = gram.activations(W, D.X)
    J = np.stack([((a * S[:, i])[:, None] * D.X[i][None, :]).ravel() / np.sqrt(m) for i in range(3)])
    assert np.allclose(J @ J.T, gram.h_of_weights(W, D.X), atol=1e-14)


def test_flow_error_estimate_shrinks_with_the_step():
    rng = np.random.default_rng(2)
    D = ds.orthonormal(2, y=[0.5, -0.5])
    W, a = dy.init(rng, 500, 2)
    e1 = np.max(dy.flow_with_error(W, a, D.X, D.y, 4.0, 0.4).error_residual)
    e2 = np.max(dy.flow_with_error(W, a, D.X, D.y, 4.0, 0.1).error_residual)
    assert e2 < e1 / 4


def test_frozen_flow_matches_the_integrator():
    rng = np.random.default_rng(3)
    D = ds.orthonormal(2, y=[0.3, -0.2])
    W, a = dy.init(rng, 100_000, 2)
    r_t, W_t, same = dy.frozen_flow(W, a, D.X, D.y, 1.0)
    tr = dy.flow(W, a, D.X, D.y, 1.0, 0.01)
    assert tr.residual_sq[-1] == pytest.approx(r_t @ r_t, rel=1e-3)


def test_scalar_flow_is_the_exact_one_input_flow():
    s = [Fraction(1, 2), Fraction(-1, 3), Fraction(3, 4)]
    a = [1, -1, 1]
    f = ScalarFlow = dy.ScalarFlow(s, a, Fraction(1, 5))
    t = Fraction(1, 2)
    assert f.frozen_until(t)
    W0 = np.array([[float(v)] for v in s])
    tr = dy.flow(W0, np.array(a, float), np.array([[1.0]]), np.array([0.2]), float(t), 0.001)
    assert np.sqrt(tr.residual_sq[-1]) == pytest.approx(abs(float(f.residual(t).mid())), rel=1e-6)
    assert tr.max_move[-1] == pytest.approx(float(f.move(t).mid()), rel=1e-5)


def test_bad_width_raises():
    with pytest.raises(ValueError):
        dy.init(np.random.default_rng(0), 0, 2)
