"""The engine's probabilistic layer: declared "with probability >= 1 - delta" claims.

A declared claim (:class:`~proofcheck.model.claim.Probabilistic` with ``exact_failure``, ``batch`` or
``draw``/``event``) says *what* is random and *which* event must hold; this module decides it.

Plan. The claim's variables are the *settings*: the encoder's witnesses first, then values drawn
from the variables' Hypothesis strategies (seeded by the run seed), each kept only if it lies in the
variables' exact domains and every hypothesis holds there *certainly* (exact or Arb). ``K`` settings
are compared; delta is evaluated exactly at each (it may depend on the variables).

At each setting, in order:

1. **exact law** -- ``exact_failure`` gives the failure probability as an exact or Arb enclosure:
   refuted when its lower end exceeds delta, holds when its upper end is at most delta; no sampling
   (decided by ``decision`` for an exact rational, ``interval`` for a ball);
2. **sequential sampling** -- draws in chunks whose cumulative sizes double up to the budget's
   ``N`` (the looks ``n_1 < ... < n_L = N``). Chunk ``j`` of setting ``s`` uses the generator
   seeded by ``SeedSequence([claim seed, s, j])`` (claim seed = run seed and claim id), so every
   draw is reproducible. At each look the setting's failure rate is compared with delta through
   exact Clopper-Pearson bounds, each side at level ``alpha_look``; ``alpha = 1 - confidence`` is
   split over the ``K`` settings left to sample once the exact laws have decided theirs
   (Bonferroni; which settings these are depends on the seed and the laws, never on a draw) and
   over the ``L`` looks of each (alpha spending:
   half of a setting's share at the last look, the other half evenly over the earlier ones), so
   with probability >= ``confidence`` EVERY interval at every look of every setting covers its
   true rate at once. The comparison is decided rigorously: the binomial tail at delta is an Arb
   ball (``stats.rate_certainly_above`` / ``below``).

Verdict. ``refuted`` as soon as one setting's failure rate is certainly above delta (the record
stores the setting's values, the run seed, setting index, chunks and counts); ``survived`` only if
EVERY setting's upper bound is at most delta; otherwise ``inconclusive``. Family-wise: a true claim
is refuted, or a false one survives, with probability at most ``1 - confidence``.

Replay re-simulates: it regenerates the plan from the stored run seed and budget (the setting must be
the one at the stored index), re-draws every chunk from its seed and recomputes the counts; the
stored counts are shown, never trusted.

This module knows no paper and never imports :mod:`proofcheck.ml`.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping, Sequence

import numpy as np
import sympy
from hypothesis import HealthCheck, Phase, Verbosity, given, seed as hypothesis_seed, settings, strategies as st
from hypothesis.errors import Unsatisfiable

from proofcheck.model.claim import Claim, ClaimError, Env, Outcome, Probabilistic, enclosure_of_condition
from proofcheck.model.num import ARB, BeyondReach, Enclosure, NumericError, enclose_expr, is_scalar, to_fraction
from proofcheck.model.verdict import Verdict, _jsonable
from proofcheck.store.codec import decode_as_written, encode
from proofcheck.store.readable import short
from proofcheck.decide.certify.emptiness import check_emptiness
from proofcheck.decide.context import BUDGETS, Context

#: The smallest first look (draws) of a setting's sequential test.
FIRST_LOOK = 30
#: Settings compared at the default budget when the claim does not say.
DEFAULT_SETTINGS = 8
#: Budget scale of the number of settings and of draws per setting.
SETTINGS_SCALE = {"quick": 0.5, "default": 1.0, "deep": 4.0}
METHOD = ("Bonferroni over the settings, alpha spent over the doubling looks of each setting; "
          "exact Clopper-Pearson bounds decided in Arb")


# ---------------------------------------------------------------- the plan
@dataclass
class Setting:
    index: int
    values: dict[str, Any]
    found_by: str  # "witness", "search", or "none" (no variables: the only setting, nothing searched)
    delta: Enclosure
    facts: dict[str, Any] = field(default_factory=dict)  # from the claim's ``describe`` hook


@dataclass
class Plan:
    settings: list[Setting]
    planned: int          # K: the number of settings the family-wise confidence is over
    draws: int            # N: most draws per setting
    looks: list[int]      # cumulative draws at each look (the last is N)
    alpha: float          # 1 - confidence (family-wise)
    skipped: int = 0      # candidates outside the domain or hypotheses
    notes: list[str] = field(default_factory=list)

    def alpha_look(self, look: int) -> float:
        """One side's level at a look: alpha / K per setting, half at the last look, the other
        half evenly over the earlier ones; two sides (refute, hold) halve it again."""
        per_setting = self.alpha / max(self.planned, 1)
        L = len(self.looks)
        share = per_setting if L == 1 else (per_setting / 2 if look == L - 1 else per_setting / (2 * (L - 1)))
        return share / 2


def _kind(claim: Claim) -> Probabilistic:
    kind = claim.kind
    if not isinstance(kind, Probabilistic) or not kind.declared:
        raise ClaimError(f"{claim.id}: not a declared probabilistic claim")
    return kind


def _budget_scale(budget) -> float:
    return SETTINGS_SCALE.get(budget.name, max(budget.trials / 1000.0, 0.1))


def planned_settings(ctx) -> int:
    kind = _kind(ctx.claim)
    if not ctx.claim.variables:
        return 1
    base = kind.settings if kind.settings is not None else DEFAULT_SETTINGS
    return max(1, int(round(base * _budget_scale(ctx.budget))))


def planned_draws(ctx) -> int:
    kind = _kind(ctx.claim)
    base = max(1, kind.samples if kind.samples is not None else 1000)
    # a costly claim may ask for fewer than FIRST_LOOK draws; the quick budget never goes below either
    return max(min(FIRST_LOOK, base), int(round(base * ctx.budget.trials / 1000.0)))


def looks_for(n: int) -> list[int]:
    """Cumulative draws at each look: N, N/2, N/4, ... down to about FIRST_LOOK, in increasing order."""
    L = 1 + max(0, int(math.floor(math.log2(max(n, 1) / FIRST_LOOK))))
    return [int(math.ceil(n / 2 ** k)) for k in range(L - 1, -1, -1)]


def make_plan(ctx) -> Plan:
    claim = ctx.claim
    kind = _kind(claim)
    K = planned_settings(ctx)
    N = planned_draws(ctx)
    # alpha from the confidence's decimal (0.99 -> 1/100 exactly, not 1 - 0.99 in floats)
    plan = Plan([], K, N, looks_for(N), float(1 - Fraction(repr(float(kind.confidence)))))
    seen: set[str] = set()
    for h in claim.hypotheses:
        if h.relation is None and h.rigorous is None:
            raise ClaimError(f"{claim.id}: hypothesis {h.name!r} of a declared probabilistic claim needs a "
                             f"sympy relation or a rigorous twin, so that each setting is certified")

    def offer(values: Mapping[str, Any], found_by: str) -> bool:
        """Add a candidate if new and valid; True once K settings are collected."""
        key = _key(values)
        if key in seen:
            return len(plan.settings) >= K
        seen.add(key)
        ok, why = setting_is_valid(ctx, values)
        if not ok:
            plan.skipped += 1
            return len(plan.settings) >= K
        plan.settings.append(Setting(len(plan.settings), dict(values), found_by, delta_at(ctx, values),
                                     setting_facts(ctx, values)))
        return len(plan.settings) >= K

    if not claim.variables:
        offer({}, "none")
        return plan
    for w in claim.witnesses:
        if offer(dict(w.values), "witness"):
            return plan
    _draw_settings(ctx, offer, K)
    if len(plan.settings) < K:
        plan.notes.append(f"only {len(plan.settings)} distinct settings meeting the hypotheses were found "
                          f"({plan.skipped} candidates skipped), not {K}")
    return plan


def setting_facts(ctx, values: Mapping[str, Any]) -> dict[str, Any]:
    """The claim's ``describe(values, constants)`` facts about a setting ({} without the hook)."""
    describe = _kind(ctx.claim).describe
    if describe is None:
        return {}
    try:  # exact constants: a tiny delta (1e-300) is a number here, never an overflow
        facts = describe(values, ctx.constant_values.exact)
    except (ArithmeticError, NumericError, ValueError) as exc:  # facts describe a setting; they decide nothing
        return {"facts_unavailable": f"{type(exc).__name__}: {exc}"}
    if not isinstance(facts, Mapping):
        raise ClaimError(f"{ctx.claim.id}: describe returned {type(facts).__name__}, not a dict")
    return {str(k): (int(v) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else v)
            for k, v in facts.items()}


def _show_facts(facts: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {v:,}" if isinstance(v, int) and not isinstance(v, bool) else f"{k} = {v}"
                     for k, v in facts.items())


def _draw_settings(ctx, offer, K: int) -> None:
    """Candidate settings from the variables' Hypothesis strategies, seeded by the claim seed."""
    class _Enough(Exception):
        pass

    strategy = st.fixed_dictionaries({v.name: v.strategy_for(ctx.constant_values.exact) for v in ctx.claim.variables})

    failure: list[BaseException] = []

    def body(values):
        try:
            enough = offer(values, "search")
        except Exception as exc:  # surfaced as itself below, not as Hypothesis' report of a failing test
            failure.append(exc)
            raise _Enough() from None
        if enough:
            raise _Enough()

    test = settings(max_examples=max(20, 6 * K), database=None, deadline=None, derandomize=False,
                    suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, print_blob=False,
                    phases=[Phase.generate])(given(strategy)(body))
    test = hypothesis_seed(ctx.seed)(test)
    try:
        test()
    except _Enough:
        pass
    except Unsatisfiable:  # the strategies produced nothing valid: fewer settings, said in a note
        pass
    if failure:
        raise failure[0]


def _key(values: Mapping[str, Any]) -> str:
    return json.dumps({k: encode(v) for k, v in values.items()}, sort_keys=True, default=str)


def exact_env(ctx, values: Mapping[str, Any]) -> Env:
    """The setting's values exactly (scalars as Fraction) with the exact constants (rationals as
    Fraction, other reals as sympy numbers); Arb back-end."""
    merged = ctx.constant_values.exact
    merged.update({k: (to_fraction(v) if is_scalar(v) else v) for k, v in values.items()})
    return Env(merged, num=ARB)


def setting_is_valid(ctx, values: Mapping[str, Any]) -> tuple[bool, str]:
    """In every variable's exact domain and every hypothesis certainly holds (exact or Arb)."""
    claim = ctx.claim
    for var in claim.variables:
        if var.name not in values:
            return False, f"no value for {var.name}"
        try:
            v = to_fraction(values[var.name]) if is_scalar(values[var.name]) else values[var.name]
        except NumericError:
            return False, f"{var.name} is not a finite number"
        if not var.in_domain(v):
            return False, f"{var.name} lies outside its domain"
    env = exact_env(ctx, values)
    for h in claim.hypotheses:
        if h.relation is None and h.rigorous is None:
            return False, f"hypothesis {h.name!r} has no rigorous form"
        try:
            enc = enclosure_of_condition(h, env)
        except (NumericError, ArithmeticError, TypeError, ValueError):
            return False, f"hypothesis {h.name!r} cannot be evaluated here"
        if enc is None or not enc.definitely_holds(h.strict):
            return False, f"hypothesis {h.name!r} does not certainly hold"
    return True, ""


def delta_at(ctx, values: Mapping[str, Any]) -> Enclosure:
    """delta at a setting, exactly (a rational) or as a rigorous Arb enclosure."""
    expr = _kind(ctx.claim).delta_expr()
    env = exact_env(ctx, values)
    subs = {}
    for s in expr.free_symbols:
        v = env[s.name]
        subs[s] = v
    try:
        exact = _rational_value(expr, subs)
        if exact is not None:
            return Enclosure.exact(exact)
        enc = enclose_expr(expr, subs, lambda e: e.hi - e.lo < Fraction(1, 10**12))
    except (NumericError, ArithmeticError, TypeError, ValueError) as exc:
        raise ClaimError(f"{ctx.claim.id}: delta = {expr} cannot be evaluated at {values}: {exc}") from None
    return enc


def _rational_value(expr: sympy.Expr, subs: Mapping[sympy.Symbol, Any]) -> Fraction | None:
    """The exact value of delta when it is rational (rational values into a rational expression)."""
    rational = {}
    for sym, v in subs.items():
        if isinstance(v, sympy.Basic) and v.is_Rational:
            rational[sym] = v
        elif is_scalar(v) or isinstance(v, Fraction):
            q = to_fraction(v)
            rational[sym] = sympy.Rational(q.numerator, q.denominator)
        else:
            return None
    value = expr.xreplace(rational) if rational else expr
    if isinstance(value, sympy.Basic) and value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    return None


# ---------------------------------------------------------------- one setting
@dataclass
class SettingResult:
    setting: Setting
    status: str               # "refuted", "holds", "open" (interval contains delta), "skipped"
    how: str                  # "law", "sampling", "delta>=1", "none"
    draws: int = 0
    failures: int = 0         # failures certain (re-checked rigorously by event_exact; never from batch)
    failures_upper: int = 0   # draws not certainly good (float failures, undefined margins)
    lo: float = 0.0           # display bounds of the failure rate (one-sided, at the look's level)
    hi: float = 1.0
    alpha_look: float | None = None
    look: int | None = None
    chunks: list[list[int]] = field(default_factory=list)  # [chunk index, size]
    law: Enclosure | None = None
    counted: str = ""         # how a draw was counted as a failure
    notes: list[str] = field(default_factory=list)
    unreached: str = ""       # why sampling stopped short of a decision here (num.BeyondReach)

    @property
    def delta(self) -> Enclosure:
        return self.setting.delta

    def margin(self) -> float:
        """delta minus the relevant bound: < 0 refutes (the lower bound), >= 0 holds (the upper)."""
        d = float(self.setting.delta.lo)
        if self.status == "refuted":
            return float(self.setting.delta.hi) - (float(self.law.lo) if self.law is not None else self.lo)
        return d - (float(self.law.hi) if self.law is not None else self.hi)

    def describe(self) -> str:
        facts = f"[{_show_facts(self.setting.facts)}] " if self.setting.facts else ""
        return facts + self._describe()

    def _describe(self) -> str:
        d = _show_enclosure(self.setting.delta)
        if self.how == "law":
            return f"exact law: failure probability {_show_enclosure(self.law)} vs delta = {d}"
        if self.how == "delta>=1":
            return f"delta = {d} >= 1: nothing to check"
        if self.draws == 0:
            return f"not sampled (delta = {d})"
        conf = 1 - 2 * (self.alpha_look or 0)
        extra = (f" ({self.failures_upper - self.failures} more not certainly good)"
                 if self.failures_upper != self.failures else "")
        return (f"{self.failures}/{self.draws} failures ({self.counted}){extra}, rate {self.failures / self.draws:.4g}, "
                f"Clopper-Pearson bounds [{self.lo:.4g}, {self.hi:.4g}] (each side at level "
                f"{self.alpha_look:.3g}, i.e. a {conf:.6g} interval) vs delta = {d}")

    def to_json(self) -> dict[str, Any]:
        return {"index": self.setting.index, "values": _brief_values(self.setting.values),
                "found_by": self.setting.found_by, "status": self.status, "how": self.how,
                "draws": self.draws, "failures": self.failures, "failures_upper": self.failures_upper,
                "lo": self.lo if self.law is None else float(self.law.lo),
                "hi": self.hi if self.law is None else float(self.law.hi),
                "delta": _float_enc(self.setting.delta),
                "alpha_look": self.alpha_look, "look": self.look, "facts": dict(self.setting.facts),
                "undecided": self.failures_upper - self.failures}


def _float_enc(e: Enclosure) -> float:
    return float((e.lo + e.hi) / 2)


def _show_enclosure(e: Enclosure | None) -> str:
    if e is None:
        return "-"
    if e.is_exact:
        q = e.lo
        return str(q) if q.denominator <= 10**6 else f"{float(q):.6g}"
    return f"[{float(e.lo):.6g}, {float(e.hi):.6g}]"


def _brief_values(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in values.items():
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            out[k] = int(v)
        elif isinstance(v, (float, np.floating, Fraction)):
            out[k] = float(v)
        elif isinstance(v, str):
            out[k] = v
        else:
            out[k] = short(v, 80)
    return out


def chunk_rng(claim_seed: int, setting: int, chunk: int) -> np.random.Generator:
    """The generator of one chunk: from (claim seed = run seed and claim id, setting, chunk)."""
    return np.random.default_rng(np.random.SeedSequence([int(claim_seed), int(setting), int(chunk)]))


#: ``batch`` is called for at most this many draws at a time (a fixed split, so replay draws the same
#: numbers), and the time limit is checked between calls.
BATCH_PIECE = 256


class _OutOfTime(Exception):
    pass


def sample_chunk(ctx, env: Env, values: Mapping[str, Any], rng: np.random.Generator,
                 size: int, deadline: float | None = None) -> tuple[int, int]:
    """Draw ``size`` instances: (certain failures, draws not certainly good). A failure is certain only
    when ``event_exact`` re-checks it rigorously (exact or Arb); ``batch`` margins and float events
    without ``event_exact`` count on the uncertain side only. Raises
    :class:`_OutOfTime` when the deadline passes before the chunk is complete (it is then discarded)."""
    kind = _kind(ctx.claim)
    env_exact = exact_env(ctx, values) if kind.event_exact is not None else None
    if kind.batch is not None:
        certain = upper = 0
        done = 0
        while done < size:
            if deadline is not None and time.monotonic() > deadline:
                raise _OutOfTime()
            k = min(BATCH_PIECE, size - done)
            out = kind.batch(env, rng, k)
            instances = None
            if isinstance(out, tuple) and len(out) == 2:
                out, instances = out
            margins = np.asarray(out, dtype=float).reshape(-1)
            if margins.shape[0] != k or (instances is not None and len(instances) != k):
                raise ClaimError(f"{ctx.claim.id}: batch returned {margins.shape[0]} margins for {k} draws")
            failing = ~np.isfinite(margins) | (margins < 0)
            upper += int(np.sum(failing))
            # a float failure is certain only once event_exact re-checks its instance; without an
            # instance it could be rounding, so it counts against survival, never towards a refutation
            if instances is not None and env_exact is not None:
                for i in np.flatnonzero(failing & np.isfinite(margins)):
                    certain += _certainly_fails(kind, env_exact, instances[int(i)])
            done += k
        return certain, upper
    certain = upper = 0
    for _ in range(size):
        if deadline is not None and time.monotonic() > deadline:
            raise _OutOfTime()
        inst = kind.draw(env, rng)
        m = float(kind.event(env, inst))
        if not math.isfinite(m):
            upper += 1
            continue
        if m >= 0:
            continue
        upper += 1
        if env_exact is not None:  # a float failure with no rigorous re-check is uncertain
            certain += _certainly_fails(kind, env_exact, inst)
    return certain, upper


def _certainly_fails(kind, env_exact: Env, instance: Any) -> int:
    """1 when ``event_exact`` encloses the instance's margin certainly below 0, else 0."""
    try:
        enc = Enclosure.of(kind.event_exact(env_exact, instance))
    except (NumericError, ArithmeticError, TypeError, ValueError):
        return 0
    return int(enc.definitely_negative(False))


def law_result(ctx, setting: Setting) -> SettingResult:
    """What needs no sampling: delta >= 1, or the exact law when it separates from delta.
    ``status`` stays "open" (and ``how`` "none") when the setting must be sampled."""
    kind = _kind(ctx.claim)
    delta = setting.delta
    if delta.lo >= 1:
        return SettingResult(setting, "holds", "delta>=1")
    res = SettingResult(setting, "open", "none")
    if kind.exact_failure is not None:
        law = kind.exact_failure(exact_env(ctx, setting.values))
        if law is not None:
            enc = Enclosure.of(law)
            res.law, res.how = enc, "law"
            if enc.lo > delta.hi:
                res.status = "refuted"
                return res
            if enc.hi <= delta.lo:
                res.status = "holds"
                return res
            res.notes.append(f"the exact law {_show_enclosure(enc)} does not separate from delta = "
                             f"{_show_enclosure(delta)}")
            if kind.batch is None and kind.draw is None:
                return res
            res.law, res.how = None, "none"
    if kind.batch is None and kind.draw is None:
        res.notes.append("no exact law at this setting and nothing to sample")
    return res


def needs_sampling(ctx, r: SettingResult) -> bool:
    kind = _kind(ctx.claim)
    return r.status == "open" and r.how == "none" and (kind.batch is not None or kind.draw is not None)


def settle(ctx, plan: Plan) -> dict[int, SettingResult]:
    """The law pass over every setting (no time limit: a law is a computation, and replay must reach
    the same count); the family-wise confidence is then split over the settings left to sample."""
    laws = {s.index: law_result(ctx, s) for s in plan.settings}
    plan.planned = max(1, sum(needs_sampling(ctx, r) for r in laws.values()))
    return laws


def run_setting(ctx, plan: Plan, setting: Setting, claim_seed: int, deadline: float | None = None,
                res: SettingResult | None = None) -> SettingResult:
    """Decide one setting: exact law (``res`` when :func:`settle` computed it), else sequential
    sampling over the plan's looks."""
    kind = _kind(ctx.claim)
    delta = setting.delta
    res = res if res is not None else law_result(ctx, setting)
    if not needs_sampling(ctx, res):
        return res
    res.how = "sampling"
    res.counted = ("each failing draw re-checked rigorously" if kind.batch is None and kind.event_exact is not None
                   else "float event margins")
    env = ctx.env(setting.values)
    done = 0
    for j, target in enumerate(plan.looks):
        size = target - done
        try:
            certain, upper = sample_chunk(ctx, env, setting.values, chunk_rng(claim_seed, setting.index, j),
                                          size, deadline)
        except _OutOfTime:
            res.notes.append(f"time limit reached after {done} draws")
            break
        except BeyondReach as exc:  # not reached at this setting: said, never an error
            res.unreached = str(exc)
            res.notes.append(f"not sampled beyond {done} draws: {exc}")
            break
        res.chunks.append([j, size])
        res.failures += certain
        res.failures_upper += upper
        done = target
        res.draws = done
        a = plan.alpha_look(j)
        res.alpha_look, res.look = a, j
        # lazy, measured: decide.stats loads scipy.stats, 2.2 s of the engine's 5.2 s import (wall,
        # -X importtime, load 25); only a sampled statistical decision needs it, not check or audit startup
        from proofcheck.decide.stats import one_sided_bounds, rate_certainly_above, rate_certainly_below

        res.lo = one_sided_bounds(res.failures, done, a)[0]
        res.hi = one_sided_bounds(res.failures_upper, done, a)[1]
        if res.lo > float(delta.hi) - 1e-9 and rate_certainly_above(res.failures, done, delta.hi, a):
            res.status = "refuted"
            return res
        if res.hi < float(delta.lo) + 1e-9 and rate_certainly_below(res.failures_upper, done, delta.lo, a):
            res.status = "holds"
            return res
        if deadline is not None and time.monotonic() > deadline:
            res.notes.append(f"time limit reached after {done} draws")
            break
    if res.failures == res.draws and res.draws > 0:
        res.notes.append(f"all {res.draws} draws failed; sampling alone cannot show a failure rate above "
                         f"{res.lo:.4g} at this confidence (an exact_failure law would decide it)")
    return res


# ---------------------------------------------------------------- the decision
def decide_declared(ctx) -> Outcome:
    kind = _kind(ctx.claim)
    plan = make_plan(ctx)
    laws = settle(ctx, plan)
    by_law = sum(not needs_sampling(ctx, r) for r in laws.values())  # before sampling fills them in
    results, timed_out = _run_settings(ctx, plan, laws)
    notes, details, family = _report_of(ctx, plan, results, timed_out, by_law, kind)
    examples = max(sum(r.draws for r in results), len(results))
    if not plan.settings:
        return _no_setting(ctx, plan, notes, details)
    refuted = next((r for r in results if r.status == "refuted"), None)
    if refuted is not None:
        return _refuted(ctx, plan, refuted, kind, family, examples, notes, details)
    return _undecided_or_holds(plan, results, kind, family, examples, notes, details)


def _run_settings(ctx, plan: Plan, laws) -> tuple[list[SettingResult], bool]:
    """Run the plan's settings until one is refuted or the time is up; a setting its exact law
    refutes needs no sampling anywhere: it comes first."""
    deadline = ctx.started + ctx.budget.seconds
    results: list[SettingResult] = []
    order = sorted(plan.settings, key=lambda s: (laws[s.index].status != "refuted", s.index))
    for s in order:
        if time.monotonic() > deadline:
            return results, True
        if s.index % max(1, len(plan.settings) // 5) == 0:
            ctx.progress(f"setting {s.index + 1}/{len(plan.settings)}")
        r = run_setting(ctx, plan, s, ctx.seed, deadline, res=laws[s.index])
        results.append(r)
        if r.status == "refuted":
            break
    return results, False


def _report_of(ctx, plan: Plan, results: list[SettingResult], timed_out: bool, by_law: int, kind):
    """The notes, the ``details`` (family, settings, plots, coverage) and the family-wise sentence."""
    notes = list(plan.notes)
    stopped = timed_out or any("time limit" in n for r in results for n in r.notes)
    if stopped:
        notes.append(f"time limit of {ctx.budget.seconds:g} s reached; {len(plan.settings) - len(results)} "
                     f"setting(s) not tried")
    for r in results:
        notes.extend(f"setting {r.setting.index}: {n}" for n in r.notes)
    if any(s.facts for s in plan.settings):
        done = {r.setting.index: r for r in results}
        notes.append("settings: " + "; ".join(
            f"{s.index}: {_show_facts(s.facts)}: " + (f"{done[s.index].status}, {done[s.index].failures}/"
                                                     f"{done[s.index].draws} failures, "
                                                     f"{done[s.index].failures_upper - done[s.index].failures} "
                                                     f"undecided" if s.index in done else "not tried")
            for s in plan.settings))
    family = (f"family-wise {kind.confidence:.6g} confidence over the {plan.planned} sampled setting(s)"
              f"{f' ({by_law} more decided without sampling)' if by_law else ''} "
              f"({METHOD}; up to {plan.draws} draws per setting in {len(plan.looks)} looks)")
    details: dict[str, Any] = {
        "family": {"confidence": kind.confidence, "settings": plan.planned, "looks": plan.looks,
                   "draws_per_setting": plan.draws, "method": METHOD},
        "settings": [r.to_json() for r in results],
    }
    plot = _plot(results)
    if plot is not None:
        details["plots"] = [plot]
    details["coverage"] = {"settings": [_setting_coverage(ctx, plan, r) for r in results],
                           "stopped_by": "time limit" if stopped else "budget"}
    return notes, details, family


def _no_setting(ctx, plan: Plan, notes: list[str], details: dict[str, Any]) -> Outcome:
    """No setting met the hypotheses: ``vacuous`` only through a checked emptiness certificate."""
    certified, why_not = check_emptiness(ctx)
    if certified is not None:
        certified.examples += plan.skipped
        certified.notes = notes + certified.notes
        return certified
    notes.append(why_not or "no setting met the hypotheses; emptiness is not certified, so this is not 'vacuous'")
    return Outcome(Verdict.SURVIVED, f"no setting met every hypothesis ({plan.skipped} candidates tried)",
                   examples=plan.skipped, satisfied=0, notes=notes, details=details, decided_by="search")


def _refuted(ctx, plan: Plan, refuted: SettingResult, kind, family: str, examples: int, notes: list[str],
             details: dict[str, Any]) -> Outcome:
    details["rate"] = _rate_json(refuted, kind)
    rec = ctx.record_counterexample(refuted.setting.values, refuted.margin(), _how(refuted, family),
                                    extra={"probabilistic": _record_extra(ctx, plan, refuted)},
                                    found_by=refuted.setting.found_by)
    where = {"witness": "an instance the encoder supplied (witness)",
             "none": "its only setting (no variables: nothing was searched)"}.get(refuted.setting.found_by,
                                                                                  "a setting found by search")
    why = ("the exact failure probability is above delta (no sampling)" if refuted.how == "law"
           else f"the failure rate is above delta ({family})")
    return Outcome(Verdict.REFUTED, f"at {where} ({_short(refuted.setting.values)}): {refuted.describe()}; {why}",
                   examples=examples, satisfied=examples, margin=refuted.margin(), counterexample=rec,
                   notes=notes, details=details, decided_by=_decided_by([refuted]))


def _undecided_or_holds(plan: Plan, results: list[SettingResult], kind, family: str, examples: int,
                        notes: list[str], details: dict[str, Any]) -> Outcome:
    """Every setting holds (``survived``), or some are still open (``inconclusive``, saying which)."""
    worst = min(results, key=lambda r: r.margin()) if results else None
    if worst is not None:
        details["rate"] = _rate_json(worst, kind)
    if results and len(results) == len(plan.settings) and all(r.status == "holds" for r in results):
        return Outcome(Verdict.SURVIVED,
                       f"every one of {len(results)} setting(s) holds: failure rate at most delta "
                       f"({family}); closest: {_short(worst.setting.values)}: {worst.describe()}",
                       examples=examples, satisfied=examples, margin=worst.margin(), notes=notes, details=details,
                       decided_by=_decided_by(results))
    open_ = [r for r in results if r.status != "holds"]
    shown = min(open_, key=lambda r: r.margin()) if open_ else worst
    untried = len(plan.settings) - len(results)
    tail = f"; {untried} setting(s) not tried" if untried else ""
    if shown is None:
        return Outcome(Verdict.INCONCLUSIVE, f"no setting could be sampled within the time limit ({family})",
                       examples=0, satisfied=0, notes=notes, details=details, decided_by="statistics")
    if open_ and all(r.unreached and not r.draws for r in open_):
        return Outcome(Verdict.INCONCLUSIVE,
                       f"not reached: {len(open_)} of {len(plan.settings)} setting(s) cannot be sampled here "
                       f"({open_[0].unreached}){tail}", examples=sum(r.draws for r in results), satisfied=0,
                       notes=notes, details=details, decided_by="statistics")
    return Outcome(Verdict.INCONCLUSIVE,
                   f"{len(open_)} of {len(results)} setting(s) undecided at the end of the budget{tail}; "
                   f"closest to failing: {_short(shown.setting.values)}: {shown.describe()} ({family})",
                   examples=examples, satisfied=examples, margin=shown.margin() if shown else None,
                   notes=notes, details=details, decided_by="statistics")


def _setting_coverage(ctx, plan: Plan, r: SettingResult) -> dict[str, Any]:
    """One setting of the ``coverage`` object (:mod:`proofcheck.decide.coverage`): its values, the facts the
    claim's optional ``Probabilistic.describe(values, constants)`` hook states about it, the draws,
    failures and undecided draws, and how many draws would decide it at the same rate and level."""
    kind = _kind(ctx.claim)
    facts: dict[str, Any] = {}
    describe = getattr(kind, "describe", None)
    if callable(describe):
        try:
            facts = {k: _jsonable(v) if not isinstance(v, (bool, int, float)) else v
                     for k, v in dict(describe(dict(r.setting.values), dict(ctx.constants))).items()}
        except (TypeError, ValueError, ArithmeticError, KeyError, AttributeError) as exc:
            facts = {"error": f"{type(exc).__name__}: {exc}"}
    decided = r.status in ("refuted", "holds") or r.how in ("law", "delta>=1")
    return {
        "values": {k: _jsonable(v) if not isinstance(v, (int, float)) else v for k, v in r.setting.values.items()},
        "facts": facts,
        "draws": int(r.draws),
        "failures": int(r.failures),
        "undecided": int(r.failures_upper - r.failures),
        "draws_to_decide": None if decided else draws_to_decide(r.failures, r.draws, float(r.setting.delta.mid()),
                                                               plan.alpha_look(len(plan.looks) - 1)),
    }


def draws_to_decide(failures: int, draws: int, delta: float, alpha: float, limit: int = 10**12) -> int | None:
    """Draws at which a one-sided Clopper-Pearson bound at level ``alpha`` would leave ``delta`` behind
    if the failure rate stayed at ``failures / draws`` (an estimate: the rate is itself random).
    None when nothing was drawn, the rate equals delta, or more than ``limit`` draws would be needed."""
    from proofcheck.decide.stats import one_sided_bounds  # lazy, measured: see run_setting

    if draws <= 0:
        return None
    rate = failures / draws
    if rate == delta:
        return None

    def decides(n: int) -> bool:
        lo, hi = one_sided_bounds(int(round(rate * n)), n, alpha)
        return lo > delta if rate > delta else hi < delta

    n = max(draws, 1)
    while not decides(n):
        n *= 2
        if n > limit:
            return None
    lo = n // 2
    while n - lo > max(1, n // 100):  # to about 1%
        mid = (lo + n) // 2
        if decides(mid):
            n = mid
        else:
            lo = mid
    return int(n)


def _decided_by(results: Sequence[SettingResult]) -> str:
    if all(r.how == "law" or r.how == "delta>=1" for r in results):
        exact = all(r.law is None or r.law.is_exact for r in results)
        return "decision" if exact else "interval"
    return "statistics"


def _how(r: SettingResult, family: str) -> str:
    if r.how == "law":
        return f"{r.describe()} ({'exact rational' if r.law.is_exact else 'Arb enclosure'})"
    return f"{r.describe()}; {family}; re-simulated from seeds on replay"


def _rate_json(r: SettingResult, kind: Probabilistic) -> dict[str, Any]:
    out = r.to_json()
    out["confidence"] = kind.confidence
    out["trials"] = r.draws
    return out


def _record_extra(ctx, plan: Plan, r: SettingResult) -> dict[str, Any]:
    return {"setting": r.setting.index, "settings": plan.planned, "budget": ctx.budget.name,
            "how": r.how, "looks": plan.looks, "chunks": r.chunks, "draws": r.draws,
            "failures": r.failures, "failures_upper": r.failures_upper, "look": r.look,
            "alpha_look": r.alpha_look, "lo": r.lo, "hi": r.hi,
            "law": None if r.law is None else [str(r.law.lo), str(r.law.hi)],
            "delta": [str(r.setting.delta.lo), str(r.setting.delta.hi)]}


def _short(values: Mapping[str, Any]) -> str:
    if not values:
        return "the only setting"
    return ", ".join(f"{k}={short(v, 80)}" for k, v in values.items())


def _plot(results: Sequence[SettingResult]) -> dict[str, Any] | None:
    sampled = [r for r in results if r.how == "sampling" and r.draws]
    if len(sampled) < 2:
        return None
    xs = [r.setting.index for r in sampled]
    return {"title": "failure rate per setting (family-wise bounds)", "x_label": "setting", "y_label": "failure rate",
            "log_x": False, "log_y": False,
            "series": [{"label": "failure rate", "x": xs, "y": [r.failures / r.draws for r in sampled],
                        "lo": [r.lo for r in sampled], "hi": [r.hi for r in sampled]},
                       {"label": "delta", "x": xs, "y": [_float_enc(r.setting.delta) for r in sampled],
                        "lo": None, "hi": None}]}


# ---------------------------------------------------------------- re-simulation of a stored record
def resimulate_record(ctx, record: Mapping[str, Any]) -> tuple[bool, float | None, str]:
    """Re-verify a stored refutation of a declared claim by re-simulating it from its seeds.

    The plan is regenerated from the record's run seed and budget under the current constants; the
    stored setting must be the one at its index; the exact law is recomputed, or every chunk re-drawn
    from its seed with the same looks and levels. Stored counts are compared, never trusted."""
    claim = ctx.claim
    extra = (record.get("extra") or {}).get("probabilistic")
    if not isinstance(extra, Mapping):
        return False, None, "the record holds no probabilistic plan"
    budget = BUDGETS.get(extra.get("budget"))
    if budget is None:
        return False, None, f"unknown budget {extra.get('budget')!r}"
    seed = record.get("seed", 0)
    if not isinstance(seed, int):
        return False, None, "the record's seed is not an integer"
    try:
        index = int(extra["setting"])
        # as written: a float setting comes back as that float, so the regenerated setting compares equal
        values = {k: decode_as_written(v) for k, v in (record.get("values") or {}).items()}
    except (KeyError, TypeError, ValueError) as exc:
        return False, None, f"the record cannot be read ({exc})"
    rctx = Context(claim, ctx.constants, budget, seed)
    plan = make_plan(rctx)
    laws = settle(rctx, plan)
    if not 0 <= index < len(plan.settings):
        return False, None, f"setting {index} is not among the {len(plan.settings)} regenerated from seed {seed}"
    setting = plan.settings[index]
    if _key(setting.values) != _key(values):
        return False, None, f"the stored values are not setting {index} regenerated from seed {seed}"
    ok, why = setting_is_valid(rctx, values)
    if not ok:
        return False, None, f"the stored setting is not an instance: {why}"
    r = run_setting(rctx, plan, setting, rctx.seed, res=laws[index])
    stored = (extra.get("failures"), extra.get("draws"))
    note = ""
    if r.how == "sampling" and stored != (r.failures, r.draws):
        note = f" (the record said {stored[0]}/{stored[1]}; the recomputed counts decide)"
    if r.status != "refuted":
        return False, r.margin(), f"re-simulated from seed {seed}: {r.describe()}: no longer above delta{note}"
    family = f"family-wise over {plan.planned} sampled setting(s)"
    what = "recomputed" if r.how == "law" else f"re-simulated from seed {seed}"
    return True, r.margin(), f"{what}: {r.describe()} ({family}){note}"
