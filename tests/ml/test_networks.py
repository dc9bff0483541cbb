"""Teacher-student networks: gradients three ways (direct, three-sum of block matrices, finite
differences of the population loss), Tian's closed form, block-matrix symmetry/PSD, batches."""
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from network_oracles import (forward, gd_step, grad_sample, gradient_three_sum, is_symmetric, monte_carlo_gradient,
                             population_loss, population_loss_exact, relu_kernel)
from proofcheck.ml.distributions import FiniteAtoms, Gaussian, StandardGaussian, UniformSphere
from proofcheck.ml.networks import (KLM_ALL, ModelError, batch_block_matrices, block_matrix, block_matrix_exact,
                                    gd_step_exact, gradient_three_sum_exact,
                                    population_gradient, population_gradient_exact)
from proofcheck.ml.spectral import certify_psd
from proofcheck.ml.strategies import atoms

small_int = st.integers(-3, 3)


def int_matrix(k, n):
    return st.lists(small_int, min_size=k * n, max_size=k * n).map(lambda v: np.array(v, dtype=float).reshape(k, n)).filter(
        lambda W: np.all(np.any(W != 0, axis=0)))


def test_relu_kernel_fact():
    """FACTS.md arc-cosine kernel of degree 1: E[s(a.z) s(b.z)] = |a||b|(sin t + (pi - t) cos t)/(2 pi)."""
    a, b = np.array([1.0, 2.0, 0.0]), np.array([-0.5, 1.0, 1.5])
    t = math.acos(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    expect = np.linalg.norm(a) * np.linalg.norm(b) * (math.sin(t) + (math.pi - t) * math.cos(t)) / (2 * math.pi)
    assert relu_kernel(StandardGaussian(3), a, b)[0] == pytest.approx(expect, abs=1e-12)
    assert relu_kernel(StandardGaussian(3), a, a)[0] == pytest.approx(a @ a / 2)


def test_tian_gradient_fact():
    """FACTS.md (Tian 2017), n = 1: E grad = (w - w*)/2 + (theta w* - |w*| sin(theta) w/|w|)/(2 pi)."""
    g = StandardGaussian(3)
    w, ws = np.array([[1.0], [0.5], [-0.2]]), np.array([[0.3], [1.0], [0.4]])
    th = math.acos(float(w[:, 0] @ ws[:, 0]) / np.linalg.norm(w) / np.linalg.norm(ws))
    expect = 0.5 * (w - ws) + (th * ws - np.linalg.norm(ws) * math.sin(th) * w / np.linalg.norm(w)) / (2 * math.pi)
    G, err = population_gradient(g, w, ws)
    assert np.abs(G - expect).max() <= err + 1e-12
    G3, err3 = gradient_three_sum(g, w, ws)
    assert np.abs(G3 - expect).max() <= err3 + 1e-12


@settings(max_examples=15, deadline=None)
@given(d=atoms(2, 6), W=int_matrix(2, 2), Ws=int_matrix(2, 2))
def test_atoms_gradient_direct_vs_three_sum_generic(d, W, Ws):
    """Exact identity when no atom sits on a boundary of w_j* (the decomposition double counts
    boundary points of R(w, w*) and R(w, -w*); that is the claim's business, not this test's)."""
    from fractions import Fraction

    def dot0(x, col):  # decided exactly: a float dot product can miss an exact zero
        return sum(Fraction(a) * Fraction(int(b)) for a, b in zip(x, col)) == 0

    on = any(dot0(x, Ws[:, j]) or dot0(x, W[:, j]) for x in d.atoms_q for j in range(2))
    assume(not on)
    G = population_gradient_exact(d, W, Ws)
    G3 = gradient_three_sum_exact(d, W, Ws)
    assert (G == G3).all()


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6), k=st.integers(2, 3), n=st.integers(1, 3))
def test_gaussian_gradient_direct_vs_three_sum(seed, k, n):
    rng = np.random.default_rng(seed)
    W, Ws = rng.standard_normal((k, n)), rng.standard_normal((k, n))
    G, e1 = population_gradient(StandardGaussian(k), W, Ws)
    G3, e3 = gradient_three_sum(StandardGaussian(k), W, Ws)
    assert np.abs(G - G3).max() <= e1 + e3 + 1e-12


def test_gaussian_gradient_vs_monte_carlo():
    rng = np.random.default_rng(5)
    W, Ws = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    G, _ = population_gradient(StandardGaussian(3), W, Ws)
    Gm, em = monte_carlo_gradient(StandardGaussian(3), W, Ws, rng, samples=400_000)
    assert np.abs(G - Gm).max() <= em


def test_gradient_is_derivative_of_population_loss_atoms():
    """Exact atoms: central differences of the exact loss equal the exact gradient away from kinks
    (the loss is a quadratic polynomial of W on each cell, so the central difference is exact)."""
    d = FiniteAtoms([[1, 2], [-1, 1], [2, -1], [1, 1]], [1, 2, 3, 1])
    W = np.array([[Fraction(3, 2), Fraction(-1, 3)], [Fraction(1, 5), Fraction(2, 1)]], dtype=object)
    Ws = np.array([[Fraction(1), Fraction(1, 2)], [Fraction(-1, 2), Fraction(1)]], dtype=object)
    G = population_gradient_exact(d, W, Ws)
    h = Fraction(1, 10**6)
    for a in range(2):
        for i in range(2):
            Wp, Wm = W.copy(), W.copy()
            Wp[a, i] += h
            Wm[a, i] -= h
            fd = (population_loss_exact(d, Wp, Ws) - population_loss_exact(d, Wm, Ws)) / (2 * h)
            assert fd == G[a, i]


def test_gradient_is_derivative_of_population_loss_gaussian():
    rng = np.random.default_rng(2)
    g = StandardGaussian(3)
    W, Ws = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    G, _ = population_gradient(g, W, Ws)
    h = 1e-5
    for a in range(3):
        for i in range(2):
            Wp, Wm = W.copy(), W.copy()
            Wp[a, i] += h
            Wm[a, i] -= h
            fd = (population_loss(g, Wp, Ws)[0] - population_loss(g, Wm, Ws)[0]) / (2 * h)
            assert fd == pytest.approx(G[a, i], abs=1e-8)


def test_sample_gradient_matches_exact():
    d = FiniteAtoms([[1, 2], [-1, 1], [2, -1]], [1, 2, 3])
    W = np.array([[1.5, -0.25], [0.5, 2.0]])
    Ws = np.array([[1.0, 0.5], [-0.5, 1.0]])
    Gs = sum(p * grad_sample(W, Ws, x) for x, p in zip(d.atoms, d.weights))
    assert np.allclose(Gs, population_gradient_exact(d, W, Ws).astype(float))


def test_printed_vs_appendix_model():
    W = np.array([[1.0, 2.0, 0.5], [0.0, 1.0, -1.0]])  # k = 2 inputs, n = 3 neurons
    z = np.array([1.0, 1.0])
    assert forward(W, z, "appendix") == pytest.approx((1 + 3 + 0) / 3)
    assert forward(W, z, "printed") == pytest.approx((1 + 3) / 2)  # sums w_1..w_k only
    with pytest.raises(ModelError, match="only n = 1 < k = 2"):
        forward(W[:, :1], z, "printed")
    with pytest.raises(ModelError, match="NaN"):
        forward(np.array([[float("nan")], [1.0]]), z)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), k=st.integers(2, 4), n=st.integers(1, 3))
def test_B000_symmetric_psd_gaussian(seed, k, n):
    rng = np.random.default_rng(seed)
    W, Ws = rng.standard_normal((k, n)), rng.standard_normal((k, n))
    B, err = block_matrix(StandardGaussian(k), W, Ws, 0, 0, 0)
    assert is_symmetric(B, tol=2 * err + 1e-14)
    assert np.linalg.eigvalsh(B)[0] >= -n * k * err - 1e-13
    B101, err = block_matrix(StandardGaussian(k), W, Ws, 1, 0, 1)
    assert is_symmetric(B101, tol=2 * err + 1e-14)


@settings(max_examples=20, deadline=None)
@given(d=atoms(2, 5), W=int_matrix(2, 2), Ws=int_matrix(2, 2))
def test_B000_symmetric_psd_atoms_exact(d, W, Ws):

    B = block_matrix_exact(d, W, Ws, 0, 0, 0)
    assert is_symmetric(B)
    assert certify_psd(B).psd
    assert is_symmetric(block_matrix_exact(d, W, Ws, 1, 0, 1))
    assert np.allclose(block_matrix(d, W, Ws, 0, 0, 0)[0], B.astype(float))


def test_B001_not_symmetric_in_general():
    rng = np.random.default_rng(0)
    W, Ws = rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
    B, _ = block_matrix(StandardGaussian(2), W, Ws, 0, 0, 1)
    assert not is_symmetric(B, tol=1e-8)


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("dist", [StandardGaussian(2), StandardGaussian(3), UniformSphere(2),
                                  Gaussian([[2.0, 0.3], [0.3, 0.5]]), StandardGaussian(4),
                                  FiniteAtoms([[1, 0], [1, 2], [-1, 1], [0, -1]], [1, 2, 3, 4])])
def test_batch_equals_one_at_a_time(dist, n):
    rng = np.random.default_rng(3)
    k = dist.dim
    Ws, Wss = rng.standard_normal((7, k, n)), rng.standard_normal((7, k, n))
    Wss[0] = Ws[0]  # angle 0: boundaries of w and w* coincide
    out = batch_block_matrices(dist, Ws, Wss)
    for t in range(7):
        for klm in KLM_ALL:
            B, e = _blocks_one_by_one(dist, Ws[t], Wss[t], *klm)  # scalar region moments, block by block
            assert np.abs(out[klm][t] - B).max() <= out["err"] + e + 1e-13, (t, klm)
            B2, e2 = block_matrix(dist, Ws[t], Wss[t], *klm)
            assert np.abs(B2 - B).max() <= e2 + e + 1e-13, (t, klm)


def _blocks_one_by_one(dist, W, Ws, k, l, m):
    d, n = W.shape
    B = np.zeros((n * d, n * d))
    err = 0.0
    for i in range(n):
        for j in range(n):
            A = np.stack([W[:, i], (-1) ** k * Ws[:, i], (-1) ** l * W[:, j], (-1) ** m * Ws[:, j]])
            M, e = dist.second_moment_region(A)
            B[i * d:(i + 1) * d, j * d:(j + 1) * d] = M
            err = max(err, e)
    return B / n**2, err / n**2


def test_gd_step_exact_decreases_loss_for_small_eta():
    d = FiniteAtoms([[1, 2], [-1, 1], [2, -1], [1, 1]], [1, 2, 3, 1])
    W = np.array([[Fraction(3, 2)], [Fraction(1, 5)]], dtype=object)
    Ws = np.array([[Fraction(1)], [Fraction(-1, 2)]], dtype=object)
    W1 = gd_step_exact(d, W, Ws, Fraction(1, 10))
    assert population_loss_exact(d, W1, Ws) < population_loss_exact(d, W, Ws)
    Wf, _ = gd_step(d, W.astype(float), Ws.astype(float), 0.1)
    assert np.allclose(Wf, W1.astype(float))


@pytest.mark.parametrize("k", [3, 4])
def test_tiny_angles_error_bound_is_honest(k):
    """B_100 ~ c * phi as phi -> 0; at tiny angles the computed value may be inaccurate, but never
    by more than the stated error (plus the O(phi^2) curvature of the limit)."""
    from proofcheck.ml.networks import config_at_angle

    rng = np.random.default_rng(3)
    g = StandardGaussian(k)
    Ws, U = rng.standard_normal((k, 2)), rng.standard_normal((k, 2))
    ref = 1e-4
    c = block_matrix(g, config_at_angle(Ws, ref, U), Ws, 1, 0, 0)[0] / ref
    for phi in (1e-6, 1e-8, 1e-10):
        B, err = block_matrix(g, config_at_angle(Ws, phi, U), Ws, 1, 0, 0)
        assert np.abs(B - c * phi).max() <= err + 10 * ref * phi


def test_arb_cone_cases():
    from proofcheck.ml.geometry import gaussian_cone2_arb
    from proofcheck.model.num import arb_endpoints

    half = gaussian_cone2_arb([[1, 0], [2, 0]])
    assert arb_endpoints(half[0][0]) == (Fraction(1, 2), Fraction(1, 2))
    flat = gaussian_cone2_arb([[1, 0], [-1, 0], [0, 1]])
    assert arb_endpoints(flat[1][1]) == (0, 0)
    quad = gaussian_cone2_arb([[1, 0], [0, 1], [1, 1]])  # the quadrant; (1,1) redundant
    lo, hi = arb_endpoints(quad[0][0])
    assert lo <= Fraction(1, 4) <= hi and hi - lo < Fraction(1, 10**15)
