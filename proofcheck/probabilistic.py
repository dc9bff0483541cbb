"""Deprecated since 0.2.0, removed in 0.3.0: the helpers of ``proofcheck.probabilistic`` (0.1.0).

Declare a probabilistic claim with :class:`proofcheck.Probabilistic` (the engine then draws the
trials, counts failures and decides with Clopper-Pearson); the exact binomial law is
:func:`proofcheck.decide.stats.binomial_mass`. This module keeps the 0.1.0 functions working, unchanged,
so that a paper package written against 0.1.0 still loads; importing it warns.
"""
from __future__ import annotations

import warnings

warnings.warn("proofcheck.probabilistic is deprecated since proofcheck 0.2.0 and will be removed in 0.3.0: "
              "declare the claim with proofcheck.Probabilistic (the engine counts the trials), and use "
              "proofcheck.decide.stats.binomial_mass for exact binomial masses", DeprecationWarning, stacklevel=2)

from typing import Any, Callable, Sequence

from proofcheck.model.claim import Outcome
from proofcheck.decide.stats import RateEstimate
from proofcheck.model.verdict import Verdict

#: failing instances kept in a record (enough to re-check the failure mode, small enough for JSON)
MAX_STORED_INSTANCES = 20


def rate_outcome(ctx, failures: int, trials: int, delta: float, what: str, values: dict[str, Any],
                 confidence: float | None = None, notes: Sequence[str] = (), details: dict | None = None,
                 satisfied: int | None = None, extra: dict | None = None,
                 examples: int | None = None, instances: Sequence[Any] | None = None) -> Outcome:
    """Verdict of a failure count: refuted iff the CP lower bound > delta (recording the counterexample).

    ``instances``: the failing instances (each a dict of values, e.g. the initial weights) that the
    claim's replay can re-check one by one; the first :data:`MAX_STORED_INSTANCES` are stored."""
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
        stored = dict(extra or {})
        stored["rate"] = {"failures": int(failures), "trials": int(trials), "confidence": float(conf)}
        if instances is not None:
            stored["instances"] = list(instances)[:MAX_STORED_INSTANCES]
        rec = ctx.record_counterexample(values, -(est.lo - delta),
                                        f"failure rate over independent initialisations: {est.describe()}",
                                        extra=stored)
        return Outcome(Verdict.REFUTED, f"{what}: {est.describe()}; the lower bound exceeds delta",
                       examples=ex, satisfied=sat, margin=est.margin, counterexample=rec,
                       notes=list(notes), details=details)
    return Outcome(Verdict.SURVIVED, f"{what}: {est.describe()}", examples=ex, satisfied=sat,
                   margin=est.margin, notes=list(notes), details=details)


def replay_rate(ctx, record: dict, allowed: float,
                verify: Callable[[dict], tuple[bool, str]]) -> tuple[bool, float | None, str]:
    """Re-verify a stored statistical refutation without sampling again.

    The Clopper-Pearson interval is recomputed from the stored counts against ``allowed`` (derived by
    the caller from ``ctx.constants``, never read from the record), at the claim's confidence (or the
    stored one if higher), and every stored failing instance (decoded exactly) must still fail:
    ``verify(instance) -> (fails, why)``; a record without a failing instance does not replay.
    Returns ``(still refutes, margin, how)`` with ``margin = allowed - lower bound`` (< 0 refutes)."""
    from proofcheck.store.codec import decode

    extra = record.get("extra") or {}
    rate = decode(extra.get("rate"), exact=False)
    if not isinstance(rate, dict) or "failures" not in rate or "trials" not in rate:
        return False, None, "the record holds no failure/trial counts"
    failures, trials = rate["failures"], rate["trials"]
    if not (isinstance(failures, int) and isinstance(trials, int) and 0 <= failures <= trials and trials > 0):
        return False, None, f"invalid counts {failures}/{trials}"
    conf = max(float(getattr(ctx.claim.kind, "confidence", 0.99)), float(rate.get("confidence", 0.0)))
    est = RateEstimate.of(failures, trials, allowed, conf)
    if not est.exceeds_delta:
        return False, -(est.lo - allowed), f"recomputed {est.describe()}: the lower bound does not exceed it"
    instances = decode(extra.get("instances", []), exact=True)
    if not instances:
        return False, None, "the record holds no failing instance to re-check"
    for k, inst in enumerate(instances):
        fails, why = verify(inst)
        if not fails:
            return False, None, f"stored failing instance {k} no longer fails: {why}"
    checked = (f"all {len(instances)} stored failing instances re-verified" if len(instances) == failures
               else f"the {len(instances)} stored of the {failures} failing instances re-verified")
    return True, -(est.lo - allowed), f"recomputed {est.describe()}; {checked}"


# ---------------------------------------------------------------- replayable batched trials
def count_failures(rng, trials: int, per: int, run_chunk: Callable[[Any, int], tuple[Any, Any]],
                   keep: int = MAX_STORED_INSTANCES) -> tuple[int, list[dict], Any]:
    """Run ``trials`` independent trials in chunks of at most ``per`` and keep failing ones replayable.

    ``run_chunk(rng, b) -> (bad, result)`` draws ``b`` trials from ``rng`` and returns a boolean array
    (which trials fail) and anything else (e.g. the trajectory, for plots). For wide networks the
    initial weights are too large to store, so a failing trial is stored as the generator state before
    its chunk, the chunk size and its index: :func:`replay_chunk_instance` regenerates exactly those
    weights and re-runs the same test. Returns ``(failures, instances, results of every chunk)``."""
    import numpy as np

    fails, instances, results, done = 0, [], [], 0
    while done < trials:
        b = min(per, trials - done)
        state = rng.bit_generator.state
        bad, result = run_chunk(rng, b)
        bad = np.asarray(bad, dtype=bool)
        fails += int(bad.sum())
        for i in np.nonzero(bad)[0]:
            if len(instances) < keep:
                instances.append({"generator": state, "batch": b, "index": int(i)})
        results.append(result)
        done += b
    return fails, instances, results


def replay_chunk_instance(inst: dict, run_chunk: Callable[[Any, int], tuple[Any, Any]],
                          cache: dict | None = None) -> tuple[bool, str]:
    """Regenerate one stored chunk from its generator state and re-run ``run_chunk`` on it: does the
    stored trial still fail? (``cache``, shared across calls, runs each stored chunk once.)"""
    import json

    import numpy as np

    try:
        state, b, i = inst["generator"], int(inst["batch"]), int(inst["index"])
        bit = getattr(np.random, state["bit_generator"])()
        bit.state = state
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return False, f"not a replayable trial ({exc})"
    if not 0 <= i < b:
        return False, f"index {i} outside its chunk of {b}"
    key = json.dumps([state, b], sort_keys=True, default=str)
    if cache is not None and key in cache:
        bad = cache[key]
    else:
        bad, _ = run_chunk(np.random.Generator(bit), b)
        if cache is not None:
            cache[key] = bad
    if bool(np.asarray(bad, dtype=bool)[i]):
        return True, f"trial {i} of its regenerated chunk of {b} fails again"
    return False, f"trial {i} of its regenerated chunk of {b} does not fail"


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
    """Rigorous enclosure of ``P(fails(K))`` for ``K ~ Bin(m, p)`` (``p`` an Arb ball) as a pair
    ``(lower, upper)`` of Arb balls (see :func:`proofcheck.decide.stats.binomial_mass`, which it calls)."""
    from proofcheck.decide.stats import binomial_mass

    return binomial_mass(m, p, fails)
