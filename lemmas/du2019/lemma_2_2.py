r"""Lemma 2.2 of du2019 and the three lines of its proof (slides ``001_d627599d6b7a6bd1.txt``, pp. 11--12).

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
  :math:`2\sqrt{\log(n^2/\delta)}\le 4\sqrt{\log(n/\delta)}`. Encoded as ``s2@delta_prime_n2delta`` (the
  inference as printed) and ``s2:repaired`` (:math:`\delta'=\delta/n^2`).
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
from scipy import stats as sps

from proofcheck import Claim, Constant, Outcome, Probabilistic, Variable, Verdict
from proofcheck.claim import Condition
from proofcheck.ml import du_strategies as dst
from proofcheck.num import Enclosure, arb_endpoints
from proofcheck.ml import datasets as ds
from proofcheck.ml import dynamics as dy
from proofcheck.ml import gram
from proofcheck.codec import decode
from proofcheck.num import fraction_to_arb
from proofcheck.probabilistic import (binomial_failure_mass, rate_outcome, rate_plot,
                                     replay_rate, smallest_passing)
from proofcheck.stats import RateEstimate
from hypothesis import strategies as st

from . import K_LEMMA22, delta_constant, source, width_lemma22, delta_of

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


def _pair_failure_float(m, c, radius):
    p = (math.pi - math.acos(max(-1.0, min(1.0, c)))) / (2 * math.pi)
    k = np.arange(m + 1)
    mask = np.abs(c * (k / m - p)) > radius
    return float(np.sum(sps.binom.pmf(k[mask], m, p)))


# ---------------------------------------------------------------- s1: one pair, decided by its exact law
def _s1_radius(m, dp, c_h, exact=False):
    """The printed radius ``c_h sqrt(log(1/delta'))/sqrt(m)`` (``c_h = 2`` as printed)."""
    if exact:
        return fraction_to_arb(Fraction(c_h)) * (-(fraction_to_arb(Fraction(dp)).log())).sqrt() / arb(int(m)).sqrt()
    return float(c_h) * math.sqrt(math.log(1 / float(dp))) / math.sqrt(int(m))


def _s1_margin(env):
    """delta' - P(|H_ij(0) - H^inf_ij| > radius) (floats, the exact binomial law in scipy)."""
    m, c, dp = int(env.m), float(env.cos), float(env.delta_p)
    return dp - _pair_failure_float(m, c, _s1_radius(m, dp, env.c_h))


def _s1_margin_exact(env):
    """The same margin enclosed rigorously: Arb sum of the binomial masses of the failing counts."""
    m, c, dp = int(env.m), Fraction(env.cos), Fraction(env.delta_p)
    lo, hi = pair_failure(m, c, _s1_radius(m, dp, env.c_h, exact=True))
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
    title="Hoeffding: |H_ij(0) - H^inf_ij| <= 2 sqrt(log(1/delta'))/sqrt(m) w.p. 1 - delta'",
    source=source("p. 11, first display"),
    statement=r"\Pr\Big[|H_{ij}(0)-H^\infty_{ij}|\le\frac{2\sqrt{\log(1/\delta')}}{\sqrt m}\Big]\ge 1-\delta'",
    constants=[_C_H],
    formula=[sympy.Ge(P(sympy.Le(sympy.Abs(H(0) - H_inf), 2 * sympy.sqrt(sympy.log(1 / dp_s)) / sympy.sqrt(m_s))),
                      1 - dp_s)],
    variables=_s1_variables(),
    conclusion=_s1_conclusion(),
    note="Decided by the exact law: H_ij(0) = c K/m with K ~ Bin(m, (pi - arccos c)/(2 pi)) (Sheppard), "
         "H^inf_ij = c (pi - arccos c)/(2 pi); the failure probability is an Arb sum of binomial masses. "
         "Frontier: Hoeffding gives 2 exp(-2 m t^2) = 2 delta'^(c_h^2 / 2) at the printed radius, <= delta' "
         "iff delta' <= 2^(-1/7) (c_h = 2); the line fails only above it (s1:repaired keeps delta' <= 2^(-1/7)).",
)

_S1_UPPER = Fraction(9057, 10000)  # a dyadic-free rational just below 2^(-1/7) = 0.905724...

lemma2_2_s1_repaired = Claim(
    id="du2019.lemma2.2.s1:repaired",
    title="The Hoeffding line for delta' <= 2^(-1/7) (where the printed bound dominates Hoeffding's)",
    source=source("p. 11, first display"),
    statement=r"\delta'\le2^{-1/7}\Rightarrow\Pr\Big[|H_{ij}(0)-H^\infty_{ij}|\le\frac{2\sqrt{\log(1/\delta')}}{\sqrt m}\Big]\ge 1-\delta'",
    constants=[_C_H],
    variables=_s1_variables(_S1_UPPER, contains=lambda v: 0 < Fraction(v) and 2 * Fraction(v) ** 7 <= 1),
    conclusion=_s1_conclusion(),
    note="Hoeffding gives sqrt(log(2/delta')/(2m)), which is <= the printed 2 sqrt(log(1/delta')/m) iff "
         "delta' <= 2^(-1/7) ~ 0.9057 (the domain is exactly delta'^7 <= 1/2).",
)


# ---------------------------------------------------------------- s2: the union-bound inference
def _s2_parts(n, delta, e, c_h, c_u, exact=False):
    """The two assertions of the printed line with delta' = n^e delta: the union bound over the n^2
    pairs, n^2 delta' <= delta, and the radius, c_h sqrt(log(1/delta')) <= c_u sqrt(log(n/delta))
    (sqrt(m) cancels). Returns the two margins; the second is None where log(1/delta') < 0 (the
    printed radius is undefined there)."""
    if exact:
        n, d = Fraction(int(n)), Fraction(delta)
        dl = n ** int(e) * d
        budget = Enclosure.exact(d - n * n * dl)
        if dl >= 1:
            return budget, None
        rad = (fraction_to_arb(Fraction(c_u)) * fraction_to_arb(n / d).log().sqrt()
               - fraction_to_arb(Fraction(c_h)) * (-(fraction_to_arb(dl).log())).sqrt())
        return budget, Enclosure.of(rad)
    n, d = float(n), float(delta)
    dl = n ** float(e) * d
    budget = d - n * n * dl
    if dl >= 1:
        return budget, None
    return budget, float(c_u) * math.sqrt(math.log(n / d)) - float(c_h) * math.sqrt(math.log(1 / dl))


def _s2_margin(env):
    budget, rad = _s2_parts(env.n, env.delta, env.e, env.c_h, env.c_u)
    return budget if rad is None else min(budget, rad)


def _s2_margin_exact(env):
    budget, rad = _s2_parts(env.n, env.delta, env.e, env.c_h, env.c_u, exact=True)
    if rad is None:
        return budget
    return Enclosure(min(budget.lo, rad.lo), min(budget.hi, rad.hi))


def _e_constant(value):
    return Constant("e", value, "the exponent of delta' = n^e delta (printed: n^2 delta)", integer=True)


_C_U = Constant("c_u", 4, "the 4 of the printed radius 4 sqrt(log(n/delta))/sqrt(m)", positive=True)

lemma2_2_s2 = Claim(
    id="du2019.lemma2.2.s2",
    title="delta' = n^2 delta and a union bound: all pairs within 4 sqrt(log(n/delta))/sqrt(m) w.p. 1 - delta",
    source=source("p. 11, second display"),
    statement=r"\delta'=n^2\delta,\ \text{union bound over }(i,j):\quad\Pr\Big[\forall i,j:\ |H_{ij}(0)-H^\infty_{ij}|\le\frac{4\sqrt{\log(n/\delta)}}{\sqrt m}\Big]\ge1-\delta",
    constants=[delta_constant(0.1), _e_constant(2), _C_H, _C_U],
    variables=[Variable("n", st.integers(1, 50), domain="1 <= n <= 50", integer=True, lo=1, hi=50)],
    conclusion=Condition("n^2 delta' <= delta and c_h sqrt(log(1/delta')) <= c_u sqrt(log(n/delta))",
                         margin=_s2_margin, rigorous=_s2_margin_exact),
    uses=["du2019.lemma2.2.s1"],
    note="The line's inference from s1: each of the n^2 pairs fails w.p. <= delta' with the radius "
         "c_h sqrt(log(1/delta'))/sqrt(m), so all hold w.p. >= 1 - n^2 delta'; the line needs n^2 delta' <= delta "
         "and that radius <= 4 sqrt(log(n/delta))/sqrt(m). With the printed delta' = n^2 delta the budget is "
         "n^4 delta (fails for every n >= 2, at any delta); delta' = delta/n^2 (e = -2) is s2:repaired. The "
         "conclusion itself is true (by s1:repaired and the corrected union bound) wherever delta/n^2 <= 2^(-1/7).",
)

_n_int = sympy.Symbol("n", integer=True)
_delta = sympy.Symbol("delta", real=True)
_e = sympy.Symbol("e", integer=True)

lemma2_2_s2_printed = Claim(
    id="du2019.lemma2.2.s2@delta_prime_n2delta",
    title="Union bound as printed: n^2 pairs failing w.p. delta' = n^2 delta each fail w.p. <= delta",
    source=source("p. 11, 'delta' = n^2 delta, union bound'"),
    statement=r"\delta'=n^2\delta:\quad n^2\,\delta'\le\delta",
    variables=[Variable("n", st.integers(1, 50), integer=True, lo=1, hi=50),
               Variable("delta", st.floats(1e-6, 1.0, exclude_max=True), lo=0, hi=1)],
    constants=[_e_constant(2)],
    hypotheses=[sympy.Ge(_n_int, 1), sympy.Gt(_delta, 0), sympy.Lt(_delta, 1)],
    conclusion=sympy.Le(_n_int**2 * (_n_int**_e * _delta), _delta),
    note="The union bound over n^2 pairs adds their failure probabilities: n^2 * delta'.",
)

# s2:repaired in the logarithms a = log n >= 0, b = log(1/delta) > 0: a bijection of n >= 1, 0 < delta < 1
# onto a >= 0, b > 0; sympy's expand_log gives log(n^2 delta'/delta) = (2 + e) a and
# log(1/delta') = b - e a, log(n/delta) = a + b (tests/du2019/test_claims.py re-derives them).
_a, _b = sympy.symbols("a b", real=True)
_ch, _cu = sympy.Symbol("c_h", real=True), sympy.Symbol("c_u", real=True)

lemma2_2_s2_repaired = Claim(
    id="du2019.lemma2.2.s2:repaired",
    title="Union bound with delta' = delta/n^2: n^2 delta' = delta and 2 sqrt(log(n^2/delta)) <= 4 sqrt(log(n/delta))",
    source=source("p. 11, second display"),
    statement=r"\delta'=\delta/n^2:\quad n^2\delta'\le\delta,\quad 2\sqrt{\log(1/\delta')}\le4\sqrt{\log(n/\delta)}"
              r"\qquad(a=\log n\ge0,\ b=\log(1/\delta)>0)",
    variables=[Variable("a", st.floats(0, 10), domain="a = log n >= 0", lo=0),
               Variable("b", st.floats(0, 20), domain="b = log(1/delta) > 0", lo=0)],
    constants=[_e_constant(-2), _C_H, _C_U],
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
    return fro2 - spec2, float(env.c_f) * n * n - float(env.c_u) ** 2 * fro2


def _s3_margin(env):
    return min(_s3_margins(env))


def _s3_margin_exact(env):
    """Exact Frobenius sums; ||U||_2^2 = lambda_max(U^2) enclosed by an Arb Cholesky certificate."""
    U = np.asarray(env.U, dtype=float)
    n = U.shape[0]
    Uq = [[Fraction(float(U[i, j])) for j in range(n)] for i in range(n)]
    U2 = [[sum(Uq[i][k] * Uq[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    lo, hi = gram.lambda_min_enclosure([[-fraction_to_arb(U2[i][j]) for j in range(n)] for i in range(n)])
    fro2 = sum(q * q for row in Uq for q in row)
    # lambda_max(U^2) = -lambda_min(-U^2) lies in [-hi, -lo]
    first = Enclosure(fro2 + lo, fro2 + hi)
    second = Enclosure.exact(Fraction(env.c_f) * n * n - Fraction(env.c_u) ** 2 * fro2)
    return Enclosure(min(first.lo, second.lo), min(first.hi, second.hi))


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
    source=source("p. 12, first display"),
    statement=r"\max_{ij}|H_{ij}(0)-H^\infty_{ij}|\le\frac{4\sqrt{\log(n/\delta)}}{\sqrt m}\Rightarrow"
              r"\|H(0)-H^\infty\|_2^2\le\|H(0)-H^\infty\|_F^2\le\sum_{ij}|H_{ij}(0)-H^\infty_{ij}|^2\le\frac{16n^2\log(n/\delta)}{m}",
    variables=[Variable("U", _symmetric_unit_matrices(), domain="symmetric n x n, n <= 4",
                        contains=_is_symmetric,
                        meaning="(H(0) - H^inf) sqrt(m) / (c_u sqrt(log(n/delta))), so s2's radius is |U_ij| <= 1")],
    constants=[_C_U, Constant("c_f", 16, "the 16 of 16 n^2 log(n/delta)/m", positive=True)],
    hypotheses=[Condition("every |U_ij| <= 1 (s2's radius)",
                          margin=lambda env: 1 - float(np.max(np.abs(np.asarray(env.U, dtype=float)))),
                          rigorous=lambda env: 1 - max(abs(Fraction(float(x))) for x in np.asarray(env.U, float).ravel()))],
    conclusion=Condition("||U||_2^2 <= ||U||_F^2 and c_u^2 sum_ij U_ij^2 <= c_f n^2",
                         margin=_s3_margin, rigorous=_s3_margin_exact),
    formula=[sympy.Le(norm2(H(0) - H_inf) ** 2, normF(H(0) - H_inf) ** 2)],
    uses=["du2019.lemma2.2.s2"],
    note="Scaled by the radius r = c_u sqrt(log(n/delta))/sqrt(m): with A = r U the chain reads "
         "||U||_2^2 <= ||U||_F^2 (the spectral norm, enclosed with Arb) and c_u^2 sum U_ij^2 <= c_f n^2; the "
         "middle step is the definition of ||.||_F. Tight at U = all +-1 (every entry at the radius).",
)


# ---------------------------------------------------------------- the lemma
def _exact_failure(W, D, H_arb, lo, hi) -> bool:
    """Exact re-verification of one initialisation: exact activations and H(0) (rationals), Arb H^inf.

    Fails ``lambda_min(H(0)) >= 3 lambda_0/4`` if an exact Rayleigh quotient is < 3 lo/4; fails
    ``||H(0) - H^inf||_2 <= lambda_0/4`` if ``|v^T (H(0) - H^inf) v| / v^T v > hi/4`` (Arb)."""
    S = gram.activations_exact(W, D.X_exact)
    He = gram.h_exact(S, D.gram_exact())
    Hf = np.array(He, dtype=float)
    _, V = np.linalg.eigh(Hf)
    if gram.rayleigh_upper(He, V[:, 0]) < Fraction(3, 4) * lo:
        return True
    Hinf_f = np.array([[float(x.mid()) for x in row] for row in H_arb])
    w, U = np.linalg.eigh(Hf - Hinf_f)
    v = U[:, int(np.argmax(np.abs(w)))]
    va = [fraction_to_arb(Fraction(float(c))) for c in v]
    n = len(va)
    num = sum((va[i] * (fraction_to_arb(He[i][j]) - H_arb[i][j]) * va[j] for i in range(n) for j in range(n)),
              arb(0))
    den = sum((c * c for c in va), arb(0))
    return bool(abs(num) / den > fraction_to_arb(hi) / 4)


def _datasets(ctx):
    out = [ds.orthonormal(1), ds.orthonormal(2), ds.orthonormal(3)]
    for kind in ("random", "clustered"):
        out.append(ds.make(ctx.rng, 3, 3, kind, spread=0.3))
    return out


def check_lemma(ctx):
    delta = delta_of(ctx)
    K = float(ctx.constants["K"])
    cap = 40_000 if ctx.budget.name == "quick" else 200_000
    trials = ctx.trials(1.0 if ctx.budget.name == "quick" else 0.5)
    worst, skipped, rows, plots, notes = None, [], [], [], []
    for D in _datasets(ctx):
        lo, hi = gram.lambda0_enclosure(D.gram_exact())
        lam0 = float(lo)  # the lower bound: the width computed from it certainly meets the hypothesis
        m = width_lemma22(D.n, lam0, delta, K)
        if m > cap:
            skipped.append(f"{D.describe()} (m = {m} > {cap})")
            continue
        Hinf = gram.h_inf(D.X)

        lo_f, hi_f = float(lo), float(hi)

        H_arb = gram.h_inf_arb(D.gram_exact())

        def failures(width, count, exact=True, keep=None):
            verified = [0]

            def verify(W, H):
                spec = np.linalg.norm(H - Hinf, ord=2, axis=(1, 2))
                lmin = np.linalg.eigvalsh(H)[:, 0]
                # float leads: spec > hi/4 >= lambda_0/4, or lambda_min < 3 lo/4 <= 3 lambda_0/4
                leads = np.nonzero((spec > hi_f / 4 + 1e-9) | (lmin < 0.75 * lo_f - 1e-9))[0]
                for b in leads:
                    if not exact:
                        verified[0] += 1
                    elif _exact_failure(W[b], D, H_arb, lo, hi):
                        verified[0] += 1
                        if keep is not None:
                            keep.append(W[b])

            Hs = dy.sample_gram_at_init(ctx.rng, D.X, width, count, on_chunk=verify)
            spec = np.linalg.norm(Hs - Hinf, ord=2, axis=(1, 2))
            return verified[0], float(np.max(spec) / (lam0 / 4))

        kept = []
        f, ratio = failures(m, trials, keep=kept)
        est = RateEstimate.of(f, trials, delta)
        rows.append((D, m, est, ratio))
        if worst is None or est.lo > worst[2].lo:
            worst = (D, m, est, ratio, kept)
        # width sweep: where does the conclusion stop holding?
        widths, ests = [], []
        w = m
        while w >= 1:
            fw, _ = failures(w, min(100, max(20, trials // 4)), exact=False)  # sweep: float, informational
            widths.append(w)
            ests.append(RateEstimate.of(fw, min(100, max(20, trials // 4)), delta))
            w //= 4
        small = smallest_passing(widths, ests, delta)
        notes.append(f"{D.describe()}: proven m = {m}; failure rate <= delta observed down to m = {small} "
                     f"({m / small:.3g}x smaller)" if small else f"{D.describe()}: proven m = {m}")
        if len(plots) < 2:
            plots.append(rate_plot(f"Lemma 2.2 failure rate vs width, {D.describe()}", "width m",
                                   widths[::-1], ests[::-1], delta))
    if skipped:
        notes.append("not run (width above the budget's cap): " + "; ".join(skipped))
    if worst is None:
        return Outcome(Verdict.VACUOUS, "no dataset's proven width fits the budget", notes=notes)
    D, m, est, ratio, kept = worst
    return rate_outcome(ctx, est.failures, est.trials, delta,
                        f"at the proven width m = ceil({K:g} n^2 log(n/delta)/lambda_0^2) over {len(rows)} datasets, "
                        f"worst {D.describe()} (m = {m}); max ||H(0)-H^inf||_2 / (lambda_0/4) = {ratio:.3g}; "
                        "failures re-verified exactly (rational H(0), Arb H^inf)",
                        {"dataset": D, "m": m}, notes=notes, details={"plots": plots},
                        satisfied=sum(r[2].trials for r in rows), instances=[{"W": W} for W in kept])


def replay_lemma(ctx, record):
    """The width must meet the hypothesis (computed from the certified lower bound of lambda_0 under the
    current constants); each stored initialisation is re-verified exactly (:func:`_exact_failure`)."""
    delta, K = delta_of(ctx), float(ctx.constants["K"])
    v = decode(record.get("values", {}), exact=False)
    D, m = v["dataset"], v["m"]
    lo, hi = gram.lambda0_enclosure(D.gram_exact())
    need = width_lemma22(D.n, float(lo), delta, K)
    if m < need:
        return False, None, f"m = {m} is below the proven width {need}: outside the hypothesis"
    H_arb = gram.h_inf_arb(D.gram_exact())

    def verify(inst):
        W = np.asarray(inst["W"])
        if W.shape != (m, D.d):
            return False, f"weights of shape {W.shape}, not ({m}, {D.d})"
        if _exact_failure(np.array(W, dtype=float), D, H_arb, lo, hi):
            return True, ""
        return False, "exact H(0) meets both conclusions"

    return replay_rate(ctx, record, delta, verify)


lemma2_2 = Claim(
    id="du2019.lemma2.2",
    title="At m >= 256 n^2 log(n/delta)/lambda_0^2: ||H(0) - H^inf||_2 <= lambda_0/4 and lambda_min(H(0)) >= 3 lambda_0/4",
    source=source("p. 11, Lemma 2.2"),
    statement=r"m=\Omega\Big(\frac{n^2}{\lambda_0^2}\log\frac n\delta\Big)\Rightarrow\Pr\Big[\|H(0)-H^\infty\|_2\le\frac{\lambda_0}4,\ \lambda_{\min}(H(0))\ge\frac34\lambda_0\Big]\ge1-\delta",
    constants=[delta_constant(0.1), Constant("K", K_LEMMA22, "explicit Omega constant: (s3) <= (lambda_0/4)^2 "
                                                               "iff m >= 256 n^2 log(n/delta)/lambda_0^2", positive=True)],
    kind=Probabilistic(delta="delta"),
    uses=["du2019.lemma2.2.s1", "du2019.lemma2.2.s2", "du2019.lemma2.2.s3"],
    formula=[sympy.Le(norm2(H(0) - H_inf), lambda_0 / 4), sympy.Ge(lambda_min(H(0)), 3 * lambda_0 / 4)],
    check=check_lemma,
    replay=replay_lemma,
    note="lambda_0 is enclosed rigorously (Arb); the width uses its lower bound, the test its upper bound.",
)
