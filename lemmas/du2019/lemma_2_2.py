r"""Lemma 2.2 of du2019 and the three lines of its proof (Du, Zhai, Poczos, Singh, ICLR 2019; slides pp. 11--12).

Statement (p. 11): if :math:`m=\Omega\big(\frac{n^2}{\lambda_0^2}\log\frac n\delta\big)`, then with probability
at least :math:`1-\delta`, :math:`\|H(0)-H^\infty\|_2\le\lambda_0/4` and :math:`\lambda_{\min}(H(0))\ge\frac34\lambda_0`.

Proof as printed:

* (s1) for a fixed pair, Hoeffding: w.p. :math:`1-\delta'`, :math:`|H_{ij}(0)-H^\infty_{ij}|\le 2\sqrt{\log(1/\delta')}/\sqrt m`;
* (s2) with :math:`\delta'=n^2\delta` and a union bound over the pairs: w.p. :math:`1-\delta`, every
  :math:`|H_{ij}(0)-H^\infty_{ij}|\le 4\sqrt{\log(n/\delta)}/\sqrt m`;
* (s3) :math:`\|H(0)-H^\infty\|_2^2\le\|H(0)-H^\infty\|_F^2\le\sum_{ij}|\cdot|^2\le 16n^2\log(n/\delta)/m`.

Explicit constant: (s3) :math:`\le(\lambda_0/4)^2` iff :math:`m\ge 256\,n^2\log(n/\delta)/\lambda_0^2` (``K = 256``).

Errata
------
* s2: a union bound over :math:`n^2` pairs, each failing w.p. :math:`\delta'=n^2\delta`, fails w.p. up to
  :math:`n^4\delta`, not :math:`\delta`; the choice that works is :math:`\delta'=\delta/n^2`, and then
  :math:`2\sqrt{\log(n^2/\delta)}\le 4\sqrt{\log(n/\delta)}`. ``s2`` encodes the line's inference (the
  union bound's budget and the radius) at the stated :math:`\delta`; ``s2@delta_prime_n2delta`` only the
  budget arithmetic; ``s2:repaired`` takes :math:`\delta'=\delta/n^2` (exponent ``e = -2``).

Named constants: ``c_h = 2`` (s1's radius), ``c_u = 4`` (s2's radius), ``e = 2`` (:math:`\delta'=n^e\delta`),
``c_f = 16`` (s3), and for the lemma ``q_dev = 1/4``, ``q_min = 3/4``, the exponents ``a = b = 2`` of
:math:`\Omega(n^a\log(n/\delta)/\lambda_0^b)` and ``K = 256``.
* s1: Hoeffding for a mean of :math:`m` variables of range :math:`\le1` gives
  :math:`\sqrt{\log(2/\delta')/(2m)}`; the printed bound is larger only when :math:`\delta'\le2^{-1/7}`.
  For :math:`\delta'` near 1 the printed line is false (exact binomial computation); ``s1:repaired``
  restricts it to :math:`\delta'\le 2^{-1/7}`.
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
from proofcheck.model.claim import Condition, Use
from proofcheck.ml import du_strategies as dst
from proofcheck.ml import gram, spectral
from proofcheck.model.num import ARB, FLOAT, Enclosure, NumericError, arb_endpoints, fraction_to_arb
from proofcheck.decide.stats import binomial_mass as binomial_failure_mass

from . import DELTA_TENTH, K_LEMMA22, src, width_lemma22

n_s, m_s, delta_s, dp_s = sympy.symbols("n m delta delta_p", positive=True)
H, lambda_min, norm2, normF, P = (sympy.Function(k) for k in ("H", "lambda_min", "norm2", "normF", "P"))
H_inf, lambda_0 = sympy.Symbol("H_inf"), sympy.Symbol("lambda_0")


# ---------------------------------------------------------------- exact per-pair failure probability
def pair_failure(m: int, c: Fraction, radius) -> tuple[arb, arb]:
    """Enclosure of ``P(|H_ij(0) - H^inf_ij| > radius)`` for one pair with cosine ``c`` at width ``m``.

    ``H_ij(0) = c K/m`` with ``K ~ Bin(m, p)``, ``p = (pi - arccos c)/(2 pi)`` (Sheppard), and
    ``H^inf_ij = c p``; ``radius`` is an Arb ball.
    """
    ca = fraction_to_arb(c)
    p = (arb.pi() - ca.acos()) / (2 * arb.pi()) if abs(c) < 1 else (arb(1) / 2 if c == 1 else arb(0))

    def fails(k):
        dev = abs(ca * (arb(k) / m - p)) - radius
        if dev > 0:
            return True
        if dev <= 0:
            return False
        return None

    return binomial_failure_mass(m, p, fails)


# ---------------------------------------------------------------- s1: one pair, decided by its exact law
def _s1_radius(num, m, dp, c_h):
    """The printed radius ``c_h sqrt(log(1/delta'))/sqrt(m)`` (``c_h = 2`` as printed) in floats or, with
    ``num = ARB``, as a ball (``ARB.const`` encloses any exact real ``c_h``, sqrt(2) too)."""
    return num.const(c_h) * num.sqrt(-num.log(num.const(dp))) / num.sqrt(num.const(int(m)))


def needed_radius(m: int, c: float, dp: float) -> float:
    """The least radius r with P(|H_ij(0) - H^inf_ij| > r) <= delta' (floats, exact binomial law): the
    deviation takes the m + 1 values |c (k/m - p)|; r is the largest value left once the most extreme
    ones, of total mass <= delta', are allowed to exceed it."""
    p = (math.pi - math.acos(max(-1.0, min(1.0, c)))) / (2 * math.pi)
    k = np.arange(m + 1)
    dev = np.abs(c * (k / m - p))
    mass = sps.binom.pmf(k, m, p)
    order = np.argsort(-dev, kind="stable")
    cum = np.cumsum(mass[order])
    j = int(np.searchsorted(cum, dp * (1 + 1e-12), side="right"))  # the j most extreme values fit in delta'
    return float(dev[order][j]) if j < len(order) else 0.0


def _s1_margin(env):
    """printed radius - needed radius (floats): >= 0 iff P(|H_ij(0) - H^inf_ij| > radius) <= delta'.
    Continuous in delta' and m, so the search is steered towards failures; the rigorous twin decides the
    same condition through the Arb enclosure of the failure probability."""
    m, c, dp = int(env.m), float(env.cos), float(env.delta_p)
    # in units of 1/sqrt(m), the scale of both radii, so that no width is favoured for its own sake
    return math.sqrt(m) * (float(_s1_radius(FLOAT, m, dp, env.c_h)) - needed_radius(m, c, dp))


# A twin of its own, not a re-run on balls: the float margin inverts the binomial law (a quantile, scipy), the
# twin sums the binomial masses of the failing counts in Arb and decides the probability itself.
def _s1_margin_exact(env):
    """The same condition enclosed rigorously: delta' minus the Arb sum of the binomial masses of the failing counts."""
    m, c, dp = int(env.m), Fraction(env.cos), Fraction(env.delta_p)
    lo, hi = pair_failure(m, c, _s1_radius(ARB, m, dp, env.c_h))
    d = fraction_to_arb(dp)
    return Enclosure(arb_endpoints(d - hi)[0], arb_endpoints(d - lo)[1])


def _cosine_strategy():
    """Cosines x_i^T x_j of exact rational unit vectors: 1 (a diagonal pair, where it shrinks to),
    0, or (1 - t^2)/(1 + t^2) for a rational t."""
    t = st.builds(Fraction, st.integers(-64, 64), st.integers(1, 64))
    return st.one_of(st.just(Fraction(1)), t.map(lambda t: (1 - t * t) / (1 + t * t)))


def _is_cosine(c):
    return -1 <= Fraction(c) <= 1


def _s1_variables(delta_hi=Fraction(999, 1000), contains=None):
    return [Variable("m", dst.widths(1, 256), domain="m >= 1", integer=True, lo=1),
            Variable("cos", _cosine_strategy(), domain="x_i^T x_j in [-1, 1]", contains=_is_cosine,
                     meaning="cosine of the pair (1 for i = j)"),
            Variable("delta_p", dst.probabilities(hi=delta_hi), domain="0 < delta' < 1",
                     contains=contains or (lambda v: 0 < Fraction(v) < 1))]


def _s1_conclusion():
    return Condition("P(|H_ij(0) - H^inf_ij| > c_h sqrt(log(1/delta'))/sqrt(m)) <= delta'",
                     margin=_s1_margin, rigorous=_s1_margin_exact)


_C_H = Constant("c_h", 2, "the 2 of the printed Hoeffding radius 2 sqrt(log(1/delta'))/sqrt(m)", positive=True)

lemma2_2_s1 = Claim(
    id="du2019.lemma2.2.s1",
    reason=("Hoeffding gives the radius sqrt(log(2/delta')/(2m)), which the printed 2 sqrt(log(1/delta'))/sqrt(m) "
            "dominates only for delta' <= 2^(-1/7) ~ 0.906; above it the exact binomial law exceeds delta'."),
    title="Hoeffding: |H_ij(0) - H^inf_ij| <= 2 sqrt(log(1/delta'))/sqrt(m) w.p. 1 - delta'",
    source=src("p. 11, first display"),
    statement=r"\Pr\Big[|H_{ij}(0)-H^\infty_{ij}|\le\frac{2\sqrt{\log(1/\delta')}}{\sqrt m}\Big]\ge 1-\delta'",
    constants=[_C_H],
    formula=[sympy.Ge(P(sympy.Le(sympy.Abs(H(0) - H_inf), 2 * sympy.sqrt(sympy.log(1 / dp_s)) / sympy.sqrt(m_s))),
                      1 - dp_s)],
    variables=_s1_variables(),
    conclusion=_s1_conclusion(),
    note="Decided by the exact law: H_ij(0) = c K/m with K ~ Bin(m, (pi - arccos c)/(2 pi)) (Sheppard), "
         "H^inf_ij = c (pi - arccos c)/(2 pi); the failure probability is an Arb sum of binomial masses. "
         "Frontier: Hoeffding gives 2 exp(-2 m t^2) = 2 delta'^(2 c_h^2) at the printed radius t, <= delta' "
         "iff delta' <= 2^(-1/(2 c_h^2 - 1)) = 2^(-1/7) (c_h = 2); the line can fail only above it "
         "(s1:repaired keeps delta' <= 2^(-1/7)).",
    # where the line starts to hold: the audit bisects delta' (a variable without stated bounds)
    extra={"frontier": {"delta_p": "1/100:999/1000"}},
)

_S1_UPPER = Fraction(9057, 10000)  # a dyadic-free rational just below 2^(-1/7) = 0.905724...

lemma2_2_s1_repaired = Claim(
    id="du2019.lemma2.2.s1:repaired",
    title="The Hoeffding line for delta' <= 2^(-1/7) (where the printed bound dominates Hoeffding's)",
    source=src("p. 11, first display"),
    statement=r"\delta'\le2^{-1/7}\Rightarrow\Pr\Big[|H_{ij}(0)-H^\infty_{ij}|\le\frac{2\sqrt{\log(1/\delta')}}{\sqrt m}\Big]\ge 1-\delta'",
    constants=[_C_H],
    variables=_s1_variables(_S1_UPPER, contains=lambda v: 0 < Fraction(v) and 2 * Fraction(v) ** 7 <= 1),
    conclusion=_s1_conclusion(),
    note="Hoeffding gives sqrt(log(2/delta')/(2m)), which is <= the printed 2 sqrt(log(1/delta')/m) iff "
         "delta' <= 2^(-1/7) ~ 0.9057 (the domain is exactly delta'^7 <= 1/2).",
)


# ---------------------------------------------------------------- s2: the union-bound inference
def _s2_margin(env):
    """The two assertions of the printed line with delta' = n^e delta, written once over ``env.num`` (floats
    in the search, Arb balls on re-verification, constants through ``num.const``, so --set c_h=sqrt(2)
    is enclosed): the union bound over the n^2 pairs, n^2 delta' <= delta, and the radius,
    c_h sqrt(log(1/delta')) <= c_u sqrt(log(n/delta)) (sqrt(m) cancels). Where delta' >= 1 the printed
    radius is undefined (log(1/delta') <= 0) and the budget alone decides; a ball that cannot tell
    whether delta' < 1 is undecided."""
    num = env.num
    n, d = num.const(env.n), num.const(env.delta)
    e = num.const(env.e)
    dl = n**e * d
    budget = d * (1 - n ** (2 + e))  # delta - n^2 delta', factored so that a ball at n = 1 is exactly 0
    if dl < 1:
        radius = num.const(env.c_u) * num.sqrt(num.log(n / d)) - num.const(env.c_h) * num.sqrt(-num.log(dl))
        return num.min(budget, radius)
    if dl >= 1:
        return budget
    raise NumericError("delta' = n^e delta is not separated from 1 at this precision")


E_PRINTED = Constant("e", 2, "the exponent of delta' = n^e delta (printed: n^2 delta)", integer=True)
E_REPAIRED = Constant("e", -2, "the exponent of delta' = n^e delta (repaired: delta' = delta/n^2)", integer=True)

_C_U = Constant("c_u", 4, "the 4 of the printed radius 4 sqrt(log(n/delta))/sqrt(m)", positive=True)

lemma2_2_s2 = Claim(
    id="du2019.lemma2.2.s2",
    reason=("With the printed delta' = n^2 delta the union bound over n^2 pairs fails with probability up to n^2 "
            "delta' = n^4 delta, more than delta for every n >= 2 (the choice that works is delta' = delta/n^2)."),
    title="delta' = n^2 delta and a union bound: all pairs within 4 sqrt(log(n/delta))/sqrt(m) w.p. 1 - delta",
    source=src("p. 11, second display"),
    statement=r"\delta'=n^2\delta,\ \text{union bound over }(i,j):\quad\Pr\Big[\forall i,j:\ |H_{ij}(0)-H^\infty_{ij}|\le\frac{4\sqrt{\log(n/\delta)}}{\sqrt m}\Big]\ge1-\delta",
    constants=[DELTA_TENTH, E_PRINTED, _C_H, _C_U],
    variables=[Variable("n", st.integers(1, 50), domain="1 <= n <= 50", integer=True, lo=1, hi=50)],
    conclusion=Condition("n^2 delta' <= delta and c_h sqrt(log(1/delta')) <= c_u sqrt(log(n/delta))",
                         margin=_s2_margin, rigorous=RERUN_ON_BALLS),
    uses=["du2019.lemma2.2.s1"],
    note="The line's inference from s1: each of the n^2 pairs fails w.p. <= delta' with the radius "
         "c_h sqrt(log(1/delta'))/sqrt(m), so all hold w.p. >= 1 - n^2 delta'; the line needs n^2 delta' <= delta "
         "and that radius <= 4 sqrt(log(n/delta))/sqrt(m). With the printed delta' = n^2 delta the budget is "
         "n^4 delta (fails for every n >= 2, at any delta); delta' = delta/n^2 (e = -2) is s2:repaired. The "
         "conclusion itself is true (by s1:repaired and the corrected union bound) wherever delta/n^2 <= 2^(-1/7).",
)

def _pairs_radius(env):
    n, m = env.dataset.n, int(env.m)
    return float(env.c_u) * math.sqrt(math.log(n / float(env.delta))) / math.sqrt(m)


def _conclusion_draw(env, rng):
    """One initialisation at width m as its activation-pattern counts (multinomial over the orthants)."""
    G = np.array(env.dataset.gram_exact(), dtype=float)
    return rng.multinomial(int(env.m), gram.orthant_probabilities(G))


def _conclusion_event(env, counts):
    """radius - max_ij |H_ij(0) - H^inf_ij| (floats)."""
    D, m = env.dataset, int(env.m)
    H0 = np.array(gram.h0_from_pattern_counts(counts, D.gram_exact(), m), dtype=float)
    return _pairs_radius(env) - float(np.max(np.abs(H0 - gram.h_inf(D.X))))


def _conclusion_event_exact(env, counts):
    """The same margin in Arb: H(0) exact from the counts, H^inf and the radius as balls."""
    D, m = env.dataset, int(env.m)
    Ge = D.gram_exact()
    He, Hinf = gram.h0_from_pattern_counts(counts, Ge, m), gram.h_inf_arb(Ge)
    radius = ARB.const(env.c_u) * fraction_to_arb(Fraction(D.n) / Fraction(env.delta)).log().sqrt() / arb(m).sqrt()
    worst = None
    for i in range(D.n):
        for j in range(D.n):
            e = radius - abs(fraction_to_arb(He[i][j]) - Hinf[i][j])
            lo, hi = arb_endpoints(e)
            worst = (lo, hi) if worst is None else (min(worst[0], lo), min(worst[1], hi))
    return Enclosure(*worst)


def _conclusion_exact_failure(env):
    """n = 1: one pair (i = j, cosine 1): H_11(0) = K/m, K ~ Bin(m, 1/2); the exact binomial mass of
    |K/m - 1/2| > c_u sqrt(log(1/delta))/sqrt(m) (Arb). None for n >= 2."""
    if env.dataset.n != 1:
        return None
    m, d = int(env.m), Fraction(env.delta)
    radius = ARB.const(env.c_u) * (-(fraction_to_arb(d).log())).sqrt() / arb(m).sqrt()
    lo, hi = pair_failure(m, Fraction(1), radius)
    return Enclosure(arb_endpoints(lo)[0], arb_endpoints(hi)[1])


lemma2_2_s2_conclusion = Claim(
    id="du2019.lemma2.2.s2@conclusion_only",
    title="The union-bound line's conclusion on its own: all pairs within 4 sqrt(log(n/delta))/sqrt(m) w.p. 1 - delta",
    source=src("p. 11, second display"),
    statement=r"\Pr\Big[\forall i,j:\ |H_{ij}(0)-H^\infty_{ij}|\le\frac{4\sqrt{\log(n/\delta)}}{\sqrt m}\Big]\ge1-\delta",
    variables=[Variable("dataset", dst.datasets(n=st.integers(1, 3)), domain="n <= 3 unit inputs, pairwise non-parallel",
                        contains=dst.is_setting_dataset(max_n=3)),
               Variable("m", dst.widths(1, 4096), domain="1 <= m <= 4096", integer=True, lo=1, hi=4096)],
    constants=[DELTA_TENTH, _C_U],
    kind=Probabilistic(delta="delta", draw=_conclusion_draw, event=_conclusion_event,
                       event_exact=_conclusion_event_exact, exact_failure=_conclusion_exact_failure, settings=8,
                       samples=1000),
    uses=["du2019.lemma2.2.s1:repaired", "du2019.lemma2.2.s2:repaired"],
    note="The line's conclusion, whatever its derivation: true wherever delta/n^2 <= 2^(-1/7) (s1:repaired and "
         "the corrected union bound); for n = 1 and m = 1 it fails once delta > e^(-1/64) (the radius "
         "4 sqrt(log(1/delta)) drops below the deviation 1/2).",
)

_n_int = sympy.Symbol("n", integer=True)
_delta = sympy.Symbol("delta", real=True)
_e = sympy.Symbol("e", integer=True)

lemma2_2_s2_printed = Claim(
    id="du2019.lemma2.2.s2@delta_prime_n2delta",
    reason=("The union bound over n^2 pairs each failing with probability delta' = n^2 delta adds up to n^4 delta, "
            "which exceeds delta for every n >= 2."),
    title="Union bound as printed: n^2 pairs failing w.p. delta' = n^2 delta each fail w.p. <= delta",
    source=src("p. 11, 'delta' = n^2 delta, union bound'"),
    statement=r"\delta'=n^2\delta:\quad n^2\,\delta'\le\delta",
    variables=[Variable("n", st.integers(1, 50), integer=True, lo=1, hi=50),
               Variable("delta", st.floats(1e-6, 1.0, exclude_max=True), lo=0, hi=1)],
    constants=[E_PRINTED],
    hypotheses=[sympy.Ge(_n_int, 1), sympy.Gt(_delta, 0), sympy.Lt(_delta, 1)],
    conclusion=sympy.Le(_n_int**2 * (_n_int**_e * _delta), _delta),
    note="The union bound over n^2 pairs adds their failure probabilities: n^2 * delta'.",
)

# s2:repaired in the logarithms a = log n >= 0, b = log(1/delta) > 0: a bijection of n >= 1, 0 < delta < 1
# onto a >= 0, b > 0; sympy's expand_log gives log(n^2 delta'/delta) = (2 + e) a and
# log(1/delta') = b - e a, log(n/delta) = a + b (tests/papers/du2019/test_claims.py re-derives them).
_a, _b = sympy.symbols("a b", real=True)
_ch, _cu = sympy.Symbol("c_h", real=True), sympy.Symbol("c_u", real=True)

lemma2_2_s2_repaired = Claim(
    id="du2019.lemma2.2.s2:repaired",
    title="Union bound with delta' = delta/n^2: n^2 delta' = delta and 2 sqrt(log(n^2/delta)) <= 4 sqrt(log(n/delta))",
    source=src("p. 11, second display"),
    statement=r"\delta'=\delta/n^2:\quad n^2\delta'\le\delta,\quad 2\sqrt{\log(1/\delta')}\le4\sqrt{\log(n/\delta)}"
              r"\qquad(a=\log n\ge0,\ b=\log(1/\delta)>0)",
    variables=[Variable("a", st.floats(0, 10), domain="a = log n >= 0", lo=0),
               Variable("b", st.floats(0, 20), domain="b = log(1/delta) > 0", lo=0)],
    constants=[E_REPAIRED, _C_H, _C_U],
    hypotheses=[sympy.Ge(_a, 0), sympy.Gt(_b, 0)],
    conclusion=sympy.Le(sympy.Max((2 + _e) * _a, _ch * sympy.sqrt(_b - _e * _a) - _cu * sympy.sqrt(_a + _b)), 0),
    uses=["du2019.lemma2.2.s1:repaired"],
    note="delta' = delta/n^2 makes the union bound give delta; the radius then follows since "
         "log(n^2/delta) = 2 log n + log(1/delta) <= 4 log(n/delta). Stated in a = log n, b = log(1/delta) "
         "so that the decision procedure (z3, with square roots) proves it over all n >= 1, 0 < delta < 1.",
)


# ---------------------------------------------------------------- s3: the norm chain
def _fro2(U):
    return sum(Fraction(float(x)) ** 2 for x in np.asarray(U, dtype=float).ravel())


def _s3_margins(env):
    """(||U||_F^2 - ||U||_2^2, c_f n^2 - c_u^2 sum_ij U_ij^2) for U = (H(0) - H^inf) sqrt(m)/sqrt(log(n/delta))
    (floats); the hypothesis is |U_ij| <= 1 (s2's radius with its c_u factored out)."""
    U = np.asarray(env.U, dtype=float)
    n = U.shape[0]
    spec2 = float(np.max(np.abs(np.linalg.eigvalsh(U)))) ** 2
    fro2 = float(np.sum(U * U))
    first = fro2 - spec2
    if abs(first) <= 1e-12 * (1 + fro2):  # rank one: equal up to rounding (the Arb twin decides leads)
        first = 0.0
    return first, float(env.c_f) * n * n - float(env.c_u) ** 2 * fro2


def _first_then_second(first, second):
    """The margin of "first >= 0 and second >= 0" that shows the second while the first holds (the
    first, ||U||_2 <= ||U||_F, always does): the search is steered by the informative part."""
    return first if first < 0 else second


def _s3_margin(env):
    return _first_then_second(*_s3_margins(env))


# A twin of its own, not a re-run on balls: ||U||_2 is certified by an Arb Cholesky bound on lambda_max(U^2),
# an algorithm of its own (the float margin takes numpy's eigenvalues and rounds a rank-one tie to 0).
def _s3_margin_exact(env):
    """Exact Frobenius sums; ||U||_2^2 = lambda_max(U^2) enclosed by an Arb Cholesky certificate."""
    U = np.asarray(env.U, dtype=float)
    n = U.shape[0]
    Uq = [[Fraction(float(U[i, j])) for j in range(n)] for i in range(n)]
    U2 = [[sum(Uq[i][k] * Uq[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    lo, hi = spectral.lambda_min_enclosure([[-fraction_to_arb(U2[i][j]) for j in range(n)] for i in range(n)])
    fro2 = sum(q * q for row in Uq for q in row)
    # lambda_max(U^2) = -lambda_min(-U^2) lies in [-hi, -lo]
    first = Enclosure(fro2 + lo, fro2 + hi)
    second = Enclosure.exact(Fraction(env.c_f) * n * n - Fraction(env.c_u) ** 2 * fro2)
    if first.lo >= 0:
        return second
    if first.hi < 0:
        return first
    return Enclosure(min(first.lo, second.lo), min(first.hi, second.hi))


def _entries_within_radius(env):
    """1 - max_ij |U_ij| over ``env.num`` (the entries are dyadic floats, exact as balls)."""
    num, worst = env.num, env.num.const(0)
    for x in np.asarray(env.U, dtype=float).ravel():
        worst = num.max(worst, num.abs(num.const(x)))
    return num.const(1) - worst


@st.composite
def _symmetric_unit_matrices(draw, max_n=4, steps=8):
    """Symmetric n x n matrices with entries k/8, |k| <= 8 (dyadic: exact as floats)."""
    n = draw(st.integers(1, max_n))
    U = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            U[i, j] = U[j, i] = draw(st.integers(-steps, steps)) / steps
    return U


def _is_symmetric(U):
    U = np.asarray(U, dtype=float)
    return U.ndim == 2 and U.shape[0] == U.shape[1] >= 1 and bool(np.all(U == U.T)) and bool(np.all(np.isfinite(U)))


lemma2_2_s3 = Claim(
    id="du2019.lemma2.2.s3",
    title="||H(0) - H^inf||_2^2 <= ||.||_F^2 <= sum_ij |.|^2 <= 16 n^2 log(n/delta)/m when every entry is <= 4 sqrt(log(n/delta))/sqrt(m)",
    source=src("p. 12, first display"),
    statement=r"\max_{ij}|H_{ij}(0)-H^\infty_{ij}|\le\frac{4\sqrt{\log(n/\delta)}}{\sqrt m}\Rightarrow"
              r"\|H(0)-H^\infty\|_2^2\le\|H(0)-H^\infty\|_F^2\le\sum_{ij}|H_{ij}(0)-H^\infty_{ij}|^2\le\frac{16n^2\log(n/\delta)}{m}",
    variables=[Variable("U", _symmetric_unit_matrices(), domain="symmetric n x n, n <= 4",
                        contains=_is_symmetric,
                        meaning="(H(0) - H^inf) sqrt(m) / (c_u sqrt(log(n/delta))), so s2's radius is |U_ij| <= 1")],
    constants=[_C_U, Constant("c_f", 16, "the 16 of 16 n^2 log(n/delta)/m", positive=True)],
    hypotheses=[Condition("every |U_ij| <= 1 (s2's radius)", margin=_entries_within_radius, rigorous=RERUN_ON_BALLS)],
    conclusion=Condition("||U||_2^2 <= ||U||_F^2 and c_u^2 sum_ij U_ij^2 <= c_f n^2",
                         margin=_s3_margin, rigorous=_s3_margin_exact),
    formula=[sympy.Le(norm2(H(0) - H_inf) ** 2, normF(H(0) - H_inf) ** 2)],
    uses=["du2019.lemma2.2.s2"],
    note="Scaled by the radius r = c_u sqrt(log(n/delta))/sqrt(m): with A = r U the chain reads "
         "||U||_2^2 <= ||U||_F^2 (the spectral norm, enclosed with Arb) and c_u^2 sum U_ij^2 <= c_f n^2; the "
         "middle step is the definition of ||.||_F. Tight at U = all +-1 (every entry at the radius).",
)


# ---------------------------------------------------------------- the lemma
def proven_width(D, constants) -> int:
    """The smallest integer m with m >= K n^a log(n/delta) / lambda_0^b, from the certified lower
    bound of lambda_0 (so the width certainly meets the hypothesis)."""
    lo, _ = gram.lambda0_enclosure(D.gram_exact())
    if lo <= 0:
        raise NumericError(f"lambda_0 of {D.describe()} is not certified positive")
    K, a, b, delta = (float(constants[k]) for k in ("K", "a", "b", "delta"))
    return width_lemma22(D.n, float(lo), delta, K, a, b)


def _setting(env):
    """(H^inf, lambda_0, width, exact Gram as floats) of one setting, computed once per setting."""
    D = env.dataset
    key = (id(D), tuple(sorted((k, float(v)) for k, v in env.as_dict().items() if k in ("K", "a", "b", "delta"))))
    hit = _SETTING_CACHE.get(key)
    if hit is None or hit[0] is not D:
        Hinf = gram.h_inf(D.X)
        hit = (D, Hinf, gram.lambda_min(Hinf), proven_width(D, env.as_dict()), np.array(D.gram_exact(), dtype=float))
        _SETTING_CACHE.clear()
        _SETTING_CACHE[key] = hit
    return hit[1:]


_SETTING_CACHE: dict = {}


def _draw_counts(env, rng):
    """One initialisation at the setting's width, as the counts of its neurons' activation patterns
    (multinomial over the 2^n orthants; H(0) depends on the initialisation only through them)."""
    _, _, m, G = _setting(env)
    return rng.multinomial(m, gram.orthant_probabilities(G))


def _lemma_event(env, counts):
    """min(q_dev lambda_0 - ||H(0) - H^inf||_2, lambda_min(H(0)) - q_min lambda_0) in floats."""
    Hinf, lam0, m, G = _setting(env)
    H0 = G * np.einsum("k,kij->ij", np.asarray(counts, dtype=float), gram.pattern_both(G.shape[0])) / m
    dev, lmin = gram.spectral_deviation_and_lambda_min(H0[None], Hinf)
    return float(min(float(env.q_dev) * lam0 - dev[0], lmin[0] - float(env.q_min) * lam0))


def _lemma_event_exact(env, counts):
    """The same margin enclosed rigorously: H(0) exact from the counts, H^inf and lambda_0 in Arb, the
    spectral norm and lambda_min through Arb Cholesky certificates."""
    D = env.dataset
    m = proven_width(D, env.as_dict())
    Ge = D.gram_exact()
    He = gram.h0_from_pattern_counts(counts, Ge, m)
    Hinf = gram.h_inf_arb(Ge)
    n = D.n
    A = [[fraction_to_arb(He[i][j]) - Hinf[i][j] for j in range(n)] for i in range(n)]
    dev_lo, dev_hi = spectral.spectral_norm_bounds(A)
    lmin_lo, lmin_hi = spectral.lambda_min_enclosure([[fraction_to_arb(He[i][j]) for j in range(n)] for i in range(n)])
    lo, hi = gram.lambda0_enclosure(Ge)
    q_dev, q_min = Fraction(env.q_dev), Fraction(env.q_min)
    first = (q_dev * lo - dev_hi, q_dev * hi - dev_lo)
    second = (lmin_lo - q_min * hi, lmin_hi - q_min * lo)
    return Enclosure(min(first[0], second[0]), min(first[1], second[1]))


#: the exact law is summed in Arb up to this width (n = 1)
EXACT_WIDTH_CAP = 20_000


def _lemma_exact_failure(env):
    """n = 1: H(0) = K/m with K ~ Bin(m, 1/2), H^inf = 1/2 = lambda_0, so the failure probability is an
    exact binomial sum (Arb): fails iff |K/m - 1/2| > q_dev/2 or K/m < q_min/2. None for n >= 2."""
    D = env.dataset
    if D.n != 1:
        return None
    m = proven_width(D, env.as_dict())
    if m > EXACT_WIDTH_CAP:
        return None
    q_dev, q_min = fraction_to_arb(Fraction(env.q_dev)), fraction_to_arb(Fraction(env.q_min))
    half = arb(1) / 2

    def fails(k):
        h = arb(k) / m
        dev_bad = abs(h - half) - q_dev * half  # > 0: fails
        min_bad = q_min * half - h               # > 0: fails
        if dev_bad > 0 or min_bad > 0:
            return True
        if dev_bad <= 0 and min_bad <= 0:
            return False
        return None

    lo, hi = binomial_failure_mass(m, half, fails)
    return Enclosure(arb_endpoints(lo)[0], arb_endpoints(hi)[1])


_lam0_s = sympy.Symbol("lambda_0")

lemma2_2 = Claim(
    id="du2019.lemma2.2",
    title="At m >= 256 n^2 log(n/delta)/lambda_0^2: ||H(0) - H^inf||_2 <= lambda_0/4 and lambda_min(H(0)) >= 3 lambda_0/4",
    source=src("p. 11, Lemma 2.2"),
    statement=r"m=\Omega\Big(\frac{n^2}{\lambda_0^2}\log\frac n\delta\Big)\Rightarrow\Pr\Big[\|H(0)-H^\infty\|_2\le\frac{\lambda_0}4,\ \lambda_{\min}(H(0))\ge\frac34\lambda_0\Big]\ge1-\delta",
    variables=[Variable("dataset", dst.datasets(n=st.integers(1, 3)), domain="n <= 3 unit inputs, pairwise non-parallel",
                        contains=dst.is_setting_dataset(max_n=3))],
    constants=[DELTA_TENTH, K_LEMMA22,
               Constant("a", 2, "the exponent of n in Omega(n^2 log(n/delta)/lambda_0^2)", positive=True),
               Constant("b", 2, "the exponent of lambda_0 in Omega(n^2 log(n/delta)/lambda_0^2)", positive=True),
               Constant("q_dev", Fraction(1, 4), "the 1/4 of ||H(0) - H^inf||_2 <= lambda_0/4", positive=True),
               Constant("q_min", Fraction(3, 4), "the 3/4 of lambda_min(H(0)) >= 3 lambda_0/4", positive=True)],
    kind=Probabilistic(delta="delta", draw=_draw_counts, event=_lemma_event, event_exact=_lemma_event_exact,
                       exact_failure=_lemma_exact_failure, settings=8, samples=1000),
    # the proof takes delta' = n^2 delta (p. 11) for the n <= 3 of the settings this lemma is checked at
    uses=[Use("du2019.lemma2.2.s1", at={"delta_p": lambda c: (c["delta"], 9 * c["delta"])},
              how="delta' = n^2 delta, n <= 3 (the printed choice, at the settings checked)"),
          Use("du2019.lemma2.2.s2", at={"n": (1, 3)}, how="the n <= 3 of the settings checked, at the lemma's delta"),
          "du2019.lemma2.2.s3"],
    formula=[sympy.Le(norm2(H(0) - H_inf), _lam0_s / 4), sympy.Ge(lambda_min(H(0)), 3 * _lam0_s / 4)],
    note="Settings: data sets (n <= 3); the width is the proven one, m = ceil(K n^a log(n/delta)/lambda_0^b) "
         "from the certified lower bound of lambda_0 (Arb). H(0) depends on the initialisation only through "
         "the counts of the neurons' activation patterns, which are multinomial over the 2^n orthants "
         "(closed-form orthant probabilities, in floating point), so any width costs the same; n = 1 is decided "
         "by its exact binomial law (Arb).",
)
