"""The Krawczyk test certifies regular zeros and refuses singular ones (never a false certificate)."""
import math
from dataclasses import replace
from fractions import Fraction

import pytest
import sympy

from proofcheck.ml.critical_points import CriticalPoint, TrainingProblem, dead_output_certificate
from proofcheck.ml.deep import DeepNet
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


# ---------------------------------------------------------------- dead-output critical points
def _dead_problem():
    # tanh 2-1-1, N = 2, x_1 - x_2 = (1, -1): with the output weight 0, the point is critical
    # exactly when the unit's weights satisfy w_1 = w_2 (equal pre-activations on both inputs)
    return TrainingProblem(DeepNet((2, 1, 1), "tanh"), [[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)]],
                           [[Fraction(1)], [Fraction(0)]])


def test_dead_output_certificate_brackets_a_degenerate_critical_point():
    prob = _dead_problem()
    cert = dead_output_certificate(prob, [0.3, 0.3 + 1e-12, 0.0, 0.2, 0.5])
    assert cert is not None and cert.kind == "dead_output"
    stored = CriticalPoint(prob, (Fraction(0),) * 5, certificate=cert, searched=True)
    assert stored.certify() is not None  # re-checked from the rationals alone
    assert stored.loss().lo == stored.loss().hi == Fraction(1, 2)  # the constant output 1/2 on Y = (1, 0)
    assert stored.full_column_rank() is False  # the zero output column is never full rank
    # a box on one side of the crossing, or a nonzero output weight, is no certificate
    i = cert.solved[0]
    one_side = list(cert.box)
    one_side[i] = (cert.box[i][1], cert.box[i][1] + (cert.box[i][1] - cert.box[i][0]))
    moved = tuple((a + b) / 2 for a, b in one_side)
    for bad in (replace(cert, box=tuple(one_side), point=moved),
                replace(cert, point=cert.point[:2] + (Fraction(1, 10**9),) + cert.point[3:],
                        box=cert.box[:2] + ((Fraction(1, 10**9),) * 2,) + cert.box[3:])):
        assert not CriticalPoint(prob, (Fraction(0),) * 5, certificate=bad, searched=True).check_certificate()


def test_dead_output_certificate_needs_vanishing_output_weights():
    assert dead_output_certificate(_dead_problem(), [0.3, 0.3, 0.5, 0.2, 0.5]) is None
    # equal-sign gradient on both sides (no crossing nearby): no certificate
    assert dead_output_certificate(_dead_problem(), [0.3, 0.9, 0.0, 0.2, 0.5]) is None
