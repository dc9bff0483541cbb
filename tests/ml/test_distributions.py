"""Input distributions: reductions to the standard Gaussian verified by Monte Carlo, exact atoms,
JSON round trips and one-line errors for bad input."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from proofcheck.store.codec import decode, encode
from proofcheck.ml.distributions import FiniteAtoms, Gaussian, StandardGaussian, UniformSphere
from gaussian_oracles import monte_carlo_moment
from proofcheck.ml.geometry import GeometryError
from proofcheck.ml.linalg_exact import rational_unit_vector
from proofcheck.ml.strategies import atoms, gaussians, unit_atoms
from proofcheck.model.num import NumericError


def _mc_agrees(dist, A, n=300_000, seed=0):
    rng = np.random.default_rng(seed)
    X = dist.sample(rng, n)
    M, _, eM, _ = monte_carlo_moment(X, A)
    Mx, err = dist.second_moment_region(A)
    assert np.abs(M - Mx).max() <= eM + err, (M, Mx, eM)


def test_sphere_scaling_fact():
    """FACTS.md: uniform on S^{k-1} has Gaussian angles and second moments scaled by 1/k."""
    k = 3
    rng = np.random.default_rng(0)
    A = rng.standard_normal((2, k))
    s, g = UniformSphere(k), StandardGaussian(k)
    assert np.allclose(s.second_moment_region(A)[0], g.second_moment_region(A)[0] / k)
    _mc_agrees(s, A)  # the scaling itself, checked by sampling the sphere


def test_anisotropic_gaussian_whitening():
    cov = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]])
    d = Gaussian(cov)
    _mc_agrees(d, np.array([[1.0, -0.5, 0.2], [0.3, 1.0, 1.0]]))
    _mc_agrees(d, np.array([[1.0, -0.5, 0.2], [0.3, 1.0, 1.0], [0.0, -1.0, 1.0]]), seed=3)


def test_atoms_exact_and_boundary_counts():
    d = FiniteAtoms([[1, 0], [0, 1], [1, 1]], [1, 2, 1])
    M = d.second_moment_region([[1, 0]])[0]  # (0, 1) lies on the boundary and counts
    assert np.allclose(M, [[1 / 2, 1 / 4], [1 / 4, 3 / 4]])
    assert d.prob_region_exact([[1, 0], [-1, 0]]) == Fraction(1, 2)  # the atom (0,1) only


def test_float_normals_on_a_boundary():
    # 0.1 is not 1/10: the normal as stored decides, exactly
    d = FiniteAtoms([[1, -1]], [1])
    a = [0.1, 0.1]
    assert d.prob_region_exact([a]) == 1
    assert d.second_moment_region([a])[0][0, 0] == 1


def test_unit_norm_atoms_are_exact():
    for t in ([Fraction(1, 2)], [Fraction(1, 3), Fraction(2, 5)], [0, 0, 0]):
        x = rational_unit_vector(t)
        assert sum(c * c for c in x) == 1


@settings(max_examples=10, deadline=None)
@given(d=unit_atoms(3, 4))
def test_unit_norm_strategy(d):
    assert d.is_unit_norm()


@settings(max_examples=25, deadline=None)
@given(d=st.one_of(gaussians(2), st.just(UniformSphere(2)), atoms(2, 4), unit_atoms(2, 4)))
def test_json_round_trip(d):
    back = decode(encode(d))
    assert back == d
    A = np.array([[1.0, 0.25], [0.5, -1.0]])
    assert np.allclose(back.second_moment_region(A)[0], d.second_moment_region(A)[0])


@settings(max_examples=20, deadline=None)
@given(d=st.one_of(gaussians(3), st.just(UniformSphere(3)), atoms(3, 5)))
def test_region_moments_psd_and_bounded(d):
    A = np.array([[1.0, 0.5, 0.0], [0.0, 1.0, -0.5]])
    M, err = d.second_moment_region(A)
    assert np.linalg.eigvalsh((M + M.T) / 2)[0] >= -10 * err - 1e-12
    # a region moment never exceeds the whole space's (E zz^T 1{R} <= E zz^T 1{R^k})
    full, full_err = d.second_moment_region(np.zeros((0, 3)))
    assert np.linalg.eigvalsh(full - M)[0] >= -10 * (err + full_err) - 1e-12


@pytest.mark.parametrize("make", [
    lambda: FiniteAtoms([[1, 0]], [0]),
    lambda: FiniteAtoms([[1, 0], [0, 1]], [1, -1]),
    lambda: FiniteAtoms([], []),
    lambda: FiniteAtoms([[float("nan"), 0]], [1]),
    lambda: Gaussian([[1, 0], [0, float("nan")]]),
    lambda: Gaussian([[1, 2], [2, 1]]),
])
def test_bad_distributions_one_line_errors(make):
    with pytest.raises(NumericError) as exc:
        make()
    assert isinstance(exc.value, ValueError) and "\n" not in str(exc.value)


def test_bad_normals():
    g = StandardGaussian(2)
    with pytest.raises(GeometryError, match="angle undefined for a zero vector"):
        g.second_moment_region([[0.0, 0.0]])
    with pytest.raises(GeometryError, match="dimension"):
        g.second_moment_region([[1.0, 0.0, 0.0]])
    with pytest.raises(GeometryError, match="zero vector"):
        FiniteAtoms([[1, 0]]).prob_region_exact([[0, 0]])


def test_exact_normals_stay_exact():
    d = FiniteAtoms([[3, -1]], [1])
    third = Fraction(1, 3)
    # 3 * (1/3) - 1 = 0 exactly: on the boundary, inside; as a float 1/3 rounds down -> outside
    assert d.prob_region_exact(np.array([[third, Fraction(1)]], dtype=object)) == 1
    assert d.prob_region_exact([[1 / 3, 1.0]]) == 0
    with pytest.raises(GeometryError, match="zero vector"):
        d.prob_region_exact(np.array([[Fraction(0), Fraction(0)]], dtype=object))
