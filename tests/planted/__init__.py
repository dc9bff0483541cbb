"""Planted claims: statements whose truth is known by construction, used to test the engine.

They are registered only when ``PROOFCHECK_LEMMAS=planted`` names this package (with ``tests/``
on the path), so they never appear in a real audit. True ones must be certified or survive; false
ones must be refuted -- a weakened engine fails the quality tests.
"""
import math

import numpy as np
import sympy
from hypothesis import strategies as st

from proofcheck import (RERUN_ON_BALLS, Claim, Condition, Constant, Definition, Outcome, Probabilistic,
                        Source, Variable, Verdict)

SRC = Source("planted", "tests/planted/__init__.py")
x = Variable("x", st.floats(0, 2 / math.pi), domain="[0, 2/pi]", lo=0, hi=2 / sympy.pi)
x_wide = Variable("x", st.floats(0, 3), domain="[0, 3]", lo=0, hi=3)
a = Variable("a", st.floats(-100, 100), lo=-100, hi=100)
b = Variable("b", st.floats(-100, 100), lo=-100, hi=100)
X, A, B = x.symbol, a.symbol, b.symbol

scale = Definition("scale", 0, "a constant-like quantity of the planted paper", SRC, paper="planted")

sin_tight = Claim(id="planted.sin_tight", title="x <= 2 sin x on [0, 2/pi] (tight at 0)", source=SRC,
                  statement=r"x \le 2\sin x", variables=[x], conclusion=sympy.Le(X, 2 * sympy.sin(X)))
sin_wide = Claim(id="planted.sin_wide", title="x <= 2 sin x on [0, 3] (false near 3)", source=SRC,
                 statement=r"x \le 2\sin x", variables=[x_wide], conclusion=sympy.Le(X, 2 * sympy.sin(X)))
poly_true = Claim(id="planted.poly_true", title="(a+b)^2 <= 2a^2 + 2b^2", source=SRC,
                  statement=r"(a+b)^2 \le 2a^2+2b^2", variables=[a, b],
                  conclusion=sympy.Le((A + B) ** 2, 2 * A**2 + 2 * B**2))
poly_false = Claim(id="planted.poly_false", title="a^2 <= a for a <= 2 (false for a < 0 or a > 1)",
                   source=SRC, statement=r"a^2 \le a", variables=[a], hypotheses=[sympy.Le(A, 2)],
                   conclusion=sympy.Le(A**2, A))
# True as an identity in exact arithmetic; floats cancel catastrophically and see violations.
float_trap = Claim(id="planted.float_trap", title="(a + 1e8)^2 - a^2 - 2e8 a - 1e16 >= 0 (an identity)",
                   source=SRC, statement=r"(a+10^8)^2 - a^2 - 2\cdot 10^8 a - 10^{16} \ge 0", variables=[a],
                   conclusion=sympy.Ge((A + 10**8) ** 2 - A**2 - 2 * 10**8 * A - 10**16, 0))
float_trap_numeric = Claim(
    id="planted.float_trap_numeric", title="the same identity as a numeric margin function", source=SRC,
    statement=r"(a+10^8)^2 - a^2 - 2\cdot 10^8 a - 10^{16} \ge 0", variables=[a],
    conclusion=Condition("identity", margin=lambda e: (e.a + 1e8) ** 2 - e.a**2 - 2e8 * e.a - 1e16,
                         rigorous=RERUN_ON_BALLS))
# A needle: false only inside a disc of radius 0.1 in a 20 x 20 square (search must climb).
p = Variable("p", st.floats(-10, 10), lo=-10, hi=10)
q = Variable("q", st.floats(-10, 10), lo=-10, hi=10)
needle = Claim(id="planted.needle", title="(p - 3.7)^2 + (q + 1.2)^2 >= 1/100 (false in a small disc)",
               source=SRC, statement=r"(p-3.7)^2+(q+1.2)^2 \ge 0.01", variables=[p, q],
               conclusion=Condition("outside the disc", rigorous=RERUN_ON_BALLS,
                                    margin=lambda e: (e.p - e.num.const("37/10")) ** 2
                                    + (e.q + e.num.const("6/5")) ** 2 - e.num.const("1/100")))
impossible = Claim(id="planted.impossible", title="x > 1 and x < 0 imply anything", source=SRC,
                   statement=r"x > 1 \wedge x < 0 \Rightarrow x = 5",
                   variables=[Variable("x", st.floats(-5, 5), lo=-5, hi=5)],
                   # sympy relations, so a decision procedure can certify that nothing meets them
                   hypotheses=[sympy.Gt(X, 1), sympy.Lt(X, 0)],
                   conclusion=sympy.Ge(X, 5))
undefined = Claim(id="planted.undefined", title="uses d and L(x), which nothing defines", source=SRC,
                  statement=r"x \le d L(x)", variables=[x],
                  conclusion=sympy.Le(X, sympy.Symbol("d") * sympy.Function("L")(X)))
misused = Claim(id="planted.misused", title="a constant used as a function of x", source=SRC,
                statement=r"\mathrm{scale}(x) \le 1", variables=[x],
                formula=[sympy.Le(sympy.Function("scale")(X), 1)],
                conclusion=sympy.Le(X, 1))
step = Claim(id="planted.step", title="eta*b <= 1/2 for eta <= 1/(2 b^2) (false for b < 1)",
             source=SRC, statement=r"\eta \le \frac{1}{2b^2} \Rightarrow \eta b \le \tfrac12",
             variables=[Variable("eta", st.floats(0, 10), lo=0, hi=10), Variable("b", st.floats(0, 10), lo=0, hi=10)],
             hypotheses=[sympy.Gt(sympy.Symbol("b", real=True), 0),
                         sympy.Le(sympy.Symbol("eta", real=True), 1 / (2 * sympy.Symbol("b", real=True) ** 2))],
             conclusion=sympy.Le(sympy.Symbol("eta", real=True) * sympy.Symbol("b", real=True), sympy.Rational(1, 2)),
             constants=[Constant("c", 1, "an unused constant, for --set tests", positive=True)])


def _coin_batch(rate_name):
    """A coin that fails with probability ``rate``: the good event's margin is ``u - rate``, with the
    draws ``u`` as instances (re-checked exactly by :func:`_coin_event_exact`)."""
    def batch(env, rng, count):
        u = rng.random(count)
        return u - float(env[rate_name]), u
    return batch


def _coin_draw(env, rng):
    return float(rng.random())


def _coin_event(env, u):
    return u - env.rate


def _coin_event_exact(env, u):
    from fractions import Fraction

    return Fraction(float(u)) - env.rate


def _always_fails(env, rng, k):
    return -np.ones(k), np.zeros(k)


def _coin(**kw):
    """A declared coin sampled in batches, its failing draws re-checked exactly."""
    return Probabilistic("delta", event_exact=kw.pop("event_exact", _coin_event_exact), **kw)


_COIN = r"P(\text{fail}) \le \delta"
coin_false = Claim(id="planted.coin_false", title="a coin with failure rate 0.3 fails w.p. <= delta = 0.1",
                   source=SRC, statement=_COIN, kind=_coin(batch=_coin_batch("rate")),
                   constants=[Constant("delta", sympy.Rational(1, 10)), Constant("rate", sympy.Rational(3, 10))])
coin_true = Claim(id="planted.coin_true", title="a coin with failure rate 0.01 fails w.p. <= delta = 0.1",
                  source=SRC, statement=_COIN, kind=_coin(batch=_coin_batch("rate")),
                  constants=[Constant("delta", sympy.Rational(1, 10)), Constant("rate", sympy.Rational(1, 100))])
# One draw at a time, each failing draw re-checked exactly (u - rate < 0 as rationals).
coin_drawn = Claim(id="planted.coin_drawn", title="the false coin drawn one at a time, failures re-checked exactly",
                   source=SRC, statement=_COIN,
                   kind=Probabilistic("delta", draw=_coin_draw, event=_coin_event, event_exact=_coin_event_exact),
                   constants=[Constant("delta", sympy.Rational(1, 10)), Constant("rate", sympy.Rational(3, 10))])
# The exact law decides with no sampling: failure probability ``rate`` exactly.
coin_law = Claim(id="planted.coin_law", title="a coin whose failure probability is known exactly",
                 source=SRC, statement=_COIN,
                 kind=_coin(batch=_coin_batch("rate"),
                                    exact_failure=lambda env: env.rate),
                 constants=[Constant("delta", sympy.Rational(1, 10), below=1),
                            Constant("rate", sympy.Rational(3, 10))])
# Failure is certain: refuted for every delta < 1 through the exact law; sampling alone is capped.
coin_certain = Claim(id="planted.coin_certain", title="a coin that always fails, with its exact law",
                     source=SRC, statement=_COIN,
                     kind=_coin(batch=_always_fails, event_exact=lambda env, u: -1, exact_failure=lambda env: 1),
                     constants=[Constant("delta", sympy.Rational(1, 2), below=1)])
coin_certain_sampled = Claim(id="planted.coin_certain_sampled", title="a coin that always fails, sampled only",
                             source=SRC, statement=_COIN,
                             kind=_coin(batch=_always_fails, event_exact=lambda env, u: -1),
                             constants=[Constant("delta", sympy.Rational(1, 2), below=1)])
# Thirty settings (an index s in [0, 1)), the same coin at each: the family-wise confidence is over all.
s_var = Variable("s", st.floats(0, 1, exclude_max=True), domain="[0, 1)", lo=0, hi=1)
coin_at_delta = Claim(id="planted.coin_at_delta", title="failure rate exactly delta at each of 30 settings (true)",
                      source=SRC, statement=_COIN, variables=[s_var],
                      kind=_coin(batch=_coin_batch("rate"), settings=30, samples=2000),
                      constants=[Constant("delta", sympy.Rational(1, 10)), Constant("rate", sympy.Rational(1, 10))])
coin_twice_delta = Claim(id="planted.coin_twice_delta", title="failure rate 2 delta at each of 30 settings (false)",
                         source=SRC, statement=_COIN, variables=[s_var],
                         kind=_coin(batch=_coin_batch("rate"), settings=30, samples=2000),
                         constants=[Constant("delta", sympy.Rational(1, 10)), Constant("rate", sympy.Rational(1, 5))])
# delta depends on the variable: at width n the coin fails w.p. 1/(4n) <= delta = min(1, 1/n) (true),
# and w.p. 1/(4n) <= delta = 1/(16 n) (false).
n_var = Variable("n", st.integers(1, 4), domain="{1, ..., 4}", lo=1, hi=4, integer=True)
_N = n_var.symbol


def _scaled_batch(env, rng, count):
    u = rng.random(count)
    return u - 1.0 / (4 * env.n), u


def _scaled_exact(env, u):
    from fractions import Fraction

    return Fraction(float(u)) - Fraction(1, 4 * int(env.n))


coin_scaled = Claim(id="planted.coin_scaled", title="fails w.p. 1/(4n) <= min(1, 1/n)", source=SRC,
                    statement=r"P(\text{fail}) \le \min(1, 1/n)", variables=[n_var],
                    kind=Probabilistic(sympy.Min(1, 1 / _N), batch=_scaled_batch, event_exact=_scaled_exact,
                                       settings=4))
coin_scaled_false = Claim(id="planted.coin_scaled_false", title="fails w.p. 1/(4n) <= delta0/n (false)",
                          source=SRC, statement=r"P(\text{fail}) \le \delta_0/n", variables=[n_var],
                          kind=Probabilistic(sympy.Symbol("delta0", real=True) / _N, batch=_scaled_batch,
                                             event_exact=_scaled_exact,
                                             exact_failure=lambda env: 1 / (4 * env.n), settings=4),
                          constants=[Constant("delta0", sympy.Rational(1, 16), positive=True)])


# Hoeffding for a biased coin: K ~ Bin(m, 3/5) has P(K <= m/2) <= exp(-2 m (1/10)^2) (true), decided
# by the exact binomial law at each width against an irrational delta (Arb); with exp(-m/10) it is false.
m_var = Variable("m", st.integers(1, 400), domain="{1, ..., 400}", lo=1, hi=400, integer=True)


def _majority_law(env):
    from fractions import Fraction

    from proofcheck.decide.stats import binomial_law

    m = int(env.m)
    return binomial_law(m, Fraction(3, 5), lambda k: 2 * k <= m)


hoeffding = Claim(id="planted.hoeffding", title="P(Bin(m, 3/5) <= m/2) <= exp(-m/50) (Hoeffding, true)",
                  source=SRC, statement=r"P(K \le m/2) \le e^{-2m(1/10)^2}", variables=[m_var],
                  kind=Probabilistic(sympy.exp(-m_var.symbol / 50), exact_failure=_majority_law, settings=10))
hoeffding_false = Claim(id="planted.hoeffding_false", title="P(Bin(m, 3/5) <= m/2) <= exp(-m/10) (false)",
                        source=SRC, statement=r"P(K \le m/2) \le e^{-m/10}", variables=[m_var],
                        kind=Probabilistic(sympy.exp(-m_var.symbol / 10), exact_failure=_majority_law, settings=10))


def _find_then_stall(ctx):
    """Records a counterexample, then (when the test asks for it) stalls like a long search."""
    import os
    import time

    rec = ctx.record_counterexample({"x": 0.5}, -1.0, "planted: recorded before a long stall")
    if os.environ.get("PLANTED_STALL"):
        time.sleep(600)
    return Outcome(Verdict.REFUTED, "planted refutation", 1, 1, -1.0, rec)


stall = Claim(id="planted.stall", title="finds a counterexample, then keeps searching for a long time",
              source=SRC, statement=r"\bot", check=_find_then_stall,
              replay=lambda ctx, record: (True, -1.0, "planted: every record refutes"))


# ---------------------------------------------------------------- reach: a large horizon and a small basin
def _regret_sum(e):
    """sum_{t=1}^{T} 1/sqrt(t) (a step-size schedule's regret), in floats or in Arb balls."""
    if e.num.name == "float":
        return float(np.sum(1.0 / np.sqrt(np.arange(1, int(e.T) + 1, dtype=float))))
    T = int(e.T.unique_fmpz())  # an integer variable arrives as an exact ball
    total = e.num.const(0)
    for t in range(1, T + 1):
        total += 1 / e.num.sqrt(e.num.const(t))
    return total


horizon = Variable("T", st.integers(1, 500), domain="T >= 1 (unbounded)", lo=1, integer=True,
                   meaning="horizon; the strategy draws T <= 500, the declared domain has no end")
rate = Variable("lr", st.floats(0.5, 1), domain="[1/2, 1]", lo=sympy.Rational(1, 2), hi=1)
# lr * sum_{t<=T} t^{-1/2} + 1/lr <= 112 fails only from T ~ 3100 (lr = 1) to T ~ 12300 (lr = 1/2)
large_horizon = Claim(
    id="planted.large_horizon", title="regret <= 112 at every horizon (false only for T >= 3000)", source=SRC,
    statement=r"\eta\sum_{t\le T} t^{-1/2} + 1/\eta \le 112", variables=[horizon, rate],
    conclusion=Condition("regret bound", rigorous=RERUN_ON_BALLS,
                         margin=lambda e: e.num.const(112) - (e.lr * _regret_sum(e) + 1 / e.lr)))
# sum_{t<=T} t^{-1/2} <= 2 sqrt(T) - 1, so this one holds at every horizon
large_horizon_true = Claim(
    id="planted.large_horizon_true", title="regret <= 2 lr sqrt(T) + 1/lr at every horizon (true)", source=SRC,
    statement=r"\eta\sum_{t\le T} t^{-1/2} + 1/\eta \le 2\eta\sqrt{T} + 1/\eta", variables=[horizon, rate],
    conclusion=Condition("regret bound", rigorous=RERUN_ON_BALLS,
                         margin=lambda e: e.lr * (2 * e.num.sqrt(e.num.const(e.T)) - _regret_sum(e))))

# A rippled bowl in [-1, 1]^6 centred off the grid and off the box's centre; it dips below r^2 only in
# a ball of radius 1/10 around the centre: at most 5.17e-6 / 64 = 8.1e-8 of the box's volume.
BASIN_CENTRE = (sympy.Rational(3183, 10000), sympy.Rational(-5772, 10000), sympy.Rational(1414, 10000),
                sympy.Rational(6931, 10000), sympy.Rational(-2718, 10000), sympy.Rational(4142, 10000))
basin_vars = [Variable(f"y{i}", st.floats(-1, 1), domain="[-1, 1]", lo=-1, hi=1) for i in range(6)]
_bowl = sum((v.symbol - c) ** 2 + sympy.Rational(1, 20) * sympy.sin(5 * sympy.pi * (v.symbol - c)) ** 2
            for v, c in zip(basin_vars, BASIN_CENTRE))
small_basin = Claim(id="planted.small_basin", title="a rippled bowl stays above 1/100 (false in a tiny ball)",
                    source=SRC, statement=r"\sum_i (y_i-c_i)^2 + \tfrac1{20}\sin^2(5\pi(y_i-c_i)) \ge \tfrac1{100}",
                    variables=basin_vars, conclusion=sympy.Ge(_bowl, sympy.Rational(1, 100)))
def _bowl_margin(e):
    """The same bowl as a margin function (a sympy relation ``bowl >= 0`` simplifies to True)."""
    total = e.num.const(0)
    for i, c in enumerate(BASIN_CENTRE):
        u = e[f"y{i}"] - e.num.const(c)
        total = total + u * u + e.num.const("1/20") * e.num.sin(5 * e.num.pi * u) ** 2
    return total


small_basin_true = Claim(id="planted.small_basin_true", title="the same rippled bowl is >= 0 (true, touching at c)",
                         source=SRC, statement=r"\sum_i (y_i-c_i)^2 + \tfrac1{20}\sin^2(5\pi(y_i-c_i)) \ge 0",
                         variables=basin_vars,
                         conclusion=Condition("bowl", margin=_bowl_margin, rigorous=RERUN_ON_BALLS))

# A structured value with no box (a tuple of four reals): the optimisers cannot search it globally, so the
# portfolio's global part is whole fresh Hypothesis runs (``search._restarts``); the bowl has no slope a
# walk could halve, so they get the budget.
quad = Variable("v", st.tuples(*[st.floats(-1, 1)] * 4), domain="[-1, 1]^4 as one tuple",
                contains=lambda v: isinstance(v, tuple) and len(v) == 4, meaning="a point as one structured value")
structured_true = Claim(id="planted.structured_true", title="1 + |v|^2 >= 1 for a tuple v (true)", source=SRC,
                        statement=r"1 + \|v\|^2 \ge 1", variables=[quad],
                        conclusion=Condition("bowl", rigorous=RERUN_ON_BALLS,
                                             margin=lambda e: sum(x * x for x in e.v)))
