"""Issue 15: the engine trusts nothing a claim hands over, and reads every number one way.

Each test plants a case that main 2ca0df7 got wrong: a decimal delta read as its binary value, an
emptiness certificate that does not cover the domain or whose bound is false on its part, a
procedure that declares its own proof, a solver model that leaves variables free."""
from fractions import Fraction

import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Condition, Constant, Probabilistic, Source, Variable, Verdict
from proofcheck.model.claim import Emptiness
from proofcheck.decide.engine import check
from proofcheck.model.registry import Registry

SRC = Source("planted", "tests/engine/test_trust.py")


def decide(c, budget="quick", seed=0, store=None, **sets):
    reg = Registry()
    reg.add_claim(c)
    return check(c, budget, seed, overrides=sets or None, registry=reg, store=store)


# ---------------------------------------------------------------- 1. one path for numbers
def _exact_law(cid, delta, constants=()):
    return Claim(id=cid, title="exact law at delta", source=SRC, statement="P(fail) = 3/10 <= delta",
                 kind=Probabilistic(delta, exact_failure=lambda env: Fraction(3, 10)), constants=list(constants))


def test_a_decimal_delta_constant_means_its_decimal(tmp_path):
    from proofcheck.store.counterexamples import CounterexampleStore

    store = CounterexampleStore(tmp_path)
    r = decide(_exact_law("t.delta_constant", "delta", [Constant("delta", 0.3, below=1)]), store=store)
    assert r.verdict is not Verdict.REFUTED, r.evidence
    assert not store.load("t.delta_constant")
    # the same number given with --set is read the same way
    r2 = decide(_exact_law("t.delta_constant", "delta", [Constant("delta", 0.3, below=1)]), delta=Fraction(3, 10))
    assert r2.verdict is r.verdict, (r.evidence, r2.evidence)


def test_an_inline_decimal_delta_means_its_decimal():
    r = decide(_exact_law("t.delta_inline", 0.3))
    assert r.verdict is not Verdict.REFUTED, r.evidence
    # just above the law it is refuted, and just below it is not: the comparison is exact
    assert decide(_exact_law("t.delta_inline_low", 0.29)).verdict is Verdict.REFUTED


def test_one_module_converts_constants():
    from proofcheck.model.constants import ConstantValues

    cv = ConstantValues({"a": 0.3, "n": 3, "r": sympy.sqrt(2), "q": Fraction(1, 3)})
    assert cv.exact == {"a": Fraction(3, 10), "n": 3, "r": sympy.sqrt(2), "q": Fraction(1, 3)}
    assert cv.floats["a"] == 0.3 and isinstance(cv.floats["n"], int)
    assert (cv.arb()["r"] ** 2 - 2).contains(0) and cv.arb()["a"].contains(cv.arb()["a"]) and not cv.arb()["a"].contains(0.3)
    assert cv.sympy["a"] == sympy.Rational(3, 10)


def test_lint_flags_inexact_floats_in_a_margin_rerun_on_balls():
    import math

    from proofcheck import RERUN_ON_BALLS
    from proofcheck.decide.lint import lint

    x = Variable("x", st.floats(0, 1), lo=0, hi=1)
    c = Claim(id="t.float_in_balls", title="t", source=SRC, statement="", variables=[x],
              conclusion=Condition("c", margin=lambda env: env.x + 0.1 - math.pi * 0 + 0.5, rigorous=RERUN_ON_BALLS))
    flagged = [p.name for p in lint(c, {})]
    assert flagged == ["c: 0.1", "c: math.pi"], flagged  # 0.5 is exactly the decimal it prints as


# ---------------------------------------------------------------- 2. emptiness certificates are checked
X = Variable("x", st.floats(0, 1), lo=0, hi=1)
# holds at x = 1/3 only (no float is 1/3, so the search never meets it), where the conclusion fails:
# a false claim that is not vacuous
_HYP = sympy.Le((3 * X.symbol - 1) ** 2, 0)
_FALSE = Condition("false everywhere", margin=lambda env: -1.0)


def _empty_claim(cid, emptiness, hyp=_HYP):
    return Claim(id=cid, title="t", source=SRC, statement="", variables=[X], hypotheses=[hyp], conclusion=_FALSE,
                 emptiness=emptiness)


def test_an_emptiness_certificate_that_does_not_cover_the_domain_is_refused():
    r = decide(_empty_claim("t.cover", Emptiness(hypothesis="hypothesis 1", parts=[{"x": (Fraction(1, 2), 1)}])))
    assert r.verdict is Verdict.SURVIVED, r.evidence
    assert any("step cover" in n for n in r.notes), r.notes


def test_an_emptiness_certificate_whose_bound_is_false_on_its_part_is_refused():
    r = decide(_empty_claim("t.bound", Emptiness(hypothesis="hypothesis 1", parts=[{"x": (0, 1)}])))
    assert r.verdict is Verdict.SURVIVED, r.evidence
    assert any("step bound" in n for n in r.notes), r.notes
    # a reduced bound handed over without a claim establishing the reduction is refused too
    r = decide(_empty_claim("t.bound2", Emptiness(hypothesis="hypothesis 1", variables=[], parts=[{}],
                                                  bound=lambda env: env.num.const(Fraction(-1, 10)))))
    assert r.verdict is Verdict.SURVIVED and any("step reduction" in n for n in r.notes), r.notes


def test_a_true_emptiness_certificate_is_checked_and_accepted():
    hyp = sympy.Ge(X.symbol**2, 2)  # x^2 >= 2 never holds on [0, 1]
    r = decide(_empty_claim("t.empty", Emptiness(hypothesis="hypothesis 1",
                                                 parts=[{"x": (0, Fraction(1, 2))}, {"x": (Fraction(1, 2), 1)}]),
                            hyp=hyp))
    assert r.verdict is Verdict.VACUOUS and r.decided_by == "interval", (r.evidence, r.notes)


# ---------------------------------------------------------------- 3. procedures and labels
def _proc_claim(cid, outcome):
    return Claim(id=cid, title="t", source=SRC, statement="0 >= 1", check=lambda ctx: outcome, refutes=False,
                 procedure_reason="planted: a procedure that declares its own verdict")


def test_a_procedure_cannot_declare_a_false_claim_proved():
    from proofcheck import Outcome

    for verdict in (Verdict.PROVED, Verdict.CERTIFIED, Verdict.VACUOUS):
        r = decide(_proc_claim("t.proc", Outcome(verdict, "trust me", decided_by="decision")))
        assert r.verdict is Verdict.SURVIVED and r.decided_by == "procedure", (verdict, r.evidence)


def test_a_probabilistic_claim_without_variables_says_nothing_was_searched():
    coin = Claim(id="t.coin", title="t", source=SRC, statement="",
                 kind=Probabilistic("delta", exact_failure=lambda env: Fraction(1, 2)),
                 constants=[Constant("delta", Fraction(1, 10), below=1)])
    r = decide(coin)
    assert r.verdict is Verdict.REFUTED and r.counterexample["found_by"] == "none", r.counterexample


def test_a_branch_and_bound_refutation_is_found_by_interval():
    x = Variable("x", st.floats(0, 3), lo=0, hi=3)
    c = Claim(id="t.bnb", title="x <= 2 sin x on [0, 3] (false near 3)", source=SRC, statement="",
              variables=[x], conclusion=sympy.Le(x.symbol, 2 * sympy.sin(x.symbol)))
    r = decide(c)
    assert r.verdict is Verdict.REFUTED and r.decided_by == "interval", r.evidence
    assert r.counterexample["found_by"] == "interval", r.counterexample


# ---------------------------------------------------------------- 4. statistical failures are certain
def test_batch_margins_without_instances_never_count_as_certain_failures():
    import numpy as np

    always = Claim(id="t.batch", title="t", source=SRC, statement="",
                   kind=Probabilistic("delta", batch=lambda env, rng, k: -1e-300 * np.ones(k)),
                   constants=[Constant("delta", Fraction(1, 2), below=1)])
    r = decide(always)
    assert r.verdict is not Verdict.REFUTED, r.evidence
    assert r.details["settings"][0]["failures"] == 0 < r.details["settings"][0]["failures_upper"]


# ---------------------------------------------------------------- 6. every refutation replays from its record
def test_a_solver_model_that_leaves_a_variable_free_is_completed_before_it_is_stored(tmp_path):
    from proofcheck.decide.engine import replay
    from proofcheck.store.counterexamples import CounterexampleStore

    x = Variable("x", st.fractions(-4, 4))
    y = Variable("y", st.fractions(-4, 4), domain="a variable no condition reads")
    c = Claim(id="t.partial", title="x^2 >= 1 (false at 0); y is free", source=SRC, statement="",
              variables=[x, y], conclusion=sympy.Ge(x.symbol**2, 1))
    reg = Registry()
    reg.add_claim(c)
    store = CounterexampleStore(tmp_path)
    r = check(c, "quick", 0, registry=reg, store=store)
    assert r.verdict is Verdict.REFUTED and r.decided_by == "decision", r.evidence
    assert set(r.counterexample["values"]) == {"x", "y"}, r.counterexample
    rows = replay(c, store=CounterexampleStore(tmp_path), registry=reg)  # from the record alone
    assert rows and all(row["refutes"] for row in rows), rows
