"""The exact event-driven gradient flow (proofcheck.ml.flow) against hand-solved flows, the stepped
Heun flow of lemmas.du2019.dynamics, and its own invariants."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.linalg
from flint import arb, ctx as flint_ctx

import stepped as sf
from proofcheck.ml import flow as fl
from proofcheck.ml import two_layer


def contains(ball: arb, x: float, slack: float = 0.0) -> bool:
    return bool((ball + arb(0, slack)).contains(arb(x))) if slack else bool(ball.contains(arb(x)))


def test_one_neuron_no_event_closed_form():
    # m = n = d = 1, w(0) = 1/2, a = 1, y = 2: H = 1, y - u(t) = 3/2 e^{-t}, w(t) = 1/2 + 3/2 (1 - e^{-t})
    tr = fl.exact_flow(np.array([[0.5]]), np.array([1.0]), np.array([[1.0]]), [Fraction(2)], 3.0)
    assert tr.status == "complete" and tr.events == []
    for t in (0.0, 0.7, 3.0):
        assert contains(tr.residual_sq_ball(t), 2.25 * math.exp(-2 * t), 1e-15)
        assert contains(tr.w_ball(0, t)[0], 0.5 + 1.5 * (1 - math.exp(-t)), 1e-15)
        assert tr.residual_sq(t) == pytest.approx(2.25 * math.exp(-2 * t), rel=1e-12)
    lo, hi = tr.lam_min_enclosures()[0][1]
    assert lo <= 1 <= hi


def test_known_crossing_at_log2_then_held_at_zero():
    # w(0) = 1, a = -1, y = 1: u(0) = -1, y - u = 2 e^{-t}, w(t) = 1 - 2(1 - e^{-t}) hits 0 at t = ln 2;
    # afterwards the neuron is inactive, w stays 0, u = 0 and y - u = 1 for ever
    tr = fl.exact_flow(np.array([[1.0]]), np.array([-1.0]), np.array([[1.0]]), np.array([1.0]), 2.0)
    assert tr.status == "complete"
    assert len(tr.events) == 1 and not tr.events[0].on
    old = flint_ctx.prec
    flint_ctx.prec = 128
    try:
        assert tr.events[0].time_ball.overlaps(arb(2).log())
        assert (tr.events[0].time_ball - arb(2).log()).abs_upper() < 1e-25
    finally:
        flint_ctx.prec = old
    assert tr.events[0].time_ball.rad() < 1e-25
    assert tr.stuck == [(0, 0, 1)]
    assert contains(tr.residual_sq_ball(1.5), 1.0, 1e-20)
    assert contains(tr.w_ball(0, 2.0)[0], 0.0, 1e-20)
    # the float path finds the same crossing
    trf = fl.exact_flow(np.array([[1.0]]), np.array([-1.0]), np.array([[1.0]]), np.array([1.0]), 2.0, rigorous=False)
    assert trf.event_times[0] == pytest.approx(math.log(2), rel=1e-12)


def test_sliding_mode_is_detected():
    # x1 = (1, 0), x2 = (-0.6, 0.8); the neuron is active on x1, turns on x2 at
    # t* = ln(0.3 / 0.26) (w^T x2 = -0.04 + 0.3 (1 - e^{-t})), and the field on x2's active side points back
    X = np.array([[1.0, 0.0], [-0.6, 0.8]])
    W0 = np.array([[1.0, 0.7]])
    y = np.array([0.5, -1.0])
    for rig in (True, False):
        tr = fl.exact_flow(W0, np.array([1.0]), X, y, 2.0, rigorous=rig)
        assert tr.status == "sliding", tr.message
        assert tr.events[0].on and tr.events[0].input == 1
        assert tr.t_end == pytest.approx(math.log(0.3 / 0.26), rel=1e-9)


@pytest.mark.parametrize("X", [np.eye(2), np.eye(3)[:, :3]])
def test_agrees_with_stepped_flow(X):
    rng = np.random.default_rng(7)
    n = X.shape[0]
    W0, a = sf.init(rng, 40, X.shape[1])
    y = rng.uniform(-1, 1, n)
    T = 6.0
    tr = fl.exact_flow(W0, a, X, y, T)
    assert tr.status == "complete", tr.message
    assert len(tr.events) > 0
    h = sf.flow(W0, a, X, y, T, 2e-3)
    assert tr.residual_sq(T) == pytest.approx(h.residual_sq[-1], rel=1e-4, abs=1e-8)
    # Heun overshoots a kink by O(h |y - u| / sqrt m) where the exact flow holds w^T x_i at 0
    assert np.max(np.abs(tr.W(T) - h.W)) < 5e-4
    assert tr.max_move(T) == pytest.approx(h.max_move[-1], rel=1e-4)
    # rigorous balls contain the float closed form
    assert contains(tr.residual_sq_ball(T), tr.residual_sq(T), 1e-12)


def test_invariants_and_float_path_agree():
    rng = np.random.default_rng(11)
    X = np.eye(2)
    W0, a = sf.init(rng, 400, 2)
    y = np.array([0.8, -0.6])
    T = 10.0
    tr = fl.exact_flow(W0, a, X, y, T)
    trf = fl.exact_flow(W0, a, X, y, T, rigorous=False)
    assert tr.status == trf.status == "complete"
    assert len(tr.events) == len(trf.events) > 0
    assert np.allclose(tr.event_times, trf.event_times, rtol=1e-9)
    # event balls are ordered and thin
    for e1, e2 in zip(tr.events, tr.events[1:]):
        assert e1.time_ball < e2.time_ball
    # loss non-increasing (H is positive semidefinite on every piece)
    ts = np.linspace(0, T, 200)
    r2 = np.array([tr.residual_sq(t) for t in ts])
    assert np.all(np.diff(r2) <= 1e-15)
    # within a piece, y - u(t) = exp(-H (t - t_k)) (y - u(t_k))
    for p in tr.pieces[:5]:
        t = p.t0 + 0.01
        if tr._piece_index(t) == tr.pieces.index(p):
            assert np.allclose(tr.residual(t), scipy.linalg.expm(-p.H * 0.01) @ p.r0, atol=1e-14)
    # predictions from the weights equal u(t)
    t = 7.3
    assert np.allclose(two_layer.predictions(tr.W(t), a, X), tr.u(t), atol=1e-12)
    # H of the weights at t is the piece's H; lambda_min enclosures contain the float value
    assert np.allclose(two_layer.predictions(W0, a, X), y - tr.pieces[0].r0)
    k = tr._piece_index(t)
    lo, hi = tr.pieces[k].lam_min_enclosure()
    assert lo <= tr.lam_min(t) <= hi
    # decay bound: sup over [0, T] of e^{lambda t}||y-u||^2/||y-u(0)||^2 brackets the sampled values
    lam = 0.5
    lo, hi, _ = tr.decay_sup(lam)
    sampled = max(math.exp(lam * t) * tr.residual_sq(t) / tr.residual_sq(0) for t in ts)
    assert float(lo) <= sampled * (1 + 1e-9) and sampled <= float(hi) * (1 + 1e-9)
    # max_move: the rigorous sup bounds the sampled values, and is not far above them
    sup = float(tr.max_move_sup())
    samples = max(tr.max_move(t) for t in ts)
    assert samples <= sup <= samples * 1.1
    assert contains(tr.max_move_ball(T), tr.max_move(T), 1e-12)


def test_wide_network_few_events():
    rng = np.random.default_rng(5)
    X = np.eye(2)
    W0, a = sf.init(rng, 20_000, 2)
    tr = fl.exact_flow(W0, a, X, np.array([0.5, -0.5]), 12.0)
    assert tr.status == "complete"
    # Lemma 2.3's point: only a vanishing fraction of the neurons ever switches
    assert 0 < len(tr.switched_neurons) < 0.02 * tr.m
    assert float(tr.decay_sup(0.5)[1]) <= 1.0 + 1e-12 or tr.decay_sup(0.5)[0] > 1


# ---------------------------------------------------------------- discrete GD (proofcheck.ml.gd_exact)
from proofcheck.ml import gd_exact as ge  # noqa: E402


def test_gd_arithmetics_agree_with_float_gd():
    rng = np.random.default_rng(2)
    X = np.array([[1.0, 0.0], [0.6, 0.8], [-0.8, 0.6]])
    y = np.array([1.0, -0.5, 0.3])
    W0, a = sf.init(rng, 16, 2)
    ref = sf.gd(W0, a, X, y, 0.1, 30)
    ex = ge.gd(W0, a, X, y, Fraction(1, 10), 30, arith="exact")
    ab = ge.gd(W0, a, X, y, Fraction(1, 10), 30, arith="arb")
    fa = ge.gd(W0, a, X, y, 0.1, 30, arith="float")
    assert ex.status == ab.status == fa.status == "complete"
    assert ex.switches == ab.switches == fa.switches
    for k in range(31):
        assert ab.residual_sq[k].overlaps(two_layer.to_arb(ex.residual_sq[k]))
        assert float(ex.residual_sq[k]) == pytest.approx(ref.residual_sq[k], rel=1e-12, abs=1e-300)
    assert np.max(np.abs(ab.W_final - ref.W)) < 1e-12
    # H(k) exact: its lambda_min enclosure brackets the float one
    lo, hi = ex.lam_min_enclosure(30)
    from proofcheck.ml import gram

    Hf = gram.h_of_weights(ref.W, X)
    assert lo <= np.linalg.eigvalsh(Hf)[0] * (1 + 1e-12) and np.linalg.eigvalsh(Hf)[0] <= hi * (1 + 1e-12)


def test_gd_exact_hand_step():
    # m = 1, n = 1, w(0) = 1, a = 1, x = 1, y = 3, eta = 1/2: u(0) = 1, w(1) = 1 + 1/2 * 2 = 2, u(1) = 2, ...
    tr = ge.gd(np.array([[1.0]]), np.array([1.0]), np.array([[1.0]]), [Fraction(3)], Fraction(1, 2), 3, arith="exact")
    assert tr.residual_sq == [4, 1, Fraction(1, 4), Fraction(1, 16)]
    # Theorem 3.1's form (1 - rate)^k ||y - u(0)||^2 - ||y - u(k)||^2: exactly 0 at rate 3/4 (the residual
    # shrinks by 1/2 per step), negative above it
    assert tr.rate_margins(Fraction(3, 4)) == [0, 0, 0, 0]
    assert tr.rate_margins(Fraction(1, 2)) == [0, 1, Fraction(3, 4), Fraction(7, 16)]
    assert all(v < 0 for v in tr.rate_margins(Fraction(4, 5))[1:])


def test_gd_exact_needs_integer_sqrt_m():
    with pytest.raises(Exception):
        ge.gd(np.ones((3, 1)), np.ones(3), np.array([[1.0]]), [1.0], 0.1, 1, arith="exact")


def test_gd_wide_grouped_matches_float_gd():
    rng = np.random.default_rng(4)
    X = np.eye(2)
    W0, a = sf.init(rng, 5000, 2)
    y = np.array([0.5, -0.5])
    ref = sf.gd(W0, a, X, y, 0.5, 40)
    tr = ge.gd(W0, a, X, y, 0.5, 40, arith="arb", move_every=40)
    assert tr.status == "complete"
    # float GD loses digits to cancellation as u -> y (residual_sq ~ 1e-10 at the end)
    assert np.allclose(tr.residual_sq_float(), ref.residual_sq, rtol=1e-8, atol=1e-300)
    assert abs(float(tr.max_move[-1][1].mid()) - ref.max_move[-1]) < 1e-13


def test_forever_certificate():
    rng = np.random.default_rng(5)
    W0, a = sf.init(rng, 2000, 2)
    tr = fl.exact_flow(W0, a, np.eye(2), np.array([0.5, -0.5]), 40.0)
    ok, why = tr.forever()
    assert ok, why
    lo, hi, _ = tr.decay_sup(0.5, forever=True)
    assert lo <= hi
    trf = fl.exact_flow(W0, a, np.eye(2), np.array([0.5, -0.5]), 12.0, rigorous=False)
    assert not trf.forever()[0]


def test_forever_refused_when_a_switch_is_still_coming():
    # the one-neuron flow crosses 0 at ln 2: a horizon of 0.5 must not be certified as final
    tr = fl.exact_flow(np.array([[1.0]]), np.array([-1.0]), np.array([[1.0]]), np.array([1.0]), 0.5)
    assert tr.events == []
    assert not tr.forever()[0]


@pytest.mark.parametrize("seed", range(6))
def test_random_configurations_float_and_arb_agree(seed):
    """Non-orthogonal unit inputs: sliding modes are common; both paths must report the same events and
    status, and the Arb balls must contain the float closed form wherever the run is certified."""
    rng = np.random.default_rng(100 + seed)
    n, d, m = 3, 2, 30
    ang = np.sort(rng.uniform(0, np.pi, n))
    X = np.stack([np.cos(ang), np.sin(ang)], axis=1)
    y = rng.uniform(-1, 1, n)
    W0, a = sf.init(rng, m, d)
    tr = fl.exact_flow(W0, a, X, y, 5.0)
    trf = fl.exact_flow(W0, a, X, y, 5.0, rigorous=False)
    assert tr.status in ("complete", "sliding", "unresolved")
    assert tr.status == trf.status
    assert len(tr.events) == len(trf.events)
    assert np.allclose(tr.event_times, trf.event_times, rtol=1e-8)
    for t in np.linspace(0, tr.t_end, 7):
        assert contains(tr.residual_sq_ball(float(t)), tr.residual_sq(float(t)), 1e-12)
    if tr.status == "complete":
        h = sf.flow(W0, a, X, y, 5.0, 1e-3)
        assert tr.residual_sq(5.0) == pytest.approx(h.residual_sq[-1], rel=1e-3, abs=1e-9)


def test_exact_rational_inputs():
    """Inputs (3/5, 4/5), (1, 0), (0, 1) are unit vectors only as rationals: the rigorous run uses them."""
    Xq = [[Fraction(3, 5), Fraction(4, 5)], [Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)]]
    X = np.array([[0.6, 0.8], [1.0, 0.0], [0.0, 1.0]])
    rng = np.random.default_rng(9)
    W0, a = sf.init(rng, 200, 2)
    y = np.array([0.4, -0.3, 0.2])
    tr = fl.exact_flow(W0, a, X, y, 3.0, X_exact=Xq)
    assert tr.G_exact[0][0] == 1 and tr.G_exact[0][1] == Fraction(3, 5)
    trf = fl.exact_flow(W0, a, X, y, 3.0, rigorous=False)
    assert tr.status == trf.status
    assert len(tr.events) == len(trf.events)
    t = min(1.0, tr.t_end)
    assert contains(tr.residual_sq_ball(t), trf.residual_sq(t), 1e-12)
    # the weights' ball at t uses the exact inputs: it contains the float weights up to float error
    wb = tr.w_ball(0, t)
    assert all(contains(wb[q], trf.W(t)[0, q], 1e-12) for q in range(2))


def test_gd_exact_rational_inputs():
    Xq = [[Fraction(3, 5), Fraction(4, 5)], [Fraction(1), Fraction(0)]]
    X = np.array([[0.6, 0.8], [1.0, 0.0]])
    rng = np.random.default_rng(12)
    W0, a = sf.init(rng, 9, 2)
    ex = ge.gd(W0, a, X, [Fraction(1, 2), Fraction(-1, 3)], Fraction(1, 4), 8, arith="exact", X_exact=Xq)
    ab = ge.gd(W0, a, X, [Fraction(1, 2), Fraction(-1, 3)], Fraction(1, 4), 8, arith="arb", X_exact=Xq)
    assert ex.G_exact[0][0] == 1
    assert ex.switches == ab.switches
    assert all(b.overlaps(two_layer.to_arb(e)) for b, e in zip(ab.residual_sq, ex.residual_sq))
    ref = sf.gd(W0, a, X, np.array([0.5, -1 / 3]), 0.25, 8)
    assert np.allclose([float(v) for v in ex.residual_sq], ref.residual_sq, rtol=1e-9)


def test_exact_flow_forever_extends_the_horizon():
    rng = np.random.default_rng(5)
    W0, a = sf.init(rng, 2000, 2)
    tr, ok, why = fl.exact_flow_forever(W0, a, np.eye(2), np.array([0.5, -0.5]), 5.0)
    assert ok, why
    assert tr.T >= 5.0 and tr.forever()[0]
    # the one-neuron flow switches at ln 2 and is then held at 0 (nothing can move): certified from T = 1 on,
    # but its residual stays 1, so the decay bound for all t cannot be decided by this route (H = 0)
    tr1, ok1, why1 = fl.exact_flow_forever(np.array([[1.0]]), np.array([-1.0]), np.array([[1.0]]), np.array([1.0]),
                                           0.5, max_T=4.0)
    assert ok1 and tr1.T == 1.0 and len(tr1.events) == 1, why1
    with pytest.raises(Exception):
        tr1.decay_sup(0.5, forever=True)


def test_zero_preactivation_at_start_does_not_hide_its_group():
    """Neuron 0 starts exactly at w^T x = 0 (active by the indicator), neuron 1 of the same group just
    above it; the group candidate of neuron 0 must not hide neuron 1. x = 1, y = -1, a = (1, 1),
    w = (0, 1/8): u(0) = 1/(8 sqrt 2), both active, d w/dt = (y - u)/sqrt 2 < 0, so neuron 0 switches off
    at t = 0 (then held at 0) and neuron 1 reaches 0 later."""
    W0 = np.array([[0.0], [0.125]])
    tr = fl.exact_flow(W0, np.array([1.0, 1.0]), np.array([[1.0]]), np.array([-1.0]), 3.0)
    trf = fl.exact_flow(W0, np.array([1.0, 1.0]), np.array([[1.0]]), np.array([-1.0]), 3.0, rigorous=False)
    assert tr.status == "complete", tr.message
    assert sorted(n for e in tr.events for n in e.neurons) == [0, 1]
    assert tr.events[0].time == 0.0 and tr.events[0].neurons == [0]
    assert len(trf.events) == 2
    assert tr.events[1].time == pytest.approx(trf.events[1].time, rel=1e-9)


def test_gd_undecidable_sign_is_reported_not_guessed():
    """w(0) = 1, a = 1, x = 1, y = -2, eta = 1/3: u(0) = 1, w(1) = 1 + (1/3)(-3) = 0 exactly. Exact arithmetic
    decides 1{0 >= 0} = 1 (the source's indicator); an Arb ball around 0 cannot, and the run says so."""
    args = (np.array([[1.0]]), np.array([1.0]), np.array([[1.0]]), [Fraction(-2)], Fraction(1, 3), 3)
    ex = ge.gd(*args, arith="exact")
    assert ex.status == "complete"
    assert ex.residual_sq[1] == 4  # u(1) = relu(0) = 0, y - u = -2
    ab = ge.gd(*args, arith="arb")
    assert ab.status == "unresolved" and ab.steps_done == 0
