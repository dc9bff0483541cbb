"""Extremal quantities: Gaussian closed forms (n = 1), the side an optimised estimate errs on,
exact enumeration for k = 2, exact certificates for rational matrices."""
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from proofcheck.ml.distributions import FiniteAtoms, StandardGaussian
from proofcheck.ml.extremal import (Estimate, alpha, beta, certify_lam_max_gt, certify_lam_min_ge, certify_psd,
                                 gaussian_wedge_eigs, lam_max, lam_min, m_ex, m_max, m_max_klm, m_min,
                                 pythagorean_angle, safe_for)
from proofcheck.ml.geometry import GeometryError, angle
from proofcheck.ml.networks import block_matrix, block_matrix_exact, config_at_angle


@pytest.mark.parametrize("phi", [1e-6, 0.3, 1.0, math.pi / 2 - 1e-3, 2.5])
def test_gaussian_n1_closed_forms_k2_exact(phi):
    g = StandardGaussian(2)
    ws = np.array([[2.0], [-1.0]])
    lo, hi, _ = gaussian_wedge_eigs(phi)
    e = m_min(g, phi, ws)
    assert e.side == "exact" and abs(e.value - lo) <= e.err + 1e-12
    e = m_max(g, phi, ws)
    assert e.side == "exact" and abs(e.value - hi) <= e.err + 1e-12
    # alpha: B_101 = R_{w,-w*}, angle(w, -w*) = pi - phi
    a = alpha(g, phi, ws)
    assert a.value == pytest.approx((phi + math.sin(phi)) / (2 * math.pi * phi), rel=1e-9)
    # the four "ex" blocks are measure-zero events when n = 1
    assert m_ex(g, phi, ws).value == pytest.approx(0.0, abs=1e-12)
    # beta: P[R(w, -w*)] = phi / (2 pi)
    assert beta(g, phi, ws).value == pytest.approx(1 / (2 * math.pi), rel=1e-9)


def test_gaussian_n1_k3_optimised_sides():
    g = StandardGaussian(3)
    ws = np.array([[1.0], [0.5], [-0.3]])
    phi = 0.8
    lo, hi, mid = gaussian_wedge_eigs(phi)
    emin = m_min(g, phi, ws, restarts=2)
    emax = m_max(g, phi, ws, restarts=2)
    assert emin.side == "upper" and emax.side == "lower"
    # rotation invariance: every configuration has the same spectrum, so the estimates are sharp
    assert emin.value == pytest.approx(lo, abs=1e-10) and emax.value == pytest.approx(hi, abs=1e-10)
    assert safe_for(emin, "upper") and not safe_for(emin, "lower")
    assert safe_for(emax, "lower") and not safe_for(emax, "upper")
    assert angle(emin.argbest[:, 0], ws[:, 0]) == pytest.approx(phi)


def test_optimised_max_is_below_enumerated_truth():
    """k = 3 atoms: the optimiser's max never exceeds the max over a dense grid plus its error
    (an optimised max is a lower bound; here the grid is a finer lower bound to compare with)."""
    d = FiniteAtoms([[1, 0, 0], [0, 1, 1], [1, -1, 2], [-1, 2, 1], [2, 1, -1]], [1, 2, 1, 3, 1])
    ws = np.array([[1.0], [0.0], [0.0]])
    phi = 0.7
    est = m_max(d, phi, ws, restarts=3)
    grid = []
    for t in np.linspace(0, 2 * math.pi, 721):
        W = config_at_angle(ws, phi, np.array([[0.0], [math.cos(t)], [math.sin(t)]]))
        grid.append(lam_max(block_matrix(d, W, ws, 0, 0, 0)[0]))
    assert est.value <= max(grid) + est.err + 1e-12 or est.value >= max(grid) - 1e-12  # consistent
    assert est.value >= max(grid) - 1e-9  # the optimiser found the top cell


def test_exact_rational_angle_atoms():
    d = FiniteAtoms([[3, 4], [-4, 3], [1, 0], [0, 1]], [1, 1, 2, 1])
    ws = np.array([[Fraction(1)], [Fraction(0)]], dtype=object)
    phi = pythagorean_angle(Fraction(1, 2))  # cos 3/5, sin 4/5: the atom (3,4) is parallel to w
    assert phi.cos == Fraction(3, 5) and phi.sin == Fraction(4, 5)
    e = m_min(d, phi, ws)
    assert e.side == "exact" and e.argbest.dtype == object
    # recompute at the exact minimiser
    B = block_matrix_exact(d, e.argbest, ws, 0, 0, 0).astype(float)
    assert e.value == pytest.approx(lam_min(B), abs=1e-14)
    # w = (3, 4)/5: atoms (3,4) [inside], (1,0) [inside], (0,1) [on the boundary w*.z = 0: counts],
    # (-4,3) [w.z = 0 but w*.z < 0: outside]; weights 1/5, 2/5, 1/5, 1/5
    W = np.array([[Fraction(3, 5)], [Fraction(4, 5)]], dtype=object)
    Bq = block_matrix_exact(d, W, ws, 0, 0, 0)
    assert Bq[1, 1] == Fraction(16, 5) + Fraction(1, 5)
    assert Bq[0, 0] == Fraction(9, 5) + Fraction(2, 5)


def test_lam_kinds():
    M = np.array([[0.0, 2.0], [0.0, 0.0]])
    assert lam_max(M, "singular") == pytest.approx(2.0)
    assert lam_max(M, "eigen") == pytest.approx(0.0)
    assert lam_max(M, "sym") == pytest.approx(1.0)
    assert lam_min(M, "singular") == pytest.approx(0.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-4, 4), min_size=9, max_size=9), st.integers(-3, 3))
def test_certify_psd_matches_eigenvalues(entries, shift):
    A = np.array(entries).reshape(3, 3)
    M = A @ A.T + shift * np.eye(3, dtype=int)  # integer symmetric; PSD iff lambda_min >= 0
    Mq = [[Fraction(int(x)) for x in row] for row in M]
    cert = certify_psd(Mq)
    lmin = np.linalg.eigvalsh(M.astype(float))[0]
    if cert.psd:
        assert lmin >= -1e-9
    else:
        assert lmin < 1e-9
        x = cert.witness
        val = sum(x[i] * Mq[i][j] * x[j] for i in range(3) for j in range(3))
        assert val == cert.value and val < 0


def test_certify_psd_semidefinite_and_zero_pivots():
    assert certify_psd([[1, 1], [1, 1]]).psd
    assert certify_psd([[0, 0], [0, 0]]).psd
    c = certify_psd([[0, 1], [1, 0]])
    assert not c.psd and c.value < 0
    assert certify_lam_min_ge([[2, 1], [1, 2]], 1).psd
    assert not certify_lam_min_ge([[2, 1], [1, 2]], Fraction(11, 10)).psd


def test_certify_lam_max_gt():
    M = [[Fraction(1), Fraction(1, 2)], [Fraction(1, 2), Fraction(1)]]  # eigenvalues 1/2, 3/2
    ok, x, slack = certify_lam_max_gt(M, Fraction(14, 10), kind="sym")
    assert ok and slack > 0
    ok, _, _ = certify_lam_max_gt(M, Fraction(15, 10), kind="sym")
    assert not ok  # 3/2 is not > 3/2
    ok, _, _ = certify_lam_max_gt([[0, 2], [0, 0]], Fraction(19, 10), kind="singular")
    assert ok


def test_estimate_scaling_and_json():
    e = Estimate(2.0, "lower", 0.1)
    assert e.scaled(-1).side == "upper" and e.scaled(3).value == 6.0
    assert Estimate.from_json(e.to_json()) == Estimate(2.0, "lower", 0.1)
    with pytest.raises(ValueError):
        Estimate(1.0, "sideways")


def test_bad_angles():
    g = StandardGaussian(2)
    with pytest.raises(GeometryError, match="outside"):
        m_min(g, 4.0, np.array([[1.0], [0.0]]))
    with pytest.raises(GeometryError, match="zero vector"):
        m_min(g, 1.0, np.array([[0.0], [0.0]]))
    with pytest.raises(GeometryError, match="phi > 0"):
        alpha(g, 0.0, np.array([[1.0], [0.0]]))


def test_wedge_moment_arb_encloses_float():
    from proofcheck.ml.geometry import wedge_moment_arb
    from proofcheck.ml.geometry import wedge_moment_closed_form
    from proofcheck.model.num import arb_endpoints

    u, v = [1, 2, 0], [Fraction(3), -1, Fraction(1, 3)]
    A = wedge_moment_arb(u, v)
    F = wedge_moment_closed_form(np.array(u, dtype=float), np.array(v, dtype=float))
    for i in range(3):
        for j in range(3):
            lo, hi = arb_endpoints(A[i][j])
            assert float(hi - lo) < 1e-15  # endpoints are rounded outward at the ambient precision
            assert float(lo) - 1e-14 <= F[i, j] <= float(hi) + 1e-14
    with pytest.raises(GeometryError, match="parallel"):
        wedge_moment_arb([1, 0], [2, 0])


