"""Dynamics: gradients, descent, flow error estimates, the exact frozen-pattern flows."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from proofcheck.ml import datasets as ds
from lemmas.du2019 import dynamics as dy
from tests.ml import stepped as sf
from proofcheck.ml import gram
from proofcheck.ml import two_layer
from proofcheck.ml.linalg_exact import rational_unit_vector
from proofcheck.model.num import NumericError


def _loss(W, a, D):
    return 0.5 * np.sum((two_layer.predictions(W, a, D.X) - D.y) ** 2)


@settings(max_examples=10, deadline=None)
@given(ds.datasets(n=st.integers(1, 3)), st.integers(0, 2**31))
def test_gradients_match_finite_differences(D, seed):
    rng = np.random.default_rng(seed)
    W, a = sf.init(rng, 20, D.d)
    gW, ga, _ = two_layer.gradients(W, a, D.X, D.y, both=True)
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
    W, a = sf.init(np.random.default_rng(seed), 200, D.d)
    tr = sf.gd(W, a, D.X, D.y, 0.05, 30)
    assert np.all(np.diff(tr.residual_sq) <= 1e-12)


def test_prediction_dynamics_kernel_is_h():
    """du/dt = J J^T (y - u) with J J^T = H (a_r^2 = 1): checked on the Jacobian."""
    rng = np.random.default_rng(1)
    D = ds.make(rng, 3, 3, "random")
    m = 40
    W, a = sf.init(rng, m, 3)
    S = two_layer.activations(W, D.X)
    J = np.stack([((a * S[:, i])[:, None] * D.X[i][None, :]).ravel() / np.sqrt(m) for i in range(3)])
    assert np.allclose(J @ J.T, gram.h_of_weights(W, D.X), atol=1e-14)


def _stepped(f, T, both=False, h=0.001):
    W0 = np.array([[float(v)] for v in f.s])
    return sf.flow(W0, np.array(f.a, float), np.array([[1.0]]), np.array([float(f.y)]), T, h, both=both)


def test_one_input_flow_is_the_exact_flow_with_activation_changes():
    """Two neurons switch off on the way (a_r (y - u) < 0): the event-driven flow matches a fine stepped
    flow in residual and movement, H falls at each event, and the limits agree with the float twin."""
    f = dy.OneInputFlow([Fraction(1, 2), Fraction(1, 10), Fraction(-1, 3), Fraction(3, 4)], [-1, 1, -1, -1],
                        Fraction(2))
    assert [p.active for p in f.phases()] == [3, 2, 1]
    tr = _stepped(f, 10.0)
    assert abs(float(f.residual_abs(Fraction(10)).mid())) == pytest.approx(np.sqrt(tr.residual_sq[-1]), rel=1e-5)
    assert float(f.move(Fraction(10)).mid()) == pytest.approx(tr.max_move[-1], rel=1e-5)
    assert f.h_min(Fraction(0)) == Fraction(3, 4) and f.h_final() == Fraction(1, 4)
    h, r0, moved = dy.one_input_final_h(np.array([[float(v) for v in f.s]]), np.array([f.a], float), 2.0)
    assert h[0] == 0.25 and r0[0] == pytest.approx(float(f.r0().mid()))
    assert moved[0] == pytest.approx(float(f.move_final().mid()), rel=1e-12)


def test_one_input_flow_decides_a_limit_exactly():
    """m = 1, y = 0: the neuron approaches 0 as t -> infinity but never switches off (rho = h dq exactly)."""
    f = dy.OneInputFlow([Fraction(1)], [-1], Fraction(0))
    assert len(f.phases()) == 1 and f.h_final() == 1


@settings(max_examples=10, deadline=None)
@given(dy.one_input_flows(max_m=6), st.integers(0, 16).map(lambda k: Fraction(k, 4)))
def test_one_input_flow_round_trips_and_matches_the_stepped_flow(f, t):
    from proofcheck.store.codec import decode, encode

    g = decode(encode(f))
    assert (g.s, g.a, g.y) == (f.s, f.a, f.y)
    tr = _stepped(f, float(t), h=1 / 256) if t > 0 else None  # t a multiple of 1/4: whole steps
    if tr is not None:
        assert float(f.residual_abs(t).mid()) ** 2 == pytest.approx(tr.residual_sq[-1], rel=1e-3, abs=1e-6)


def test_one_input_gd_is_gradient_descent():
    rng = np.random.default_rng(1)
    for eta in (0.1, 3.0):  # 3.0 overshoots: the residual changes sign, neurons switch off both ways
        s, a = rng.standard_normal(7), rng.integers(0, 2, 7) * 2 - 1.0
        r = dy.one_input_gd(s, a, 0.7, eta, 30)
        tr = sf.gd(s[:, None], a, np.array([[1.0]]), np.array([0.7]), eta, 30)
        assert np.max(np.abs(r**2 - tr.residual_sq)) < 1e-12
        rx = dy.one_input_gd_exact(s, a, Fraction(7, 10), Fraction(eta), 30)
        assert all(abs(float(x.mid()) - v) < 1e-12 and x.rad() < 1e-9 for x, v in zip(rx, r))


def test_one_input_both_layers_matches_the_stepped_flow():
    """d/dt log ||y - u||^2 = -2 u'(q): the path minimum of u' is the least decay rate of a fine stepped flow."""
    rng = np.random.default_rng(0)
    s, a = rng.standard_normal(50), rng.integers(0, 2, 50) * 2 - 1.0
    lowest, du0, r0 = dy.one_input_both_layers(s, a, 0.6)
    tr = sf.flow(s[:, None], a, np.array([[1.0]]), np.array([0.6]), 20.0, 0.002, both=True)
    rate = -np.diff(np.log(tr.residual_sq)) / 0.002 / 2
    assert lowest == pytest.approx(rate.min(), rel=1e-3) and du0 == pytest.approx(rate[0], rel=1e-3)


@pytest.mark.slow  # a stepped both-layer flow as the oracle (26 s): CI stays under 15 minutes; `pytest -m slow` runs it
def test_both_layer_decay_decision_agrees_with_the_stepped_flow():
    """The Arb decision of the decay for all t (both layers, one input) against the stepped Heun flow of both
    layers: where the stepped log(||r_0||^2/||r(t)||^2) - c t dips clearly below 0 the decision is a certain
    failure, where it stays clearly above (and the decay's limit rate beats c) it holds."""
    rng = np.random.default_rng(5)
    c = Fraction(1, 2)
    seen = {True: 0, False: 0}
    for _ in range(40):
        m = int(rng.integers(1, 6))
        s, a = rng.standard_normal(m), np.where(rng.random(m) < 0.5, -1.0, 1.0)
        y = float(rng.choice([-1.0, -0.5, 0.5, 1.0]))
        try:
            g = dy.one_input_both_layers_decay(s, a, Fraction(y), c)
        except NumericError:
            continue
        tr = sf.flow(s[:, None], a, np.array([[1.0]]), np.array([y]), 12.0, 0.002, both=True)
        t = np.arange(len(tr.residual_sq)) * 0.002
        ok = tr.residual_sq > 1e-20
        curve = np.log(tr.residual_sq[0] / tr.residual_sq[ok]) - float(c) * t[ok]
        if curve.min() < -0.05:
            assert g < 0, (m, s, a, y, curve.min(), g)
            seen[False] += 1
        elif g >= 0:
            assert curve.min() > -1e-3, (m, s, a, y, curve.min(), g)
            seen[True] += 1
    assert seen[True] >= 5 and seen[False] >= 5, seen


def test_bad_width_raises():
    with pytest.raises(ValueError):
        sf.init(np.random.default_rng(0), 0, 2)


def test_near_init_certificate_is_confirmed_by_the_certified_flow():
    """Wherever the streamed near-init certificate holds (lambda_min(H(t)) >= L >= mu and every neuron within
    rho for all t), the Arb-certified exact flow of the same draw agrees: its least lambda_min over the pieces
    is at least L and its largest move at most rho. At small width the certificate may decline, never lie."""
    from proofcheck.ml import flow as fl

    X_exact = [rational_unit_vector([3]), rational_unit_vector([-5])]  # (3/5, 4/5), (-5/13, 12/13)
    X = np.array([[float(c) for c in row] for row in X_exact])
    y = [Fraction(1, 2), Fraction(-3, 4)]
    certified = 0
    for seed, m in [(0, 5000), (1, 20000), (2, 60000), (3, 30)]:
        init = dy.StreamedInit(seed, m, 2)
        cert = dy.near_init_certificate(init, X, X_exact, y, Fraction(1, 8))
        W0, a = init.arrays()
        assert W0.shape == (m, 2) and a.shape == (m,)
        if not cert.certified:
            continue
        certified += 1
        # (up to the flow's certified end: a sliding mode stops the integration, not the certificate, whose
        # bound covers every pattern of the neurons within rho, so every Filippov combination too)
        tr, forever, _ = fl.exact_flow_forever(W0, a, X, y, 8.0, X_exact=X_exact)
        assert tr.lam_min_inf() >= cert.lam_lower
        assert tr.max_move_sup() <= Fraction(cert.rho)
    assert certified >= 2
