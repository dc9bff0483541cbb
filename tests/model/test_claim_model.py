"""The claim model's statements beyond one inequality: sums over a symbolic n, equivalences, a
conclusion the source never prints, yes/no margins and an undecided rigorous twin."""
from fractions import Fraction

import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Condition, Source, Variable, Verdict
from proofcheck.decide.engine import check, replay
from proofcheck.model.claim import UNDECIDED, Env, Family, NotPrinted, enclosure_of_condition, equivalence
from proofcheck.model.registry import Registry
from proofcheck.store.counterexamples import CounterexampleStore

SRC = Source("toy", "p. 1", "A. Author, Toy, 2024")
n = Variable("n", st.integers(1, 6), domain="n >= 1", lo=1, integer=True)
x = Variable("x", st.floats(-4, 4), domain="[-4, 4]", lo=-4, hi=4)
a = Family("a", "an arbitrary real sequence")
N, X = n.symbol, x.symbol
i, j = sympy.symbols("i j", integer=True)


def _check(claim, **kw):
    reg = Registry()
    reg.add_claim(claim, "toy.thm")
    return check(claim, "quick", 0, registry=reg, **kw)


def _sum_claim(cid, lhs, rhs, families=(), variables=(n,)):
    return Claim(id=cid, title=cid, source=SRC, statement="", variables=list(variables), families=list(families),
                 conclusion=sympy.Le((lhs - rhs) ** 2, 0))


def test_a_double_sum_over_a_family_is_proved_for_every_n():
    double = sympy.Sum((a.function(i) + a.function(j)) / 2, (j, 1, N), (i, 1, N))
    r = _check(_sum_claim("toy.sum.double", double, N * sympy.Sum(a.function(i), (i, 1, N)), [a]))
    assert r.verdict is Verdict.PROVED and "every n >= 1" in r.evidence, r.evidence


def test_a_closed_form_of_a_polynomial_sum_is_proved():
    r = _check(_sum_claim("toy.sum.squares", sympy.Sum(i**2, (i, 1, N)), N * (N + 1) * (2 * N + 1) / 6))
    assert r.verdict is Verdict.PROVED, r.evidence


def test_a_wrong_sum_identity_is_refuted_at_an_exact_instance_that_replays(tmp_path):
    wrong = _sum_claim("toy.sum.wrong", sympy.Sum(a.function(i) * X, (i, 1, N)), X * a.function(1), [a], (n, x))
    store = CounterexampleStore(tmp_path)
    r = _check(wrong, store=store)
    assert r.verdict is Verdict.REFUTED and r.margin < 0, r.evidence
    reg = Registry()
    reg.add_claim(wrong, "toy.thm")
    rows = replay(wrong, store=store, registry=reg)
    assert rows and all(row["refutes"] for row in rows), rows


def test_a_sum_not_reduced_symbolically_says_which_n_it_reached():
    # sum_{i<=n} 1/i is no closed form sympy reduces; the harmonic bound 1 + log n holds for every n
    claim = Claim(id="toy.sum.harmonic", title="H_n <= 1 + log n", source=SRC, statement="", variables=[n],
                  conclusion=sympy.Le(sympy.Sum(1 / sympy.Integer(1) / i, (i, 1, N)), 1 + sympy.log(N)))
    r = _check(claim)
    assert r.verdict is Verdict.SURVIVED and "n reached" in r.evidence, r.evidence
    assert r.details["reached"]["n"] >= 8


def test_an_equivalence_is_its_implications_each_decided():
    s, R = sympy.symbols("s R", real=True)
    vs = [Variable("s", st.floats(-4, 4), lo=-4, hi=4), Variable("R", st.floats(0, 4), lo=0, hi=4)]
    parts = equivalence("toy.eq", SRC, vs, left=[sympy.Lt(sympy.Abs(s), R)], right=[sympy.Lt(-R, s), sympy.Lt(s, R)],
                        given=[sympy.Gt(R, 0)])
    assert [p.id for p in parts] == ["toy.eq.direction1", "toy.eq.direction2", "toy.eq.direction3"]
    r = _check(Claim(id="toy.eq", title="|s| < R iff -R < s < R", source=SRC, statement="", conjuncts=parts))
    assert r.verdict is Verdict.PROVED, r.evidence
    wrong = equivalence("toy.neq", SRC, vs, left=[sympy.Le(sympy.Abs(s), R)], right=[sympy.Lt(s, R)])
    r = _check(Claim(id="toy.neq", title="|s| <= R iff s < R", source=SRC, statement="", conjuncts=wrong))
    assert r.verdict is Verdict.REFUTED, r.evidence


def test_a_conclusion_the_source_never_prints_is_a_lint_finding():
    r = _check(Claim(id="toy.cut", title="x >= 0 implies ...", source=SRC, statement="", variables=[x],
                     hypotheses=[sympy.Ge(X, 0)], conclusion=NotPrinted("the page ends")))
    assert r.verdict is Verdict.ILL_FORMED and "no conclusion printed" in r.evidence
    assert r.details["no_conclusion"] == "the page ends" and r.details["undefined"] == []


def test_a_yes_no_margin_is_a_bool_and_undecided_confirms_nothing():
    holds = Condition("x is an integer", margin=lambda e: float(e.x).is_integer(), rigorous=lambda e: UNDECIDED)
    assert holds.evaluate(Env({"x": 2.0})) == 1 and holds.evaluate(Env({"x": 2.5})) == -1
    assert enclosure_of_condition(holds, Env({"x": Fraction(5, 2)})) is None
    exact = Condition("x is an integer", margin=lambda e: float(e.x).is_integer(),
                      rigorous=lambda e: Fraction(e.x).denominator == 1)
    assert enclosure_of_condition(exact, Env({"x": Fraction(5, 2)})).hi == -1
    r = _check(Claim(id="toy.undecided", title="every x is an integer (twin cannot decide)", source=SRC,
                     statement="", variables=[x], conclusion=holds))
    assert r.verdict is Verdict.SURVIVED, r.evidence
    r = _check(Claim(id="toy.decided", title="every x is an integer", source=SRC, statement="", variables=[x],
                     conclusion=exact))
    assert r.verdict is Verdict.REFUTED, r.evidence


def test_a_stored_family_term_outside_its_bounds_does_not_refute():
    from proofcheck.decide.certify.sums import replay_instance
    from proofcheck.decide.context import BUDGETS, Context

    def claim_over(family):
        return Claim(id="toy.sum.nonneg", title="sum of nonnegative terms", source=SRC, statement="", variables=[n],
                     families=[family], conclusion=sympy.Ge(sympy.Sum(family.function(i), (i, 1, N)), 0))

    negative = {"n": 2, "b": [Fraction(-1), Fraction(-2)]}
    unbounded = Context(claim_over(Family("b", "any sequence")), {}, BUDGETS["quick"], 0)
    assert replay_instance(unbounded, negative)[0] is True
    bounded = Context(claim_over(Family("b", "a nonnegative sequence", lo=0)), {}, BUDGETS["quick"], 0)
    refutes, _, how = replay_instance(bounded, negative)
    assert refutes is False and "outside its bounds" in how
