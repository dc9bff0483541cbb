"""Helpers for "with probability >= 1 - delta over the initialisation" claims.

A procedure counts verified failures over independent trials; :func:`rate_outcome` turns the count
into a verdict (refuted only when the Clopper-Pearson lower bound exceeds delta) and
:func:`rate_plot` draws failure rate against a parameter (width, step size) with its confidence band.
"""
from __future__ import annotations

from typing import Any, Sequence

from .claim import Outcome
from .stats import RateEstimate
from .verdict import Verdict


def rate_outcome(ctx, failures: int, trials: int, delta: float, what: str, values: dict[str, Any],
                 confidence: float | None = None, notes: Sequence[str] = (), details: dict | None = None,
                 satisfied: int | None = None, extra: dict | None = None,
                 examples: int | None = None) -> Outcome:
    """Verdict of a failure count: refuted iff the CP lower bound > delta (recording the counterexample)."""
    conf = confidence if confidence is not None else getattr(ctx.claim.kind, "confidence", 0.99)
    details = dict(details or {})
    sat = trials if satisfied is None else satisfied
    ex = max(trials, sat) if examples is None else examples
    if trials == 0:
        return Outcome(Verdict.VACUOUS, f"no trial met the hypotheses ({what})", examples=0, satisfied=0,
                       notes=list(notes), details=details)
    est = RateEstimate.of(failures, trials, delta, conf)
    details["rate"] = est.to_json()
    if est.exceeds_delta:
        rec = ctx.record_counterexample(values, -(est.lo - delta),
                                        f"failure rate over independent initialisations: {est.describe()}",
                                        extra=extra)
        return Outcome(Verdict.REFUTED, f"{what}: {est.describe()}; the lower bound exceeds delta",
                       examples=ex, satisfied=sat, margin=est.margin, counterexample=rec,
                       notes=list(notes), details=details)
    return Outcome(Verdict.SURVIVED, f"{what}: {est.describe()}", examples=ex, satisfied=sat,
                   margin=est.margin, notes=list(notes), details=details)


def rate_plot(title: str, x_label: str, xs: Sequence[float], estimates: Sequence[RateEstimate],
              delta: float | None = None, log_x: bool = True) -> dict[str, Any]:
    """A failure-rate plot with its CP band (and the allowed delta as a flat line)."""
    series = [{"label": "failure rate", "x": [float(x) for x in xs], "y": [e.rate for e in estimates],
               "lo": [e.lo for e in estimates], "hi": [e.hi for e in estimates]}]
    if delta is not None and xs:
        series.append({"label": "delta", "x": [float(xs[0]), float(xs[-1])], "y": [delta, delta],
                       "lo": None, "hi": None})
    return {"title": title, "x_label": x_label, "y_label": "failure rate", "log_x": log_x, "log_y": False,
            "series": series}


def smallest_passing(xs: Sequence[float], estimates: Sequence[RateEstimate], delta: float) -> float | None:
    """The least ``x`` from which on (to the largest) every observed failure rate is <= delta."""
    order = sorted(range(len(xs)), key=lambda i: xs[i], reverse=True)
    best = None
    for i in order:
        if estimates[i].rate <= delta:
            best = xs[i]
        else:
            break
    return best


# ---------------------------------------------------------------- exact binomial masses (Arb)
def binomial_failure_mass(m: int, p, fails) -> "tuple":
    """Rigorous enclosure of ``P(fails(K))`` for ``K ~ Bin(m, p)`` (``p`` an Arb ball).

    ``fails(k)`` returns True (certainly a failure), False (certainly not) or None (undecided at this
    precision). Returns ``(lower, upper)`` as Arb balls: undecided outcomes count only in ``upper``.
    """
    from flint import arb

    lo, hi = arb(0), arb(0)
    q = 1 - p
    for k in range(m + 1):
        term = arb(_binom(m, k)) * p**k * q ** (m - k)
        f = fails(k)
        if f is True:
            lo += term
            hi += term
        elif f is None:
            hi += term
    return lo, hi


def _binom(m: int, k: int) -> int:
    import math

    return math.comb(m, k)
