"""The replay of a stored counterexample record: re-verified on its own, never trusted.

* :func:`reverify_record` re-verifies one record under a context's constants (the engine's exact
  check, the claim's ``Claim.replay`` hook, a conjunct's own check, or a probabilistic claim's
  re-simulation from its seeds); a record whose values do not decode by the schema of
  :mod:`proofcheck.store.codec`, or lie outside a variable's exact domain, does not refute;
* :func:`refutation_from_store` is the engine's first step: a stored record, found under the
  constants being checked, that still refutes;
* :func:`replayer` and :class:`NotAnInstance` help write a ``Claim(replay=...)`` hook.

``proofcheck replay ID`` (:func:`proofcheck.decide.engine.replay`) re-verifies every stored record
of a claim, each under the constants it was found with, through :func:`reverify_record`.

A claim with a custom procedure re-checks a record from its exactly decoded values, with the same
exact or rigorous function its procedure used for one instance (no search is re-run)::

    def verify(ctx, values, extra):
        gap = exact_gap(values["dist"], values["W"], values["W_star"])  # the check's own function
        return gap < 0, float(gap), f"exact: gap = {gap}"

    claim = Claim(..., check=check, replay=replayer(verify))
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from proofcheck.decide.certify.sums import range_variables, replay_instance
from proofcheck.decide.probability import resimulate_record
from proofcheck.decide.search import verify
from proofcheck.model.claim import Claim, Outcome
from proofcheck.decide.context import Context
from proofcheck.model.num import NumericError
from proofcheck.model.verdict import FOUND_BY, Verdict
from proofcheck.store.codec import CodecError, decode_exact, decode_value, encode, finite_float

#: what a hook or a re-simulation raises on a record it cannot read: the record does not refute
_UNREADABLE = (KeyError, IndexError, TypeError, ValueError, AttributeError, ArithmeticError)


class NotAnInstance(NumericError):
    """Stored values that do not meet a claim's hypotheses (so they cannot refute it)."""


def refutation_from_store(ctx: Context) -> Outcome | None:
    """A stored record of the claim, found under the constants being checked, that still refutes."""
    records = ctx.store.load(ctx.claim.id)
    if not records:
        return None
    current = {k: encode(v) for k, v in ctx.constants.items()}
    for rec in records:
        if rec.get("constants") != current:
            continue
        ok, margin, how = reverify_record(ctx, rec)
        if ok:
            found_by = rec.get("found_by")
            if found_by not in FOUND_BY:  # older records did not say (or say nonsense): the conservative label
                found_by = "witness"
            rec = dict(rec, found_by=found_by)
            return Outcome(Verdict.REFUTED, f"stored counterexample (found by {found_by}) re-verified ({how})",
                           examples=1, satisfied=1, margin=margin, counterexample=rec, decided_by="replay",
                           notes=["replayed from the counterexample store"])
    return None


def reverify_record(ctx: Context, record: Mapping[str, Any]) -> tuple[bool, float | None, str]:
    """Re-verify a stored counterexample rigorously. Returns (still refutes, margin, how).

    Whatever re-verifies it (the engine's exact check, or the claim's replay hook), a record whose
    values do not decode by the store's schema, or lie outside a variable's exact domain, does not
    refute."""
    claim = ctx.claim
    try:
        values = {k: decode_value(v) for k, v in (record.get("values") or {}).items()}
    except (CodecError, RecursionError) as exc:
        return False, None, f"the record cannot be read ({exc})"
    for var in claim.variables:  # the stated domain, exactly, for every way of replaying
        if var.name in values and not var.in_domain(values[var.name]):
            return False, None, f"the stored value of {var.name} lies outside its domain {var.domain or ''}".rstrip()
    if claim.conjuncts:
        k = record.get("conjunct")
        if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < len(claim.conjuncts):
            return False, None, "the record names no conjunct of the statement"
        ok, margin, how = reverify_record(conjunct_context(ctx, k), record)
        return ok, margin, f"conjunct {k + 1} ({claim.conjuncts[k].title}): {how}"
    if claim.replay is not None:
        # A record the hook cannot read (an older format, a damaged line) does not refute; it must
        # never abort the run whose replay-first step reads it.
        try:
            ok, margin, how = claim.replay(ctx, record)
        except _UNREADABLE as exc:
            return False, None, f"the record cannot be re-verified ({type(exc).__name__}: {exc})"
        return bool(ok), finite_float(margin), how
    if declared_probabilistic(claim):
        try:
            ok, margin, how = resimulate_record(ctx, record)
        except _UNREADABLE as exc:
            return False, None, f"the record cannot be re-simulated ({type(exc).__name__}: {exc})"
        return bool(ok), finite_float(margin), how
    if claim.conclusion is None:
        return False, None, "this claim has a custom procedure; re-run it with its seed"
    if range_variables(claim):
        try:
            return replay_instance(ctx, values)
        except (NumericError, ArithmeticError, TypeError, ValueError, IndexError) as exc:
            return False, None, f"the record cannot be re-verified ({type(exc).__name__}: {exc})"
    missing = [v.name for v in claim.variables if v.name not in values]
    if missing:
        return False, None, f"the record has no value for {', '.join(missing)}"
    try:
        ok, enc, how = verify(ctx, values, claim.hypotheses, claim.conclusion)
    except (NumericError, ArithmeticError, TypeError, ValueError) as exc:
        return False, None, f"the record cannot be re-verified ({type(exc).__name__}: {exc})"
    return ok, (enc.mid() if enc is not None else None), how or "did not re-verify"


def conjunct_context(ctx: Context, k: int) -> Context:
    """The context of conjunct ``k``: its constants at the values the statement is checked with."""
    part = ctx.claim.conjuncts[k]
    constants = {c.name: ctx.constants.get(c.name, c.value) for c in part.constants}
    return Context(part, constants, ctx.budget, ctx.run_seed, store=None, progress=ctx._progress)


def declared_probabilistic(claim: Claim) -> bool:
    """A claim declared with :class:`proofcheck.Probabilistic` (its records re-simulate from seeds)."""
    return bool(getattr(claim.kind, "declared", False))


def replayer(verify_values: Callable[[Any, dict[str, Any], dict[str, Any]], tuple[bool, float | None, str]]):
    """A ``Claim(replay=...)`` from ``verify_values(ctx, values, extra) -> (still refutes, margin, how)``.

    A missing value, or values that are not an instance of the claim (``NotAnInstance`` or any other
    ``NumericError``), make the record not refute, with the reason."""
    def replay(ctx, record: Mapping[str, Any]) -> tuple[bool, float | None, str]:
        try:
            return verify_values(ctx, decode_exact(record.get("values")), decode_exact(record.get("extra")))
        except KeyError as exc:
            return False, None, f"the record has no value {exc}"
        except NumericError as exc:
            return False, None, f"the stored values are not an instance: {exc}"
    return replay
