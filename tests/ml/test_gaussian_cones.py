"""Gaussian region moments: FACTS.md closed forms checked first, then the general reduction
against them, against exact product cones, and against Monte Carlo with a confidence interval."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import integrate

from gaussian_oracles import angle, monte_carlo_moment, sheppard_prob, wedge_moment_closed_form
from proofcheck.ml.geometry import GeometryError, gaussian_cone, plackett_orthant4


def _rot(k, rng):
    Q, _ = np.linalg.qr(rng.standard_normal((k, k)))
    return Q


# ---------------------------------------------------------------- FACTS.md, verified independently
@pytest.mark.parametrize("theta", [0.3, 1.0, 2.0, 3.0])
def test_sheppard_by_quadrature(theta):
    # P(u.g >= 0, v.g >= 0) in the plane: angular measure of the arc, integrated numerically
    u = np.array([1.0, 0.0])
    v = np.array([math.cos(theta), math.sin(theta)])
    p, _ = integrate.quad(lambda t: float(u @ [math.cos(t), math.sin(t)] >= 0 and v @ [math.cos(t), math.sin(t)] >= 0) / (2 * math.pi),
                          -math.pi, math.pi, points=[theta - math.pi / 2, math.pi / 2], limit=200)
    assert p == pytest.approx(sheppard_prob(theta), abs=1e-9)


@pytest.mark.parametrize("theta", [0.2, 1.0, 1.7, 2.9])
def test_wedge_formula_by_polar_quadrature(theta):
    # E[g g^T 1] = E[r^2] * (1/2pi) int_{arc} u u^T dt with E[r^2] = 2 (chi_2): independent of the code
    u = np.array([1.0, 0.0])
    v = np.array([math.cos(theta), math.sin(theta)])
    lo, hi = theta - math.pi / 2, math.pi / 2
    M = np.zeros((2, 2))
    for a in range(2):
        for b in range(2):
            f = lambda t: [math.cos(t), math.sin(t)][a] * [math.cos(t), math.sin(t)][b]
            M[a, b] = 2 * integrate.quad(f, lo, hi)[0] / (2 * math.pi)
    assert np.allclose(wedge_moment_closed_form(u, v), M, atol=1e-12)


def test_wedge_limits():
    u = np.array([1.0, 0.0, 0.0])
    assert np.allclose(wedge_moment_closed_form(u, 3 * u), np.eye(3) / 2)
    assert np.allclose(wedge_moment_closed_form(u, -u), 0)
    # continuity at theta -> 0 (the 1/sin singularity cancels)
    v = np.array([1.0, 1e-7, 0.0])
    assert np.allclose(wedge_moment_closed_form(u, v), np.eye(3) / 2, atol=1e-7)


def test_wedge_formula_vs_monte_carlo():
    rng = np.random.default_rng(1)
    u, v = rng.standard_normal(3), rng.standard_normal(3)
    X = rng.standard_normal((400_000, 3))
    M, P, eM, eP = monte_carlo_moment(X, [u, v])
    assert np.abs(M - wedge_moment_closed_form(u, v)).max() <= eM
    assert abs(P - sheppard_prob(angle(u, v))) <= eP


# ---------------------------------------------------------------- the general reduction
@settings(max_examples=40, deadline=None)
@given(k=st.integers(2, 6), seed=st.integers(0, 10**6))
def test_reduction_matches_wedge_closed_form(k, seed):
    rng = np.random.default_rng(seed)
    u, v = rng.standard_normal(k), rng.standard_normal(k)
    P, m1, M2, err = gaussian_cone([u, v])
    assert abs(P - sheppard_prob(angle(u, v))) <= 1e-12
    assert np.abs(M2 - wedge_moment_closed_form(u, v)).max() <= max(err, 1e-12)


def _product_cone_moments(c1, c2):
    """Exact moments of C1 x C2 from those of the factors (independent coordinates)."""
    P1, m1, M1, _ = c1
    P2, m2, M2, _ = c2
    d1, d2 = len(m1), len(m2)
    M = np.zeros((d1 + d2, d1 + d2))
    M[:d1, :d1] = M1 * P2
    M[d1:, d1:] = M2 * P1
    M[:d1, d1:] = np.outer(m1, m2)
    M[d1:, :d1] = np.outer(m2, m1)
    return P1 * P2, np.concatenate([m1 * P2, m2 * P1]), M


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), split=st.sampled_from([(2, 2), (1, 3), (3, 1), (1, 2), (2, 1)]))
def test_product_cones_exact(seed, split):
    """4-D (Plackett) and 3-D (solid angle) paths against products of lower-dimensional cones,
    then rotated: every normal is generic after the rotation."""
    rng = np.random.default_rng(seed)
    d1, d2 = split
    A1 = rng.standard_normal((d1, d1))
    A2 = rng.standard_normal((d2, d2))
    P, m, M = _product_cone_moments(gaussian_cone(A1), gaussian_cone(A2))
    A = np.zeros((d1 + d2, d1 + d2))
    A[:d1, :d1] = A1
    A[d1:, d1:] = A2
    Q = _rot(d1 + d2, rng)
    P_, m_, M_, err = gaussian_cone(A @ Q.T)  # rotated cone: moments rotate by Q
    assert abs(P_ - P) <= 1e-11 + err
    assert np.abs(Q.T @ m_ - m).max() <= 1e-11 + err
    assert np.abs(Q.T @ M_ @ Q - M).max() <= 1e-11 + err


def test_plackett_equicorrelated():
    R = np.full((4, 4), 0.5)
    np.fill_diagonal(R, 1)
    P, err = plackett_orthant4(R)
    assert abs(P - 0.2) <= 1e-13 and err < 1e-12  # known: 1/(n+1) for rho = 1/2


@pytest.mark.parametrize("eps", [1e-2, 1e-5, 1e-8])
def test_plackett_nearly_dependent(eps):
    # {x1, x2, x3 >= 0, x1 + eps x4 >= 0}: (1/4) * Sheppard(atan eps)
    A = np.eye(4)
    A[3] = [1, 0, 0, eps]
    P, err = plackett_orthant4(normals=A)
    assert abs(P - 0.25 * sheppard_prob(math.atan(eps))) <= max(err, 1e-14)


@pytest.mark.parametrize("k,r", [(3, 3), (3, 4), (4, 4), (4, 3), (5, 4)])
def test_cones_vs_monte_carlo(k, r):
    rng = np.random.default_rng(100 * k + r)
    A = rng.standard_normal((r, k))
    P, m1, M2, err = gaussian_cone(A)
    X = rng.standard_normal((300_000, k))
    M, Pm, eM, eP = monte_carlo_moment(X, A)  # 99.9% per-entry half-widths
    assert abs(P - Pm) <= eP
    assert np.abs(M - M2).max() <= eM


def test_first_moment_identity():
    # E[g 1_C] vs Monte Carlo (the facet formula of the docstring)
    rng = np.random.default_rng(7)
    A = rng.standard_normal((3, 3))
    P, m1, _, _ = gaussian_cone(A)
    X = rng.standard_normal((400_000, 3))
    ind = np.all(X @ A.T >= 0, axis=1)
    est = (X * ind[:, None]).mean(axis=0)
    se = (X * ind[:, None]).std(axis=0).max() / math.sqrt(len(X))
    assert np.abs(est - m1).max() <= 4 * se


def test_degenerate_cones():
    e = np.eye(3)
    assert gaussian_cone([e[0], -e[0]])[0] == 0.0  # a hyperplane
    P, m1, M2, _ = gaussian_cone([e[0], e[1], -(e[0] + e[1])])  # the line x1 = x2 = 0, half-line cut
    assert P == pytest.approx(0.0, abs=1e-15) and np.abs(M2).max() < 1e-12
    P, _, M2, _ = gaussian_cone([e[0], 2 * e[0]])  # duplicate direction = one half-space
    assert P == 0.5 and np.allclose(M2, np.eye(3) / 2)
    P, _, M2, _ = gaussian_cone(np.zeros((0, 3)))
    assert P == 1.0 and np.allclose(M2, np.eye(3))


def test_zero_normal_is_an_error():
    with pytest.raises(GeometryError, match="angle undefined for a zero vector"):
        gaussian_cone([[1.0, 0.0], [0.0, 0.0]])
    with pytest.raises(GeometryError, match="angle undefined for a zero vector"):
        angle([0, 0], [1, 0])
    with pytest.raises(GeometryError, match="NaN"):
        gaussian_cone([[float("nan"), 0.0]])


@pytest.mark.parametrize("e,r", [(2, 2), (2, 4), (3, 2), (3, 3), (3, 4), (4, 1), (4, 2), (4, 3), (4, 4), (5, 4)])
def test_batch_cones_equal_scalar_path(e, r):
    """The vectorised path against the scalar one, with duplicates, opposite pairs, rank drops."""
    from proofcheck.ml.geometry import batch_gaussian_cone

    rng = np.random.default_rng(10 * e + r)
    A = rng.standard_normal((60, r, e))
    if r >= 2:
        A[::7, 1] = 2.0 * A[::7, 0]
        A[::11, 1] = -A[::11, 0]
    if r >= 3:
        A[::5, 2] = A[::5, 0] + 0.5 * A[::5, 1]
    if r >= 4:
        A[::13, 3] = A[::13, 1]
    P, m1, M, err = batch_gaussian_cone(A)
    for t in range(len(A)):
        P_, m_, M_, e_ = gaussian_cone(A[t])
        tol = err[t] + e_ + 1e-12
        assert abs(P[t] - P_) <= tol and np.abs(m1[t] - m_).max() <= tol and np.abs(M[t] - M_).max() <= tol
