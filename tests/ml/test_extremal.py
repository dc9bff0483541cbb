"""The extremal quantity m_min: Gaussian closed forms (n = 1), the side an optimised estimate errs on,
exact enumeration for k = 2."""
import math
from fractions import Fraction

import numpy as np
import pytest

from proofcheck.ml.distributions import FiniteAtoms, StandardGaussian
from gaussian_oracles import angle, gaussian_wedge_eigs, wedge_moment_closed_form
from proofcheck.ml.extremal import Estimate, m_min
from proofcheck.ml.geometry import GeometryError, wedge_moment_arb
from proofcheck.ml.networks import block_matrix, block_matrix_exact, config_at_angle
from proofcheck.ml.spectral import lam_min
from proofcheck.model.num import arb_endpoints


@pytest.mark.parametrize("phi", [1e-6, 0.3, 1.0, math.pi / 2 - 1e-3, 2.5])
def test_gaussian_n1_closed_forms_k2_exact(phi):
    g = StandardGaussian(2)
    ws = np.array([[2.0], [-1.0]])
    lo, _, _ = gaussian_wedge_eigs(phi)
    e = m_min(g, phi, ws)
    assert e.side == "exact" and abs(e.value - lo) <= e.err + 1e-12


def test_gaussian_n1_k3_optimised_sides():
    g = StandardGaussian(3)
    ws = np.array([[1.0], [0.5], [-0.3]])
    phi = 0.8
    lo, _, _ = gaussian_wedge_eigs(phi)
    emin = m_min(g, phi, ws, restarts=2)
    assert emin.side == "upper"
    # rotation invariance: every configuration has the same spectrum, so the estimate is sharp
    assert emin.value == pytest.approx(lo, abs=1e-10)
    assert angle(emin.argbest[:, 0], ws[:, 0]) == pytest.approx(phi)


def test_optimised_min_finds_the_least_grid_cell():
    """k = 3 atoms: the optimised min (an upper bound of the true min) reaches the least value over a
    dense grid of the configurations."""
    d = FiniteAtoms([[1, 0, 0], [0, 1, 1], [1, -1, 2], [-1, 2, 1], [2, 1, -1]], [1, 2, 1, 3, 1])
    ws = np.array([[1.0], [0.0], [0.0]])
    phi = 0.7
    est = m_min(d, phi, ws, restarts=3)
    grid = []
    for t in np.linspace(0, 2 * math.pi, 721):
        W = config_at_angle(ws, phi, np.array([[0.0], [math.cos(t)], [math.sin(t)]]))
        grid.append(lam_min(block_matrix(d, W, ws, 0, 0, 0)[0]))
    assert est.side == "upper"
    assert est.value <= min(grid) + 1e-9  # the optimiser found the least cell


def test_exact_block_at_a_rational_angle():
    d = FiniteAtoms([[3, 4], [-4, 3], [1, 0], [0, 1]], [1, 1, 2, 1])
    ws = np.array([[Fraction(1)], [Fraction(0)]], dtype=object)
    # w = (3, 4)/5: atoms (3,4) [inside], (1,0) [inside], (0,1) [on the boundary w*.z = 0: counts],
    # (-4,3) [w.z = 0 but w*.z < 0: outside]; weights 1/5, 2/5, 1/5, 1/5
    W = np.array([[Fraction(3, 5)], [Fraction(4, 5)]], dtype=object)
    Bq = block_matrix_exact(d, W, ws, 0, 0, 0)
    assert Bq[1, 1] == Fraction(16, 5) + Fraction(1, 5)
    assert Bq[0, 0] == Fraction(9, 5) + Fraction(2, 5)


def test_estimate_json():
    e = Estimate(2.0, "lower", 0.1)
    assert Estimate.from_json(e.to_json()) == Estimate(2.0, "lower", 0.1)
    with pytest.raises(ValueError):
        Estimate(1.0, "sideways")


def test_bad_angles():
    g = StandardGaussian(2)
    with pytest.raises(GeometryError, match="outside"):
        m_min(g, 4.0, np.array([[1.0], [0.0]]))
    with pytest.raises(GeometryError, match="zero vector"):
        m_min(g, 1.0, np.array([[0.0], [0.0]]))


def test_wedge_moment_arb_encloses_float():
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
