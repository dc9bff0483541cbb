"""Input distributions: reductions to the standard Gaussian verified by Monte Carlo, exact atoms,
JSON round trips and one-line errors for bad input."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from proofcheck.store.codec import decode, encode
from proofcheck.ml.distributions import (FiniteAtoms, Gaussian, Mixture, StandardGaussian, StudentT,
                                      UniformSphere, distributions, finite_atoms, rational_direction,
                                      rational_unit_vector, unit_atoms, unit_norm_atoms)
from proofcheck.ml.geometry import GeometryError, monte_carlo_moment, region_moment, region_prob
from proofcheck.model.num import NumericError


def _mc_agrees(dist, A, n=300_000, seed=0):
    rng = np.random.default_rng(seed)
    X = dist.sample(rng, n)
    M, P, eM, eP = monte_carlo_moment(X, A)
    Mx, err = dist.second_moment_region(A)
    Px, perr = dist.prob_region(A)
    assert np.abs(M - Mx).max() <= eM + err, (M, Mx, eM)
    assert abs(P - Px) <= eP + perr


def test_sphere_scaling_fact():
    """FACTS.md: uniform on S^{k-1} has Gaussian angles and second moments scaled by 1/k."""
    k = 3
    rng = np.random.default_rng(0)
    A = rng.standard_normal((2, k))
    s, g = UniformSphere(k), StandardGaussian(k)
    assert np.allclose(s.second_moment_region(A)[0], g.second_moment_region(A)[0] / k)
    assert np.allclose(s.second_moment(), np.eye(k) / k)
    _mc_agrees(s, A)  # the scaling itself, checked by sampling the sphere


def test_anisotropic_gaussian_whitening():
    cov = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]])
    d = Gaussian(cov)
    assert np.allclose(d.second_moment(), cov)
    _mc_agrees(d, np.array([[1.0, -0.5, 0.2], [0.3, 1.0, 1.0]]))
    _mc_agrees(d, np.array([[1.0, -0.5, 0.2], [0.3, 1.0, 1.0], [0.0, -1.0, 1.0]]), seed=3)


def test_student_t_is_a_scale_mixture():
    """z = s g with E s^2 = nu/(nu-2): region moments are nu/(nu-2) times the Gaussian ones."""
    d = StudentT(3, nu=6.0)
    g = StandardGaussian(3)
    A = np.array([[1.0, 0.0, 0.0], [0.5, 1.0, 0.0]])
    assert np.allclose(d.second_moment_region(A)[0], 1.5 * g.second_moment_region(A)[0])
    assert d.prob_region(A)[0] == pytest.approx(g.prob_region(A)[0])
    _mc_agrees(d, A, n=600_000)
    ds = StudentT(3, nu=8.0, scale=[[1.0, 0.4, 0.0], [0.4, 2.0, 0.0], [0.0, 0.0, 0.5]])
    _mc_agrees(ds, A, n=600_000, seed=1)


def test_mixture():
    d = Mixture([1, 3], [StandardGaussian(2), UniformSphere(2)])
    A = np.array([[1.0, 0.2], [-0.3, 1.0]])
    expect = 0.25 * StandardGaussian(2).second_moment_region(A)[0] + 0.75 * UniformSphere(2).second_moment_region(A)[0]
    assert np.allclose(d.second_moment_region(A)[0], expect)
    _mc_agrees(d, A)


def test_atoms_exact_and_boundary_counts():
    d = FiniteAtoms([[1, 0], [0, 1], [1, 1]], [1, 2, 1])
    M = d.second_moment_region_exact([[1, 0]])  # (0, 1) lies on the boundary and counts
    assert M[0, 0] == Fraction(1, 2) and M[0, 1] == Fraction(1, 4) and M[1, 1] == Fraction(3, 4)
    assert d.prob_region_exact([[1, 0], [-1, 0]]) == Fraction(1, 2)  # the atom (0,1) only
    assert np.allclose(d.second_moment_region([[1, 0]])[0], M.astype(float))


@settings(max_examples=30, deadline=None)
@given(d=finite_atoms(3, 6), A=st.lists(st.lists(st.integers(-2, 2), min_size=3, max_size=3).filter(any),
                                          min_size=1, max_size=4))
def test_atoms_float_path_decides_signs_exactly(d, A):
    M = d.second_moment_region_exact(A).astype(float)
    assert np.allclose(d.second_moment_region(A)[0], M, atol=1e-12)
    assert d.prob_region(A)[0] == pytest.approx(float(d.prob_region_exact(A)))


def test_float_normals_on_a_boundary():
    # 0.1 is not 1/10: the normal as stored decides, exactly
    d = FiniteAtoms([[1, -1]], [1])
    a = [0.1, 0.1]
    assert d.prob_region_exact([a]) == d.prob_region([a])[0] == 1


def test_unit_norm_atoms_are_exact():
    for t in ([Fraction(1, 2)], [Fraction(1, 3), Fraction(2, 5)], [0, 0, 0]):
        x = rational_unit_vector(t)
        assert sum(c * c for c in x) == 1
    u = rational_direction([0.3, -1.0, 0.2], 1000)
    assert sum(c * c for c in u) == 1
    assert np.allclose(np.array(u, dtype=float), np.array([0.3, -1.0, 0.2]) / np.linalg.norm([0.3, -1.0, 0.2]), atol=1e-2)
    assert unit_atoms([[1, 2], [3, -1]]).is_unit_norm()


@settings(max_examples=10, deadline=None)
@given(d=unit_norm_atoms(3, 4))
def test_unit_norm_strategy(d):
    assert d.is_unit_norm()


@settings(max_examples=25, deadline=None)
@given(d=distributions(2, 4))
def test_json_round_trip(d):
    back = decode(encode(d))
    assert back == d
    A = np.array([[1.0, 0.25], [0.5, -1.0]])
    assert np.allclose(back.second_moment_region(A)[0], d.second_moment_region(A)[0])


@settings(max_examples=20, deadline=None)
@given(d=distributions(3, 5))
def test_region_moments_psd_and_bounded(d):
    A = np.array([[1.0, 0.5, 0.0], [0.0, 1.0, -0.5]])
    M, err = region_moment(d, A)
    assert np.linalg.eigvalsh((M + M.T) / 2)[0] >= -10 * err - 1e-12
    # a region moment never exceeds the full second moment (E zz^T - M is PSD)
    assert np.linalg.eigvalsh(d.second_moment() - M)[0] >= -10 * err - 1e-12
    assert 0 <= region_prob(d, A)[0] <= 1


@pytest.mark.parametrize("make", [
    lambda: FiniteAtoms([[1, 0]], [0]),
    lambda: FiniteAtoms([[1, 0], [0, 1]], [1, -1]),
    lambda: FiniteAtoms([], []),
    lambda: FiniteAtoms([[float("nan"), 0]], [1]),
    lambda: Mixture([float("nan")], [StandardGaussian(2)]),
    lambda: Mixture([0, 0], [StandardGaussian(2), StandardGaussian(2)]),
    lambda: Gaussian([[1, 0], [0, float("nan")]]),
    lambda: Gaussian([[1, 2], [2, 1]]),
    lambda: StudentT(2, 2.0),
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
        FiniteAtoms([[1, 0]]).second_moment_region_exact([[0, 0]])


def test_exact_normals_stay_exact():
    d = FiniteAtoms([[3, -1]], [1])
    third = Fraction(1, 3)
    # 3 * (1/3) - 1 = 0 exactly: on the boundary, inside; as a float 1/3 rounds down -> outside
    assert d.prob_region_exact(np.array([[third, Fraction(1)]], dtype=object)) == 1
    assert d.prob_region_exact([[1 / 3, 1.0]]) == 0
    with pytest.raises(GeometryError, match="zero vector"):
        d.prob_region_exact(np.array([[Fraction(0), Fraction(0)]], dtype=object))
