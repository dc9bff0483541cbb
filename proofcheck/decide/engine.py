"""The engine: decides one claim by a fixed pipeline of procedures, strongest evidence first.

1. lint -- undefined symbols or misused definitions make the claim ``ill-formed``;
2. replay -- counterexamples stored by earlier runs (under the same constants) are re-verified;
3. a claim's own procedure (``Claim.check``), if it has one;
4. exact decision -- all conditions polynomial/rational: z3's nlsat (``proved`` / ``refuted``);
5. interval certification -- one scalar variable on a bounded domain: Arb branch-and-bound;
6. search -- Hypothesis over the variables, every float failure re-verified rigorously.

The engine never knows which verdict a claim "should" get.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import os
import shlex
import time
from fractions import Fraction
from typing import Any, Iterable, Mapping

import sympy

from proofcheck.model.claim import Claim, ClaimError, Outcome
from proofcheck.store.codec import CodecError, decode_as_written, decode_value, encode, finite_float
from proofcheck.model.constants import exact_constant
from proofcheck.decide.context import BUDGETS, Budget, Context, budget_named
from proofcheck.decide.certify import certify_interval, decide_polynomial
from proofcheck.decide.certify.sums import decide_sums, range_variables
from proofcheck.decide.lint import NO_CONCLUSION, lint
from proofcheck.model.num import NumericError, exact_compare
from proofcheck.model.registry import Registry, did_you_mean, load
from proofcheck.store.counterexamples import CounterexampleStore, default_path
from proofcheck.decide.replay import conjunct_context, declared_probabilistic, refutation_from_store, reverify_record
from proofcheck.model.verdict import Result, Verdict, _jsonable as _show_constant
from proofcheck.model.parse import NumberSyntaxError, parse_number
from proofcheck.decide.instantiation import decide_at_uses
from proofcheck.decide.probability import decide_declared
from proofcheck.decide.certify.emptiness import check_emptiness
from proofcheck.store.readable import short


class UsageError(ValueError):
    """Bad input from the user (unknown id or constant, a value that does not parse)."""


# ---------------------------------------------------------------- constants and --set
def parse_value(text: str) -> Any:
    """A user-supplied constant in the number grammar of :mod:`proofcheck.model.parse` (never evaluated as
    code): an integer, a fraction ``1/4``, a decimal ``0.25`` or ``1e-3`` (kept exact), or a closed
    real expression such as ``2/pi`` or ``sqrt(2)``; sizes are bounded (``1e400`` is an error)."""
    try:
        return parse_number(text)
    except NumberSyntaxError as exc:
        shown = text.strip() if len(text.strip()) <= 40 else text.strip()[:37] + "..."
        raise UsageError(f"cannot parse {shown!r} as a number: {exc}") from None


def parse_sets(items: Iterable[str]) -> dict[str, Any]:
    """``NAME=VALUE`` items of ``--set``; a name given twice is an error (never the last one wins)."""
    out: dict[str, Any] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--set expects NAME=VALUE, got {item!r}")
        if name in out:
            raise UsageError(f"--set {name} is given twice")
        out[name] = parse_value(value)
    return out


def constants_with(claim: Claim, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    constants = claim.constant_defaults()
    by_name = {c.name: c for c in claim.constants}
    for name, value in (overrides or {}).items():
        if name not in by_name:
            known = ", ".join(sorted(by_name)) or "none"
            raise UsageError(f"claim {claim.id} has no constant {name!r}{did_you_mean(name, by_name)} "
                             f"(constants: {known})")
        if isinstance(value, str):
            value = parse_value(value)
        try:
            f = float(value)
        except (TypeError, ValueError):
            raise UsageError(f"constant {name}: {value!r} is not a number") from None
        if not math.isfinite(f):
            raise UsageError(f"constant {name}: {value!r} is not finite")
        spec = by_name[name]
        # compared exactly (the values ConstantValues gives), never through floats
        exact, bound = exact_constant(name, value), (exact_constant(name, spec.below) if spec.below is not None
                                                     else None)
        where = f" (its declared domain: {spec.domain})"
        try:
            if spec.positive and exact_compare(exact, 0) <= 0:
                raise UsageError(f"constant {name} must be positive, got {value}{where}")
            if bound is not None and not exact_compare(exact, bound) < 0:
                raise UsageError(f"constant {name} must be less than {spec.below}, got {value}{where}")
        except UsageError:
            raise
        except (ValueError, NumericError) as exc:
            raise UsageError(f"constant {name}: {value} cannot be compared with its allowed range ({exc})") from None
        if spec.integer and not (isinstance(exact, int) or (isinstance(exact, Fraction) and exact.denominator == 1)):
            raise UsageError(f"constant {name} must be an integer, got {value}{where}")
        constants[name] = value
    return constants


# ---------------------------------------------------------------- one claim
def check(claim_or_id: Claim | str, budget: str | Budget = "quick", seed: int = 0,
          overrides: Mapping[str, Any] | None = None, store: CounterexampleStore | None = None,
          progress=None, registry: Registry | None = None, replay_first: bool = True,
          instantiations: bool = True) -> Result:
    """Decide one claim and return its :class:`Result` (never raises for a failing check).

    A refuted claim that other claims use at declared values (:class:`proofcheck.model.claim.Use`) is
    re-decided at each of those instantiations (``details["instantiations"]``, see
    :mod:`proofcheck.decide.instantiation`) unless ``instantiations`` is False."""
    registry = registry or load()
    claim = registry.get(claim_or_id) if isinstance(claim_or_id, str) else claim_or_id
    budget = budget if isinstance(budget, Budget) else budget_named(budget)
    constants = constants_with(claim, overrides)
    ctx = Context(claim, constants, budget, seed, store=store, progress=progress)
    started = time.monotonic()
    try:
        outcome = decide(ctx, registry, replay_first=replay_first)
    except (Exception, SystemExit) as exc:  # MemoryError, RecursionError included: this claim's error only
        outcome = Outcome(Verdict.ERROR, failure_reason(exc))
        if ctx.saved:  # found before the failure: kept in the store, and said here
            outcome.notes = [f"{len(ctx.saved)} counterexample(s) found before the failure are saved in the store "
                             f"(proofcheck replay {claim.id})"]
    seconds = time.monotonic() - started
    verdict = outcome.verdict if isinstance(outcome.verdict, Verdict) else Verdict(outcome.verdict)
    examples, satisfied, margin, relative, notes, details = _readable_numbers(ctx, outcome, verdict)
    evidence = outcome.evidence
    if instantiations and verdict is Verdict.REFUTED:
        at_uses = decide_at_uses(claim, registry, budget, seed, check)
        if at_uses:
            details["instantiations"] = at_uses
    if (verdict is Verdict.REFUTED and margin == 0 and claim.conclusion is not None and claim.conclusion.strict
            and outcome.counterexample is not None):
        details["equality_where_strict"] = True
        notes.append("the two sides are equal at the counterexample, where the statement needs a strict "
                     "inequality: it fails by equality")
    if "margin_float" in details and "within rounding" not in evidence:
        evidence += f" (its least margin {details['margin_float']:.3g} is float rounding around 0: shown as 0)"
    coverage = details.pop("coverage", None)
    if verdict in (Verdict.SURVIVED, Verdict.INCONCLUSIVE):
        coverage = coverage_of(ctx, examples, coverage)
        if coverage["stopped_by"] == "time limit" and "time limit" not in evidence:
            evidence += f" (stopped by the safety time limit of {budget.seconds:g} s)"
    else:
        coverage = None
    return Result(
        id=claim.id, verdict=verdict, evidence=evidence, decided_by=outcome.decided_by or "procedure",
        examples=examples, satisfied=satisfied, margin=margin, relative_margin=relative, constants=constants,
        counterexample=outcome.counterexample, seconds=seconds,
        reproduce=reproduce_command(claim, verdict, seed, budget.name, overrides, store),
        notes=notes, details=details, coverage=coverage,
    )


def failure_reason(exc: BaseException) -> str:
    """One line saying why a claim's check failed: the innermost error of an exception group
    (Hypothesis' ``FlakyFailure`` wraps the error a margin raised), with the wrapper named."""
    inner = exc
    while isinstance(inner, BaseExceptionGroup) and inner.exceptions:
        inner = inner.exceptions[0]
    text = f"{type(inner).__name__}: {inner}" if str(inner) else type(inner).__name__
    if isinstance(inner, MemoryError):
        text += " (the check ran out of memory)"
    elif isinstance(inner, RecursionError):
        text += " (the check recursed too deeply)"
    if inner is not exc:
        text += f" (reported by {type(exc).__name__})"
    return text if len(text) <= 500 else text[:497] + "..."


def coverage_of(ctx: Context, examples: int, reported: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``coverage`` of an undecided result: what the engine's search recorded in this check (every
    ``ctx.search`` call), plus the instances a procedure counted beyond it (``procedure``), merged
    with the settings a probabilistic procedure reported (``details["coverage"]``)."""
    cov = ctx.coverage
    if any("time limit" in n for n in (reported or {}).get("notes", [])) or (reported or {}).get("stopped_by") == "time limit":
        cov.time_limit()
    if reported:
        cov.add_settings(list(reported.get("settings", [])))
    extra = int(examples) - cov.examples
    if extra > 0 and not cov.settings:
        cov.examples += extra
        cov.methods["procedure"] += extra
    return cov.to_json()


#: A float margin of a ``survived`` claim within this fraction of the larger side is rounding around 0.
ROUNDING = 1e-9
#: Without known sides, the absolute float noise tolerated around 0.
ROUNDING_ABSOLUTE = 1e-12
_TINY = 1e-300


def _readable_numbers(ctx: Context, outcome: Outcome, verdict: Verdict):
    """The numbers of a result as a reviewer reads them, made consistent where the result is built:

    * ``0 <= satisfied <= examples`` (examples = instances tried, satisfied = those meeting every
      hypothesis); a procedure that counts in other units (e.g. (trajectory, time) points met among
      trajectories drawn) is raised to its larger count, with its own count kept in
      ``details["draws"]`` and a note;
    * ``relative_margin = margin / max(|lhs|, |rhs|)`` at the reported point where the sides are
      known, and ``details["sides"]`` with them;
    * a ``survived`` margin that is float rounding around 0 is shown as 0, with a note.
    """
    notes, details = list(outcome.notes), dict(outcome.details)
    examples, satisfied = max(0, int(outcome.examples or 0)), max(0, int(outcome.satisfied or 0))
    if satisfied > examples:
        notes.append(f"the procedure reported {satisfied} instances meeting the hypotheses from {examples} draws "
                     f"(it counts finer instances than it draws); examples is shown as {satisfied}, the "
                     f"instances tried, so that satisfied <= examples")
        details.setdefault("draws", examples)
        examples = satisfied
    margin = _finite(outcome.margin)
    relative = _finite(outcome.relative_margin)
    sides = details.get("sides")
    if margin is not None and relative is None:
        point = _reported_point(ctx, outcome)
        lr = _sides_at(ctx, point) if point is not None else None
        if lr is not None:
            sides = {"lhs": lr[0], "rhs": lr[1]}
            details["sides"] = sides
    scale = None
    if isinstance(sides, Mapping) and _finite(sides.get("lhs")) is not None and _finite(sides.get("rhs")) is not None:
        lhs, rhs = float(sides["lhs"]), float(sides["rhs"])
        scale = max(abs(lhs), abs(rhs))
        declared = ctx.claim.conclusion is not None and ctx.claim.conclusion.sides is not None
        if declared:
            details["sides"] = dict(sides, as_printed=True)
        if declared and margin is not None and relative is None and lhs != rhs and margin != 0:
            # the relation is an encoding (e.g. squared) of the printed comparison: the margin a reviewer
            # reads is the gap between the printed sides, with the sign the verified margin has
            details["encoded_margin"] = margin
            margin = math.copysign(abs(rhs - lhs), margin)
            notes.append(f"margin in the statement's own units: |lhs - rhs| = {abs(rhs - lhs):.6g} between the "
                         f"printed sides ({lhs:.6g} and {rhs:.6g}), with the sign of the encoded condition's "
                         f"verified margin {details['encoded_margin']:.6g}")
    if margin is not None and relative is None and scale is not None:
        relative = margin / max(scale, _TINY)
    if verdict is Verdict.SURVIVED and margin is not None and margin < 0:
        tol = _rounding_tolerance(scale)
        if -margin <= tol:
            details["margin_float"] = margin
            notes.append(f"least margin 0 within rounding: the float value {margin:.3g} is below the rounding "
                         f"tolerance {tol:.3g} (" + (f"{ROUNDING:g} of the larger side" if scale is not None
                                                    else "absolute, the sides being unknown")
                         + ") and did not re-verify as a violation")
            margin, relative = 0.0, (0.0 if relative is not None else None)
    return examples, satisfied, margin, relative, notes, details


def _rounding_tolerance(scale: float | None) -> float:
    return ROUNDING * scale if scale is not None else ROUNDING_ABSOLUTE


def _reported_point(ctx: Context, outcome: Outcome) -> dict[str, Any] | None:
    """The values where the reported margin was measured: the counterexample's (as found, when this
    check found it; decoded from a stored or copied record otherwise)."""
    record = outcome.counterexample
    found = ctx.recorded_values(record)
    if found is not None:
        return found
    if isinstance(record, Mapping) and isinstance(record.get("values"), Mapping):
        try:
            return {k: decode_value(v) for k, v in record["values"].items()}
        except (TypeError, ValueError, KeyError, ArithmeticError):
            return None
    return None


def _sides_at(ctx: Context, values: Mapping[str, Any]) -> tuple[float, float] | None:
    conclusion = ctx.claim.conclusion
    if conclusion is None:
        return None
    missing = [v.name for v in ctx.claim.variables if v.name not in values]
    if missing:
        return None
    floats = {}
    for k, v in values.items():
        try:
            floats[k] = float(v) if isinstance(v, (Fraction, sympy.Basic)) else v
        except (TypeError, ValueError):
            floats[k] = v
    try:
        return conclusion.side_values(ctx.env(floats))
    except (NumericError, ClaimError):
        return None


def reproduce_command(claim: Claim, verdict: Verdict, seed: int, budget: str,
                      overrides: Mapping[str, Any] | None, store: CounterexampleStore | None = None) -> str:
    sets = " ".join(f"--set {shlex.quote(f'{k}={v}')}" for k, v in (overrides or {}).items())
    if verdict is Verdict.REFUTED:
        where = ""
        if store is not None and os.path.realpath(store.root) != os.path.realpath(default_path()):
            where = f" --store {shlex.quote(str(store.root))}"
        return f"proofcheck replay {claim.id}{where}"
    cmd = f"proofcheck check {claim.id} --seed {seed} --budget {budget}"
    return f"{cmd} {sets}".strip()


def _finite(x: Any) -> float | None:
    return finite_float(x)


def decide(ctx: Context, registry: Registry, replay_first: bool = True) -> Outcome:
    """The pipeline; every outcome leaves it with ``decided_by`` naming the layer that decided."""
    claim = ctx.claim
    if claim.build_error:
        return Outcome(Verdict.ILL_FORMED, f"ill-formed: the claim cannot be built: {claim.build_error}",
                       details={"build_error": claim.build_error}, decided_by="lint")
    problems = lint(claim, registry.definitions_for(claim))
    if problems:
        names = ", ".join(p.name for p in problems)
        details = {"undefined": [p.name for p in problems if p.name != NO_CONCLUSION]}
        if claim.not_printed:
            details["no_conclusion"] = claim.not_printed
        return Outcome(Verdict.ILL_FORMED, f"ill-formed: {names}", notes=[str(p) for p in problems],
                       details=details, decided_by="lint")

    if claim.exists:  # before the replay: a stored counterexample refutes one choice of the constants only
        return _decide_existential(ctx, registry)

    if replay_first and ctx.store is not None and (claim.conclusion is not None or claim.replay is not None
                                                   or claim.conjuncts or declared_probabilistic(claim)):
        replayed = refutation_from_store(ctx)
        if replayed is not None:
            return replayed

    if claim.conjuncts:
        return _decide_conjunction(ctx, registry)

    if claim.check is not None:
        ctx.procedure_label = "witness"  # what the procedure records is its author's instance
        try:
            outcome = claim.check(ctx)
        finally:
            ctx.procedure_label = None
        if not isinstance(outcome, Outcome):
            raise ClaimError(f"{claim.id}: check() must return an Outcome")
        outcome.decided_by = "procedure"  # the engine's label, whatever the procedure said
        return _checked_procedure_outcome(ctx, outcome)

    if claim.is_probabilistic:
        if not claim.kind.declared:
            raise ClaimError(f"{claim.id}: a probabilistic claim needs a declared event or a check procedure")
        outcome = decide_declared(ctx)
        outcome.decided_by = outcome.decided_by or "statistics"
        return outcome

    if range_variables(claim):  # a sum or product over a symbolic n: for every n, or the n reached
        return decide_sums(ctx)

    notes: list[str] = []
    if claim.is_algebraic():
        exact = _try_layer(decide_polynomial, ctx, notes)
        if exact is not None:
            exact.decided_by = exact.decided_by or "decision"
            if exact.verdict in (Verdict.PROVED, Verdict.VACUOUS) and exact.counterexample is None:
                # a proof tries no instance: its solver queries are not examples
                exact.details = dict(exact.details, queries=exact.examples)
                exact.examples = exact.satisfied = 0
            return exact
        interval = _try_layer(certify_interval, ctx, notes)
        if interval is not None:
            interval.decided_by = interval.decided_by or "interval"
            return interval

    return outcome_of_search(ctx, ctx.search(), notes)


#: Verdicts only a certificate the engine checks may give; a procedure's word is not one.
ESTABLISHING = (Verdict.PROVED, Verdict.CERTIFIED, Verdict.VACUOUS)


def _checked_procedure_outcome(ctx: Context, outcome: Outcome) -> Outcome:
    """A procedure decides nothing on its own word.

    * ``proved``/``certified``/``vacuous`` need a certificate the engine checks from the claim's
      declared conditions (declared conjuncts, an :class:`~proofcheck.model.claim.Emptiness`); a
      procedure hands over none of those, so its positive verdict becomes ``survived``, its
      evidence kept in a note;
    * ``refuted`` stands only if the engine re-verifies the counterexample on its own: the
      record's constants are the ones checked, its values lie in the variables' domains, and the
      claim's replay hook confirms it. Otherwise the procedure's finding is no refutation."""
    verdict = outcome.verdict if isinstance(outcome.verdict, Verdict) else Verdict(outcome.verdict)
    if verdict in ESTABLISHING:
        return Outcome(Verdict.SURVIVED, f"the claim's procedure reported {verdict.value}, which a procedure cannot "
                       f"decide on its own word (no certificate the engine checks); its evidence: {outcome.evidence}",
                       examples=outcome.examples, satisfied=outcome.satisfied, margin=outcome.margin,
                       notes=list(outcome.notes) + [f"procedure's verdict {verdict.value} not accepted: only a "
                                                    f"certificate the engine checks decides {verdict.value}"],
                       details=outcome.details, decided_by="procedure")
    if verdict is not Verdict.REFUTED:
        return outcome
    record = outcome.counterexample
    problem = ""
    if not isinstance(record, Mapping):
        problem = "the procedure returned no counterexample record"
    elif record.get("constants") != {k: encode(v) for k, v in ctx.constants.items()}:
        problem = "the record's constants are not the constants checked"
    else:
        record["found_by"] = "witness"  # the procedure's instance: the engine's label
        ok, _, how = reverify_record(ctx, record)
        if not ok:
            problem = f"the engine's re-verification did not confirm it ({how})"
        else:
            outcome.notes = list(outcome.notes) + [f"re-verified by the engine through the claim's replay: {how}"]
    if not problem:
        return outcome
    return Outcome(Verdict.ERROR, f"the claim's procedure reported a refutation the engine could not re-verify: "
                   f"{problem}", examples=outcome.examples, satisfied=outcome.satisfied,
                   notes=list(outcome.notes) + [f"procedure's evidence: {outcome.evidence}"],
                   details=outcome.details, decided_by="procedure")


def _decide_conjunction(ctx: Context, registry: Registry) -> Outcome:
    """A statement that is the conjunction of declared claims: each is decided by the engine's own
    pipeline (z3, Arb, search) from its declared conditions. ``proved``/``certified`` only if every
    conjunct is; a refuted conjunct refutes the statement (its record names the conjunct, so it
    replays); otherwise the weakest answer, saying which conjunct it is."""
    claim = ctx.claim
    outs = []
    for k, part in enumerate(claim.conjuncts):
        out = decide(conjunct_context(ctx, k), registry, replay_first=False)
        verdict = out.verdict if isinstance(out.verdict, Verdict) else Verdict(out.verdict)
        if verdict is Verdict.REFUTED and isinstance(out.counterexample, Mapping):
            record = dict(out.counterexample, conjunct=k, constants={n: encode(v) for n, v in ctx.constants.items()})
            if ctx.store is not None:
                ctx.store.add(claim.id, record)
            return Outcome(Verdict.REFUTED, f"conjunct {k + 1} ({part.title}) is refuted: {out.evidence}",
                           examples=out.examples, satisfied=out.satisfied, margin=out.margin, counterexample=record,
                           notes=list(out.notes), decided_by=out.decided_by)
        outs.append((part, verdict, out))
    shown = "; ".join(f"{part.title}: {v.value} ({o.decided_by})" for part, v, o in outs)
    weakest = next(((p, v, o) for p, v, o in outs if v not in ESTABLISHING), None)
    if weakest is None:
        certified = any(v is Verdict.CERTIFIED for _, v, _ in outs)
        layers = {o.decided_by for _, _, o in outs}
        return Outcome(Verdict.CERTIFIED if certified else Verdict.PROVED,
                       f"every conjunct is established by the engine: {shown}",
                       notes=[f"{p.title}: {o.evidence}" for p, _, o in outs],
                       decided_by="decision" if layers == {"decision"} else "interval",
                       details={"conjuncts": [{"title": p.title, "verdict": v.value, "decided_by": o.decided_by}
                                              for p, v, o in outs]})
    part, verdict, out = weakest
    final = verdict if verdict in (Verdict.ERROR, Verdict.INCONCLUSIVE, Verdict.ILL_FORMED) else Verdict.SURVIVED
    return Outcome(final, f"conjunct {part.title} is {verdict.value}: {out.evidence}", examples=out.examples,
                   satisfied=out.satisfied, margin=out.margin, notes=[shown] + list(out.notes),
                   decided_by=out.decided_by)


#: the fewest search examples each declared choice of an existential statement's constants gets
EXISTS_MIN_EXAMPLES = 30


def _decide_existential(ctx: Context, registry: Registry) -> Outcome:
    """A statement "there are constants such that ..." decided over its declared candidates: the claim
    is checked at every combination (the budget's examples shared among them); it holds (its best
    verdict) if it holds at one, and is refuted only when it is refuted at every one -- a statement
    over the declared range, which the evidence says. ``details["exists"]`` lists each choice."""
    claim = ctx.claim
    names = list(claim.exists)
    combos = [dict(zip(names, values)) for values in itertools.product(*(claim.exists[n] for n in names))]
    # each choice gets an equal share of the examples, and at least EXISTS_MIN_EXAMPLES (a thinner search
    # would meet no hypothesis at all)
    share = dataclasses.replace(ctx.budget, examples=max(EXISTS_MIN_EXAMPLES, ctx.budget.examples // len(combos)),
                                trials=max(1, ctx.budget.trials // len(combos)),
                                optimiser=ctx.budget.optimiser // len(combos))
    single = dataclasses.replace(claim, exists={}, uses=())
    rows, results = [], []
    for combo in combos:
        overrides = {k: v for k, v in ctx.constants.items() if k not in combo}
        overrides.update(combo)
        r = check(single, share, ctx.run_seed, overrides=overrides, store=None, registry=registry,
                  replay_first=False, instantiations=False)
        results.append((combo, r))
        rows.append({"constants": {k: _show_constant(v) for k, v in combo.items()}, "verdict": r.verdict.value,
                     "evidence": r.evidence, "examples": r.examples, "counterexample": r.counterexample})
    order = (Verdict.PROVED, Verdict.CERTIFIED, Verdict.SURVIVED, Verdict.INCONCLUSIVE, Verdict.VACUOUS,
             Verdict.ERROR, Verdict.ILL_FORMED, Verdict.REFUTED)
    # the strongest verdict; among equals, the choice whose search met the hypotheses most often
    combo, best = min(results, key=lambda cr: (order.index(cr[1].verdict), -cr[1].satisfied))
    refuted = [c for c, r in results if r.verdict is Verdict.REFUTED]
    where = lambda c: ", ".join(f"{k} = {_show_constant(v)}" for k, v in c.items())  # noqa: E731
    examples = sum(r.examples for _, r in results)
    range_text = "; ".join(f"{k} in {{{', '.join(str(_show_constant(x)) for x in claim.exists[k])}}}" for k in names)
    if best.verdict is Verdict.REFUTED:
        evidence = (f"refuted at every one of the {len(combos)} declared choices of the constants ({range_text}); "
                    f"the statement over this declared range is refuted (first at {where(combo)}: {best.evidence})")
        return Outcome(Verdict.REFUTED, evidence, examples=examples, satisfied=sum(r.satisfied for _, r in results),
                       margin=best.margin, counterexample=best.counterexample, decided_by=best.decided_by,
                       details={"exists": rows})
    held = [c for c, r in results if r.verdict is best.verdict]
    evidence = (f"{best.verdict.value} for {len(held)} of the {len(combos)} declared choices of the constants "
                f"({range_text}), e.g. {where(combo)}: {best.evidence}")
    if refuted:
        evidence += f"; refuted for {len(refuted)} ({'; '.join(where(c) for c in refuted[:3])})"
    return Outcome(best.verdict, evidence, examples=examples, satisfied=sum(r.satisfied for _, r in results),
                   margin=best.margin, decided_by=best.decided_by, notes=list(best.notes),
                   details={"exists": rows, "held_at": {k: _show_constant(v) for k, v in combo.items()}})


def _try_layer(layer, ctx: Context, notes: list[str]) -> Outcome | None:
    """A certifier's outcome, or None (noted) when it leaves the claim undecided."""
    out = layer(ctx)
    if out is None:
        notes.append(f"{layer.__name__}: undecided")
    return out


def outcome_of_search(ctx: Context, rep, notes: list[str] | None = None) -> Outcome:
    """Turn a search report into an outcome: refuted / survived / vacuous."""
    notes = list(notes or []) + list(rep.notes)
    if rep.undefined:
        notes.append(f"{rep.undefined} example(s) where a margin was undefined (not a number) were skipped")
    if rep.timed_out:
        notes.append(f"safety time limit of {ctx.budget.seconds:.0f} s reached; later examples were skipped")
    if rep.counterexample is not None:
        how = rep.verified_by or rep.counterexample.get("verified_by", "")
        source = ("an instance the encoder supplied (witness)" if rep.counterexample.get("found_by") == "witness"
                  else "counterexample found by search")
        return Outcome(Verdict.REFUTED, f"{source}, re-verified ({how})",
                       examples=rep.examples, satisfied=rep.satisfied, margin=rep.counterexample.get("margin"),
                       counterexample=rep.counterexample, notes=notes, decided_by="search")
    if rep.float_leads:
        notes.append(f"{rep.float_leads} float-only violation(s) could not be re-verified rigorously "
                     f"(e.g. at {_short(rep.lead_values)}); they are not a refutation")
    if rep.satisfied == 0:
        best = rep.best_hypothesis_margin
        certified, why_not = check_emptiness(ctx)
        if certified is not None:
            certified.examples += rep.examples
            certified.notes = notes + certified.notes
            return certified
        notes.append(why_not or "hypotheses never met in the search; emptiness is not certified, so this is not "
                                "'vacuous'")
        return Outcome(Verdict.SURVIVED,
                       f"no example met every hypothesis in {rep.examples} tried (best hypothesis margin "
                       f"{best:.3g}); no certificate that they can never hold",
                       examples=rep.examples, satisfied=0, margin=None, notes=notes, decided_by="search",
                       details={"best_hypothesis_margin": _finite(best)})
    details: dict[str, Any] = {}
    scale = None
    if rep.best_values:
        details["least_margin_at"] = _short(rep.best_values)
        lr = _sides_at(ctx, rep.best_values)
        if lr is not None:
            details["sides"] = {"lhs": lr[0], "rhs": lr[1]}
            scale = max(abs(lr[0]), abs(lr[1]))
    least = f"{rep.best_margin:.3g}"
    if rep.best_margin < 0 and -rep.best_margin <= _rounding_tolerance(scale):
        least = f"0 within rounding (float {rep.best_margin:.3g})"
    tally = ""
    if rep.tally:
        details["tally"] = dict(sorted(rep.tally.items()))
        tally = "; meeting them: " + ", ".join(f"{k}: {v}" for k, v in sorted(rep.tally.items()))
    return Outcome(Verdict.SURVIVED,
                   f"no counterexample in {rep.satisfied} examples meeting the hypotheses "
                   f"({rep.examples} tried); least margin {least}{tally}",
                   examples=rep.examples, satisfied=rep.satisfied, margin=_finite(rep.best_margin), notes=notes,
                   details=details, decided_by="search")


def _short(values: Mapping[str, Any] | None) -> str:
    """Values as people read them (``x=1/3, dataset=orthogonal dataset n = 2, ...``)."""
    if not values:
        return "-"
    return ", ".join(f"{k}={short(v, 80)}" for k, v in values.items())


# ---------------------------------------------------------------- replay
def replay(claim_or_id: Claim | str, store: CounterexampleStore | None = None,
           registry: Registry | None = None) -> list[dict[str, Any]]:
    """``proofcheck replay ID``: re-verify every stored counterexample of a claim, each under the
    constants it was found with (:func:`proofcheck.decide.replay.reverify_record`; a claim's own
    procedure without a replay hook is re-run with the record's seed).

    Records the store cannot read are skipped with a warning (by the store); a record whose
    constants do not decode, or are not constants of the claim, does not refute."""
    registry = registry or load()
    claim = registry.get(claim_or_id) if isinstance(claim_or_id, str) else claim_or_id
    store = store or CounterexampleStore()
    out = []
    defaults = claim.constant_defaults()
    for rec in store.load(claim.id):
        seed = rec.get("seed", 0)
        constants = dict(defaults)
        try:
            stored = {k: decode_as_written(v) for k, v in (rec.get("constants") or {}).items()}
        except (CodecError, RecursionError) as exc:
            out.append({"record": rec, "refutes": False, "how": f"its constants cannot be read ({exc})",
                        "margin": None})
            continue
        unknown = sorted(set(stored) - set(defaults))
        if unknown:
            out.append({"record": rec, "refutes": False, "margin": None,
                        "how": f"it names constants the claim does not have ({', '.join(unknown)})"})
            continue
        constants.update(stored)
        if (claim.conclusion is None and claim.replay is None and not claim.conjuncts
                and not declared_probabilistic(claim)):
            changed = {k: v for k, v in constants.items() if k in defaults and v != defaults[k]}
            try:
                result = check(claim, "quick", seed, registry=registry, replay_first=False, overrides=changed)
            except UsageError as exc:
                out.append({"record": rec, "refutes": False, "how": f"its constants are not allowed ({exc})",
                            "margin": None})
                continue
            out.append({"record": rec, "refutes": result.verdict is Verdict.REFUTED,
                        "how": f"re-ran the claim's procedure with seed {seed}: {result.evidence}",
                        "margin": result.margin})
            continue
        ctx = Context(claim, constants, BUDGETS["quick"], seed, store=None)
        ok, margin, how = reverify_record(ctx, rec)
        out.append({"record": rec, "refutes": ok, "how": how, "margin": margin})
    return out
