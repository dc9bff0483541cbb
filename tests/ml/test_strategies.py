"""The object strategies of proofcheck.ml.strategies: exact, round-tripping, shrinking, and strict
about bad input (one-line errors)."""
from __future__ import annotations

import json
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from proofcheck.store.codec import decode, encode
from proofcheck.ml import strategies as S
from proofcheck.ml.distributions import FiniteAtoms, Gaussian, StandardGaussian, UniformSphere
from proofcheck.model.num import NumericError


def roundtrip(v):
    return decode(json.loads(json.dumps(encode(v))), exact=True)


@settings(max_examples=25, deadline=None)
@given(net=S.networks(k=(2, 3), n=(1, 2, 3), angle="free", boundary=True))
def test_networks_round_trip_exactly(net):
    back = roundtrip(net)
    assert back == net
    assert all(isinstance(x, Fraction) for x in back.W.ravel())


@settings(max_examples=25, deadline=None)
@given(ts=S.teacher_students(k=(2, 3, 4), n=(1, 2, 3), angle="equal"))
def test_equal_angles_are_exactly_equal_for_any_k(ts):
    assert ts.equal_angles()
    assert roundtrip(ts) == ts


@settings(max_examples=25, deadline=None)
@given(A=S.skew_matrices(3))
def test_cayley_frames_are_exactly_orthonormal(A):
    Q = S.cayley_frame(A)
    for i in range(3):
        for j in range(3):
            assert sum(Q[r][i] * Q[r][j] for r in range(3)) == (1 if i == j else 0)


@settings(max_examples=20, deadline=None)
@given(normal=S.rational_vectors(3), v=S.rational_vectors(3))
def test_point_on_hyperplane_is_exactly_on_it(normal, v):
    z = S.point_on_hyperplane(normal, v)
    assert sum(a * b for a, b in zip(normal, z)) == 0


def test_boundary_networks_put_atoms_on_teacher_hyperplanes():
    net = find(S.networks(k=2, n=(1, 2), boundary=True), lambda v: v.boundary_gap("W_star") == 0)
    assert net.boundary_gap("W_star") == 0


def test_shrinks_to_small_simple_instances():
    """The minimal network with two neurons is planar, has one atom and small denominators."""
    net = find(S.networks(k=(2, 3), n=(1, 2, 3)), lambda v: v.n >= 2)
    assert net.k == 2 and net.n == 2 and len(net.dist.atoms_q) == 1
    assert all(Fraction(x).denominator == 1 for x in np.concatenate([net.W.ravel(), net.W_star.ravel()]))
    r = find(S.rationals(-2, 2, 8), lambda q: q > Fraction(1, 3))
    assert r.denominator <= 2


@settings(max_examples=15, deadline=None)
@given(d=st.one_of(S.gaussians(2), S.uniform_spheres(3), S.unit_atoms(3)))
def test_distribution_families_round_trip(d):
    back = decode(json.loads(json.dumps(encode(d))))
    assert back == d or isinstance(back, Gaussian)  # float families compare by value below
    assert type(back) is type(d) and back.dim == d.dim


@pytest.mark.parametrize("make, message", [
    (lambda: S.TeacherStudent([[0, 1], [0, 1]], [[1, 1], [0, 1]]), "zero column"),
    (lambda: S.TeacherStudent([[float("nan")], [1]], [[1], [0]]), "finite rational"),
    (lambda: S.TeacherStudent([[1, 1]], [[1], [0]]), "differ in shape"),
    (lambda: FiniteAtoms([[1, 0]], [0]), "no mass"),
    (lambda: FiniteAtoms([], []), "no mass"),
    (lambda: FiniteAtoms([[1, 0]], [float("nan")]), "non-finite"),
    (lambda: S.Network(StandardGaussian(3), S.TeacherStudent([[1], [0]], [[0], [1]])), "R^3"),
    (lambda: S.point_on_hyperplane([0, 0], [1, 1]), "nonzero normal"),
])
def test_bad_input_is_a_one_line_error(make, message):
    with pytest.raises(NumericError) as exc:
        make()
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_bad_stored_record_is_a_one_line_error():
    data = {"$obj": "proofcheck.ml.strategies:TeacherStudent", "data": {"W": [["0"], ["0"]], "W_star": [["1"], ["0"]]}}
    with pytest.raises(NumericError, match="zero column"):
        decode(data)


def test_uniform_sphere_and_standard_gaussian_are_plain_values():
    assert decode(encode(UniformSphere(3))) == UniformSphere(3)
    assert decode(encode(StandardGaussian(2))) == StandardGaussian(2)


@pytest.mark.parametrize("lo, hi, den", [(-2, 2, 4), (Fraction(1, 4), 2, 4), (-4, 4, 6), (0, Fraction(1, 2), 7),
                                         (-3, -1, 3)])
def test_rational_grid_codes_the_three_draws_with_the_same_odds(lo, hi, den):
    """One integer per rational draws the values of the former draws of a denominator d in [1, D],
    a numerator j in [0, D] and a sign, each value as often (a uniform index is a uniform triple)."""
    lo, hi = Fraction(lo), Fraction(hi)
    triples = []
    for d in range(1, den + 1):
        for j in range(den + 1):
            frac = Fraction(j % (d + 1), d)
            for neg in (False, True):
                triples.append((lo * frac if neg else hi * frac) if lo < 0 < hi else lo + (hi - lo) * frac)
    grid = S.rational_grid(lo, hi, den)
    coded = [grid.value(i) for i in range(grid.size)]
    # off a sign-straddling interval the sign was drawn and ignored: each code stands for two triples
    assert Counter(coded * (2 // grid.signs)) == Counter(triples)
    assert coded[0] == (0 if lo < 0 < hi else lo)  # the shrink target
    assert S.RationalGrid(lo, hi, den)._decode(grid.size - 1) == coded[-1]  # table and arithmetic agree


def test_rational_grid_refuses_an_empty_interval():
    with pytest.raises(ValueError, match="empty interval"):
        S.rationals(2, 1)
