"""The engine's probabilistic layer (proofcheck.decide.probability): declared claims, exact laws, sequential
sampling with family-wise confidence, delta per setting, inconclusive, replay from seeds."""
import json
import math
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

import planted
from proofcheck import Claim, Condition, Constant, Probabilistic, Source, Variable, Verdict
from proofcheck.model.claim import Witness
from proofcheck.decide.context import BUDGETS, Context
from proofcheck.decide.engine import check, replay
from proofcheck.decide.replay import reverify_record
from proofcheck.decide.probability import Plan, looks_for
from proofcheck.model.registry import Registry
from proofcheck.decide.stats import (one_sided_bounds, rate_certainly_above, rate_certainly_below, tail_at_least,
                              tail_at_most)
from proofcheck.store.counterexamples import CounterexampleStore

SRC = Source("planted", "tests/engine/test_probability.py")


def run(registry, cid, budget="quick", seed=0, store=None, **sets):
    return check(cid, budget, seed, overrides=sets or None, registry=registry, store=store)


def coin(cid, rate, delta=Fraction(1, 10), **kw):
    kind_kw = {k: kw.pop(k) for k in ("exact_failure", "settings", "samples", "draw", "event", "event_exact")
               if k in kw}
    if "draw" not in kind_kw:
        kind_kw["batch"] = lambda env, rng, k: (lambda u: (u - float(env.rate), u))(rng.random(k))
        kind_kw.setdefault("event_exact", lambda env, u: Fraction(float(u)) - env.rate)
    return Claim(id=cid, title="coin", source=SRC, statement="", kind=Probabilistic(kw.pop("delta_expr", "delta"),
                                                                                    **kind_kw),
                 constants=[Constant("delta", delta, below=1), Constant("rate", rate)], **kw)


def decide(c, budget="quick", seed=0, store=None, **sets):
    reg = Registry()
    reg.add_claim(c)
    return check(c, budget, seed, overrides=sets or None, registry=reg, store=store)


# ---------------------------------------------------------------- statistics
@pytest.mark.parametrize("f,n,p", [(0, 50, Fraction(1, 10)), (7, 50, Fraction(1, 10)), (210, 2000, Fraction(1, 10)),
                                   (50, 50, Fraction(1, 2)), (3, 20000, Fraction(1, 1000))])
def test_binomial_tails_are_rigorous_and_match_scipy(f, n, p):
    ge, le = tail_at_least(f, n, p), tail_at_most(f, n, p)
    assert ge.contains(ge.mid()) and float(ge.rad()) <= 1e-6 * max(abs(float(ge.mid())), 1e-300)
    assert math.isclose(float(ge.mid()), binom.sf(f - 1, n, float(p)), rel_tol=1e-6, abs_tol=1e-300)
    assert math.isclose(float(le.mid()), binom.cdf(f, n, float(p)), rel_tol=1e-6, abs_tol=1e-300)


@given(st.integers(1, 400), st.data())
@settings(max_examples=40)
def test_rigorous_comparison_agrees_with_the_clopper_pearson_bounds(n, data):
    f = data.draw(st.integers(0, n))
    p = Fraction(data.draw(st.integers(1, 999)), 1000)
    alpha = 0.001
    lo, hi = one_sided_bounds(f, n, alpha)
    if abs(lo - float(p)) > 1e-6:
        assert rate_certainly_above(f, n, p, alpha) == (lo > p)
    if abs(hi - float(p)) > 1e-6:
        assert rate_certainly_below(f, n, p, alpha) == (hi < p)


def test_certain_rates_at_the_ends():
    assert not rate_certainly_above(10, 10, Fraction(1), 0.01)  # nothing exceeds 1
    assert rate_certainly_above(1, 10, Fraction(0), 0.01)  # one failure exceeds 0 exactly
    assert not rate_certainly_below(0, 10, Fraction(0), 0.01)


@pytest.mark.parametrize("n", [30, 31, 200, 1000, 2000, 20000])
def test_looks_double_up_to_the_budget(n):
    looks = looks_for(n)
    assert looks[-1] == n and looks[0] >= 30 or len(looks) == 1
    assert all(b > a for a, b in zip(looks, looks[1:]))
    assert all(b <= 2 * a + 1 for a, b in zip(looks, looks[1:]))


@pytest.mark.parametrize("K,n", [(1, 200), (30, 2000), (8, 20000), (5, 30)])
def test_alpha_is_spent_exactly_over_settings_looks_and_sides(K, n):
    plan = Plan([], K, n, looks_for(n), 0.01)
    spent = K * sum(2 * plan.alpha_look(j) for j in range(len(plan.looks)))
    assert spent <= 0.01 * (1 + 1e-12) and spent >= 0.01 * (1 - 1e-12)


# ---------------------------------------------------------------- verdicts
def test_statistical_verdicts_of_the_planted_coins(registry):
    r = run(registry, "planted.coin_false")
    assert r.verdict is Verdict.REFUTED and r.decided_by == "statistics"
    # no variables: the only setting was not searched for
    assert r.details["rate"]["lo"] > 0.1 and r.counterexample["found_by"] == "none"
    assert "family-wise 0.99 confidence over the 1 sampled setting" in r.evidence
    r = run(registry, "planted.coin_true")
    assert r.verdict is Verdict.SURVIVED and r.details["rate"]["hi"] < 0.1
    # delta above the true rate: the false coin holds
    assert run(registry, "planted.coin_false", delta=Fraction(1, 2)).verdict is Verdict.SURVIVED


def test_one_draw_at_a_time_with_exact_recheck(registry):
    r = run(registry, "planted.coin_drawn")
    assert r.verdict is Verdict.REFUTED, r.evidence


def test_failures_not_confirmed_exactly_do_not_refute():
    """A float event that fails but whose rigorous twin never confirms it: no certain failure, so
    the rate's lower bound stays 0, while the upper bound counts them: inconclusive, never refuted."""
    c = coin("t.unconfirmed", Fraction(3, 10), draw=lambda env, rng: float(rng.random()),
             event=lambda env, u: u - env.rate, event_exact=lambda env, u: (Fraction(-1), Fraction(1)))
    r = decide(c)
    assert r.verdict is Verdict.INCONCLUSIVE, r.evidence
    assert r.details["rate"]["failures"] == 0 and r.details["rate"]["failures_upper"] > 0


def test_exact_law_decides_without_sampling(registry):
    r = run(registry, "planted.coin_law")
    assert r.verdict is Verdict.REFUTED and r.decided_by == "decision" and r.examples <= 1
    assert "exact law: failure probability 3/10" in r.evidence
    r = run(registry, "planted.coin_law", delta=Fraction(3, 10))  # P(fail) = delta exactly: holds
    assert r.verdict is Verdict.SURVIVED and r.decided_by == "decision"


@given(st.fractions(0, 1).filter(lambda d: d < 1))
@settings(max_examples=15, deadline=None)
def test_certain_failure_is_refuted_for_every_delta_below_one(delta):
    reg = Registry()
    reg.add_module(planted)
    r = check("planted.coin_certain", "quick", 0, overrides={"delta": delta}, registry=reg)
    assert r.verdict is Verdict.REFUTED and r.decided_by == "decision", r.evidence


def test_certain_failure_just_below_one_needs_the_exact_law(registry):
    delta = 1 - Fraction(1, 10**12)
    assert run(registry, "planted.coin_certain", delta=delta).verdict is Verdict.REFUTED
    r = run(registry, "planted.coin_certain_sampled", delta=delta)
    assert r.verdict is Verdict.INCONCLUSIVE  # sampling alone is capped, and says so
    assert any("exact_failure" in n for n in r.notes)
    assert run(registry, "planted.coin_certain_sampled").verdict is Verdict.REFUTED  # delta = 1/2


def test_an_exact_law_that_does_not_separate_falls_back_to_sampling():
    c = coin("t.wide_law", Fraction(3, 10), exact_failure=lambda env: (Fraction(0), Fraction(1)))
    r = decide(c)
    assert r.verdict is Verdict.REFUTED and r.decided_by == "statistics"
    assert any("does not separate" in n for n in r.notes)


def test_inconclusive_when_the_interval_contains_delta_at_the_end_of_the_budget(registry):
    r = run(registry, "planted.coin_at_delta")
    assert r.verdict is Verdict.INCONCLUSIVE, r.evidence
    assert r.details["family"]["settings"] == 15 and len(r.details["settings"]) == 15
    worst = r.details["rate"]
    assert worst["lo"] <= 0.1 <= worst["hi"] and worst["draws"] == 400


def test_delta_is_an_expression_of_constants_and_variables(registry):
    r = run(registry, "planted.coin_scaled", budget="default")
    assert r.verdict is Verdict.SURVIVED, r.evidence
    deltas = {s["values"]["n"]: s["delta"] for s in r.details["settings"]}
    assert deltas and all(d == min(1.0, 1 / n) for n, d in deltas.items())
    r = run(registry, "planted.coin_scaled_false")
    assert r.verdict is Verdict.REFUTED and r.decided_by == "decision"
    n = r.counterexample["values"]["n"]
    assert f"delta = 1/{16 * n}" in r.evidence


def test_irrational_delta_is_enclosed_rigorously():
    c = coin("t.irrational", Fraction(3, 10), delta_expr=1 / sympy.pi, exact_failure=lambda env: env.rate)
    r = decide(c)  # 3/10 < 1/pi = 0.318...: holds
    assert r.verdict is Verdict.SURVIVED and r.decided_by == "decision", r.evidence


def test_settings_meet_the_hypotheses_exactly_and_witnesses_come_first():
    n = Variable("n", st.integers(1, 10), lo=1, hi=10, integer=True)
    c = coin("t.hyp", Fraction(1, 5), variables=[n], hypotheses=[sympy.Ge(n.symbol, 5)], settings=6,
             witnesses=[Witness({"n": 7}, "the width a proof names")])
    r = decide(c)
    ns = [s["values"]["n"] for s in r.details["settings"]]
    assert r.verdict is Verdict.REFUTED and r.counterexample["found_by"] == "witness"
    assert ns == [7] and r.details["settings"][0]["found_by"] == "witness"
    c = coin("t.hyp2", Fraction(1, 100), variables=[n], hypotheses=[sympy.Ge(n.symbol, 5)], settings=6)
    r = decide(c, budget="default")
    ns = [s["values"]["n"] for s in r.details["settings"]]
    assert r.verdict is Verdict.SURVIVED and len(ns) == 6 and min(ns) >= 5 and len(set(ns)) == 6


def test_a_hypothesis_that_cannot_be_certified_is_a_claim_error():
    n = Variable("n", st.integers(1, 10), lo=1, hi=10, integer=True)
    c = coin("t.float_hyp", Fraction(1, 100), variables=[n],
             hypotheses=[Condition("n >= 5", margin=lambda e: e.n - 5)])
    r = decide(c)
    assert r.verdict is Verdict.ERROR and "rigorous twin" in r.evidence


def test_malformed_declarations_are_ill_formed_claims():
    # each is kept with the reason (its module's other claims still load) and checks as ill-formed
    bad = [coin("t.bad_delta", Fraction(1, 10), delta_expr=sympy.Symbol("eps", real=True) / 2),  # delta names nothing
           Claim(id="t.bad", title="", source=SRC, statement="", kind=Probabilistic(draw=lambda e, r: 0),
                 constants=[Constant("delta", Fraction(1, 10))]),  # a draw without an event
           Claim(id="t.bad", title="", source=SRC, statement="", kind=Probabilistic(),
                 constants=[Constant("delta", Fraction(1, 10))])]  # neither declared nor a procedure nor a conclusion
    for c in bad:
        assert c.build_error
        assert check(c, "quick", 0, registry=Registry()).verdict is Verdict.ILL_FORMED


def test_the_same_seed_gives_the_same_result_and_another_seed_other_draws(registry):
    a = run(registry, "planted.coin_at_delta", seed=4).to_json()
    b = run(registry, "planted.coin_at_delta", seed=4).to_json()
    c = run(registry, "planted.coin_at_delta", seed=5).to_json()
    for x in (a, b, c):
        x.pop("seconds")
    assert a == b
    assert [s["failures"] for s in a["details"]["settings"]] != [s["failures"] for s in c["details"]["settings"]]


def test_a_claim_out_of_time_is_not_survived():
    import time

    def slow(env, rng, k):
        time.sleep(0.02)
        return rng.random(k) - float(env.rate)
    n = Variable("n", st.integers(1, 1000), lo=1, hi=1000, integer=True)
    c = Claim(id="t.slow", title="", source=SRC, statement="", variables=[n],
              kind=Probabilistic("delta", batch=slow, settings=400),
              constants=[Constant("delta", Fraction(1, 10)), Constant("rate", Fraction(1, 1000))])
    budget = BUDGETS["quick"].__class__("quick", examples=60, trials=200, seconds=0.5)
    r = decide(c, budget=budget)
    assert r.verdict is Verdict.INCONCLUSIVE and any("time limit" in n for n in r.notes), r.evidence


# ---------------------------------------------------------------- replay
def _stored(registry, tmp_path, cid, **sets):
    store = CounterexampleStore(tmp_path / "store")
    r = run(registry, cid, store=store, **sets)
    assert r.verdict is Verdict.REFUTED
    return store, r


def test_a_statistical_refutation_replays_from_its_seeds(registry, tmp_path):
    store, r = _stored(registry, tmp_path, "planted.coin_twice_delta")
    rec = r.counterexample
    assert rec["extra"]["probabilistic"]["chunks"] and rec["seed"] == 0
    out = replay("planted.coin_twice_delta", store=store, registry=registry)
    assert len(out) == 1 and out[0]["refutes"] and "re-simulated from seed 0" in out[0]["how"]
    again = run(registry, "planted.coin_twice_delta", store=store)
    assert again.verdict is Verdict.REFUTED and again.decided_by == "replay"


def _ctx(registry, cid, record):
    claim = registry.get(cid)
    from proofcheck.store.codec import decode

    constants = claim.constant_defaults()
    constants.update({k: decode(v, exact=True) for k, v in record.get("constants", {}).items()})
    return Context(claim, constants, BUDGETS["quick"], record.get("seed", 0))


def test_stored_counts_are_recomputed_not_trusted(registry, tmp_path):
    _, r = _stored(registry, tmp_path, "planted.coin_false")
    rec = json.loads(json.dumps(r.counterexample))
    rec["extra"]["probabilistic"]["failures"] = 0  # tampered down: the recomputed counts still refute
    ok, _, how = reverify_record(_ctx(registry, "planted.coin_false", rec), rec)
    assert ok and "the record said 0/" in how
    # the same record moved onto the true coin, its count tampered up to all draws: no refutation
    true = registry.get("planted.coin_true")
    rec["constants"] = {k: v for k, v in rec["constants"].items()}
    rec["constants"]["rate"] = {"$q": "1/100", "float": 0.01}
    p = rec["extra"]["probabilistic"]
    p["failures"] = p["failures_upper"] = p["draws"]
    p["lo"] = 0.99
    ok, margin, how = reverify_record(_ctx(registry, "planted.coin_true", rec), rec)
    assert not ok and margin > 0 and "no longer above delta" in how, how
    assert true.kind.declared


def test_a_tampered_setting_or_plan_does_not_refute(registry, tmp_path):
    _, r = _stored(registry, tmp_path, "planted.coin_twice_delta")
    rec = json.loads(json.dumps(r.counterexample))
    bad = json.loads(json.dumps(rec))
    bad["extra"]["probabilistic"]["setting"] = 99
    assert not reverify_record(_ctx(registry, "planted.coin_twice_delta", bad), bad)[0]
    bad = json.loads(json.dumps(rec))
    bad["values"]["s"] = {"$q": "1/3", "float": 1 / 3}  # not the setting the seed regenerates
    ok, _, how = reverify_record(_ctx(registry, "planted.coin_twice_delta", bad), bad)
    assert not ok and "regenerated" in how
    bad = json.loads(json.dumps(rec))
    del bad["extra"]
    assert not reverify_record(_ctx(registry, "planted.coin_twice_delta", bad), bad)[0]


def test_an_exact_law_refutation_replays_by_recomputing_the_law(registry, tmp_path):
    store, r = _stored(registry, tmp_path, "planted.coin_scaled_false")
    out = replay("planted.coin_scaled_false", store=store, registry=registry)
    assert out and all(o["refutes"] for o in out) and "exact law" in out[0]["how"]
    # under a larger delta0 the stored setting no longer refutes
    ctx = _ctx(registry, "planted.coin_scaled_false", r.counterexample)
    ctx.constants["delta0"] = Fraction(1, 2)
    assert not reverify_record(ctx, r.counterexample)[0]


def test_settings_that_never_meet_the_hypotheses_are_vacuous_only_with_a_certificate():
    from proofcheck.model.claim import Emptiness

    n = Variable("n", st.integers(1, 10), lo=1, hi=10, integer=True)
    c = coin("t.never", Fraction(1, 2), variables=[n], hypotheses=[sympy.Ge(n.symbol, 20)])
    r = decide(c)
    assert r.verdict is Verdict.SURVIVED and r.satisfied == 0, r.evidence
    c = coin("t.never2", Fraction(1, 2), variables=[n], hypotheses=[sympy.Ge(n.symbol, 20)],
             emptiness=Emptiness(hypothesis=c.hypotheses[0].name, parts=[{"n": (1, 10)}], how="n - 20 <= -10"))
    r = decide(c)
    assert r.verdict is Verdict.VACUOUS, r.evidence


def test_an_arb_law_decides_by_interval():
    from flint import arb

    c = coin("t.arb_law", Fraction(3, 10), exact_failure=lambda env: 1 - arb(2).sqrt() / 2)  # 0.2929 > 1/10
    r = decide(c)
    assert r.verdict is Verdict.REFUTED and r.decided_by == "interval", r.evidence
    r = decide(c, delta=Fraction(3, 10))  # 0.2929 <= 3/10
    assert r.verdict is Verdict.SURVIVED and r.decided_by == "interval", r.evidence


def test_a_costly_claim_may_ask_for_few_draws():
    c = coin("t.few", Fraction(1, 100), samples=5)
    r = decide(c, budget="default")
    assert r.details["family"]["draws_per_setting"] == 5 and r.details["family"]["looks"] == [5]
    assert r.verdict is Verdict.INCONCLUSIVE  # five good draws cannot show a rate below 1/10 at 99%


@given(st.integers(0, 300), st.fractions(0, 1, max_denominator=50), st.integers(0, 300))
@settings(max_examples=30, deadline=None)
def test_binomial_mass_by_recurrence_encloses_the_exact_sum(m, p, cut):
    """The linear-time binomial recurrence (stats.binomial_mass) against the exact rational sum."""
    from math import comb

    from flint import arb, fmpq

    from proofcheck.model.num import arb_endpoints
    from proofcheck.decide.stats import binomial_mass as binomial_failure_mass

    exact = sum(comb(m, k) * p**k * (1 - p) ** (m - k) for k in range(m + 1) if k >= cut)
    lo, hi = binomial_failure_mass(m, arb(fmpq(p.numerator, p.denominator)), lambda k: k >= cut)
    (a, _), (_, b) = arb_endpoints(lo), arb_endpoints(hi)
    assert a <= exact <= b and b - a <= Fraction(1, 10**12)  # p itself is a 53-bit ball
    lo, hi = binomial_failure_mass(m, arb(fmpq(p.numerator, p.denominator)), lambda k: None if k == cut else False)
    assert float(arb_endpoints(lo)[1]) == 0.0 or m < cut


def test_binomial_law_is_an_enclosure_for_exact_failure():
    from proofcheck.decide.stats import binomial_law

    law = binomial_law(20000, Fraction(1, 2), lambda k: abs(Fraction(k, 20000) - Fraction(1, 2)) > Fraction(1, 100))
    ref = 2 * binom.sf(10200, 20000, 0.5)  # |K - 10000| > 200
    assert math.isclose(float(law.lo), ref, rel_tol=1e-9) and law.hi - law.lo < Fraction(1, 10**15)
    assert binomial_law(5, Fraction(1), lambda k: k == 5).lo == 1  # an end point, exactly


def test_an_exact_law_against_an_irrational_delta_per_setting(registry):
    r = run(registry, "planted.hoeffding")
    assert r.verdict is Verdict.SURVIVED and r.decided_by == "interval" and r.examples == 5, r.evidence
    r = run(registry, "planted.hoeffding_false")
    assert r.verdict is Verdict.REFUTED and r.decided_by == "interval", r.evidence
    m = r.counterexample["values"]["m"]
    from scipy.stats import binom as B

    assert B.cdf(m // 2, m, 0.6) > math.exp(-m / 10)  # the stored width really fails


def test_settings_decided_by_their_exact_law_take_no_share_of_the_confidence():
    n = Variable("n", st.integers(1, 10), lo=1, hi=10, integer=True)
    c = coin("t.some_laws", Fraction(1, 100), variables=[n], settings=10,
             exact_failure=lambda env: env.rate if env.n % 2 else None)
    r = decide(c, budget="default")
    sampled = [s for s in r.details["settings"] if s["how"] == "sampling"]
    by_law = [s for s in r.details["settings"] if s["how"] == "law"]
    assert r.verdict is Verdict.SURVIVED and sampled and by_law, r.evidence
    assert r.details["family"]["settings"] == len(sampled) and all(s["values"]["n"] % 2 == 0 for s in sampled)
    assert f"({len(by_law)} more decided without sampling)" in r.evidence
