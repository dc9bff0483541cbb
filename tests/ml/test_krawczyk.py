"""The Krawczyk test certifies regular zeros and refuses singular ones (never a false certificate)."""
import math
from fractions import Fraction

import pytest
import sympy

from proofcheck.ml.krawczyk import KrawczykError, certify_zero, from_sympy
from proofcheck.model.num import Enclosure, arb_eval

x, y = sympy.symbols("x y", real=True)


def _over_box(expr, z):
    """A rigorous enclosure of ``expr`` over the certified box."""
    return Enclosure.of(arb_eval(expr, dict(zip([x, y], z.balls())), prec=z.precision))


def test_circle_and_line_meet_at_a_certified_point():
    F, J = from_sympy([x**2 + y**2 - 1, x - y], [x, y])
    z = certify_zero(F, J, [0.7071, 0.7071])
    assert z is not None
    s = Fraction(math.sqrt(0.5))
    for lo, hi in z.box:  # the box holds 1/sqrt 2 and is tiny
        assert lo <= s + Fraction(1, 10**12) and hi >= s - Fraction(1, 10**12)
        assert hi - lo < Fraction(1, 10**3)
    # 1/sqrt(2) is irrational: checking with Arb that the box really contains it
    enc = _over_box(2 * x**2 - 1, z)
    assert enc.lo <= 0 <= enc.hi


def test_a_guess_far_from_any_zero_is_not_certified():
    F, J = from_sympy([x**2 + y**2 - 1, x - y], [x, y])
    assert certify_zero(F, J, [3.0, -2.0]) is None


def test_a_double_root_is_never_certified():
    # x^2 = 0 has a singular Jacobian at its root: Krawczyk cannot (and must not) certify it
    F, J = from_sympy([x**2, y], [x, y])
    assert certify_zero(F, J, [0.0, 0.0]) is None


def test_transcendental_system():
    F, J = from_sympy([sympy.tanh(x) - y / 2, y - sympy.Rational(1, 3)], [x, y])
    z = certify_zero(F, J, [math.atanh(1 / 6), 1 / 3])
    assert z is not None
    enc = _over_box(sympy.tanh(x) - sympy.Rational(1, 6), z)
    assert enc.lo <= 0 <= enc.hi


def test_bad_input_is_a_one_line_error():
    F, J = from_sympy([x, y], [x, y])
    with pytest.raises(KrawczykError):
        certify_zero(F, J, [float("nan"), 0.0])
    with pytest.raises(KrawczykError):
        from_sympy([x], [x, y])
    with pytest.raises(KrawczykError):
        certify_zero(F, J, [])
