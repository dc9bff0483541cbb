"""Unit tests of the engine's pieces: numbers, codec, store, lint, registry, statistics."""
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from proofcheck import Claim, ClaimError, Condition, Constant, Definition, Source, Variable
from proofcheck.store.codec import decode, encode
from proofcheck.decide.engine import UsageError, constants_with, parse_sets, parse_value
from proofcheck.decide.lint import lint
from proofcheck.model.num import Enclosure, NumericError, arb_eval, enclose_expr, to_fraction
from proofcheck.model.registry import Registry, UnknownClaim
from proofcheck.decide.stats import RateEstimate, clopper_pearson
from proofcheck.store.counterexamples import CounterexampleStore

SRC = Source("doc", "here")
X = sympy.Symbol("x", real=True)


def claim(cid="t.a", **kw):
    kw.setdefault("variables", [Variable("x", st.floats(0, 1))])
    kw.setdefault("conclusion", sympy.Le(X, 1))
    return Claim(id=cid, title="t", source=SRC, statement="", **kw)


# ---------------------------------------------------------------- numbers
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_convert_to_the_rational_they_store(f):
    assert float(to_fraction(f)) == f


def test_non_finite_numbers_are_rejected():
    for bad in (math.nan, math.inf):
        with pytest.raises(NumericError):
            to_fraction(bad)


def test_arb_keeps_rationals_exact_and_encloses_transcendentals():
    third = arb_eval(sympy.Rational(1, 3) * 3 - 1, {})
    assert Enclosure.of(third).is_exact and Enclosure.of(third).lo == 0
    enc = enclose_expr(sympy.sin(X) - X, {X: Fraction(1, 2)})
    mpmath.mp.dps = 60  # the cross-check is mpmath at high precision, not the float value
    true = mpmath.sin(mpmath.mpf(1) / 2) - mpmath.mpf(1) / 2
    as_mp = lambda q: mpmath.mpf(q.numerator) / q.denominator
    assert as_mp(enc.lo) <= true <= as_mp(enc.hi) and enc.hi < 0
    assert float(enc.hi - enc.lo) < 1e-15
    assert enc.definitely_negative() and not enc.definitely_holds()


def test_enclosure_decisions_respect_strictness():
    zero = Enclosure.exact(0)
    assert zero.definitely_holds(strict=False) and not zero.definitely_holds(strict=True)
    assert zero.definitely_negative(strict=True) and not zero.definitely_negative(strict=False)


# ---------------------------------------------------------------- codec and store
@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_codec_round_trips_floats_exactly(f):
    assert decode(encode(f)) == f
    assert decode(encode(f), exact=True) == Fraction(f)


def test_codec_round_trips_arrays_and_fractions():
    arr = np.array([[0.1, -2.5], [1e-300, 3.0]])
    assert np.array_equal(decode(encode(arr)), arr)
    assert decode(encode(Fraction(1, 3)), exact=True) == Fraction(1, 3)
    with pytest.raises(NumericError):
        encode(float("nan"))


def test_store_keeps_each_counterexample_once_and_skips_torn_lines(tmp_path):
    store = CounterexampleStore(tmp_path)
    rec = {"values": {"x": encode(0.5)}, "constants": {}, "margin": -1.0}
    store.add("p.c", rec)
    store.add("p.c", rec)
    with open(store._file("p.c"), "a") as fh:
        fh.write('{"values": {"x"')  # an interrupted write
    assert store.load("p.c") == [rec]
    assert store.load("p.other") == []


# ---------------------------------------------------------------- --set values
@pytest.mark.parametrize("text, value", [("1/4", Fraction(1, 4)), ("0.25", Fraction(1, 4)), ("3", 3),
                                         ("1e-3", Fraction(1, 1000)), ("2/pi", 2 / sympy.pi)])
def test_values_parse_exactly(text, value):
    assert parse_value(text) == value


@pytest.mark.parametrize("text", ["", "abc", "nan", "oo", "1/0", "x+1", "2**"])
def test_bad_values_are_usage_errors(text):
    with pytest.raises(UsageError):
        parse_value(text)


def test_overrides_are_checked_against_the_claim():
    c = claim(constants=[Constant("c", Fraction(1, 2), positive=True, below=1), Constant("n", 3, integer=True)])
    assert constants_with(c, parse_sets(["c=1/4"])) == {"c": Fraction(1, 4), "n": 3}
    for bad in (["d=1"], ["c=-1"], ["c"], ["c=1"], ["n=1/2"]):
        with pytest.raises(UsageError):
            constants_with(c, parse_sets(bad))


# ---------------------------------------------------------------- claims, lint, registry
def test_claim_ids_and_names_are_validated():
    with pytest.raises(ClaimError):
        claim("Not An Id")
    # a claim with an id that cannot be built is kept, ill-formed with the reason (its module still loads)
    from proofcheck import Verdict
    from proofcheck.decide.engine import check

    twice = claim(constants=[Constant("x", 1)])  # same name as the variable
    assert "names used twice" in twice.build_error
    assert check(twice, "quick", 0, registry=Registry()).verdict is Verdict.ILL_FORMED
    empty = Claim(id="t.b", title="", source=SRC, statement="")  # neither conclusion nor check
    assert "needs a conclusion" in empty.build_error
    assert claim("t.a@reading:repaired").base_id == "t.a" and not claim("t.a").build_error


def test_lint_finds_undefined_symbols_and_wrong_arity():
    m = sympy.Function("m")
    defs = {"m": Definition("m", 1, "a function"), "k": Definition("k", 0, "a constant")}
    ok = claim(formula=[sympy.Le(m(X), sympy.Symbol("k"))])
    assert lint(ok, defs) == []
    bad = claim(formula=[sympy.Le(m(X, X) + sympy.Function("k")(X) + sympy.Symbol("m"), sympy.Symbol("d"))])
    problems = {p.name: p.message for p in lint(bad, defs)}
    assert set(problems) == {"m", "k", "d"}
    assert "never defined" in problems["d"] and "used as 'k(x)'" in problems["k"]


def test_registry_rejects_duplicates_and_marks_dangling_uses_ill_formed():
    reg = Registry()
    reg.add_claim(claim("t.a"))
    with pytest.raises(ClaimError):
        reg.add_claim(claim("t.a"))
    reg.add_claim(claim("t.b", uses=["t.zzz"]))
    reg.validate()  # a dangling ``uses`` makes that claim ill-formed, naming the missing id; the others stand
    assert "'t.zzz'" in reg.get("t.b").build_error and not reg.get("t.a").build_error


def test_selection_by_prefix_never_matches_a_longer_name():
    reg = Registry()
    for cid in ("p.thm1", "p.thm1.s1", "p.thm10", "p.thm1@r", "p.thm1:repaired"):
        reg.add_claim(claim(cid))
    assert [c.id for c in reg.select(["p.thm1"])] == ["p.thm1", "p.thm1.s1", "p.thm1:repaired", "p.thm1@r"]
    with pytest.raises(UnknownClaim):
        reg.select(["p.thm2"])


def test_registered_lemmas_load_without_errors():
    from proofcheck.model.registry import load

    reg = load(refresh=True)
    for c in reg.claims.values():
        for used in c.uses:
            assert used in reg.claims


# ---------------------------------------------------------------- statistics
def test_clopper_pearson_matches_known_values():
    lo, hi = clopper_pearson(0, 100, 0.95)
    assert lo == 0 and abs(hi - 0.0362) < 1e-3  # the "rule of three" neighbourhood
    lo, hi = clopper_pearson(50, 100, 0.95)
    assert abs(lo - 0.3983) < 1e-3 and abs(hi - 0.6017) < 1e-3


def test_rate_estimate_refutes_only_above_delta():
    assert RateEstimate.of(30, 100, 0.1).exceeds_delta
    assert not RateEstimate.of(12, 100, 0.1).exceeds_delta  # 12% observed, but not significantly > 10%
