"""Counterexample search driven by Hypothesis, with rigorous re-verification of every lead.

Each example draws the claim's variables from their strategies. Hypotheses are evaluated first:
while some fails, the search is steered (``hypothesis.target``) towards satisfying them; once all
hold, it is steered towards the smallest conclusion margin. A float failure is a *lead*: it is
re-evaluated at the exact values (sympy relations on Arb balls, or the condition's ``rigorous``
enclosure). Only a lead whose hypotheses certainly hold and whose conclusion certainly fails is a
counterexample; Hypothesis then shrinks it (re-verifying every candidate) and the engine saves it.
"""
from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis import target

from .claim import Condition, Env, Variable, enclosure_of_condition
from .num import NumericError, is_scalar, literal_fraction, to_fraction


@dataclass
class SearchReport:
    examples: int = 0
    satisfied: int = 0
    undefined: int = 0            # examples where a margin was not a number (e.g. a zero vector)
    best_margin: float = math.inf  # least conclusion margin among satisfied examples
    best_values: dict[str, Any] | None = None
    best_hypothesis_margin: float = -math.inf  # when nothing satisfied: how close it came
    float_leads: int = 0           # float failures that could not be re-verified
    lead_values: dict[str, Any] | None = None
    counterexample: dict[str, Any] | None = None  # stored record
    counterexample_values: dict[str, Any] | None = None
    verified_by: str = ""
    found_by: str = ""
    timed_out: bool = False
    notes: list[str] = field(default_factory=list)
    tally: dict[str, int] = field(default_factory=dict)  # examples meeting the hypotheses, by claim.tally


#: Examples the shrinker may still evaluate once a counterexample is verified and saved, as a share
#: of the search's example count: simplifying is a nicety, and a count (not a clock) keeps the result
#: the same for the same seed on any machine.
SHRINK_SHARE = 0.5


class _Refuted(Exception):
    def __init__(self, values, margin, how, found_by="search"):
        super().__init__("verified counterexample")
        self.values, self.margin, self.how, self.found_by = values, margin, how, found_by


def exact_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Scalars as exact rationals (a float is the rational it stores); other values unchanged."""
    out = {}
    for k, v in values.items():
        out[k] = to_fraction(v) if is_scalar(v) else v
    return out


def exact_constants(constants: Mapping[str, Any]) -> dict[str, Any]:
    """Constants as the claim wrote them: a float constant is the decimal it prints as (``0.1`` is
    1/10, the decimal rule of :func:`proofcheck.parse.literal_fraction`), as ``--set delta=0.1`` is."""
    out = {}
    for k, v in constants.items():
        out[k] = literal_fraction(v) if isinstance(v, (float, np.floating)) else v
    return out


def condition_holds_float(cond: Condition, margin: float) -> bool:
    return margin > 0 if cond.strict else margin >= 0


def verify(ctx, values: Mapping[str, Any], hypotheses: Sequence[Condition], conclusion: Condition):
    """Rigorous check of a lead. Returns (verified, conclusion enclosure or None, how)."""
    exact = exact_constants(ctx.constants)
    exact.update(exact_values(values))
    for var in ctx.claim.variables:  # a value outside the stated domain is no counterexample
        if var.name in exact and not var.in_domain(exact[var.name]):
            return False, None, ""
    env = Env(exact)
    try:
        for h in hypotheses:
            enc = enclosure_of_condition(h, env)
            if enc is None or not enc.definitely_holds(h.strict):
                return False, None, ""
        enc = enclosure_of_condition(conclusion, env)
    except (NumericError, ArithmeticError, ValueError, TypeError):
        # a rigorous twin that cannot evaluate here (a ball too wide, an undefined value) does not
        # confirm the lead: it stays a float lead, never an error and never a refutation
        return False, None, ""
    if enc is None or not enc.definitely_negative(conclusion.strict):
        return False, enc, ""
    how = "exact rational arithmetic" if enc.is_exact else f"Arb ball arithmetic: margin in {enc}"
    return True, enc, how


def run_search(ctx, variables: Sequence[Variable] | None = None,
               hypotheses: Sequence[Condition] | None = None,
               conclusion: Condition | None = None,
               max_examples: int | None = None, polish: bool = True, witnesses=None) -> SearchReport:
    """Witnesses (the claim's, unless given) are tried first and labelled so; then Hypothesis."""
    claim = ctx.claim
    witnesses = list(claim.witnesses if witnesses is None else witnesses)
    variables = list(claim.variables if variables is None else variables)
    hypotheses = list(claim.hypotheses if hypotheses is None else hypotheses)
    conclusion = claim.conclusion if conclusion is None else conclusion
    n_examples = max_examples or ctx.examples()
    report = SearchReport()
    deadline = time.monotonic() + max(ctx.seconds_left(), 1.0)

    strategy = st.fixed_dictionaries({v.name: v.strategy_for(ctx.constants) for v in variables})

    # Shrinking gets a bounded number of examples once a counterexample is in hand: the first one is
    # already verified and saved; a simpler one is a nicety, not worth the whole budget.
    shrink_left = [math.inf]

    def evaluate(values: dict[str, Any]):
        env = ctx.env(values)
        hyp_margin = math.inf
        for h in hypotheses:
            m = h.evaluate(env)
            if not math.isfinite(m):
                raise NumericError(f"hypothesis {h.name!r} is not a number here")
            hyp_margin = min(hyp_margin, m)
            if not condition_holds_float(h, m):
                return hyp_margin, None
        m = conclusion.evaluate(env)
        if not math.isfinite(m):
            raise NumericError("conclusion is not a number here")
        return hyp_margin, m

    def consider(values: dict[str, Any], from_search: bool = True, found_by: str = "search"):
        """Evaluate one example; returns (hypothesis margin, conclusion margin or None)."""
        try:
            hyp_margin, margin = evaluate(values)
        except (NumericError, ArithmeticError, ValueError):  # 1/0, overflow, a NaN: an undefined example
            report.undefined += 1
            return -math.inf, None
        if margin is None:
            if hyp_margin > report.best_hypothesis_margin:
                report.best_hypothesis_margin = hyp_margin
            if from_search:
                target(_squash(hyp_margin), label="hypothesis margin")
            return hyp_margin, None
        report.satisfied += 1
        if claim.tally is not None:
            label = str(claim.tally(ctx.env(values)))
            report.tally[label] = report.tally.get(label, 0) + 1
        if margin < report.best_margin:
            report.best_margin = margin
            report.best_values = dict(values)
        if from_search:
            target(_squash(-margin), label="-conclusion margin")
        if not condition_holds_float(conclusion, margin):
            try:
                ok, enc, how = verify(ctx, values, hypotheses, conclusion)
            except (NumericError, ArithmeticError, ValueError):  # cannot be re-verified: only a lead
                ok, enc, how = False, None, ""
            if ok:
                if report.counterexample is None:  # save the first one at once
                    report.counterexample = ctx.record_counterexample(values, float(enc.mid()), how,
                                                                      found_by=found_by)
                    shrink_left[0] = max(20, int(SHRINK_SHARE * n_examples))
                raise _Refuted(dict(values), float(enc.mid()), how, found_by)
            report.float_leads += 1
            report.lead_values = dict(values)
        return hyp_margin, margin

    if witnesses:
        try:
            for w in witnesses:
                report.examples += 1
                consider(dict(w.values), from_search=False, found_by="witness")
        except _Refuted as found:
            _finish(ctx, report, found)
            return report

    def body(values):
        if shrink_left[0] <= 0:
            return
        shrink_left[0] -= 1
        if time.monotonic() > deadline:
            report.timed_out = True
            return
        report.examples += 1
        consider(values)

    test = settings(
        max_examples=n_examples, database=None, deadline=None, derandomize=False,
        suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, print_blob=False,
        phases=[Phase.explicit, Phase.generate, Phase.target, Phase.shrink],
    )(given(strategy)(body))
    test = hypothesis_seed(ctx.seed)(test)
    try:
        with no_harvested_constants():
            test()
    except _Refuted as found:
        _finish(ctx, report, found)
        return report
    except Exception as exc:  # hypothesis' own errors (Flaky, Unsatisfiable...) must not hide a find
        if report.counterexample is None:
            raise
        if shrink_left[0] <= 0:  # our own cap on shrinking ended it: the first find stands, unshrunk
            report.notes.append("shrinking stopped at its example cap; the counterexample is the first one found")
        else:
            report.notes.append(f"search stopped early: {type(exc).__name__}")
        report.counterexample_values = None
        return report

    if polish and report.counterexample is None and report.best_values is not None:
        try:
            _polish(ctx, report, variables, consider)
        except _Refuted as found:
            _finish(ctx, report, found)
    return report


@contextmanager
def no_harvested_constants():
    """Hypothesis draws, now and then, numeric literals it harvested from every loaded local module
    (``hypothesis.internal.conjecture.providers._get_local_constants``), so the same seed gave
    another counterexample when an unrelated lemma module was added. Inside this block it harvests
    none: the examples depend only on the seed and the strategies. (Hypothesis has no public
    setting for this; the hook is its private function, and the tests catch a change of it.)"""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without the feature
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or not hasattr(providers, "Constants"):  # pragma: no cover
        yield
        return
    empty = providers.Constants()
    providers._get_local_constants = lambda: empty
    if cache is not None:
        cache.cache.clear()  # pools computed with harvested constants
    try:
        yield
    finally:
        providers._get_local_constants = original
        if cache is not None:
            cache.cache.clear()


def _finish(ctx, report: SearchReport, found: _Refuted) -> None:
    """Keep the shrunk counterexample (and save it too, if it differs from the first)."""
    report.counterexample = ctx.record_counterexample(found.values, found.margin, found.how,
                                                      found_by=found.found_by)
    report.counterexample_values = found.values
    report.best_margin = min(report.best_margin, found.margin)
    report.verified_by = found.how
    report.found_by = found.found_by


def _squash(x: float) -> float:
    """Targets must be finite floats; keep their order but tame huge magnitudes."""
    return float(math.copysign(math.log1p(abs(x)), x))


def _polish(ctx, report: SearchReport, variables: Sequence[Variable], consider) -> None:
    """A local optimiser step from the least margin seen, over the scalar float variables.

    Margins of smooth claims often have their minimum strictly inside the domain, where random
    draws rarely land; Nelder-Mead walks there. Every point it tries goes through ``consider``,
    so a float failure is re-verified exactly like one found by Hypothesis.
    """
    start = report.best_values
    names = [v.name for v in variables if isinstance(start.get(v.name), float)]
    if not names or len(names) > 8:
        return
    from scipy.optimize import minimize

    bounds = {v.name: (_num(v.lo), _num(v.hi)) for v in variables}
    x0 = np.array([start[n] for n in names], dtype=float)

    def objective(x):
        values = dict(start)
        for n, xi in zip(names, x):
            lo, hi = bounds[n]
            if (lo is not None and xi < lo) or (hi is not None and xi > hi):
                return 1e300
            values[n] = float(xi)
        report.examples += 1
        hyp_margin, margin = consider(values, from_search=False)
        if margin is None:  # outside the hypotheses: a penalty that still points back inside
            return 1e100 - min(hyp_margin, 0.0) if math.isfinite(hyp_margin) else 1e300
        return margin

    minimize(objective, x0, method="Nelder-Mead",
             options={"maxfev": max(50, ctx.examples(0.5)), "xatol": 1e-12, "fatol": 1e-15})


def _num(x):
    if x is None:
        return None
    try:
        return float(x)
    except TypeError:
        return None
