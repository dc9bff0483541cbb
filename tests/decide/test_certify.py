"""The exact (z3 nlsat) and interval (Arb branch-and-bound) certification layers.

Claims are planted here (not registered). Every refutation is re-verified independently of the
layer that found it: exact ``Fraction`` arithmetic for polynomials, a python-flint ball for
transcendental margins.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy
from flint import arb, fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from proofcheck.decide.certify import certify_interval, decide_polynomial
from proofcheck.model.claim import Claim, Constant, Probabilistic, Source, Variable
from proofcheck.store.codec import decode
from proofcheck.decide.context import BUDGETS, Context
from proofcheck.model.num import NumericError
from proofcheck.model.verdict import Verdict

SRC = Source("planted", "tests/engine/test_certify.py")
x, y, a, b = sympy.symbols("x y a b", real=True)
PI = sympy.pi


def ctx_of(conclusion, variables, hypotheses=(), constants=(), values=None, **kw) -> Context:
    claim = Claim(id="planted.certify.c", title="planted", source=SRC, statement="", variables=variables,
                  hypotheses=list(hypotheses), conclusion=conclusion, constants=list(constants), **kw)
    consts = claim.constant_defaults()
    consts.update(values or {})
    return Context(claim, consts, BUDGETS["quick"], seed=0)


def real(name, lo=None, hi=None):
    return Variable(name, st.floats(-10, 10), lo=lo, hi=hi)


def exact_point(outcome, name):
    return decode(outcome.counterexample["values"][name], exact=True)


# ---------------------------------------------------------------- interval layer
@pytest.mark.parametrize("hi", [sympy.Rational(2) / PI, PI / 2])
def test_x_le_2sinx_certified_on_tight_domains(hi):
    out = certify_interval(ctx_of(sympy.Le(x, 2 * sympy.sin(x)), [real("x", 0, hi)]))
    assert out is not None and out.verdict is Verdict.CERTIFIED
    assert "closed by the monotonicity rule" in out.evidence
    assert out.details["monotone"] >= 1  # x = 0 is tight: only the rule closes the box there
    assert out.margin == 0.0 and out.examples == out.details["boxes"]


def test_x_le_2sinx_refuted_on_0_2_at_an_exact_point():
    out = certify_interval(ctx_of(sympy.Le(x, 2 * sympy.sin(x)), [real("x", 0, 2)]))
    assert out is not None and out.verdict is Verdict.REFUTED
    p = exact_point(out, "x")
    q = Fraction(p) if not isinstance(p, sympy.Basic) else Fraction(int(p.p), int(p.q))
    assert 0 <= q <= 2
    ball = arb(fmpq(q.numerator, q.denominator))
    margin = 2 * ball.sin() - ball  # independent Arb re-verification
    assert margin < 0
    assert out.margin < 0 and out.counterexample["margin"] == out.margin


def test_sin_le_x_certified_tight_at_zero():
    out = certify_interval(ctx_of(sympy.Le(sympy.sin(x), x), [real("x", 0, 1)]))
    assert out is not None and out.verdict is Verdict.CERTIFIED


def test_naive_bisection_cannot_close_the_tight_point():
    # Without the monotonicity rule the box touching x = 0 never closes: undecided, no verdict.
    ctx = ctx_of(sympy.Le(x, 2 * sympy.sin(x)), [real("x", 0, sympy.Rational(2) / PI)])
    assert certify_interval(ctx, max_boxes=300, monotonicity=False) is None


def test_tangency_of_order_four_certified():
    # cos x - 1 + x^2/2 vanishes to fourth order at 0: the rule recurses to the 4th derivative.
    out = certify_interval(ctx_of(sympy.Ge(sympy.cos(x), 1 - x**2 / 2), [real("x", -1, 1)]))
    assert out is not None and out.verdict is Verdict.CERTIFIED


def test_interior_tight_points_become_box_ends():
    # sin x cos x <= 1/2 is tight at pi/4; 1 - cos(3x - 1) >= 0 at 1/3. Bisection never lands there.
    sc = certify_interval(ctx_of(sympy.Le(sympy.sin(x) * sympy.cos(x), sympy.Rational(1, 2)), [real("x", 0, 2)]))
    assert sc is not None and sc.verdict is Verdict.CERTIFIED and sc.details["split_at"] == ["pi/4"]
    strict = certify_interval(ctx_of(sympy.Lt(2 * sympy.sin(x) * sympy.cos(x), 1), [real("x", 0, 2)]))
    assert strict is not None and strict.verdict is Verdict.REFUTED and exact_point(strict, "x") == PI / 4
    cs = certify_interval(ctx_of(sympy.Ge(1 - sympy.cos(3 * x - 1), 0, evaluate=False), [real("x", 0, 1)]))
    assert cs is not None and cs.verdict is Verdict.CERTIFIED and cs.details["split_at"] == ["1/3"]


def test_strict_vs_nonstrict_at_a_tight_point():
    strict = certify_interval(ctx_of(sympy.Gt(x**2, 0), [real("x", 0, 1)]))
    assert strict is not None and strict.verdict is Verdict.REFUTED
    assert exact_point(strict, "x") == 0
    nonstrict = certify_interval(ctx_of(sympy.Ge(x**2, 0, evaluate=False), [real("x", 0, 1)]))
    assert nonstrict is not None and nonstrict.verdict is Verdict.CERTIFIED


def test_strict_hypothesis_opens_the_domain_end():
    # sin x > 0 on (0, pi) holds; on (0, pi] it fails exactly at pi (an irrational exact point).
    open_both = certify_interval(ctx_of(sympy.Gt(sympy.sin(x), 0), [real("x", 0, PI)],
                                        hypotheses=[sympy.Gt(x, 0), sympy.Lt(x, PI)]))
    assert open_both is not None and open_both.verdict is Verdict.CERTIFIED
    closed_right = certify_interval(ctx_of(sympy.Gt(sympy.sin(x), 0), [real("x", 0, PI)],
                                           hypotheses=[sympy.Gt(x, 0)]))
    assert closed_right is not None and closed_right.verdict is Verdict.REFUTED
    assert exact_point(closed_right, "x") == PI


def test_general_hypothesis_discards_boxes():
    # x >= 0 wherever sin x >= 0 on [-3, 3]: the negative half is discarded, x = 0 decided exactly.
    out = certify_interval(ctx_of(sympy.Ge(x, 0), [real("x", -3, 3)], hypotheses=[sympy.Ge(sympy.sin(x), 0)]))
    assert out is not None and out.verdict is Verdict.CERTIFIED
    assert out.details["discarded"] >= 1
    bad = certify_interval(ctx_of(sympy.Ge(x, 1), [real("x", -3, 3)], hypotheses=[sympy.Ge(sympy.sin(x), 0)]))
    assert bad is not None and bad.verdict is Verdict.REFUTED
    p = Fraction(exact_point(bad, "x"))
    assert p < 1 and mpmath.sin(mpmath.mpf(p.numerator) / p.denominator) >= 0


def test_hypothesis_holding_at_one_end_only_is_not_vacuous():
    # sin x >= sin 1 on [0, 1] holds only at x = 1, where the conclusion is decided exactly.
    hyp = [sympy.Ge(sympy.sin(x), sympy.sin(1))]
    ok = certify_interval(ctx_of(sympy.Ge(x, 1), [real("x", 0, 1)], hypotheses=hyp))
    assert ok is not None and ok.verdict is Verdict.CERTIFIED
    bad = certify_interval(ctx_of(sympy.Gt(x, 1), [real("x", 0, 1)], hypotheses=hyp))
    assert bad is not None and bad.verdict is Verdict.REFUTED and exact_point(bad, "x") == 1


def test_counterexample_at_a_non_float_end_moves_to_a_float():
    # The failure at 7/3 also holds at the nearest float, which replays bit for bit as a float.
    out = certify_interval(ctx_of(sympy.Le(x, 2 * sympy.sin(x)), [real("x", 0, sympy.Rational(7, 3))]))
    assert out is not None and out.verdict is Verdict.REFUTED
    q = exact_point(out, "x")
    assert Fraction(float(q)) == q and 0 <= q <= Fraction(7, 3)
    ball = arb(fmpq(q.numerator, q.denominator))
    assert 2 * ball.sin() - ball < 0


def test_hypotheses_never_hold_is_vacuous():
    out = certify_interval(ctx_of(sympy.Ge(x, 1), [real("x", 0, 1)], hypotheses=[sympy.Ge(sympy.sin(x), 2)]))
    assert out is not None and out.verdict is Verdict.VACUOUS


def test_interval_declines_what_it_cannot_handle():
    two = [real("x", 0, 1), real("y", 0, 1)]
    assert certify_interval(ctx_of(sympy.Le(x, 2 * sympy.sin(x) + y), two)) is None
    assert certify_interval(ctx_of(sympy.Le(x, 2 * sympy.sin(x)), [real("x", 0, None)])) is None
    assert certify_interval(ctx_of(sympy.Le(sympy.Function("f")(x), 1), [real("x", 0, 1)])) is None
    n = Variable("n", st.integers(0, 5), lo=0, hi=5, integer=True)
    assert certify_interval(ctx_of(sympy.Le(sympy.Symbol("n", integer=True), 5), [n])) is None
    # A probabilistic statement is not refuted by one point.
    prob = ctx_of(sympy.Le(x, 2 * sympy.sin(x)), [real("x", 0, 2)], constants=[Constant("delta", 0.1)],
                  kind=Probabilistic(delta="delta"))
    assert certify_interval(prob) is None


def test_constants_are_substituted_exactly():
    c = sympy.Symbol("c", real=True)
    concl = sympy.Le(x, c * sympy.sin(x))
    ok = certify_interval(ctx_of(concl, [real("x", 0, 1)], constants=[Constant("c", 2.0)]))
    assert ok is not None and ok.verdict is Verdict.CERTIFIED
    bad = certify_interval(ctx_of(concl, [real("x", 0, 1)], constants=[Constant("c", Fraction(11, 10))]))
    assert bad is not None and bad.verdict is Verdict.REFUTED
    with pytest.raises(NumericError):
        certify_interval(ctx_of(concl, [real("x", 0, 1)], constants=[Constant("c", float("nan"))]))


@settings(max_examples=12, deadline=None)
@given(st.fractions(min_value=Fraction(1, 2), max_value=Fraction(2)))
def test_interval_verdict_matches_the_threshold(cq):
    # x <= c sin x on [0, 1] holds iff c >= 1/sin(1) (x/sin x increases on (0, 1]).
    threshold = 1 / mpmath.sin(1)
    cf = mpmath.mpf(cq.numerator) / cq.denominator
    if abs(cf - threshold) < mpmath.mpf("1e-6"):
        return  # too close to call within the test's box cap
    c = sympy.Symbol("c", real=True)
    out = certify_interval(ctx_of(sympy.Le(x, c * sympy.sin(x)), [real("x", 0, 1)],
                                  constants=[Constant("c", cq)]))
    assert out is not None
    assert out.verdict is (Verdict.CERTIFIED if cf > threshold else Verdict.REFUTED)


# ---------------------------------------------------------------- polynomial layer
def test_square_nonnegative_proved():
    out = decide_polynomial(ctx_of(sympy.Ge(x**2, 0, evaluate=False), [real("x")]))
    assert out is not None and out.verdict is Verdict.PROVED
    assert "unsatisfiable" in out.evidence


def test_two_variable_inequality_proved():
    out = decide_polynomial(ctx_of(sympy.Le((a + b) ** 2, 2 * a**2 + 2 * b**2), [real("a"), real("b")]))
    assert out is not None and out.verdict is Verdict.PROVED


def test_a_squared_le_a_refuted_with_an_exact_model():
    out = decide_polynomial(ctx_of(sympy.Le(a**2, a), [real("a", -1, 2)]))
    assert out is not None and out.verdict is Verdict.REFUTED
    q = exact_point(out, "a")
    assert isinstance(q, Fraction) and -1 <= q <= 2 and q * q > q  # exact re-check
    assert out.margin == float(q - q * q)
    assert "exact rational arithmetic" in out.counterexample["verified_by"]


def test_identity_that_floats_get_wrong_is_proved():
    big = 10**8
    expr = (x + big) ** 2 - x**2 - 2 * big * x - big**2  # identically 0
    # Floats see a violation of ">= 0" somewhere (rounding at 1e16), exact arithmetic never does.
    f = sympy.lambdify(x, expr)
    assert any(f(t) < 0 for t in (0.1, 0.3, 0.7, 1.1, 3.3, 12.9, 0.01, 7.77))
    out = decide_polynomial(ctx_of(sympy.Ge(expr, 0), [real("x")]))
    assert out is not None and out.verdict is Verdict.PROVED


def test_strict_relation_refuted_at_zero():
    out = decide_polynomial(ctx_of(sympy.Gt(x**2, 0), [real("x", 0, 1)]))
    assert out is not None and out.verdict is Verdict.REFUTED
    assert exact_point(out, "x") == 0 and out.margin == 0.0


def test_denominators_and_roots_are_excluded_and_said():
    amgm = decide_polynomial(ctx_of(sympy.Ge(x + 1 / x, 2), [real("x")], hypotheses=[sympy.Gt(x, 0)]))
    assert amgm is not None and amgm.verdict is Verdict.PROVED
    assert "undefined" in amgm.evidence and "zero denominator" in amgm.evidence
    no_hyp = decide_polynomial(ctx_of(sympy.Ge(x + 1 / x, 2), [real("x")]))
    assert no_hyp is not None and no_hyp.verdict is Verdict.REFUTED
    q = exact_point(no_hyp, "x")
    assert q != 0 and q + 1 / q < 2
    gm = decide_polynomial(ctx_of(sympy.Le(sympy.sqrt(x * y), (x + y) / 2), [real("x", 0), real("y", 0)]))
    assert gm is not None and gm.verdict is Verdict.PROVED and "root of a negative" in gm.evidence


def test_abs_and_max_are_encoded_exactly():
    tri = decide_polynomial(ctx_of(sympy.Le(sympy.Abs(x + y), sympy.Abs(x) + sympy.Abs(y)), [real("x"), real("y")]))
    assert tri is not None and tri.verdict is Verdict.PROVED
    wrong = decide_polynomial(ctx_of(sympy.Le(sympy.Abs(x - y), sympy.Abs(x) - sympy.Abs(y)), [real("x"), real("y")]))
    assert wrong is not None and wrong.verdict is Verdict.REFUTED
    vx, vy = exact_point(wrong, "x"), exact_point(wrong, "y")
    assert abs(vx - vy) > abs(vx) - abs(vy)


def test_transcendental_bound_is_relaxed_but_checked_exactly():
    dom = [real("x", 0, sympy.Rational(2) / PI)]  # 2/pi = 0.6366...
    assert decide_polynomial(ctx_of(sympy.Le(x, sympy.Rational(64, 100)), dom)).verdict is Verdict.PROVED
    out = decide_polynomial(ctx_of(sympy.Le(x, sympy.Rational(63, 100)), dom))
    assert out is not None and out.verdict is Verdict.REFUTED
    q = exact_point(out, "x")
    assert Fraction(63, 100) < q and mpmath.mpf(q.numerator) / q.denominator <= 2 / mpmath.pi


def test_unsatisfiable_hypotheses_are_vacuous():
    out = decide_polynomial(ctx_of(sympy.Ge(x, 5), [real("x", 0, 1)], hypotheses=[sympy.Gt(x, 2)]))
    assert out is not None and out.verdict is Verdict.VACUOUS


def test_integer_variables():
    n = Variable("n", st.integers(-5, 5), lo=-5, hi=5, integer=True)
    ns = sympy.Symbol("n", integer=True)
    ok = decide_polynomial(ctx_of(sympy.Ge(ns**2, ns), [n]))  # true for integers, false for reals
    assert ok is not None and ok.verdict is Verdict.PROVED
    bad = decide_polynomial(ctx_of(sympy.Ge(ns**2, 3 * ns), [n]))
    assert bad is not None and bad.verdict is Verdict.REFUTED
    v = exact_point(bad, "n")
    assert isinstance(v, int) and v * v < 3 * v


def test_only_algebraic_counterexamples_are_not_claimed():
    # The only counterexample is x = sqrt(2): no rational point re-verifies, so no verdict.
    out = decide_polynomial(ctx_of(sympy.Le(x, 1), [real("x", 0, 2)],
                                   hypotheses=[sympy.Ge(x**2, 2), sympy.Le(x**2, 2)]))
    assert out is None


def test_polynomial_declines_what_it_cannot_handle():
    assert decide_polynomial(ctx_of(sympy.Le(sympy.sin(x), x), [real("x", 0, 1)])) is None
    assert decide_polynomial(ctx_of(sympy.Le(x, PI), [real("x", 0, 1)])) is None
    assert decide_polynomial(ctx_of(sympy.Le(sympy.Function("f")(x), 1), [real("x")])) is None
    prob = ctx_of(sympy.Le(a**2, a), [real("a", -1, 2)], constants=[Constant("delta", 0.1)],
                  kind=Probabilistic(delta="delta"))
    assert decide_polynomial(prob) is None
    c = sympy.Symbol("c", real=True)
    with pytest.raises(NumericError):
        decide_polynomial(ctx_of(sympy.Ge(x**2 + c, 0), [real("x")], constants=[Constant("c", float("nan"))]))


@settings(max_examples=25, deadline=None)
@given(st.integers(-3, 3), st.integers(-3, 3), st.integers(-3, 3))
def test_quadratic_nonnegativity_matches_the_discriminant(qa, qb, qc):
    expr = qa * x**2 + qb * x + qc
    truth = (qa > 0 and qb * qb - 4 * qa * qc <= 0) or (qa == 0 and qb == 0 and qc >= 0)
    out = decide_polynomial(ctx_of(sympy.Ge(expr, 0, evaluate=False), [real("x")]))
    assert out is not None
    assert out.verdict is (Verdict.PROVED if truth else Verdict.REFUTED)
    if not truth and qa == qb == 0:
        assert out.counterexample["values"] == {}  # x does not occur: any x refutes
    elif not truth:
        v = exact_point(out, "x")
        assert qa * v * v + qb * v + qc < 0


# ---------------------------------------------------------------- soundness cross-check
_leaf = st.sampled_from([x, x, sympy.Integer(1), sympy.Integer(-2), sympy.Rational(1, 3), sympy.Rational(-3, 2)])
_expr = st.recursive(
    _leaf,
    lambda sub: st.one_of(
        st.tuples(sub, sub).map(lambda t: t[0] + t[1]),
        st.tuples(sub, sub).map(lambda t: t[0] * t[1]),
        sub.map(sympy.sin), sub.map(sympy.cos), sub.map(sympy.atan),
        sub.map(lambda e: e**2), sub.map(lambda e: sympy.sqrt(e**2 + 1)),
    ),
    max_leaves=5,
)


@settings(max_examples=30, deadline=None)
@given(_expr, _expr, st.sampled_from([sympy.Le, sympy.Lt]), st.sampled_from([(-1, 1), (0, 2), (-2, sympy.pi / 4)]))
def test_verdicts_agree_with_high_precision_sampling(lhs, rhs, rel, dom):
    concl = rel(lhs, rhs)
    if not isinstance(concl, sympy.Rel):
        return
    ctx = ctx_of(concl, [real("x", *dom)])
    margin = sympy.lambdify(x, rhs - lhs, "mpmath")
    strict = rel is sympy.Lt
    with mpmath.workdps(50):
        lo, hi = (mpmath.mpf(sympy.N(v, 60)) for v in dom)
        for fn in (decide_polynomial, certify_interval):
            out = fn(ctx, **({"max_boxes": 400} if fn is certify_interval else {"timeout": 2}))
            if out is None:
                continue
            if out.verdict in (Verdict.PROVED, Verdict.CERTIFIED):
                for k in range(401):
                    v = margin(lo + (hi - lo) * k / 400)
                    assert v > 0 or (v >= 0 and not strict), (fn.__name__, concl, k)
            elif out.verdict is Verdict.REFUTED:
                p = sympy.sympify(exact_point(out, "x"))
                v = margin(mpmath.mpf(sympy.N(p, 60)))
                assert v < mpmath.mpf(10) ** -40 if strict else v < 0, (fn.__name__, concl, p)
