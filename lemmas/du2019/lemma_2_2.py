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


def _cosines(rng, count):
    """Cosines of exact rational unit vectors: c = (1 - t^2)/(1 + t^2), plus c = 1 (i = j)."""
    out = [Fraction(1), Fraction(0)]
    for _ in range(count):
        t = Fraction(int(rng.integers(-64, 65)), 64)
        out.append((1 - t * t) / (1 + t * t))
    return sorted(set(out), reverse=True)


def verify_pair(m: int, c: Fraction, dl: Fraction, radius_of, delta_of) -> tuple[arb, arb]:
    """One (m, cos, delta') point decided rigorously: (Arb lower bound of the exact per-pair failure
    probability, the allowed delta as a ball). It refutes iff the first is certainly above the second."""
    lo, _ = pair_failure(m, c, radius_of(m, dl, exact=True))
    return lo, fraction_to_arb(Fraction(delta_of(dl)))


def _exact_pair_search(ctx, radius_of, delta_of, grid_deltas, widths, what, domain_note="", cos=None, tag=None):
    """Search (m, c, delta) for the largest exact failure probability minus delta; verify with Arb.
    ``tag`` (e.g. ``{"n": 1}``) goes into the record's values so that its replay knows which radius was used."""
    if cos is None:
        cos = _cosines(ctx.rng, min(24, ctx.examples(0.2, minimum=8)))
    leads = []
    for m in widths:
        for c in cos:
            for dl in grid_deltas:
                r = radius_of(m, float(dl))
                pf = _pair_failure_float(m, float(c), r)
                leads.append((pf - float(delta_of(dl)), m, c, dl, pf))
    leads.sort(key=lambda z: z[0], reverse=True)
    examples = len(leads)
    worst = leads[0]
    for gap, m, c, dl, pf in leads[:5]:
        lo, dval = verify_pair(m, c, dl, radius_of, delta_of)
        if lo > dval:
            rec = ctx.record_counterexample(
                {**(tag or {}), "m": m, "cos": c, "delta": Fraction(dl)}, float((dval - lo).mid()),
                "exact binomial law of H_ij(0) (Sheppard's p), Arb enclosure", extra={"P_fail": float(lo.mid())})
            return Outcome(Verdict.REFUTED,
                           f"{what}: at m = {m}, x_i^T x_j = {c}, delta = {dl}: P(failure) = {float(lo.mid()):.6g} "
                           f"(Arb lower bound {float(lo.lower()):.6g}) > delta = {float(delta_of(dl)):.6g}",
                           examples=examples, satisfied=examples, margin=float((dval - lo).mid()),
                           counterexample=rec, notes=[domain_note] if domain_note else [])
    ratio = max(leads, key=lambda z: z[4] / float(delta_of(z[3])))
    return Outcome(Verdict.SURVIVED,
                   f"{what}: exact failure probability <= delta at all {examples} (m, cos, delta) points; "
                   f"largest P - delta = {worst[0]:.4g} at m={worst[1]}, cos={worst[2]}, delta={float(worst[3]):.4g}; "
                   f"largest P/delta = {ratio[4] / float(delta_of(ratio[3])):.3g} at m={ratio[1]}, cos={ratio[2]}, "
                   f"delta={float(ratio[3]):.4g}",
                   examples=examples, satisfied=examples, margin=-worst[0],
                   notes=[domain_note] if domain_note else [])


def _hoeffding_printed(m, dp, exact=False):
    if exact:
        return 2 * (-(fraction_to_arb(Fraction(dp)).log())).sqrt() / arb(m).sqrt()
    return 2 * math.sqrt(math.log(1 / dp)) / math.sqrt(m)


_WIDTHS = (1, 2, 3, 4, 5, 6, 8, 10, 16, 32, 64, 128)


def _replay_pair(ctx, record, radius_for, upper=None):
    """Replay of an exact (m, cos, delta') record: the same Arb computation as the search, on its own.
    ``radius_for(cos, values) -> (radius_of, why)`` picks the radius (None with a reason if the record
    does not fit the claim); ``upper`` is the claim's largest delta'."""
    v = decode(record.get("values", {}), exact=True)
    try:
        m, c, dl = v["m"], Fraction(v["cos"]), Fraction(v["delta"])
    except (KeyError, TypeError, ValueError) as exc:
        return False, None, f"the record lacks m, cos or delta ({exc})"
    if not isinstance(m, int) or m < 1:
        return False, None, f"m = {m} is not a positive integer"
    if not -1 <= c <= 1:
        return False, None, f"cos = {c} is not a cosine"
    if not 0 < dl < 1 or (upper is not None and dl > upper):
        return False, None, f"delta' = {dl} is outside the claim's domain"
    radius_of, why = radius_for(c, v)
    if radius_of is None:
        return False, None, why
    lo, dval = verify_pair(m, c, dl, radius_of, lambda d: d)
    margin = float((dval - lo).mid())
    where = f"m = {m}, x_i^T x_j = {c}, delta' = {dl}"
    if lo > dval:
        return True, margin, (f"exact binomial law of H_ij(0) (Sheppard's p), Arb: at {where}, P(failure) >= "
                              f"{float(lo.lower()):.6g} > delta'")
    return False, margin, f"at {where} the exact failure probability is not certainly above delta' (Arb: {lo})"


def check_s1(ctx, upper=None):
    grid = [Fraction(k, 100) for k in range(1, 100)] + [Fraction(995, 1000), Fraction(999, 1000)]
    if upper is not None:
        grid = [d for d in grid if d <= upper]
    note = "" if upper is None else "domain restricted to delta' <= 2^(-1/7), where the printed bound exceeds Hoeffding's"
    return _exact_pair_search(ctx, _hoeffding_printed, lambda d: d, grid, _WIDTHS,
                              "per-pair Hoeffding line", note)


def replay_s1(upper=None):
    return lambda ctx, record: _replay_pair(ctx, record, lambda c, values: (_hoeffding_printed, ""), upper)


lemma2_2_s1 = Claim(
    id="du2019.lemma2.2.s1",
    title="Hoeffding: |H_ij(0) - H^inf_ij| <= 2 sqrt(log(1/delta'))/sqrt(m) w.p. 1 - delta'",
    source=source("p. 11, first display"),
    statement=r"\Pr\Big[|H_{ij}(0)-H^\infty_{ij}|\le\frac{2\sqrt{\log(1/\delta')}}{\sqrt m}\Big]\ge 1-\delta'",
    constants=[],
    kind=Probabilistic(delta="delta_p"),
    formula=[sympy.Ge(P(sympy.Le(sympy.Abs(H(0) - H_inf), 2 * sympy.sqrt(sympy.log(1 / dp_s)) / sympy.sqrt(m_s))),
                      1 - dp_s)],
    variables=[Variable("m", st.integers(1, 128), integer=True), Variable("delta_p", st.floats(0, 1))],
    check=check_s1,
    replay=replay_s1(),
    note="Decided exactly: H_ij(0) = c K/m with K ~ Bin(m, (pi - arccos c)/(2 pi)).",
)

_S1_UPPER = Fraction(9057, 10000)  # 0.9057 < 2^(-1/7) = 0.90572...

lemma2_2_s1_repaired = Claim(
    id="du2019.lemma2.2.s1:repaired",
    title="The Hoeffding line for delta' <= 2^(-1/7) (where the printed bound dominates Hoeffding's)",
    source=source("p. 11, first display"),
    statement=r"\delta'\le2^{-1/7}\Rightarrow\Pr\Big[|H_{ij}(0)-H^\infty_{ij}|\le\frac{2\sqrt{\log(1/\delta')}}{\sqrt m}\Big]\ge 1-\delta'",
    kind=Probabilistic(delta="delta_p"),
    variables=[Variable("m", st.integers(1, 128), integer=True), Variable("delta_p", st.floats(0, 1))],
    check=lambda ctx: check_s1(ctx, upper=_S1_UPPER),
    replay=replay_s1(_S1_UPPER),
    note="Hoeffding gives sqrt(log(2/delta')/(2m)), which is <= the printed 2 sqrt(log(1/delta')/m) iff "
         "delta' <= 2^(-1/7) ~ 0.9057; the search grid stops at 0.9057 (a rational below 2^(-1/7)).",
)


# ---------------------------------------------------------------- s2
def _s2_radius(n):
    def radius(m, delta, exact=False):
        if exact:
            return 4 * (fraction_to_arb(Fraction(n) / Fraction(delta)).log()).sqrt() / arb(m).sqrt()
        return 4 * math.sqrt(math.log(n / delta)) / math.sqrt(m)
    return radius


def _s2_instance_fails(W, D, radius: arb, H_arb) -> tuple[bool, str]:
    """One initialisation, exactly: rational activations and H(0), Arb H^inf; it fails iff some
    ``|H_ij(0) - H^inf_ij|`` is certainly above ``radius``."""
    He = gram.h_exact(gram.activations_exact(np.asarray(W), D.X_exact), D.gram_exact())
    n = len(He)
    for i in range(n):
        for j in range(n):
            if abs(fraction_to_arb(He[i][j]) - H_arb[i][j]) > radius:
                return True, f"|H_{i}{j}(0) - H^inf_{i}{j}| > radius (exact H(0), Arb H^inf)"
    return False, "every |H_ij(0) - H^inf_ij| is within the radius (or undecided at this precision)"


def check_s2(ctx):
    """Exact: n = 1 (the single pair i = j, cosine 1), and n = 2 through one off-diagonal pair of
    cosine c (its failure implies the maximum's, so its probability is a lower bound). Sampled: the
    maximum over all pairs for n = 2, 3, each float lead re-verified exactly."""
    grid = [Fraction(k, 100) for k in range(1, 100)] + [Fraction(995, 1000), Fraction(999, 1000)]
    exact = _exact_pair_search(ctx, _s2_radius(1), lambda d: d, grid, _WIDTHS,
                               "n = 1 (one pair, exact)", cos=[Fraction(1)], tag={"n": 1})
    if exact.verdict is Verdict.REFUTED:
        return exact
    exact2 = _exact_pair_search(ctx, _s2_radius(2), lambda d: d, grid, _WIDTHS,
                                "n = 2 (one off-diagonal pair, exact lower bound)", tag={"n": 2})
    if exact2.verdict is Verdict.REFUTED:
        return exact2
    # n >= 2: sample H(0) and count max_ij deviations above the printed radius
    delta = delta_of(ctx)
    trials = ctx.trials(0.5)
    worst = None
    for n in (2, 3):
        D = ds.make(ctx.rng, n, n, "random")
        Hinf, H_arb = gram.h_inf(D.X), gram.h_inf_arb(D.gram_exact())
        for m in (1, 4, 16, 64):
            rad, rad_arb = _s2_radius(n)(m, delta), _s2_radius(n)(m, delta, exact=True)
            found = []

            def verify(W, Hs):
                dev = np.max(np.abs(Hs - Hinf), axis=(1, 2))
                for b in np.nonzero(dev > rad + 1e-9)[0]:  # float leads, then the exact test
                    if _s2_instance_fails(W[b], D, rad_arb, H_arb)[0]:
                        found.append(W[b])

            dy.sample_gram_at_init(ctx.rng, D.X, m, trials, on_chunk=verify)
            est = RateEstimate.of(len(found), trials, delta)
            if worst is None or est.lo - delta > worst[0].lo - delta:
                worst = (est, n, m, D, found)
    est, n, m, D, found = worst
    return rate_outcome(ctx, est.failures, est.trials, delta,
                        f"{exact.evidence}; sampled n >= 2 worst at n={n}, m={m}",
                        {"dataset": D, "m": m}, notes=exact.notes, instances=[{"W": W} for W in found])


def _s2_radius_for(c, values):
    n = values.get("n")
    if n == 1 and c != 1:
        return None, f"n = 1 has the single pair i = j, of cosine 1, not {c}"
    if n not in (1, 2):
        return None, f"the record does not say which n (1 or 2) its exact pair belongs to (n = {n})"
    return _s2_radius(n), ""


def replay_s2(ctx, record):
    """An exact pair record is replayed with its Arb binomial law; a sampled one by re-verifying its
    stored initialisations exactly and recomputing the Clopper-Pearson bound from its counts."""
    if "rate" not in (record.get("extra") or {}):
        return _replay_pair(ctx, record, _s2_radius_for)
    delta = delta_of(ctx)
    v = decode(record.get("values", {}), exact=False)
    D, m = v["dataset"], v["m"]
    rad_arb, H_arb = _s2_radius(D.n)(m, delta, exact=True), gram.h_inf_arb(D.gram_exact())

    def verify(inst):
        W = np.asarray(inst["W"])
        if W.shape != (m, D.d):
            return False, f"weights of shape {W.shape}, not ({m}, {D.d})"
        return _s2_instance_fails(W, D, rad_arb, H_arb)

    return replay_rate(ctx, record, delta, verify)


lemma2_2_s2 = Claim(
    id="du2019.lemma2.2.s2",
    title="All pairs: |H_ij(0) - H^inf_ij| <= 4 sqrt(log(n/delta))/sqrt(m) w.p. 1 - delta",
    source=source("p. 11, second display"),
    statement=r"\Pr\Big[\forall i,j:\ |H_{ij}(0)-H^\infty_{ij}|\le\frac{4\sqrt{\log(n/\delta)}}{\sqrt m}\Big]\ge1-\delta",
    constants=[delta_constant(0.1)],
    kind=Probabilistic(delta="delta"),
    check=check_s2,
    replay=replay_s2,
    note="The conclusion of the union-bound line, checked on its own (n = 1 and one pair of n = 2 exactly, "
         "n = 2, 3 sampled). For n = 1 it fails at m = 1 once delta > e^(-1/64): the radius 4 sqrt(log(1/delta)) "
         "drops below the deviation 1/2; for delta/n^2 <= 2^(-1/7) it follows from s1:repaired and s2:repaired.",
)

_n_int = sympy.Symbol("n", integer=True)
_delta = sympy.Symbol("delta", real=True)

lemma2_2_s2_printed = Claim(
    id="du2019.lemma2.2.s2@delta_prime_n2delta",
    title="Union bound as printed: n^2 pairs failing w.p. delta' = n^2 delta each fail w.p. <= delta",
    source=source("p. 11, 'delta' = n^2 delta, union bound'"),
    statement=r"\delta'=n^2\delta:\quad n^2\,\delta'\le\delta",
    variables=[Variable("n", st.integers(1, 50), integer=True, lo=1, hi=50),
               Variable("delta", st.floats(1e-6, 1.0, exclude_max=True), lo=0, hi=1)],
    hypotheses=[sympy.Ge(_n_int, 1), sympy.Gt(_delta, 0), sympy.Lt(_delta, 1)],
    conclusion=sympy.Le(_n_int**2 * (_n_int**2 * _delta), _delta),
    note="The union bound over n^2 pairs adds their failure probabilities: n^2 * delta'.",
)

def check_s2_repaired(ctx):
    """Symbolic proof. With a = log n >= 0 and b = log(1/delta) > 0: log(n^2/delta) = 2a + b >= 0 and
    log(n/delta) = a + b > 0, so (sqrt being increasing on [0, inf)) 2 sqrt(2a + b) <= 4 sqrt(a + b)
    iff 4(2a + b) <= 16(a + b), which z3 decides; and n^2 delta' = n^2 (delta/n^2) = delta (sympy)."""
    import z3

    from proofcheck.certify import fresh_z3

    n, d = sympy.symbols("n delta", positive=True)
    union_ok = sympy.simplify(n**2 * (d / n**2) - d) == 0
    logs_ok = (sympy.expand_log(sympy.log(n**2 / d), force=True) == 2 * sympy.log(n) - sympy.log(d)
               and sympy.expand_log(sympy.log(n / d), force=True) == sympy.log(n) - sympy.log(d))
    fresh_z3()  # models must not depend on earlier decisions in this process
    a, b = z3.Reals("a b")
    s = z3.Solver()
    s.add(a >= 0, b > 0, z3.Not(z3.And(2 * a + b >= 0, 4 * (2 * a + b) <= 16 * (a + b))))
    if union_ok and logs_ok and s.check() == z3.unsat:
        return Outcome(Verdict.PROVED,
                       "sympy: n^2 (delta/n^2) = delta and log(n^2/delta) = 2 log n + log(1/delta); with "
                       "a = log n >= 0 (n >= 1), b = log(1/delta) > 0 (delta < 1), z3: 2a + b >= 0 and "
                       "4(2a + b) <= 16(a + b), hence 2 sqrt(log(n^2/delta)) <= 4 sqrt(log(n/delta)) (sqrt increasing)",
                       examples=1, satisfied=1, margin=0.0)
    return Outcome(Verdict.SURVIVED, "symbolic proof did not go through", examples=1, satisfied=1)


lemma2_2_s2_repaired = Claim(
    id="du2019.lemma2.2.s2:repaired",
    refutes=False,  # this procedure only proves or bounds; a refutation from it would be an error
    title="Union bound with delta' = delta/n^2: 2 sqrt(log(n^2/delta)) <= 4 sqrt(log(n/delta))",
    source=source("p. 11, second display"),
    statement=r"\delta'=\delta/n^2:\quad n^2\delta'=\delta,\quad 2\sqrt{\log(1/\delta')}\le4\sqrt{\log(n/\delta)}",
    variables=[Variable("n", st.integers(1, 50), integer=True, lo=1, hi=50),
               Variable("delta", st.floats(1e-6, 1.0, exclude_max=True), lo=0, hi=1)],
    hypotheses=[sympy.Ge(_n_int, 1), sympy.Gt(_delta, 0), sympy.Lt(_delta, 1)],
    conclusion=sympy.Le(2 * sympy.sqrt(sympy.log(_n_int**2 / _delta)), 4 * sympy.sqrt(sympy.log(_n_int / _delta))),
    check=check_s2_repaired,
    note="delta' = delta/n^2 makes the union bound give delta; the radius then follows since "
         "log(n^2/delta) = 2 log n + log(1/delta) <= 4 log(n/delta).",
)

# ---------------------------------------------------------------- s3
_m = sympy.Symbol("m", real=True)
lemma2_2_s3 = Claim(
    id="du2019.lemma2.2.s3",
    title="Frobenius step: n^2 entries each <= 4 sqrt(log(n/delta))/sqrt(m) give ||.||_F^2 <= 16 n^2 log(n/delta)/m",
    source=source("p. 12, first display"),
    statement=r"\|H(0)-H^\infty\|_2^2\le\|H(0)-H^\infty\|_F^2\le\sum_{ij}|H_{ij}(0)-H^\infty_{ij}|^2\le\frac{16n^2\log(n/\delta)}{m}",
    variables=[Variable("n", st.integers(1, 50), integer=True, lo=1, hi=50),
               Variable("m", st.integers(1, 10**6), lo=1, hi=10**6),
               Variable("delta", st.floats(1e-6, 1.0, exclude_max=True), lo=0, hi=1)],
    hypotheses=[sympy.Ge(_n_int, 1), sympy.Ge(_m, 1), sympy.Gt(_delta, 0), sympy.Lt(_delta, 1)],
    conclusion=sympy.Le(_n_int**2 * (4 * sympy.sqrt(sympy.log(_n_int / _delta)) / sympy.sqrt(_m)) ** 2,
                        16 * _n_int**2 * sympy.log(_n_int / _delta) / _m),
    formula=[sympy.Le(norm2(H(0) - H_inf) ** 2, normF(H(0) - H_inf) ** 2)],
    note="The algebra of the last inequality (n^2 entries times the squared bound); ||A||_2 <= ||A||_F is "
         "property-tested in tests/du2019/test_gram.py.",
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
