"""Gram matrices: closed form vs Monte Carlo, PSD, lambda_0 > 0, rigorous bounds, the ball adversary."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from proofcheck.ml import datasets as ds
import stepped as sf
from proofcheck.ml import gram
from proofcheck.ml import two_layer

import gram_oracles as oracles


@settings(max_examples=8, deadline=None)
@given(ds.datasets(n=st.integers(2, 4)), st.integers(0, 2**31))
def test_closed_form_h_inf_matches_monte_carlo(D, seed):
    """FACTS.md's arc-cosine kernel against the definition, sampled (5 standard errors)."""
    samples = 200_000
    mc = oracles.h_inf_monte_carlo(D.X, samples, np.random.default_rng(seed))
    se = 0.5 / np.sqrt(samples)
    assert np.max(np.abs(mc - gram.h_inf(D.X))) < 5 * se + 1e-12


@settings(max_examples=20, deadline=None)
@given(ds.datasets(n=st.integers(1, 5)))
def test_h_inf_is_psd_with_half_diagonal(D):
    H = gram.h_inf(D.X)
    assert np.allclose(np.diag(H), 0.5)
    assert np.allclose(H, H.T)
    assert np.linalg.eigvalsh(H)[0] >= -1e-12


@settings(max_examples=15, deadline=None)
@given(ds.datasets(n=st.integers(2, 4), kinds=("parallel", "clustered", "random")))
def test_lambda0_is_certified_positive_for_non_parallel_inputs(D):
    G = D.gram_exact()
    if any(abs(G[i][j]) == 1 for i in range(D.n) for j in range(i + 1, D.n)):
        return
    lo, hi = gram.lambda0_enclosure(G)
    assert 0 < lo <= hi
    assert hi - lo <= 1e-6 * hi + 1e-15


def test_duplicate_inputs_make_h_inf_singular():
    x = [Fraction(3, 5), Fraction(4, 5)]
    G = [[sum(a * b for a, b in zip(p, q)) for q in (x, x)] for p in (x, x)]
    lo, hi = gram.lambda0_enclosure(G)
    assert lo <= 0 and hi < 1e-15


def test_lambda0_enclosure_is_tight_and_brackets_the_float_value():
    D = ds.make(np.random.default_rng(2), 4, 3, "random")
    lo, hi = gram.lambda0_enclosure(D.gram_exact())
    assert float(lo) <= gram.lambda0(D.X) + 1e-12 and gram.lambda0(D.X) - 1e-12 <= float(hi)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31), st.integers(1, 4))
def test_spectral_norm_at_most_frobenius(seed, n):
    A = np.random.default_rng(seed).standard_normal((n, n))
    A = A + A.T
    assert np.linalg.norm(A, 2) <= np.linalg.norm(A, "fro") + 1e-12


def test_h_of_weights_exact_and_float_agree():
    D = ds.make(np.random.default_rng(3), 3, 3, "random")
    W, _ = sf.init(np.random.default_rng(4), 50, 3)
    S = two_layer.activations(W, D.X)
    He = gram.h_exact(S, D.gram_exact())
    assert np.allclose(np.array(He, dtype=float), gram.h_of_weights(W, D.X), atol=1e-15)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31), st.floats(0.01, 2.0))
def test_flippable_matches_the_ball_extremes(seed, R):
    """The event A_ir: a w in the closed ball flips the activation iff -R <= s < R (brute force: the
    extreme points w0 -+ R x are the best attempts)."""
    rng = np.random.default_rng(seed)
    D = ds.make(rng, 3, 3, "random")
    W0 = rng.standard_normal((200, 3))
    F = gram.flippable(W0, D.X, R)
    s = W0 @ D.X.T
    up, down = (s + R) >= 0, (s - R) >= 0  # activations at w0 + R x and w0 - R x
    brute = (up != (s >= 0)) | (down != (s >= 0))
    assert np.array_equal(F, brute)


def test_worst_in_ball_stays_in_the_ball_and_lowers_lambda_min():
    rng = np.random.default_rng(5)
    D = ds.make(rng, 3, 3, "random")
    W0, _ = sf.init(rng, 3000, 3)
    R = 0.05
    W, lam = gram.min_lambda_in_ball(W0, D.X, R)
    assert np.max(np.linalg.norm(W - W0, axis=1)) <= R
    assert lam < gram.lambda_min(gram.h_of_weights(W0, D.X))
    assert oracles.pattern_changes(W0, W, D.X) > 0


def test_pair_reachability_agrees_with_the_adversary():
    rng = np.random.default_rng(6)
    D = ds.make(rng, 3, 3, "random")
    W0, _ = sf.init(rng, 2000, 3)
    R = 0.1
    sup = gram.sup_entry_change(W0, D.X, R)
    best = 0.0
    for sgn in (1, -1):
        S = np.zeros((3, 3))
        S[0, 1] = S[1, 0] = sgn
        W = oracles.max_entry_change_in_ball(W0, D.X, R, S)
        assert np.max(np.linalg.norm(W - W0, axis=1)) <= R
        best = max(best, abs((gram.h_of_weights(W, D.X) - gram.h_of_weights(W0, D.X))[0, 1]))
    assert best == pytest.approx(sup[0, 1], rel=1e-12)


# ---------------------------------------------------------------- H(0) through its exact law; the ball exactly
from proofcheck.ml import du_strategies as dst


@settings(max_examples=6, deadline=None)
@given(dst.datasets(n=st.integers(1, 3)), st.integers(0, 2**31))
def test_orthant_probabilities_match_the_definition(D, seed):
    """Closed-form orthant probabilities (Sheppard, the trivariate formula) against sampled neurons."""
    G = np.array(D.gram_exact(), dtype=float)
    p = gram.orthant_probabilities(G)
    assert p.shape == (2**D.n,) and abs(p.sum() - 1) < 1e-12 and np.all(p >= 0)
    samples = 200_000
    W = np.random.default_rng(seed).standard_normal((samples, D.d))
    k = (W @ D.X.T >= 0).astype(int) @ (1 << np.arange(D.n))
    freq = np.bincount(k, minlength=2**D.n) / samples
    assert np.max(np.abs(freq - p)) < 5 * 0.5 / np.sqrt(samples)


@settings(max_examples=5, deadline=None)
@given(dst.datasets(n=st.integers(1, 3)), st.integers(0, 2**31))
def test_h0_by_law_has_the_law_of_sampled_neurons(D, seed):
    """Multinomial pattern counts give H(0) with mean H^inf and the same spread as neuron-by-neuron draws."""
    rng = np.random.default_rng(seed)
    G = np.array(D.gram_exact(), dtype=float)
    m, count = 50, 4000
    by_law = oracles.sample_h0_by_law(rng, G, m, count)
    direct = np.stack([gram.h_of_weights(rng.standard_normal((m, D.d)), D.X) for _ in range(count)])
    Hinf = gram.h_inf(D.X)
    se = 0.5 / np.sqrt(m * count)
    assert np.max(np.abs(by_law.mean(axis=0) - Hinf)) < 6 * se
    assert np.max(np.abs(by_law.std(axis=0) - direct.std(axis=0))) < 0.01


@settings(max_examples=10, deadline=None)
@given(dst.datasets(n=st.integers(2, 3)), dst.initialisations(), st.integers(1, 30),
       dst.dyadic_in(Fraction(1, 64), 2))
def test_exact_reachability_agrees_with_the_float_one(D, init, m, R):
    """The exact (rational) plus/minus reachability and flip events agree with the float versions away
    from ties, and every neuron that can move H_ij flips one of its two activations (s3's first step)."""
    W0, _ = init.weights(m, D.d)
    Wq = [[Fraction(float(v)) for v in row] for row in W0]
    for i in range(D.n):
        fi = gram.flippable_exact(Wq, D.X_exact[i], R)
        assert fi == list(gram.flippable(W0, D.X, float(R))[:, i])
        for j in range(i + 1, D.n):
            plus, minus = gram.pair_change_reachable_exact(Wq, D.X_exact[i], D.X_exact[j], R)
            fp, fm = gram.pair_change_reachable(W0, D.X[i], D.X[j], float(R))
            assert plus == list(fp) and minus == list(fm)
            fj = gram.flippable_exact(Wq, D.X_exact[j], R)
            assert all(a or b for a, b, p, q in zip(fi, fj, plus, minus) if p or q)
