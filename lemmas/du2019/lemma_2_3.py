r"""Lemma 2.3 of du2019 and its proof (slides ``001_d627599d6b7a6bd1.txt``, pp. 13--14).

Statement (p. 13): for a small positive constant :math:`c`, if at a time :math:`t` every
:math:`\|w_r(t)-w_r(0)\|_2\le c\delta\lambda_0/n^2=:R`, then with probability at least :math:`1-\delta`
over the initialisation, :math:`|H_{ij}(t)-H_{ij}(0)|<\lambda_0/4` and :math:`\lambda_{\min}(H(t))>\lambda_0/2`.

Proof as printed (pp. 13--14):

* (s1) :math:`A_{ir}=\{\exists w:\|w-w_r(0)\|\le R,\ 1\{x_i^\top w_r(0)\ge0\}\ne1\{x_i^\top w\ge0\}\}`
  "is equivalent to" :math:`|w_r(0)^\top x_i|<R`;
* (s2) :math:`P(A_{ir})=P_{z\sim N(0,1)}(|z|<R)\le 2R/\sqrt{2\pi}`;
* (s3) :math:`\mathbb E|H_{ij}(t)-H_{ij}(0)|\le\frac1m\sum_r\mathbb E\,1\{A_{ir}\cup A_{jr}\}\le 4R/\sqrt{2\pi}`;
* (s4) Markov: w.p. :math:`1-\delta`, :math:`\sum_{ij}|H_{ij}(t)-H_{ij}(0)|\le 4n^2R/\sqrt{2\pi\delta}` -- and
  in the next display :math:`\le 4n^2R/(\sqrt{2\pi}\delta)`; then
  :math:`\lambda_{\min}(H(t))\ge\lambda_{\min}(H(0))-4n^2R/(\sqrt{2\pi}\delta)\ge\lambda_0/2`.

The statement is quantified over every :math:`W(t)` in the ball, so the checks attack it with the worst
such :math:`W` (neuron by neuron, the reachable activation pattern that hurts most;
:func:`proofcheck.ml.gram.min_lambda_in_ball`, :func:`proofcheck.ml.gram.sup_entry_change`).

Errata
------
* s1: the event is :math:`-R\le w_r(0)^\top x_i<R` (an inactive input at exactly :math:`-R` can be
  switched on by the closed ball); "equivalent to :math:`|\cdot|<R`" is false on that null set.
  ``s1:repaired`` states the half-open interval.
* s4 is printed twice, as :math:`\sqrt{2\pi\delta}` and as :math:`\sqrt{2\pi}\,\delta`: two readings. Markov
  gives the second; the first is stronger than Markov and false for small :math:`\delta`.
* The last inequality uses :math:`\lambda_{\min}(H(0))\ge\frac34\lambda_0`, i.e. Lemma 2.2 and its width,
  which the statement does not assume; ``lemma2.3:repaired`` adds Lemma 2.2's width and, by the union
  of the two failure events, probability :math:`1-2\delta`.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy
import z3
from flint import arb
from scipy import stats as sps

from hypothesis import strategies as st

from proofcheck import Claim, Constant, Outcome, Probabilistic, Variable, Verdict
from proofcheck.certify import fresh_z3
from proofcheck.ml import datasets as ds
from proofcheck.ml import dynamics as dy
from proofcheck.ml import gram
from proofcheck.codec import decode
from proofcheck.num import fraction_to_arb
from proofcheck.probabilistic import (MAX_STORED_INSTANCES, rate_outcome, rate_plot,
                                     replay_rate)
from proofcheck.stats import RateEstimate

from . import K_LEMMA22, c_constant, delta_constant, radius_R, source, width_lemma22, delta_of

P, E, H, lambda_min = (sympy.Function(k) for k in ("P", "E", "H", "lambda_min"))
lambda_0 = sympy.Symbol("lambda_0")
R_s, s_s = sympy.symbols("R s", real=True)
_R_var = Variable("R", st.floats(0, 10), domain="R > 0", meaning="radius of the ball around w_r(0)")
_s_var = Variable("s", st.floats(-10, 10), domain="real", meaning="w_r(0)^T x_i (for s2: z ~ N(0,1))")


# ---------------------------------------------------------------- s1: the flip event
def _flip_event(s, R):
    """z3 formula of A_ir for a unit input: the values of w^T x over the closed ball are [s-R, s+R]
    (Cauchy-Schwarz, attained at w_r(0) -+ R x), so an active input (s >= 0) can be switched off iff
    s - R < 0 and an inactive one switched on iff s + R >= 0."""
    return z3.Or(z3.And(s >= 0, s - R < 0), z3.And(s < 0, s + R >= 0))


def _decide_equivalence(rhs):
    fresh_z3()  # models must not depend on earlier decisions in this process
    s, R = z3.Reals("s R")
    solver = z3.Solver()
    solver.add(R > 0, z3.Not(_flip_event(s, R) == rhs(s, R)))
    if solver.check() == z3.unsat:
        return None
    model = solver.model()
    frac = lambda v: Fraction(model.eval(v, model_completion=True).as_fraction())
    return frac(s), frac(R)


def _printed_event(s, R):
    return abs(s) < R


def _repaired_event(s, R):
    return -R <= s < R


def _witness(s: Fraction, R: Fraction, event=_printed_event):
    """Exact check of a model in d = 1: x = 1, w_r(0) = s; returns (A holds, the stated event holds)."""
    # A: some w in [s - R, s + R] has a different activation from s
    flipped = any((w >= 0) != (s >= 0) for w in (s - R, s + R))
    return flipped, event(s, R)


def replay_s1(event):
    """Re-check a stored (s, R) in exact rationals: a counterexample iff A_ir and the event differ."""
    def replay(ctx, record):
        v = decode(record.get("values", {}), exact=True)
        try:
            s, R = Fraction(v["s"]), Fraction(v["R"])
        except (KeyError, TypeError, ValueError) as exc:
            return False, None, f"the record lacks s or R ({exc})"
        if not R > 0:
            return False, None, f"R = {R} is not positive"
        flipped, holds = _witness(s, R, event)
        how = f"exact rationals (d = 1, x = 1): s = {s}, R = {R}: A_ir is {flipped}, the event is {holds}"
        return flipped != holds, (-1.0 if flipped != holds else 1.0), how
    return replay


def check_s1(ctx):
    found = _decide_equivalence(lambda s, R: z3.And(s < R, -s < R))
    if found is None:
        return Outcome(Verdict.PROVED, "z3: A_ir <=> |s| < R for every s and R > 0 (given the range lemma)")
    s, R = found
    flipped, printed = _witness(s, R)
    if flipped != printed:
        rec = ctx.record_counterexample({"s": s, "R": R, "x": Fraction(1), "w0": s, "w": s + R}, -1,
                                        "z3 model, re-checked in exact rationals (d = 1, x = 1)")
        return Outcome(Verdict.REFUTED,
                       f"z3 model s = w_r(0)^T x_i = {s}, R = {R}: w = w_r(0) + R x_i is in the closed ball and "
                       f"has w^T x_i = {s + R} >= 0, so A_ir holds, but |s| < R is false (exact rationals). "
                       "The two events differ only on the null set s = -R, so no probability changes.",
                       examples=1, satisfied=1, margin=-1.0, counterexample=rec)
    return Outcome(Verdict.ERROR, "z3 model did not re-verify")


def check_s1_repaired(ctx):
    found = _decide_equivalence(lambda s, R: z3.And(-R <= s, s < R))
    if found is None:
        return Outcome(Verdict.PROVED,
                       "z3: for all real s and R > 0, [exists w in the closed R-ball with a different "
                       "activation] <=> -R <= s < R, where the bracket is encoded through the range "
                       "{w^T x : ||w - w_r(0)|| <= R} = [s - R, s + R] (Cauchy-Schwarz, ||x_i|| = 1)",
                       examples=1, satisfied=1, margin=0.0)
    s, R = found
    flipped, holds = _witness(s, R, _repaired_event)
    if flipped == holds:
        return Outcome(Verdict.ERROR, "z3 model did not re-verify")
    return Outcome(Verdict.REFUTED, f"z3 model s = {s}, R = {R}, re-checked in exact rationals", examples=1,
                   satisfied=1, margin=-1.0,
                   counterexample=ctx.record_counterexample({"s": s, "R": R}, -1, "z3 model, exact rationals"))


lemma2_3_s1 = Claim(
    id="du2019.lemma2.3.s1",
    title="A_ir (some w within R flips 1{x_i^T w >= 0}) is equivalent to |w_r(0)^T x_i| < R",
    source=source("p. 13, definition of A_ir"),
    statement=r"A_{ir}\iff|w_r(0)^\top x_i|<R",
    check=check_s1,
    replay=replay_s1(_printed_event),
    variables=[_R_var, _s_var],
    formula=[sympy.Lt(sympy.Abs(s_s), R_s)],
    extra={"symbols": "s = w_r(0)^T x_i"},
)
lemma2_3_s1_repaired = Claim(
    id="du2019.lemma2.3.s1:repaired",
    title="A_ir is equivalent to -R <= w_r(0)^T x_i < R",
    source=source("p. 13, definition of A_ir"),
    statement=r"A_{ir}\iff -R\le w_r(0)^\top x_i<R",
    check=check_s1_repaired,
    replay=replay_s1(_repaired_event),
    note="The closed ball reaches w^T x_i = s + R exactly, which switches an inactive input on (1{. >= 0}).",
)


# ---------------------------------------------------------------- s2: anti-concentration
def check_s2(ctx):
    """Symbolic proof: f(R) = 2R/sqrt(2 pi) - erf(R/sqrt 2) has f(0) = 0 and f'(R) = (2/sqrt(2 pi))(1 - e^{-R^2/2}) >= 0."""
    R = sympy.Symbol("R", nonnegative=True)
    prob = sympy.erf(R / sympy.sqrt(2))
    # P(|z| < R) for z ~ N(0,1), computed from the density (not assumed):
    z = sympy.Symbol("z", real=True)
    density = sympy.exp(-z**2 / 2) / sympy.sqrt(2 * sympy.pi)
    integral = sympy.integrate(density, (z, -R, R))
    same = sympy.simplify(integral - prob) == 0
    f = 2 * R / sympy.sqrt(2 * sympy.pi) - prob
    f0 = sympy.simplify(f.subs(R, 0))
    df = sympy.simplify(sympy.diff(f, R))
    expected = 2 / sympy.sqrt(2 * sympy.pi) * (1 - sympy.exp(-R**2 / 2))
    df_ok = sympy.simplify(df - expected) == 0
    exponent_nonpos = bool((-R**2 / 2).is_nonpositive)  # so exp(.) <= 1 and f' >= 0
    # spot values with Arb, for the report
    spots = []
    for r in (Fraction(1, 100), Fraction(1, 2), Fraction(2), Fraction(10)):
        ra = fraction_to_arb(r)
        margin = 2 * ra / (2 * arb.pi()).sqrt() - (ra / arb(2).sqrt()).erf()
        spots.append((float(r), float(margin.mid()), bool(margin > 0)))
    if same and f0 == 0 and df_ok and exponent_nonpos:
        return Outcome(Verdict.PROVED,
                       "sympy: P(|z| < R) = integral of the density = erf(R/sqrt 2); "
                       "f(R) = 2R/sqrt(2 pi) - erf(R/sqrt 2) has f(0) = 0 and f'(R) = (2/sqrt(2 pi))(1 - exp(-R^2/2)) "
                       "with -R^2/2 <= 0, so f' >= 0 and f >= 0 for all R >= 0",
                       examples=len(spots), satisfied=len(spots), margin=0.0,
                       details={"arb_margins": spots})
    return Outcome(Verdict.SURVIVED, "symbolic proof incomplete; Arb spot margins all positive: "
                   + ", ".join(f"R={r}: {m:.3g}" for r, m, _ in spots), examples=len(spots),
                   satisfied=len(spots), margin=min(m for _, m, _ in spots))


lemma2_3_s2 = Claim(
    id="du2019.lemma2.3.s2",
    refutes=False,  # this procedure only proves or bounds; a refutation from it would be an error
    title="Gaussian anti-concentration: P(|z| < R) <= 2R/sqrt(2 pi)",
    source=source("p. 13, 'anti-concentration inequality of Gaussian'"),
    statement=r"P_{z\sim N(0,1)}(|z|<R)\le\frac{2R}{\sqrt{2\pi}}",
    check=check_s2,
    variables=[_R_var, _s_var],
    formula=[sympy.Le(P(sympy.Lt(sympy.Abs(s_s), R_s)), 2 * R_s / sympy.sqrt(2 * sympy.pi))],
    extra={"symbols": "s stands for z"},
)


# ---------------------------------------------------------------- s3: expected entry change
def s3_bounds(c: float, n_plus: int, n_minus: int, n_either: int, neurons: int) -> tuple[float, float]:
    """99% Clopper-Pearson bounds on ``E sup |dH_ij|`` from neuron counts: ``|c| max(P(plus), P(minus))``
    below, ``|c| P(plus or minus)`` above (``c = x_i^T x_j``; see :func:`check_s3`)."""
    upper = c * RateEstimate.of(n_either, neurons, 0).hi
    lower = c * max(RateEstimate.of(n_plus, neurons, 0).lo, RateEstimate.of(n_minus, neurons, 0).lo)
    return lower, upper


def replay_s3(ctx, record):
    """The lower bound recomputed from the stored counts against 4R/sqrt(2 pi); each stored neuron of
    the counted side must again be able to move H_ij that way within the R-ball."""
    v = decode(record.get("values", {}), exact=False)
    extra = decode(record.get("extra") or {}, exact=False)
    D, R, (i, j) = v["dataset"], float(v["R"]), v["pair"]
    counts, side = extra.get("counts"), extra.get("side")
    if not counts or side not in ("plus", "minus") or not R > 0:
        return False, None, "the record holds no neuron counts, side or positive R"
    c = abs(float(D.X[i] @ D.X[j]))
    lower, _ = s3_bounds(c, counts["plus"], counts["minus"], counts["either"], counts["neurons"])
    bound = 4 * R / math.sqrt(2 * math.pi)
    if not lower > bound:
        return False, bound - lower, f"99% lower bound {lower:.4g} on E sup|dH_ij| is not above 4R/sqrt(2 pi) = {bound:.4g}"
    neurons = np.array(decode(extra.get("instances", []), exact=False), dtype=float).reshape(-1, D.d)
    if len(neurons) == 0:
        return False, None, "the record holds no neuron to re-check"
    plus, minus = gram.pair_change_reachable(neurons, D.X[i], D.X[j], R)
    if not np.all(plus if side == "plus" else minus):
        return False, None, f"a stored neuron can no longer move H_ij ({side}) within the R-ball"
    return True, bound - lower, (f"99% lower bound {lower:.4g} on E sup|dH_ij| (from the stored counts) > "
                                 f"4R/sqrt(2 pi) = {bound:.4g}; {len(neurons)} stored neurons re-checked")


def check_s3(ctx):
    """E[sup_W |H_ij(W) - H_ij(W(0))|] against 4R/sqrt(2 pi), with exact neuron-wise reachability.

    Per neuron, the entry can be raised (``plus``) or lowered (``minus``), never both, so
    ``|c| max(P(plus), P(minus)) <= E sup |dH_ij| <= |c| P(plus or minus)`` (``c = x_i^T x_j``); both
    probabilities are estimated from iid neurons with 99% Clopper-Pearson bounds.
    """
    neurons = ctx.trials(20.0, minimum=2000)
    worst, count = None, 0
    for n in (2, 3):
        for kind in ("random", "parallel", "antipodal"):
            D = ds.make(ctx.rng, n, n, kind, spread=0.1)
            for R in (0.01, 0.1, 0.5, 1.5, 4.0):
                W0 = ctx.rng.standard_normal((neurons, n))
                count += neurons
                bound = 4 * R / math.sqrt(2 * math.pi)
                for i in range(n):
                    for j in range(i, n):
                        plus, minus = gram.pair_change_reachable(W0, D.X[i], D.X[j], R)
                        c = abs(float(D.X[i] @ D.X[j]))
                        counts = {"plus": int(np.sum(plus)), "minus": int(np.sum(minus)),
                                  "either": int(np.sum(plus | minus)), "neurons": neurons}
                        lower, upper = s3_bounds(c, counts["plus"], counts["minus"], counts["either"], neurons)
                        est = c * max(plus.mean(), minus.mean())
                        if worst is None or bound - upper < worst[0]:
                            side = "plus" if counts["plus"] >= counts["minus"] else "minus"
                            kept = W0[plus if side == "plus" else minus][:MAX_STORED_INSTANCES]
                            worst = (bound - upper, bound - lower, D, R, (i, j), est, upper, bound,
                                     {"counts": counts, "side": side, "instances": kept})
    margin, lower_margin, D, R, pair, est, upper, bound, kept = worst
    if lower_margin < 0:
        rec = ctx.record_counterexample({"dataset": D, "R": R, "pair": list(pair)}, lower_margin,
                                        "99% Clopper-Pearson lower bound on E sup", extra=kept)
        return Outcome(Verdict.REFUTED, f"E sup|dH_ij| > 4R/sqrt(2 pi) with 99% confidence at R = {R}",
                       examples=count, satisfied=count, margin=lower_margin, counterexample=rec)
    return Outcome(Verdict.SURVIVED,
                   f"{count} iid neurons over 30 (dataset, R) cases; tightest: {D.describe()}, R = {R}, pair {pair}: "
                   f"E sup|dH_ij| ~ {est:.4g}, 99% upper bound {upper:.4g} vs 4R/sqrt(2 pi) = {bound:.4g}",
                   examples=count, satisfied=count, margin=margin)


lemma2_3_s3 = Claim(
    id="du2019.lemma2.3.s3",
    title="E|H_ij(t) - H_ij(0)| <= 4R/sqrt(2 pi) for every W(t) in the R-ball",
    source=source("p. 14, first display"),
    statement=r"\mathbb E\big[\sup_{\|w_r-w_r(0)\|\le R}|H_{ij}(t)-H_{ij}(0)|\big]\le\frac{4R}{\sqrt{2\pi}}",
    check=check_s3,
    replay=replay_s3,
    variables=[_R_var],
    uses=["du2019.lemma2.3.s1", "du2019.lemma2.3.s2"],
    formula=[sympy.Le(E(sympy.Abs(H(1) - H(0))), 4 * R_s / sympy.sqrt(2 * sympy.pi))],
    note="R is free in this line (the derivation holds for every R > 0).",
)


# ---------------------------------------------------------------- s4: Markov, two readings
def _markov_n1_failure(m: int, q: arb, threshold: arb):
    """n = 1: sup_W sum_ij |dH_ij| = max(K_on, K_off)/m where K_on, K_off count neurons within R of
    the boundary on either side (each w.p. q = P(0 <= z < R)); P(max(K_on, K_off) > m T) exactly."""
    mT = threshold * m
    kstar = None
    fl = int(math.floor(float(mT.mid())))
    for k in (fl - 1, fl, fl + 1):
        if k >= 0 and arb(k) <= mT and arb(k + 1) > mT:
            kstar = k
    if kstar is None:
        return None
    kstar = min(kstar, m)
    # P(K_on <= k*, K_off <= k*) = sum_{a <= k*} Bin(a; m, q) * P(Bin(m - a, q/(1-q)) <= k*)
    q2 = q / (1 - q)
    total = arb(0)
    for a in range(kstar + 1):
        pa = arb(math.comb(m, a)) * q**a * (1 - q) ** (m - a)
        inner = arb(0)
        for b in range(min(kstar, m - a) + 1):
            inner += arb(math.comb(m - a, b)) * q2**b * (1 - q2) ** (m - a - b)
        total += pa * inner
    return 1 - total


def _markov_n1_float(m, q, T):
    kstar = int(math.floor(m * T))
    if kstar >= m:
        return 0.0
    a = np.arange(kstar + 1)
    pa = sps.binom.pmf(a, m, q)
    inner = sps.binom.cdf(kstar, m - a, q / (1 - q))
    return float(1 - np.sum(pa * inner))


def s4_failure_n1(m: int, dl: Fraction, c, reading: str):
    """n = 1 decided exactly (Arb): (P(sup_W sum|dH_ij| > the reading's bound), delta, R) at width m,
    R = c delta lambda_0 with lambda_0 = 1/2. The probability is None when undecided at this precision."""
    da = fraction_to_arb(Fraction(dl))
    Ra = fraction_to_arb(Fraction(c)) * da * arb(1) / 2
    qa = (Ra / arb(2).sqrt()).erf() / 2
    Ta = 4 * Ra / ((2 * arb.pi() * da).sqrt() if reading == "sqrt" else (2 * arb.pi()).sqrt() * da)
    return _markov_n1_failure(m, qa, Ta), da, Ra


def replay_s4(reading: str):
    def replay(ctx, record):
        v = decode(record.get("values", {}), exact=True)
        try:
            n, m, dl = v.get("n", 1), v["m"], Fraction(v["delta"])
        except (KeyError, TypeError, ValueError) as exc:
            return False, None, f"the record lacks m or delta ({exc})"
        if n != 1 or not isinstance(m, int) or m < 1 or not 0 < dl < 1:
            return False, None, f"n = {n}, m = {m}, delta = {dl} is not an n = 1 point of the domain"
        pa, da, _ = s4_failure_n1(m, dl, Fraction(ctx.constants["c"]), reading)
        if pa is None:
            return False, None, f"m = {m}, delta = {dl}: the threshold is undecided at this precision"
        how = f"exact trinomial law (n = 1), Arb: m = {m}, delta = {dl}: P(failure) in {pa}"
        return bool(pa > da), float((da - pa).mid()), how
    return replay


def check_s4(reading: str):
    def check(ctx):
        c = float(ctx.constants["c"])
        lam0 = 0.5  # n = 1: H^inf = (1/2)
        leads = []
        deltas = [Fraction(k, 1000) for k in (1, 2, 5, 10, 20, 50, 100, 200, 500)]
        for dl in deltas:
            d = float(dl)
            R = radius_R(1, lam0, d, c)
            T = 4 * R / (math.sqrt(2 * math.pi * d) if reading == "sqrt" else math.sqrt(2 * math.pi) * d)
            q = math.erf(R / math.sqrt(2)) / 2
            for m in sorted(set(np.unique(np.geomspace(1, 4000, 60).astype(int)).tolist()
                                + [int(1 / T) - 1, int(1 / T), int(1 / T) + 1])):
                if m < 1 or m > 20000:
                    continue
                pf = _markov_n1_float(m, q, T)
                leads.append((pf - d, m, dl, pf))
        leads.sort(key=lambda z: z[0], reverse=True)
        for gap, m, dl, pf in leads[:3]:
            pa, da, Ra = s4_failure_n1(m, dl, c, reading)
            if pa is not None and pa > da:
                rec = ctx.record_counterexample({"n": 1, "m": m, "delta": dl}, float((da - pa).mid()),
                                                "exact trinomial law of the neurons near the boundary, Arb",
                                                extra={"P_fail": float(pa.mid())})
                return Outcome(Verdict.REFUTED,
                               f"n = 1, m = {m}, delta = {dl}, R = c delta lambda_0 = {float(Ra.mid()):.4g}: "
                               f"P(sup_W sum|dH_ij| > bound) = {float(pa.mid()):.5g} > delta (exact, Arb)",
                               examples=len(leads), satisfied=len(leads), margin=float((da - pa).mid()),
                               counterexample=rec)
        gap, m, dl, pf = leads[0]
        return Outcome(Verdict.SURVIVED,
                       f"n = 1 exact: P(failure) <= delta at all {len(leads)} (m, delta) points; closest "
                       f"P - delta = {gap:.4g} at m = {m}, delta = {float(dl)}",
                       examples=len(leads), satisfied=len(leads), margin=-gap,
                       notes=["only n = 1 is decided exactly here; for n >= 2 Markov's inequality and s3 "
                              "imply the sqrt(2 pi) delta reading"])
    return check


_s4_common = dict(
    source=source("p. 14, Markov step and the next display"),
    constants=[c_constant()],
    variables=[Variable("delta", st.floats(0, 1), domain="0 < delta < 1 (searched on a grid)"),
               Variable("m", st.integers(1, 20000), integer=True, domain="width (searched)")],
    kind=Probabilistic(delta="delta"),
    uses=["du2019.lemma2.3.s3"],
    note="R = c delta lambda_0/n^2 as in the lemma; sup over the ball; n = 1 decided exactly.",
)
lemma2_3_s4_sqrt = Claim(
    id="du2019.lemma2.3.s4@sqrt_2pi_delta",
    title="Markov as printed first: w.p. 1 - delta, sum_ij |dH_ij| <= 4 n^2 R / sqrt(2 pi delta)",
    statement=r"\Pr\Big[\sum_{ij}|H_{ij}(t)-H_{ij}(0)|\le\frac{4n^2R}{\sqrt{2\pi\delta}}\Big]\ge1-\delta",
    check=check_s4("sqrt"), replay=replay_s4("sqrt"), **_s4_common)
lemma2_3_s4_times = Claim(
    id="du2019.lemma2.3.s4@sqrt_2pi_times_delta",
    title="Markov as printed second: w.p. 1 - delta, sum_ij |dH_ij| <= 4 n^2 R / (sqrt(2 pi) delta)",
    statement=r"\Pr\Big[\sum_{ij}|H_{ij}(t)-H_{ij}(0)|\le\frac{4n^2R}{\sqrt{2\pi}\,\delta}\Big]\ge1-\delta",
    check=check_s4("times"), replay=replay_s4("times"), **_s4_common)


# ---------------------------------------------------------------- the lemma
def _trial_fails(rng, D, m, R, lam0_lo, lam0_hi):
    """One random initialisation W(0) ~ N(0, I), decided by :func:`instance_fails`; returns its result
    followed by W(0)."""
    W0 = rng.standard_normal((m, D.d))
    return instance_fails(W0, D, R, lam0_lo, lam0_hi) + (W0,)


def instance_fails(W0, D, R, lam0_lo, lam0_hi):
    """One initialisation: does some W in the R-ball violate a conclusion? (float, 1e-9 guard band).

    Returns (fails, which conclusion, fails already at W = W(0), lambda_min after the attack / lambda_0,
    largest sup |dH_ij| / (lambda_0/4))."""
    sup = gram.sup_entry_change(W0, D.X, R)
    # certain failures only: sup >= hi/4 >= lambda_0/4; lambda_min <= lo/2 <= lambda_0/2
    at_init = gram.lambda_min(gram.h_of_weights(W0, D.X)) <= lam0_lo / 2 - 1e-9
    W_adv, lam = gram.min_lambda_in_ball(W0, D.X, R)
    ratio_sup = float(np.max(sup) / (lam0_hi / 4))
    if np.max(sup) >= lam0_hi / 4 + 1e-9:
        return True, "entry", at_init, lam / lam0_hi, ratio_sup
    if lam <= lam0_lo / 2 - 1e-9:
        # re-verified exactly: exact activations of the (float) weights, exact Rayleigh quotient,
        # against the rational lower bound of lambda_0; the adversary's step stays inside the ball
        # with a relative margin of 1e-9
        if gram.lambda_min_upper_exact(W_adv, D.X_exact, D.gram_exact()) <= Fraction(lam0_lo) / 2:
            return True, "lambda_min (exact)", at_init, lam / lam0_hi, ratio_sup
    if lam <= lam0_lo / 2 - 1e-9:
        return False, "", at_init, lam / lam0_hi, ratio_sup
    return False, "", at_init, lam / lam0_hi, ratio_sup


def _lemma_check(repaired: bool):
    def check(ctx):
        delta = delta_of(ctx)
        c = float(ctx.constants["c"])
        allowed = 2 * delta if repaired else delta
        trials = ctx.trials(0.1, minimum=40)
        cap = 20_000 if ctx.budget.name == "quick" else 60_000
        sets = [ds.orthonormal(1), ds.orthonormal(2), ds.make(ctx.rng, 3, 3, "random")]
        worst, rows, notes, plot_x, plot_e = None, 0, [], [], []
        for D in sets:
            lo, hi = gram.lambda0_enclosure(D.gram_exact())
            R = radius_R(D.n, float(lo), delta, c)  # the smaller radius: certainly within the hypothesis
            if repaired:
                widths = [width_lemma22(D.n, float(lo), delta, float(ctx.constants["K"]))]
            else:
                widths = [1, 4, 16, 64]
            for m in widths:
                if m > cap:
                    notes.append(f"{D.describe()}: m = {m} above the budget cap {cap}, not run")
                    continue
                kinds = [_trial_fails(ctx.rng, D, m, R, float(lo), float(hi)) for _ in range(trials)]
                f = sum(k[0] for k in kinds)
                est = RateEstimate.of(f, trials, allowed)
                rows += trials
                if D.n == 2 and not repaired:
                    plot_x.append(m), plot_e.append(est)
                if repaired and D.n == 2:
                    # how far is the radius from necessary? grow R until the conclusions fail
                    mults, rests = [1], [est]
                    for mult in (4, 16, 64, 256):
                        tr = min(50, max(20, trials // 2))
                        fr = sum(_trial_fails(ctx.rng, D, m, R * mult, float(lo), float(hi))[0] for _ in range(tr))
                        mults.append(mult), rests.append(RateEstimate.of(fr, tr, allowed))
                        if rests[-1].rate > allowed:
                            break
                    ok = [mu for mu, e in zip(mults, rests) if e.rate <= allowed]
                    notes.append(f"{D.describe()}, m = {m}: the conclusions still held (failure rate <= 2 delta) "
                                 f"at {max(ok)}x the proven radius R = {R:.3g}"
                                 + (f"; failed at {mults[-1]}x" if rests[-1].rate > allowed else ""))
                    plot_x, plot_e = mults, rests
                if worst is None or (est.lo, -min(k[3] for k in kinds)) > (worst[0].lo, -worst[6]):
                    worst = (est, D, m, R, sorted({k[1] for k in kinds if k[0]}),
                             sum(k[2] for k in kinds), min(k[3] for k in kinds), max(k[4] for k in kinds),
                             [k[5] for k in kinds if k[0]])
        if worst is None:
            return Outcome(Verdict.VACUOUS, "no dataset within the budget's width cap", notes=notes)
        est, D, m, R, how, at_init, lam_ratio, sup_ratio, failing = worst
        xlabel = "radius / R" if repaired else "width m"
        details = {"plots": [rate_plot(f"Lemma 2.3 failure rate vs {xlabel} (n = 2, orthonormal)", xlabel,
                                       plot_x, plot_e, allowed)]} if plot_x else {}
        what = (f"worst W in the ball (R = c delta lambda_0/n^2 = {R:.3g}), {D.describe()}, m = {m}"
                + (f", failing conclusion(s): {', '.join(how)}" if how else "")
                + (" [hypothesis added: Lemma 2.2's width; allowed failure 2 delta]" if repaired else "")
                + f"; {at_init} of {est.trials} fail already at W = W(0); least lambda_min(H(W))/lambda_0 after "
                  f"the attack {lam_ratio:.3g}; largest sup|dH_ij|/(lambda_0/4) {sup_ratio:.3g}")
        return rate_outcome(ctx, est.failures, est.trials, allowed, what, {"dataset": D, "m": m, "R": R},
                            instances=[{"W0": W0} for W0 in failing],
                            notes=notes + ["lambda_min failures are re-verified in exact rationals (activations "
                                           "and Rayleigh quotient); entry failures are decided in floats with a "
                                           "1e-9 guard band"],
                            details=details, satisfied=rows)
    return check


def _lemma_replay(repaired: bool):
    """The stored radius must lie within the hypothesis (R <= c delta lambda_0/n^2 from the certified
    lower bound of lambda_0, under the current constants) and, repaired, the width must be Lemma 2.2's;
    each stored W(0) is re-decided by :func:`instance_fails` (exact for lambda_min failures)."""
    def replay(ctx, record):
        delta = delta_of(ctx)
        c = float(ctx.constants["c"])
        allowed = 2 * delta if repaired else delta
        v = decode(record.get("values", {}), exact=False)
        D, m, R = v["dataset"], v["m"], float(v["R"])
        lo, hi = gram.lambda0_enclosure(D.gram_exact())
        R_max = radius_R(D.n, float(lo), delta, c)
        if not 0 < R <= R_max:
            return False, None, f"R = {R:.6g} is outside (0, c delta lambda_0/n^2 = {R_max:.6g}]"
        if repaired and m < width_lemma22(D.n, float(lo), delta, float(ctx.constants["K"])):
            return False, None, f"m = {m} is below Lemma 2.2's width"

        def verify(inst):
            W0 = np.array(inst["W0"], dtype=float)
            if W0.shape != (m, D.d):
                return False, f"weights of shape {W0.shape}, not ({m}, {D.d})"
            fails, which = instance_fails(W0, D, R, float(lo), float(hi))[:2]
            return fails, (f"fails ({which})" if fails else "no W in the ball violates a conclusion")

        return replay_rate(ctx, record, allowed, verify)
    return replay


lemma2_3 = Claim(
    id="du2019.lemma2.3",
    title="If every ||w_r(t) - w_r(0)|| <= R = c delta lambda_0/n^2, then w.p. 1 - delta: |dH_ij| < lambda_0/4 and lambda_min(H(t)) > lambda_0/2",
    source=source("p. 13, Lemma 2.3"),
    statement=r"\forall r:\|w_r(t)-w_r(0)\|\le\frac{c\delta\lambda_0}{n^2}=R\ \Rightarrow\ \Pr\Big[|H_{ij}(t)-H_{ij}(0)|<\frac{\lambda_0}4,\ \lambda_{\min}(H(t))>\frac{\lambda_0}2\Big]\ge1-\delta",
    constants=[delta_constant(0.1), c_constant()],
    kind=Probabilistic(delta="delta"),
    uses=["du2019.lemma2.3.s1", "du2019.lemma2.3.s2", "du2019.lemma2.3.s3",
          "du2019.lemma2.3.s4@sqrt_2pi_times_delta"],
    formula=[sympy.Gt(lambda_min(H(1)), lambda_0 / 2)],
    check=_lemma_check(False),
    replay=_lemma_replay(False),
    note="As printed: no width hypothesis. The worst W in the ball is searched, not a random one.",
)
lemma2_3_repaired = Claim(
    id="du2019.lemma2.3:repaired",
    title="Lemma 2.3 with Lemma 2.2's width m >= 256 n^2 log(n/delta)/lambda_0^2, w.p. 1 - 2 delta",
    source=source("p. 13, Lemma 2.3 (with p. 11, Lemma 2.2)"),
    statement=r"m\ge\frac{256n^2\log(n/\delta)}{\lambda_0^2},\ \forall r:\|w_r(t)-w_r(0)\|\le R\Rightarrow\Pr[\dots]\ge1-2\delta",
    constants=[delta_constant(0.1), c_constant(),
               Constant("K", K_LEMMA22, "Lemma 2.2's explicit width constant", positive=True)],
    kind=Probabilistic(delta="delta"),
    uses=["du2019.lemma2.2", "du2019.lemma2.3.s4@sqrt_2pi_times_delta"],
    check=_lemma_check(True),
    replay=_lemma_replay(True),
    note="The proof's last line needs lambda_min(H(0)) >= 3 lambda_0/4 (Lemma 2.2): its width and its "
         "failure probability delta are added.",
)
