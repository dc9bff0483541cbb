"""Statistics for "with probability >= 1 - delta" claims.

A probabilistic claim is refuted only when the exact binomial (Clopper-Pearson) lower confidence
bound on the failure rate exceeds delta; the confidence level is stated in the evidence.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scipy.stats import beta as _beta


def clopper_pearson(failures: int, trials: int, confidence: float = 0.99) -> tuple[float, float]:
    """Two-sided exact binomial interval for a rate from ``failures`` out of ``trials``."""
    if trials <= 0:
        raise ValueError("a failure rate needs at least one trial")
    if not 0 <= failures <= trials:
        raise ValueError("failures must lie between 0 and trials")
    a = 1.0 - confidence
    lo = 0.0 if failures == 0 else float(_beta.ppf(a / 2, failures, trials - failures + 1))
    hi = 1.0 if failures == trials else float(_beta.ppf(1 - a / 2, failures + 1, trials - failures))
    return lo, hi


@dataclass(frozen=True)
class RateEstimate:
    """An observed failure rate with its exact interval, compared with the allowed ``delta``."""

    failures: int
    trials: int
    delta: float
    confidence: float
    lo: float
    hi: float

    @classmethod
    def of(cls, failures: int, trials: int, delta: float, confidence: float = 0.99) -> "RateEstimate":
        lo, hi = clopper_pearson(failures, trials, confidence)
        return cls(failures, trials, float(delta), confidence, lo, hi)

    @property
    def rate(self) -> float:
        return self.failures / self.trials

    @property
    def exceeds_delta(self) -> bool:
        """The failure rate is above delta with the stated confidence (a sound refutation)."""
        return self.lo > self.delta

    @property
    def margin(self) -> float:
        """delta minus the upper bound: >= 0 means the data are consistent with the claim."""
        return self.delta - self.hi

    def describe(self) -> str:
        return (f"{self.failures}/{self.trials} failures, rate {self.rate:.4g}, "
                f"{self.confidence:.0%} Clopper-Pearson interval [{self.lo:.4g}, {self.hi:.4g}] "
                f"vs delta = {self.delta:.4g}")

    def to_json(self) -> dict:
        return {"failures": self.failures, "trials": self.trials, "delta": self.delta,
                "confidence": self.confidence, "lo": self.lo, "hi": self.hi}


# ---------------------------------------------------------------- rigorous binomial tails (Arb)
def _arb_tail(x, a: int, b: int):
    """Rigorous ``I_x(a, b)`` (the regularized incomplete beta function) for an exact rational
    ``x`` in (0, 1), as an Arb ball; the precision rises until the ball is narrow (or it gives up and
    returns the wide ball, which then decides nothing)."""
    from fractions import Fraction

    from flint import arb, ctx as flint_ctx, fmpq

    x = Fraction(x)
    saved = flint_ctx.prec
    try:
        v = arb("nan")
        for prec in (64, 128, 256, 1024):
            flint_ctx.prec = prec
            v = arb(fmpq(x.numerator, x.denominator)).beta_lower(a, b, 1)
            if v.is_finite() and v.rad() <= abs(v.mid()) * arb(2) ** -20:
                break
        return v
    finally:
        flint_ctx.prec = saved


def tail_at_least(failures: int, trials: int, p) -> "Any":
    """``P(Bin(trials, p) >= failures)`` as an Arb ball, ``p`` an exact rational in (0, 1)."""
    from flint import arb

    if failures <= 0:
        return arb(1)
    return _arb_tail(p, failures, trials - failures + 1)


def tail_at_most(failures: int, trials: int, p) -> "Any":
    """``P(Bin(trials, p) <= failures)`` as an Arb ball, ``p`` an exact rational in (0, 1)."""
    from fractions import Fraction

    from flint import arb

    if failures >= trials:
        return arb(1)
    return _arb_tail(1 - Fraction(p), trials - failures, failures + 1)


def rate_certainly_above(failures: int, trials: int, p, alpha: float) -> bool:
    """The one-sided Clopper-Pearson lower bound at level ``alpha`` exceeds ``p`` (exact rational),
    decided rigorously: ``P(Bin(trials, p) >= failures) < alpha`` computed in Arb (the tail grows
    with ``p``, so this is the same statement as the bound's)."""
    from fractions import Fraction

    p = Fraction(p)
    if p >= 1 or trials <= 0:
        return False
    if p < 0:
        return True
    if p == 0:
        return failures > 0
    return bool(tail_at_least(failures, trials, p) < _exact_alpha(alpha))


def rate_certainly_below(failures: int, trials: int, p, alpha: float) -> bool:
    """The one-sided Clopper-Pearson upper bound at level ``alpha`` is below ``p``, decided
    rigorously: ``P(Bin(trials, p) <= failures) < alpha`` in Arb."""
    from fractions import Fraction

    p = Fraction(p)
    if p <= 0 or trials <= 0:
        return False
    if p > 1:
        return True
    if p == 1:
        return failures < trials
    return bool(tail_at_most(failures, trials, p) < _exact_alpha(alpha))


def _exact_alpha(alpha: float):
    from fractions import Fraction

    from flint import arb, fmpq

    q = Fraction(alpha)  # the float's exact value
    return arb(fmpq(q.numerator, q.denominator))


def one_sided_bounds(failures: int, trials: int, alpha: float) -> tuple[float, float]:
    """Display values of the one-sided Clopper-Pearson bounds, each at level ``alpha``."""
    lo = 0.0 if failures == 0 else float(_beta.ppf(alpha, failures, trials - failures + 1))
    hi = 1.0 if failures == trials else float(_beta.ppf(1 - alpha, failures + 1, trials - failures))
    return lo, hi


# ---------------------------------------------------------------- exact binomial laws (Arb)
def binomial_mass(m: int, p, fails) -> tuple:
    """Rigorous enclosure of ``P(fails(K))`` for ``K ~ Bin(m, p)`` (``p`` an Arb ball or a rational).

    ``fails(k)`` returns True (certainly a failure), False (certainly not) or None (undecided at this
    precision). Returns ``(lower, upper)`` as Arb balls: undecided outcomes count only in ``upper``.

    The masses follow the recurrence ``P(k+1) = P(k) (m-k)/(k+1) p/q`` in Arb at 128 bits or more
    (every step is a ball operation, so the sums stay rigorous): linear in ``m``, where the direct
    sum of binomial coefficients is quadratic."""
    from math import comb

    from flint import arb, ctx as flint_ctx

    saved = flint_ctx.prec
    flint_ctx.prec = max(saved, 128 + 2 * max(m, 1).bit_length())
    try:
        p = _as_arb(p)
        q = 1 - p
        lo, hi = arb(0), arb(0)
        direct = p.contains(0) or q.contains(0)  # an end point: p^0 = 1 exactly, no ratio p/q
        ratio = None if direct else p / q
        term = q**m
        for k in range(m + 1):
            if direct:
                term = arb(comb(m, k)) * p**k * q ** (m - k)
            elif k:
                term = term * (m - k + 1) / k * ratio
            f = fails(k)
            if f is True:
                lo += term
                hi += term
            elif f is None:
                hi += term
        return +lo, +hi
    finally:
        flint_ctx.prec = saved


def binomial_law(m: int, p, fails):
    """``P(fails(K))`` for ``K ~ Bin(m, p)`` as an :class:`~proofcheck.model.num.Enclosure` (exact rational
    end points), ready to return from a declared claim's ``exact_failure``."""
    from proofcheck.model.num import Enclosure, arb_endpoints

    lo, hi = binomial_mass(m, p, fails)
    return Enclosure(arb_endpoints(lo)[0], arb_endpoints(hi)[1])


def _as_arb(p):
    from fractions import Fraction

    from flint import arb, fmpq

    if isinstance(p, arb):
        return p
    q = Fraction(p)
    return arb(fmpq(q.numerator, q.denominator))
