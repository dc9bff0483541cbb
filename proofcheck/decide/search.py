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
from contextvars import ContextVar
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping, Sequence

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis import target

from proofcheck.model.claim import Condition, Env, Variable, enclosure_of_condition
from proofcheck.model.num import NumericError, is_scalar, to_fraction


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


#: the example database of the claim being searched, set by a cluster worker for one task
#: (:class:`proofcheck.interfaces.worker.ClaimExampleDatabase`): ``replay`` is a Hypothesis example
#: database on a retry (None on a first attempt, which runs as without one), ``keep()`` is called
#: when a Hypothesis example becomes the search's best lead. None (the default): no database.
EXAMPLE_DATABASE: ContextVar = ContextVar("proofcheck_example_database", default=None)


def exact_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Scalars as exact rationals (a float is the rational it stores); other values unchanged."""
    out = {}
    for k, v in values.items():
        out[k] = to_fraction(v) if is_scalar(v) else v
    return out


def condition_holds_float(cond: Condition, margin: float) -> bool:
    return margin > 0 if cond.strict else margin >= 0


def verify(ctx, values: Mapping[str, Any], hypotheses: Sequence[Condition], conclusion: Condition):
    """Rigorous check of a lead. Returns (verified, conclusion enclosure or None, how)."""
    exact = ctx.constant_values.exact  # irrational constants stay exact sympy numbers (enclosed in Arb)
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
    """Witnesses (the claim's, unless given) are tried first and labelled so; then Hypothesis; then,
    unless ``polish`` is off, the optimiser portfolio (:func:`_portfolio`) from the best leads.

    Every count is a number of examples or evaluations; the budget's ``seconds`` is only a safety
    stop (``report.timed_out`` and ``ctx.coverage.stopped_by`` say when it was reached)."""
    claim = ctx.claim
    run = _Run(ctx, list(claim.variables if variables is None else variables),
               list(claim.hypotheses if hypotheses is None else hypotheses),
               claim.conclusion if conclusion is None else conclusion, max_examples or ctx.examples())
    report = run.report
    try:
        for w in list(claim.witnesses if witnesses is None else witnesses):
            run.consider(dict(w.values), from_search=False, found_by="witness", method="witness")
    except _Refuted as found:
        _finish(ctx, report, found)
        return report
    try:
        run.hypothesis_run(run.n_examples, ctx.seed)
    except _Refuted as found:
        _finish(ctx, report, found)
        return report
    except Exception as exc:  # hypothesis' own errors (Flaky, Unsatisfiable...) must not hide a find
        if report.counterexample is None:
            raise
        if run.shrink_left <= 0:  # our own cap on shrinking ended it: the first find stands, unshrunk
            report.notes.append("shrinking stopped at its example cap; the counterexample is the first one found")
        else:
            report.notes.append(f"search stopped early: {type(exc).__name__}")
        report.counterexample_values = None
        return report
    if polish and report.counterexample is None and run.leads.best():
        try:
            _portfolio(ctx, report, run.variables, run.consider, run.leads, run.deadline, run.resample,
                       run.n_examples)
        except _Refuted as found:
            found.values = _simplified(ctx, found, run.hypotheses, run.conclusion, run.variables)
            _finish(ctx, report, found)
    return report


class _Run:
    """One search's state: the float evaluation of an example, its rigorous re-verification, the
    Hypothesis runs (first and resampled) and the leads the optimisers start from."""

    def __init__(self, ctx, variables: list[Variable], hypotheses: list[Condition], conclusion: Condition,
                 n_examples: int) -> None:
        self.ctx, self.variables, self.hypotheses, self.conclusion = ctx, variables, hypotheses, conclusion
        self.n_examples = n_examples
        self.report = SearchReport()
        self.coverage = ctx.coverage
        self.deadline = ctx.cpu_deadline()  # safety stop only, in CPU seconds
        self.strategy = st.fixed_dictionaries({v.name: v.strategy_for(ctx.constant_values.exact) for v in variables})
        # Shrinking gets a bounded number of examples once a counterexample is in hand: the first one is
        # already verified and saved; a simpler one is a nicety, not worth the whole budget.
        self.shrink_left = math.inf
        self.first: dict | None = None  # the first verified counterexample, as saved
        self.leads = _Leads()
        self.method = "hypothesis"
        self.database = EXAMPLE_DATABASE.get()
        # a retry starts from the leads its earlier attempts saw
        self.replay = self.database.replay if self.database is not None else None

    def evaluate(self, values: dict[str, Any]):
        env = self.ctx.env(values)
        hyp_margin = math.inf
        for h in self.hypotheses:
            m = h.evaluate(env)
            if not math.isfinite(m):
                raise NumericError(f"hypothesis {h.name!r} is not a number here")
            hyp_margin = min(hyp_margin, m)
            if not condition_holds_float(h, m):
                return hyp_margin, None
        m = self.conclusion.evaluate(env)
        if not math.isfinite(m):
            raise NumericError("conclusion is not a number here")
        return hyp_margin, m

    def consider(self, values: dict[str, Any], from_search: bool = True, found_by: str = "search",
                 method: str = "hypothesis"):
        """Evaluate one example; returns (hypothesis margin, conclusion margin or None)."""
        report, ctx = self.report, self.ctx
        report.examples += 1
        self.coverage.saw(values, method)
        try:
            hyp_margin, margin = self.evaluate(values)
        except (NumericError, ArithmeticError, ValueError):  # 1/0, overflow, a NaN: an undefined example
            report.undefined += 1
            return -math.inf, None
        if margin is None:
            if hyp_margin > report.best_hypothesis_margin:
                report.best_hypothesis_margin = hyp_margin
            self.leads.offer(values, 1.0 + _squash(-hyp_margin) if math.isfinite(hyp_margin) else math.inf, False)
            if from_search:
                target(_squash(hyp_margin), label="hypothesis margin")
            return hyp_margin, None
        report.satisfied += 1
        self.leads.offer(values, margin, True)
        if ctx.claim.tally is not None:
            label = str(ctx.claim.tally(ctx.env(values)))
            report.tally[label] = report.tally.get(label, 0) + 1
        if margin < report.best_margin:
            report.best_margin = margin
            report.best_values = dict(values)
        if from_search:
            target(_squash(-margin), label="-conclusion margin")
        if not condition_holds_float(self.conclusion, margin):
            self._confirm(values, found_by)
        return hyp_margin, margin

    def _confirm(self, values: dict[str, Any], found_by: str) -> None:
        """Re-verify a float failure: a confirmed one is saved (the first at once) and raised."""
        report = self.report
        try:
            ok, enc, how = verify(self.ctx, values, self.hypotheses, self.conclusion)
        except (NumericError, ArithmeticError, ValueError):  # cannot be re-verified: only a lead
            ok, enc, how = False, None, ""
        if ok:
            if report.counterexample is None:  # save the first one at once
                report.counterexample = self.ctx.record_counterexample(values, float(enc.mid()), how,
                                                                       found_by=found_by)
                self.first = {"values": dict(values), "margin": float(enc.mid()), "how": how}
                self.shrink_left = max(20, int(SHRINK_SHARE * self.n_examples))
            raise _Refuted(dict(values), float(enc.mid()), how, found_by)
        report.float_leads += 1
        report.lead_values = dict(values)

    def body(self, values) -> None:
        if self.shrink_left <= 0:
            return
        self.shrink_left -= 1
        if time.process_time() > self.deadline:
            self.report.timed_out = True
            self.coverage.time_limit()
            return
        if self.database is None:
            self.consider(values, method=self.method)
            return
        best = self.leads.score()
        try:
            self.consider(values, method=self.method)
        finally:
            if self.leads.score() < best:
                self.database.keep()

    def hypothesis_run(self, count: int, seed: int) -> None:
        # the settings go on after the seed, which alone would turn the database off
        test = settings(
            max_examples=count, database=self.replay, deadline=None, derandomize=False,
            suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, print_blob=False,
            phases=[Phase.reuse] * (self.replay is not None) + [Phase.explicit, Phase.generate, Phase.target,
                                                                 Phase.shrink],
        )(hypothesis_seed(seed)(given(self.strategy)(self.body)))
        with no_harvested_constants():
            test()

    def resample(self, count: int, round_: int) -> None:
        """More Hypothesis examples under another seed (the portfolio's global move for values that
        have no box): a find is shrunk by Hypothesis as in the first run."""
        self.method = "resample"
        try:
            self.hypothesis_run(count, (self.ctx.seed + 7919 * round_) % 2**32)
        except _Refuted:
            raise
        except Exception:
            if self.report.counterexample is None:
                raise
            raise _Refuted(self.first["values"], self.first["margin"], self.first["how"], "search") from None


class _Leads:
    """The few best examples seen (least conclusion margin; while none met the hypotheses, the
    closest to meeting them): the optimisers start from them."""

    def __init__(self, keep: int = 4) -> None:
        self.keep = keep
        self.items: list[tuple[bool, float, int, dict]] = []  # (not satisfied, score, order, values)
        self.count = 0

    def offer(self, values: Mapping[str, Any], score: float, satisfied: bool) -> None:
        if not math.isfinite(score):
            return
        self.count += 1
        item = (not satisfied, float(score), self.count, dict(values))
        if len(self.items) < self.keep or item[:2] < self.items[-1][:2]:
            self.items.append(item)
            self.items.sort(key=lambda t: t[:3])
            del self.items[self.keep:]

    def best(self) -> list[dict]:
        return [it[3] for it in self.items]

    def score(self) -> tuple[bool, float]:
        """(hypotheses not met yet, least score): lower is closer to a counterexample."""
        return self.items[0][:2] if self.items else (True, math.inf)


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


class _Stop(Exception):
    """The safety time limit was reached inside an optimiser."""


#: Shares of the optimiser evaluations in the first round, global then local; the rest goes to the
#: method that lowered the least margin more (measured on the planted 6-dimensional basin: differential
#: evolution with 5 points per coordinate for ~30 generations, then Nelder-Mead, finds it at 20 of 20
#: seeds with 1200 evaluations; dual annealing at 1 of 5).
GLOBAL_FIRST = 0.5
LOCAL_FIRST = 0.125
#: Local starts (the best leads) and the most scalar coordinates a local optimiser walks.
LOCAL_STARTS = 3
LOCAL_MAX_DIM = 40
#: Differential evolution: population per coordinate; fewer than this many generations is no search.
DE_POPULATION = 5
#: Without a box, the optimisers get at most this many times the Hypothesis examples (structured
#: values cost a full example per point; the CPU budget of the default audit is the limit).
STRUCTURED_SHARE = 3
DE_MIN_GENERATIONS = 3


def _portfolio(ctx, report: SearchReport, variables: Sequence[Variable], consider, leads: _Leads,
               deadline: float, resample=None, n_examples: int = 0) -> None:
    """The engine's optimisers after Hypothesis, over every numeric coordinate: scalar variables
    (reals and integers) and the real entries of structured values (:func:`flat_view`):

    * a ladder for every integer variable whose values drawn stop short of its declared maximum (or
      that has none): doubled from the largest value tried up to ``min(declared max, budget.ladder)``
      at the best leads, so a failure that needs a large horizon is reached by the budget, not by the
      encoder's choice of strategy;
    * multi-start local optimisation (Nelder-Mead) of the margin from the best leads;
    * a global optimiser (scipy's differential evolution) over the box of the variables with finite
      declared bounds (integers kept integral), seeded with the best lead.

    * without such a box, whole fresh Hypothesis runs under other seeds play the global part
      (:func:`_restarts`).

    The optimiser evaluations (``Context.optimiser_evaluations``) are split adaptively: a first round
    of each method, the rest to the one that lowered the least margin more, then (with a box) a last
    local walk. Every point goes through ``consider``: the same float evaluation, the same rigorous
    re-verification; an optimiser's find is rounded to short decimals that still verify.
    """
    starts = leads.best()
    if not starts:
        return
    base = starts[0]
    movable = _blocks(ctx, variables, base)
    if not movable:
        return
    names = {b.name for b in movable}
    try:
        for v in variables:
            if v.name in names and _scalar_kind(v, base[v.name]) == "int":
                _ladder(ctx, v, consider, leads, deadline)
        total = ctx.optimiser_evaluations()
        if total <= 0:
            return
        boxed = [v for v in variables if v.name in base and _finite_bounds(v) is not None
                 and _scalar_kind(v, base[v.name]) is not None]
        local = _LocalSearch(ctx, variables, consider, leads, deadline)
        glob = _GlobalSearch(ctx, boxed, consider, leads, deadline) if boxed else None
        if glob is not None:
            # first round: most to the global optimiser (a basin far from every lead), then a local
            # walk from the best point so far; the rest to whichever lowered the least margin more
            score0 = leads.score()
            glob.run(int(total * GLOBAL_FIRST))
            score1 = leads.score()
            local.run(int(total * LOCAL_FIRST))
            score2 = leads.score()
            rest = total - glob.used - local.used - int(total * LOCAL_FIRST)
            if _gain(score1, score2) > _gain(score0, score1):
                local.run(rest)
            else:
                glob.run(rest)
            local.run(total - glob.used - local.used)  # a last walk from the best point found
        elif resample is not None and n_examples:
            _restarts(local, resample, leads, min(total, STRUCTURED_SHARE * n_examples), n_examples)
        else:
            local.run(total)
    except _Stop:
        report.timed_out = True
        ctx.coverage.time_limit()


def _restarts(local: "_LocalSearch", resample, leads: _Leads, total: int, n_examples: int) -> None:
    """Values without a box (each point costs a full example): a short local walk from the best leads
    (another share if it at least halved the least margin, or first met the hypotheses), then whole
    fresh Hypothesis runs under other seeds, each about as long as the first (Hypothesis targets only
    after generating half its examples: a short run never targets), and a last short walk from the
    best point they found. The restarts always run: a margin that tends to 0 at a degenerate point
    (``W → W*``) lets a walk halve it forever without nearing a failure.

    Measured on ``liyuan2017.phase1@explicit`` (an 18-coordinate pair of matrices whose failures fill
    a thin slice at the ball's boundary): Nelder-Mead and a (1+1)-evolution strategy from the leads
    lowered the least margin little and found it at 1 of 6 seeds; the first run plus three such
    restarts found it at 20 of 20."""
    score0 = leads.score()
    local.run(total // 16)
    if _walk_progresses(score0, leads.score()):
        local.run(total // 8)
    left = total - local.used - total // 16  # the last sixteenth: a walk from the best point found
    runs = max(1, round(left / n_examples))
    if left // runs >= 1:  # Nelder-Mead may overrun its share by a simplex: nothing may be left
        for round_ in range(1, runs + 1):  # the rest in runs about as long as the first
            resample(left // runs, round_)
    local.run(total // 16)


def _walk_progresses(before: tuple, after: tuple) -> bool:
    """A walk that met the hypotheses first, or at least halved a positive least margin."""
    if before[0]:
        return not after[0]
    return not after[0] and before[1] > 0 and after[1] <= before[1] / 2


def _gain(before: tuple, after: tuple) -> float:
    """How much a round lowered the lead score (meeting the hypotheses counts as an infinite gain)."""
    if before[0] and not after[0]:
        return math.inf
    return max(0.0, before[1] - after[1]) if before[0] == after[0] else 0.0


def _scalar_kind(v: Variable, value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if v.integer or isinstance(value, (int, np.integer)):
        return "int" if isinstance(value, (int, np.integer, float, Fraction)) else None
    if isinstance(value, (float, np.floating, Fraction)):
        return "real"
    return None


def _finite_bounds(v: Variable) -> tuple[float, float] | None:
    lo, hi = _num(v.lo), _num(v.hi)
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        return None
    return lo, hi


def _cast(value: float, like: Any, integer: bool) -> Any:
    if integer:
        return int(round(value))
    if isinstance(like, Fraction):
        return Fraction(float(value))
    return float(value)


def _real_leaf(x: Any) -> bool:
    return isinstance(x, (float, np.floating, Fraction)) and not isinstance(x, bool)


def flat_view(value: Any):
    """A structured value's real coordinates and the map back, or None: an object's own
    ``to_flat()``/``from_flat(x)``; a float array; nested lists/tuples/object arrays whose real leaves
    (floats, rationals) are the coordinates (integers and other leaves stay as they are). A rebuilt
    rational leaf is the rational the float stores, so the exact re-verification reads what was tried."""
    if hasattr(value, "to_flat") and hasattr(value, "from_flat"):
        try:
            return np.asarray(value.to_flat(), dtype=float), value.from_flat
        except (TypeError, ValueError, ArithmeticError):
            return None
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        shape = value.shape
        return value.astype(float).ravel(), (lambda x: np.asarray(x, dtype=float).reshape(shape))
    leaves: list[Any] = []

    def collect(v) -> None:
        if _real_leaf(v):
            leaves.append(v)
        elif isinstance(v, (list, tuple)) or (isinstance(v, np.ndarray) and v.dtype == object):
            for item in (v.tolist() if isinstance(v, np.ndarray) else v):
                collect(item)

    if not isinstance(value, (list, tuple, np.ndarray)):
        return None
    collect(value)
    if not leaves:
        return None

    def rebuild(x):
        it = iter(x)

        def build(v):
            if _real_leaf(v):
                xi = float(next(it))
                return Fraction(xi) if isinstance(v, Fraction) else xi
            if isinstance(v, np.ndarray):
                return np.array(build(v.tolist()), dtype=object)
            if isinstance(v, (list, tuple)):
                return type(v)(build(item) for item in v)
            return v
        return build(value)

    return np.array([float(v) for v in leaves], dtype=float), rebuild


class _Block:
    """The coordinates one variable contributes to an optimiser: one (a scalar, with its declared
    bounds; an integer with no upper end only as far as the ladder climbs) or many (:func:`flat_view`)."""

    def __init__(self, ctx, v: Variable, value: Any) -> None:
        self.name = v.name
        self.var = v
        kind = _scalar_kind(v, value)
        if kind is not None:
            self.integer = kind == "int"
            hi = _num(v.hi)
            if hi is None and self.integer:
                hi = float(ctx.budget.ladder)
            self.x0 = np.array([float(value)], dtype=float)
            self.bounds = [(_num(v.lo), hi)]
            self.rebuild = lambda x, like=value, integral=self.integer: _cast(x[0], like, integral)
        else:
            view = flat_view(value)
            if view is None:
                raise ValueError("no coordinates")
            self.integer = False
            self.x0, self.rebuild = view
            self.bounds = [(None, None)] * len(self.x0)

    @property
    def size(self) -> int:
        return len(self.x0)


def _blocks(ctx, variables: Sequence[Variable], start: Mapping[str, Any], boxed_only: bool = False,
            max_size: int | None = None) -> list[_Block]:
    out, size = [], 0
    for v in variables:
        if v.name not in start:
            continue
        if boxed_only and (_finite_bounds(v) is None or _scalar_kind(v, start[v.name]) is None):
            continue
        try:
            block = _Block(ctx, v, start[v.name])
        except (ValueError, TypeError):
            continue
        if max_size is not None and size + block.size > max_size:
            continue
        out.append(block)
        size += block.size
    return out


class _Objective:
    """The margin as a function of a point: the blocks' coordinates replace the start's values."""

    def __init__(self, blocks: Sequence[_Block], consider, start: Mapping[str, Any], method: str,
                 deadline: float) -> None:
        self.blocks, self.consider, self.start, self.method, self.deadline = list(blocks), consider, dict(start), method, deadline
        self.bounds = [b for block in self.blocks for b in block.bounds]
        self.integer = [block.integer for block in self.blocks for _ in range(block.size)]
        self.used = 0

    def x0(self) -> np.ndarray:
        return np.concatenate([b.x0 for b in self.blocks]) if self.blocks else np.zeros(0)

    def __call__(self, x) -> float:
        if time.process_time() > self.deadline:
            raise _Stop()
        for xi, (lo, hi) in zip(x, self.bounds):
            if not math.isfinite(xi) or (lo is not None and xi < lo) or (hi is not None and xi > hi):
                return 1e300
        values, i = dict(self.start), 0
        try:
            for block in self.blocks:
                values[block.name] = block.rebuild(x[i:i + block.size])
                i += block.size
                if not block.var.in_domain(values[block.name]):  # the optimisers stay inside the exact domain
                    return 1e300
        except (TypeError, ValueError, ArithmeticError):
            return 1e300
        self.used += 1
        try:
            hyp_margin, margin = self.consider(values, from_search=False, method=self.method)
        except TypeError:  # a margin written for another number type: an undefined point
            return 1e300
        if margin is None:  # outside the hypotheses: a penalty that still points back inside
            return 1e100 - min(hyp_margin, 0.0) if math.isfinite(hyp_margin) else 1e300
        return margin


class _LocalSearch:
    """Nelder-Mead from the best leads in turn (a new start each round: the current best first)."""

    def __init__(self, ctx, variables, consider, leads: _Leads, deadline: float) -> None:
        self.ctx, self.vars, self.consider, self.leads, self.deadline = ctx, list(variables), consider, leads, deadline
        self.used = 0

    def run(self, evaluations: int) -> None:
        from scipy.optimize import minimize

        starts = self.leads.best()[:LOCAL_STARTS]
        if evaluations <= 0 or not starts:
            return
        # half to the best lead, the other half shared by the next ones
        shares = [evaluations] if len(starts) == 1 else \
            [evaluations // 2] + [evaluations // (2 * (len(starts) - 1))] * (len(starts) - 1)
        for start, each in zip(starts, shares):
            obj = _Objective(_blocks(self.ctx, self.vars, start, max_size=LOCAL_MAX_DIM), self.consider, start,
                             "local", self.deadline)
            x0 = obj.x0()
            if not len(x0) or each < 2 * len(x0) + 2:  # nothing to move, or not even one simplex step
                continue
            # a simplex scaled to each coordinate (5% of it, or 0.05 around zero)
            simplex = [x0] + [x0 + np.eye(len(x0))[i] * (0.05 * abs(x0[i]) or 0.05) for i in range(len(x0))]
            try:
                minimize(obj, x0, method="Nelder-Mead",
                         options={"maxfev": each, "xatol": 1e-12, "fatol": 1e-15, "initial_simplex": np.array(simplex)})
            finally:
                self.used += obj.used


class _GlobalSearch:
    """Differential evolution over the declared box of the bounded scalar variables, the other
    variables held at the best lead; each run continues from the last population."""

    def __init__(self, ctx, variables, consider, leads: _Leads, deadline: float) -> None:
        self.ctx, self.vars, self.consider, self.leads, self.deadline = ctx, list(variables), consider, leads, deadline
        self.population = None
        self.runs = 0
        self.used = 0

    def run(self, evaluations: int) -> None:
        from scipy.optimize import differential_evolution

        dim = len(self.vars)
        npop = DE_POPULATION * dim
        generations = evaluations // npop - 1
        if generations < DE_MIN_GENERATIONS:
            return
        start = self.leads.best()[0]
        blocks = _blocks(self.ctx, self.vars, start, boxed_only=True)
        if len(blocks) != dim:
            return
        obj = _Objective(blocks, self.consider, start, "global", self.deadline)
        bounds = [_finite_bounds(v) for v in self.vars]
        integrality = np.array(obj.integer)
        if self.population is None:
            rng = np.random.default_rng([self.ctx.seed, 17])
            init = np.array([lo + rng.random(npop) * (hi - lo) for lo, hi in bounds]).T
            x0 = np.clip(obj.x0(), [b[0] for b in bounds], [b[1] for b in bounds])
            init[0] = x0
        else:
            init = self.population
        try:
            res = differential_evolution(obj, bounds, maxiter=generations, popsize=DE_POPULATION, init=init,
                                         seed=self.ctx.seed + self.runs, polish=False, tol=0, atol=0,
                                         integrality=integrality if integrality.any() else None,
                                         updating="deferred", vectorized=False)
        finally:
            self.used += obj.used
        self.runs += 1
        self.population = getattr(res, "population", None)


def _ladder(ctx, v: Variable, consider, leads: _Leads, deadline: float) -> None:
    """Climb an integer variable from the largest value tried, doubling, to the budget's ladder height
    (or its declared maximum, if lower), at the two best leads."""
    declared = _num(v.hi)
    declared_max = int(math.floor(declared)) if declared is not None and math.isfinite(declared) else None
    cap = ctx.budget.ladder if declared_max is None else min(declared_max, ctx.budget.ladder)
    tried = ctx.coverage.variables.get(v.name)
    x = int(tried["max"]) if tried else int(leads.best()[0][v.name])
    if x >= cap:
        if declared_max is None or x < declared_max:
            ctx.coverage.ladder(v.name, x, declared_max)
        return
    reached = x
    while x < cap:
        x = min(cap, max(2 * x, x + 1))
        for start in leads.best()[:2]:
            if time.process_time() > deadline:
                ctx.coverage.ladder(v.name, reached, declared_max)
                raise _Stop()
            consider(dict(start, **{v.name: x}), from_search=False, method="ladder")
        reached = x
    ctx.coverage.ladder(v.name, reached, declared_max)


def _simplified(ctx, found: _Refuted, hypotheses, conclusion, variables) -> dict[str, Any]:
    """An optimiser's counterexample with each real coordinate rounded to the fewest significant digits
    that still re-verify (the optimisers' analogue of Hypothesis' shrinking)."""
    values = dict(found.values)
    for v in variables:
        x = values.get(v.name)
        if not isinstance(x, (float, Fraction)) or isinstance(x, bool):
            continue
        for digits in range(1, 9):
            shorter = Fraction(f"{float(x):.{digits}g}")
            candidate = dict(values, **{v.name: shorter if isinstance(x, Fraction) else float(shorter)})
            try:
                ok, enc, how = verify(ctx, candidate, hypotheses, conclusion)
            except (NumericError, ArithmeticError, ValueError, TypeError):
                ok = False
            if ok:
                values = candidate
                found.margin, found.how = float(enc.mid()), how
                break
    return values

def _num(x):
    if x is None:
        return None
    try:
        return float(x)
    except TypeError:
        return None
