r"""Lemma 2.3 of du2019 and its proof (Du, Zhai, Poczos, Singh, ICLR 2019; slides pp. 13--14).

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

The statement is quantified over every :math:`W(t)` in the ball. For one initialisation the engine is
given safe-side bounds (:mod:`proofcheck.ml.gram`): the supremum of :math:`|H_{ij}(W)-H_{ij}(W(0))|` over
the ball is exact (neuron-wise reachability, :func:`~proofcheck.ml.gram.sup_entry_change`); the infimum
of :math:`\lambda_{\min}(H(W))` is bounded above by a configuration in the ball
(:func:`~proofcheck.ml.gram.min_lambda_in_ball`, re-verified in exact rationals) and below by
:math:`\lambda_{\min}(H(0))-\|\sup|\Delta H|\|_F` (Weyl); between the two a draw is undecided and counts
only against survival.

Named constants: ``c`` (Lemma 2.3's "small constant", :math:`\sqrt{2\pi}/16`), ``r_n = 2`` (the exponent of
:math:`R=c\delta\lambda_0/n^{2}`), ``q_entry = 1/4``, ``q_lam = 1/2``, ``c2 = 2`` (s2), ``c3 = 4`` (s3),
``c4 = 4`` (s4); the repair adds ``K`` (Lemma 2.2's width) and ``k_delta = 2`` (its failure budget).

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
from flint import arb
from hypothesis import strategies as st
from scipy import stats as sps

from proofcheck import RERUN_ON_BALLS, Claim, Constant, Probabilistic, Variable
from proofcheck.model.claim import Condition, equivalence
from proofcheck.ml import du_strategies as dst
from proofcheck.ml import gram
from proofcheck.model.num import ARB, Enclosure, NumericError, fraction_to_arb

from . import C_SMALL, DELTA_TENTH, K_LEMMA22, src, width_lemma22

P, E, H, lambda_min = (sympy.Function(k) for k in ("P", "E", "H", "lambda_min"))
lambda_0 = sympy.Symbol("lambda_0")
R_s, s_s = sympy.symbols("R s", real=True)


# ---------------------------------------------------------------- s1: the flip event
_s1_vars = [Variable("s", st.floats(-10, 10), domain="s = w_r(0)^T x_i, real", meaning="w_r(0)^T x_i"),
            Variable("R", st.floats(0, 10), domain="R > 0", meaning="radius of the ball around w_r(0)")]

lemma2_3_s1 = Claim(
    id="du2019.lemma2.3.s1",
    reason=("The event A_ir and |w_r(0)^T x_i| < R differ at the boundary point s = -R, where the printed strict "
            "inequality is met with equality (a null set: no probability changes)."),
    title="A_ir (some w within R flips 1{x_i^T w >= 0}) is equivalent to |w_r(0)^T x_i| < R",
    source=src("p. 13, definition of A_ir"),
    statement=r"A_{ir}\iff|w_r(0)^\top x_i|<R",
    variables=_s1_vars,
    # A_ir through the range lemma: {w^T x_i : ||w - w_r(0)|| <= R} = [s - R, s + R] (Cauchy-Schwarz,
    # attained at w_r(0) -+ R x_i); it meets both {< 0} and {>= 0} iff s - R < 0 <= s + R.
    hypotheses=[sympy.Gt(R_s, 0), sympy.Lt(s_s - R_s, 0), sympy.Ge(s_s + R_s, 0)],
    conclusion=sympy.Lt(sympy.Abs(s_s), R_s),
    extra={"symbols": "s = w_r(0)^T x_i"},
    note="Encoded as the direction A_ir => |s| < R (A_ir written through the range lemma); the converse "
         "holds. The two events differ only on the null set s = -R, so no probability changes.",
)
lemma2_3_s1_repaired = Claim(
    id="du2019.lemma2.3.s1:repaired",
    title="A_ir is equivalent to -R <= w_r(0)^T x_i < R",
    source=src("p. 13, definition of A_ir"),
    statement=r"A_{ir}\iff -R\le w_r(0)^\top x_i<R",
    # an equivalence of two events, each a conjunction of a strict and a non-strict inequality: A_ir
    # through the range lemma ({w^T x_i : ||w - w_r(0)|| <= R} = [s - R, s + R]) is s - R < 0 <= s + R
    conjuncts=equivalence("du2019.lemma2.3.s1", src("p. 13"), _s1_vars, given=[sympy.Gt(R_s, 0)],
                          left=[sympy.Lt(s_s - R_s, 0), sympy.Ge(s_s + R_s, 0)],
                          right=[sympy.Ge(s_s, -R_s), sympy.Lt(s_s, R_s)]),
    note="The closed ball reaches w^T x_i = s + R exactly, which switches an inactive input on (1{. >= 0}).",
)


# ---------------------------------------------------------------- s2: anti-concentration
def _gaussian_mass(R):
    """P(|z| < R) for z ~ N(0, 1), integrated from the density by sympy (erf(R/sqrt 2))."""
    z = sympy.Symbol("z", real=True)
    return sympy.integrate(sympy.exp(-z**2 / 2) / sympy.sqrt(2 * sympy.pi), (z, -R, R))


_R_pos = sympy.Symbol("R", positive=True)
P_ABS_LT = _gaussian_mass(_R_pos).subs(_R_pos, R_s)
_c2 = sympy.Symbol("c2", real=True)

lemma2_3_s2 = Claim(
    id="du2019.lemma2.3.s2",
    title="Gaussian anti-concentration: P(|z| < R) <= 2R/sqrt(2 pi)",
    source=src("p. 13, 'anti-concentration inequality of Gaussian'"),
    statement=r"P_{z\sim N(0,1)}(|z|<R)\le\frac{2R}{\sqrt{2\pi}}",
    variables=[Variable("R", st.floats(0, 8), domain="0 <= R <= 8", lo=0, hi=8)],
    constants=[Constant("c2", 2, "the 2 of 2R/sqrt(2 pi)", positive=True)],
    conclusion=sympy.Le(P_ABS_LT, _c2 * R_s / sympy.sqrt(2 * sympy.pi)),
    note="P(|z| < R) is integrated from the density; certified on [0, 8]; for R >= 8 it is at most 1 < 2R/sqrt(2 pi).",
)


# ---------------------------------------------------------------- s3: expected entry change
def _s3_parts(env, exact=False):
    """(min over pairs of #(A_ir or A_jr) - m sup_W |dH_ij| / |x_i^T x_j|, c3 R/sqrt(2 pi) - 2 P(|z| < R)).

    The first is the pointwise form of the display's first inequality (a neuron moves H_ij only if one
    of its two activations flips), for every W in the ball at once (sup by exact reachability); taking
    expectations gives E|dH_ij| <= (1/m) sum_r P(A_ir or A_jr). The second is the display's last step,
    P(A_ir or A_jr) <= P(A_ir) + P(A_jr) = 2 P(|z| < R) <= c3 R/sqrt(2 pi)."""
    D, m, R = env.dataset, int(env.m), env.R
    W0, _ = env.init.weights(m, D.d)
    n = D.n
    if exact:
        Rq = Fraction(R)
        Wq = [[Fraction(float(v)) for v in row] for row in W0]
        Xe = D.X_exact
        flips = [gram.flippable_exact(Wq, Xe[i], Rq) for i in range(n)]
        worst = None
        for i in range(n):
            for j in range(i, n):
                plus, minus = gram.pair_change_reachable_exact(Wq, Xe[i], Xe[j], Rq)
                either = sum(a or b for a, b in zip(flips[i], flips[j]))
                gap = Fraction(either - max(sum(plus), sum(minus)))
                worst = gap if worst is None else min(worst, gap)
        Ra = fraction_to_arb(Rq)
        tail = (fraction_to_arb(Fraction(env.c3)) * Ra / (2 * arb.pi()).sqrt() - 2 * (Ra / arb(2).sqrt()).erf())
        return Enclosure.exact(worst), Enclosure.of(tail)
    R = float(R)
    F = gram.flippable(W0, D.X, R)
    worst = math.inf
    for i in range(n):
        for j in range(i, n):
            plus, minus = gram.pair_change_reachable(W0, D.X[i], D.X[j], R)
            worst = min(worst, float(np.sum(F[:, i] | F[:, j]) - max(plus.sum(), minus.sum())))
    return worst, float(env.c3) * R / math.sqrt(2 * math.pi) - 2 * math.erf(R / math.sqrt(2))


def _s3_margin(env):
    return min(_s3_parts(env))


# A twin of its own, not a re-run on balls: it counts the flippable neurons exactly (the sign of
# w_r(0)^T x_i +- R in rationals decides a neuron on the boundary), and its Gaussian tail needs erf, which
# env.num does not offer.
def _s3_margin_exact(env):
    a, b = _s3_parts(env, exact=True)
    return Enclosure(min(a.lo, b.lo), min(a.hi, b.hi))


lemma2_3_s3 = Claim(
    id="du2019.lemma2.3.s3",
    title="E|H_ij(t) - H_ij(0)| <= (1/m) sum_r E 1{A_ir or A_jr} <= 4R/sqrt(2 pi) for every W(t) in the R-ball",
    source=src("p. 14, first display"),
    statement=r"\mathbb E\big[\sup_{\|w_r-w_r(0)\|\le R}|H_{ij}(t)-H_{ij}(0)|\big]\le\frac1m\sum_{r=1}^m\mathbb E\big[1\{A_{ir}\cup A_{jr}\}\big]\le\frac{4R}{\sqrt{2\pi}}",
    variables=[Variable("dataset", dst.datasets(n=st.integers(1, 3)), domain="n <= 3 unit inputs, pairwise non-parallel",
                        contains=dst.is_setting_dataset(max_n=3)),
               Variable("init", dst.initialisations(), domain="w_r(0) ~ N(0, I) from a seed"),
               Variable("m", dst.widths(1, 64), domain="1 <= m <= 64", integer=True, lo=1, hi=64),
               Variable("R", dst.dyadic_in(Fraction(1, 1024), 4), domain="0 < R <= 4",
                        contains=lambda v: 0 < Fraction(v) <= 4)],
    constants=[Constant("c3", 4, "the 4 of 4R/sqrt(2 pi)", positive=True)],
    conclusion=Condition("sup_W |dH_ij| <= |x_i^T x_j| #(A_i or A_j)/m pointwise, and 2 P(|z| < R) <= c3 R/sqrt(2 pi)",
                         margin=_s3_margin, rigorous=_s3_margin_exact),
    uses=["du2019.lemma2.3.s1:repaired", "du2019.lemma2.3.s2"],
    formula=[sympy.Le(E(sympy.Abs(H(1) - H(0))), 4 * R_s / sympy.sqrt(2 * sympy.pi))],
    cost=0.5,
    note="The display's first inequality holds pointwise (for every initialisation and every W in the ball), "
         "so the search checks it there, with the supremum over the ball computed exactly; expectations are "
         "linear. R is free in this line.",
)


# ---------------------------------------------------------------- s4: Markov, two readings (n = 1, exact law)
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


def s4_failure_n1(m: int, dl: Fraction, c, reading: str, c4=4):
    """n = 1 decided exactly (Arb): (P(sup_W sum|dH_ij| > the reading's bound), delta, R) at width m,
    R = c delta lambda_0 with lambda_0 = 1/2; the bound is c4 n^2 R/sqrt(2 pi delta) or
    c4 n^2 R/(sqrt(2 pi) delta) (c, c4 any exact reals, through ARB.const). The probability is None when
    undecided at this precision."""
    da = fraction_to_arb(Fraction(dl))
    Ra = ARB.const(c) * da * arb(1) / 2
    qa = (Ra / arb(2).sqrt()).erf() / 2
    Ta = ARB.const(c4) * Ra / ((2 * arb.pi() * da).sqrt() if reading == "sqrt" else (2 * arb.pi()).sqrt() * da)
    return _markov_n1_failure(m, qa, Ta), da, Ra


def s4_failure_n1_float(m: int, dl: float, c: float, reading: str, c4: float = 4) -> float:
    R = c * dl / 2
    T = c4 * R / (math.sqrt(2 * math.pi * dl) if reading == "sqrt" else math.sqrt(2 * math.pi) * dl)
    return _markov_n1_float(m, math.erf(R / math.sqrt(2)) / 2, T)



def _s4_margin(reading):
    def margin(env):
        return float(env.delta) - s4_failure_n1_float(int(env.m), float(env.delta), float(env.c), reading,
                                                      float(env.c4))
    return margin


# A twin of its own, not a re-run on balls: the float margin takes scipy's binomial cdf, the twin sums the
# trinomial law in Arb after deciding the threshold count k* exactly.
def _s4_margin_exact(reading):
    def margin(env):
        pa, da, _ = s4_failure_n1(int(env.m), Fraction(env.delta), env.c, reading, env.c4)
        if pa is None:
            raise NumericError("the failure threshold m T is undecided at this precision")
        return Enclosure.of(da - pa)
    return margin


C4 = Constant("c4", 4, "the 4 of 4 n^2 R", positive=True)


def _s4_claim(cid, reading, title, statement, reason=""):
    return Claim(
        id=cid, title=title, statement=statement, reason=reason,
        source=src("p. 14, Markov step and the next display"),
        constants=[C_SMALL, C4],
        variables=[Variable("delta", dst.probabilities(), domain="0 < delta < 1",
                            contains=lambda v: 0 < Fraction(v) < 1),
                   Variable("m", dst.widths(1, 4096), domain="1 <= m <= 4096", integer=True, lo=1, hi=4096)],
        conclusion=Condition("P(sup_W sum_ij |dH_ij| > bound) <= delta (n = 1, exact law)",
                             margin=_s4_margin(reading), rigorous=_s4_margin_exact(reading)),
        uses=["du2019.lemma2.3.s3"],
        note="Checked at n = 1 (lambda_0 = 1/2, R = c delta/2), where the law is exact: sup over the ball of "
             "|dH_11| is max(K_on, K_off)/m with K_on, K_off the neurons within R of the boundary on either side "
             "(trinomial, each w.p. P(0 <= z < R)); the failure probability is an Arb sum.",
    )


lemma2_3_s4_sqrt = _s4_claim(
    "du2019.lemma2.3.s4@sqrt_2pi_delta", "sqrt",
    "Markov as printed first: w.p. 1 - delta, sum_ij |dH_ij| <= 4 n^2 R / sqrt(2 pi delta)",
    r"\Pr\Big[\sum_{ij}|H_{ij}(t)-H_{ij}(0)|\le\frac{4n^2R}{\sqrt{2\pi\delta}}\Big]\ge1-\delta",
    reason="Markov's inequality on E[sum |dH_ij|] <= 4 n^2 R/sqrt(2 pi) divides the bound by delta, not by "
           "sqrt(delta): the printed 4 n^2 R/sqrt(2 pi delta) is too small.")
lemma2_3_s4_times = _s4_claim(
    "du2019.lemma2.3.s4@sqrt_2pi_times_delta", "times",
    "Markov as printed second: w.p. 1 - delta, sum_ij |dH_ij| <= 4 n^2 R / (sqrt(2 pi) delta)",
    r"\Pr\Big[\sum_{ij}|H_{ij}(t)-H_{ij}(0)|\le\frac{4n^2R}{\sqrt{2\pi}\,\delta}\Big]\ge1-\delta")


# ---------------------------------------------------------------- the lemma
#: proven widths above this are outside the checked domain of the repaired lemma (a stated hypothesis)
WIDTH_CAP = 2**16


def _lemma_setting(env, repaired):
    """(lambda_0 bounds lo <= hi (rationals), R, m) of a setting (cached per data set and constants)."""
    D = env.dataset
    key = (id(D), repaired, tuple(sorted((k, float(v)) for k, v in env.as_dict().items()
                                         if k in ("delta", "c", "r_n", "K", "m"))))
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not D:
        lo, hi = gram.lambda0_enclosure(D.gram_exact())
        R = radius(D.n, lo, env)
        m = width_lemma22(D.n, float(lo), float(env.delta), float(env.K)) if repaired else int(env.m)
        hit = (D, lo, hi, R, m)
        _CACHE.clear()
        _CACHE[key] = hit
    return hit[1:]


_CACHE: dict = {}


def radius(n, lam0_lo, env) -> float:
    """R = c delta lambda_0 / n^r_n from the certified lower bound of lambda_0 (so R is certainly within
    the hypothesis: the ball is no larger than the stated one)."""
    return float(env.c) * float(env.delta) * float(lam0_lo) / n ** float(env.r_n)


def instance_margin(W0, D, R, lo, hi, q_entry, q_lam):
    """One initialisation: the signed margin of "for every W in the R-ball: |dH_ij| < q_entry lambda_0 and
    lambda_min(H(W)) > q_lam lambda_0" -- negative only for a certain failure (an exact supremum at or above
    q_entry hi, or a configuration in the ball whose exact Rayleigh quotient is at most q_lam lo), positive
    only when certain (supremum below q_entry lo and Weyl's lower bound above q_lam hi), NaN otherwise."""
    sup = gram.sup_entry_change(W0, D.X, R)
    top = float(np.max(sup))
    entry_bad = top - float(q_entry) * float(hi)
    if entry_bad >= 1e-12:
        return -entry_bad
    W_adv, lam = gram.min_lambda_in_ball(W0, D.X, R)
    if lam <= float(q_lam) * float(lo):
        exact = gram.lambda_min_upper_exact(W_adv, D.X_exact, D.gram_exact())
        if exact <= Fraction(q_lam) * Fraction(lo):
            return float(exact - Fraction(q_lam) * Fraction(lo)) - 1e-300
    weyl = gram.lambda_min(gram.h_of_weights(W0, D.X)) - float(np.sqrt(np.sum(sup * sup)))
    good = min(float(q_entry) * float(lo) - top, weyl - float(q_lam) * float(hi))
    return good if good > 1e-9 else float("nan")


def _lemma_draw(repaired):
    def draw(env, rng):
        """One initialisation W(0) ~ N(0, I) at the setting's width (the generator given is the only
        randomness)."""
        _, _, _, m = _lemma_setting(env, repaired)
        return rng.standard_normal((m, env.dataset.d))
    return draw


def _lemma_event(repaired):
    def event(env, W0):
        lo, hi, R, _ = _lemma_setting(env, repaired)
        return instance_margin(W0, env.dataset, R, lo, hi, env.q_entry, env.q_lam)
    return event


def _lemma_event_exact(repaired):
    def event_exact(env, W0):
        """A failing draw re-checked in exact rationals: the supremum of |dH_ij| over the ball from the
        exact reachability of every neuron (the weights are the rationals the floats hold, R the rational
        the float radius holds), and lambda_min through the exact Rayleigh quotient of the adversary's
        configuration; an enclosure of the margin that is certainly negative only for a certain failure."""
        lo, hi, R, _ = _lemma_setting(env, repaired)
        D = env.dataset
        Rq = Fraction(R)
        Wq = [[Fraction(float(v)) for v in row] for row in W0]
        G = D.gram_exact()
        m, n = len(Wq), D.n
        sup = Fraction(0)
        for i in range(n):
            for j in range(i, n):
                plus, minus = gram.pair_change_reachable_exact(Wq, D.X_exact[i], D.X_exact[j], Rq)
                sup = max(sup, abs(G[i][j]) * max(sum(plus), sum(minus)) / m)
        q_e, q_l = Fraction(env.q_entry), Fraction(env.q_lam)
        entry = Enclosure(q_e * lo - sup, q_e * hi - sup)        # q_entry lambda_0 - sup, lambda_0 in [lo, hi]
        W_adv, _ = gram.min_lambda_in_ball(np.asarray(W0, dtype=float), D.X, float(R))
        moved = [[Fraction(float(v)) for v in row] for row in W_adv]
        inside = all(sum((a - b) ** 2 for a, b in zip(r1, r0)) <= Rq * Rq for r1, r0 in zip(moved, Wq))
        if inside:  # inf over the ball <= this configuration's exact Rayleigh quotient; and >= 0 (H is PSD)
            upper = gram.lambda_min_upper_exact(W_adv, D.X_exact, G)
            lam = Enclosure(-q_l * hi, max(upper - q_l * lo, -q_l * hi))
        else:
            lam = Enclosure(-q_l * hi, 1 - q_l * lo)  # no certified configuration: only trivial bounds
        return Enclosure(min(entry.lo, lam.lo), min(entry.hi, lam.hi))
    return event_exact


def _lemma_kind(repaired, delta, settings, exact_failure=None):
    return Probabilistic(delta=delta, draw=_lemma_draw(repaired), event=_lemma_event(repaired),
                         event_exact=_lemma_event_exact(repaired), exact_failure=exact_failure,
                         settings=settings, samples=200)


#: the n = 1 exact law is summed (O(m^3) Arb terms) up to this width
EXACT_WIDTH_CAP = 64


def exact_failure_n1(m: int, R: Fraction, q_entry: Fraction, q_lam: Fraction):
    """n = 1 (lambda_0 = 1/2): the exact failure probability over the initialisation, as an Arb ball.

    With s = w_r(0)^T x ~ N(0, 1), each neuron lies in one of four classes: s >= R (active, stays), 0 <= s < R
    (active, can be switched off), -R <= s < 0 (inactive, can be switched on), s < -R (stays off); their
    counts (K1, K2, K3, K4) are multinomial. Over the ball, sup |dH_11| = max(K2, K3)/m and
    inf lambda_min(H) = inf H_11 = K1/m, so the event fails iff max(K2, K3)/m >= q_entry/2 or
    K1/m <= q_lam/2."""
    Ra = fraction_to_arb(Fraction(R))
    p2 = (Ra / arb(2).sqrt()).erf() / 2      # P(0 <= s < R) = P(-R <= s < 0)
    p1 = arb(1) / 2 - p2                      # P(s >= R) = P(s < -R)
    good = arb(0)
    fact = [math.factorial(k) for k in range(m + 1)]
    for k1 in range(m + 1):
        if not Fraction(k1, m) > Fraction(q_lam) / 2:
            continue
        for k2 in range(m + 1 - k1):
            if not Fraction(k2, m) < Fraction(q_entry) / 2:
                break
            for k3 in range(m + 1 - k1 - k2):
                if not Fraction(k3, m) < Fraction(q_entry) / 2:
                    break
                k4 = m - k1 - k2 - k3
                coef = fact[m] // (fact[k1] * fact[k2] * fact[k3] * fact[k4])
                good += arb(coef) * p1 ** (k1 + k4) * p2 ** (k2 + k3)
    return 1 - good


def _lemma_exact_failure(env):
    """The exact law where it is cheap: n = 1 at widths up to EXACT_WIDTH_CAP (else None: sample)."""
    D = env.dataset
    if D.n != 1 or int(env.m) > EXACT_WIDTH_CAP:
        return None
    R = Fraction(env.c) * Fraction(env.delta) * Fraction(1, 2)  # R = c delta lambda_0 / 1^r_n, lambda_0 = 1/2
    return exact_failure_n1(int(env.m), R, Fraction(env.q_entry), Fraction(env.q_lam))


def _width_margin(env):
    """WIDTH_CAP - K n^2 log(n/delta)/lambda_0^2 at the certified lower end of lambda_0, over ``env.num``:
    >= 0 iff Lemma 2.2's width ceil(K n^2 log(n/delta)/lambda_0^2) is at most the integer WIDTH_CAP."""
    num, n = env.num, env.dataset.n
    lo, _ = gram.lambda0_enclosure(env.dataset.gram_exact())
    width = num.const(env.K) * num.const(n * n) * num.log(num.const(n) / num.const(env.delta)) / num.const(lo) ** 2
    return num.const(WIDTH_CAP) - width


_width_hypothesis = Condition(f"Lemma 2.2's width m = ceil(K n^2 log(n/delta)/lambda_0^2) <= {WIDTH_CAP} (checked domain)",
                              margin=_width_margin, rigorous=RERUN_ON_BALLS)


_dataset_var = Variable("dataset", dst.datasets(n=st.integers(1, 3)), domain="n <= 3 unit inputs, pairwise non-parallel",
                        contains=dst.is_setting_dataset(max_n=3))
_common_constants = [DELTA_TENTH, C_SMALL,
                     Constant("r_n", 2, "the exponent of n in R = c delta lambda_0 / n^2", positive=True),
                     Constant("q_entry", Fraction(1, 4), "the 1/4 of |H_ij(t) - H_ij(0)| < lambda_0/4", positive=True),
                     Constant("q_lam", Fraction(1, 2), "the 1/2 of lambda_min(H(t)) > lambda_0/2", positive=True)]
_delta_s, _kd = sympy.Symbol("delta", real=True), sympy.Symbol("k_delta", real=True)

lemma2_3 = Claim(
    id="du2019.lemma2.3",
    reason=("As printed the lemma has no width hypothesis: at width m = 1 a neuron within R of its boundary flips "
            "with probability far above delta, so the bound fails."),
    title="If every ||w_r(t) - w_r(0)|| <= R = c delta lambda_0/n^2, then w.p. 1 - delta: |dH_ij| < lambda_0/4 and lambda_min(H(t)) > lambda_0/2",
    source=src("p. 13, Lemma 2.3"),
    statement=r"\forall r:\|w_r(t)-w_r(0)\|\le\frac{c\delta\lambda_0}{n^2}=R\ \Rightarrow\ \Pr\Big[|H_{ij}(t)-H_{ij}(0)|<\frac{\lambda_0}4,\ \lambda_{\min}(H(t))>\frac{\lambda_0}2\Big]\ge1-\delta",
    variables=[_dataset_var, Variable("m", dst.widths(1, 64), domain="1 <= m <= 64 (no width hypothesis)",
                                      integer=True, lo=1, hi=64)],
    constants=_common_constants,
    kind=_lemma_kind(False, "delta", 8, exact_failure=_lemma_exact_failure),
    uses=["du2019.lemma2.3.s1", "du2019.lemma2.3.s2", "du2019.lemma2.3.s3",
          "du2019.lemma2.3.s4@sqrt_2pi_times_delta"],
    formula=[sympy.Gt(lambda_min(H(1)), lambda_0 / 2)],
    note="As printed: no width hypothesis (any m). Each draw is one initialisation, judged against every W "
         "in the ball through safe-side bounds (see the module docstring).",
)
lemma2_3_repaired = Claim(
    id="du2019.lemma2.3:repaired",
    title="Lemma 2.3 with Lemma 2.2's width m >= 256 n^2 log(n/delta)/lambda_0^2, w.p. 1 - 2 delta",
    source=src("p. 13, Lemma 2.3 (with p. 11, Lemma 2.2)"),
    statement=r"m\ge\frac{256n^2\log(n/\delta)}{\lambda_0^2},\ \forall r:\|w_r(t)-w_r(0)\|\le R\Rightarrow\Pr[\dots]\ge1-2\delta",
    variables=[_dataset_var],
    hypotheses=[_width_hypothesis],
    constants=_common_constants + [K_LEMMA22,
                                   Constant("k_delta", 2, "the 2 of the failure budget 2 delta (union of the "
                                                          "two lemmas' failure events)", positive=True)],
    kind=_lemma_kind(True, _kd * _delta_s, 6),
    uses=["du2019.lemma2.2", "du2019.lemma2.3.s4@sqrt_2pi_times_delta"],
    note="The proof's last line needs lambda_min(H(0)) >= 3 lambda_0/4 (Lemma 2.2): its width (the smallest "
         "integer above K n^2 log(n/delta)/lambda_0^2, from the certified lower bound of lambda_0) and its failure "
         "probability delta are added. Checked on data sets whose proven width is at most 2^16.",
)
