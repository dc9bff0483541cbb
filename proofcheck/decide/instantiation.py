"""A used claim decided at the values a proof uses: the instantiation declared on a ``uses`` edge.

A proof line is a general statement (Hoeffding for every delta' in (0, 1)); the proof that uses it
puts particular values there (delta' = n^2 delta). When the line is refuted, whether the proof
rests on a false step depends on where the line fails. The user declares its instantiation
(:class:`proofcheck.model.claim.Use`); the engine builds the used claim restricted to those values -- a
variable fixed or confined to a closed range, a constant set -- and decides that restricted claim
by the same pipeline (lint, exact layers, search with rigorous re-verification), never by
comparing a frontier point with a printed number.

The record (``Result.details["instantiations"]``, one per user)::

    {"by": user id, "how": str, "at": {name: value or [lo, hi]}, "verdict": str, "evidence": str,
     "examples": int, "counterexample": {...} | None}

``verdict`` is the restricted claim's verdict: ``refuted`` (the line fails at the values the proof
uses), ``survived``/``proved``/``certified`` (it fails only outside them, with what was searched),
or ``inconclusive`` when the restriction cannot be applied (a custom procedure ignores variables).
"""
from __future__ import annotations

import dataclasses
import math
from fractions import Fraction
from typing import Any, Mapping

from hypothesis import strategies as st

from proofcheck.model.claim import Claim, ClaimError, Use, Variable
from proofcheck.model.constants import ConstantValues, exact_constant
from proofcheck.model.verdict import _jsonable

#: grid of a restricted real range: lo + (hi - lo) k / 2^GRID_BITS, endpoints included
GRID_BITS = 16


def resolve(use: Use, user_constants: Mapping[str, Any]) -> dict[str, Any]:
    """``at`` with functions of the user's constants evaluated: name -> value or (lo, hi)."""
    out: dict[str, Any] = {}
    for name, v in use.at.items():
        if callable(v):
            v = v(dict(user_constants))
        if isinstance(v, (tuple, list)):
            if len(v) != 2:
                raise ClaimError(f"the instantiation of {use.id}: {name} is a value or a pair (lo, hi)")
            lo, hi = (exact_constant(name, x) for x in v)
            if lo > hi:
                raise ClaimError(f"the instantiation of {use.id}: {name} has lo > hi")
            out[name] = (lo, hi) if lo < hi else lo
        else:
            out[name] = exact_constant(name, v)
    return out


def shown(at: Mapping[str, Any]) -> dict[str, Any]:
    """The resolved instantiation for JSON: a fraction as text ("9/10"), a range as [lo, hi]."""
    return {k: [_jsonable(v[0]), _jsonable(v[1])] if isinstance(v, tuple) else _jsonable(v) for k, v in at.items()}


def restricted(used: Claim, at: Mapping[str, Any], user_id: str) -> tuple[Claim, dict[str, Any]]:
    """The used claim with its variables confined to ``at`` and the constant overrides ``at`` sets.

    Raises :class:`ClaimError` for a name that is neither a variable nor a constant of ``used``, a
    range given for a constant, or a variable that cannot be confined (not a scalar)."""
    variables = {v.name: v for v in used.variables}
    constants = {c.name for c in used.constants}
    overrides: dict[str, Any] = {}
    new_vars = []
    for name, v in at.items():
        if name not in variables and name not in constants:
            raise ClaimError(f"{user_id} uses {used.id} at {name}, which is neither a variable nor a constant of it")
        if name in constants:
            if isinstance(v, tuple):
                raise ClaimError(f"{user_id} uses {used.id} with a range for the constant {name}; give one value")
            overrides[name] = v
    for var in used.variables:
        if var.name not in at:
            new_vars.append(var)
            continue
        new_vars.append(_confined(var, at[var.name], user_id))
    extra = {k: v for k, v in used.extra.items() if k != "frontier"}
    return dataclasses.replace(used, variables=new_vars, uses=(), extra=extra), overrides


def _confined(var: Variable, value: Any, user_id: str) -> Variable:
    lo, hi = value if isinstance(value, tuple) else (value, value)
    if lo == hi:
        strategy = st.just(int(lo) if var.integer else lo)
    elif var.integer:
        strategy = st.integers(math.ceil(lo), math.floor(hi))
    else:
        step = (hi - lo) / 2**GRID_BITS
        strategy = st.one_of(st.sampled_from([lo, hi]),
                             st.integers(0, 2**GRID_BITS).map(lambda k: lo + step * k))
    # the stated domain still holds (exactly, by the original variable); the range is its lo/hi
    return dataclasses.replace(
        var, strategy=strategy, lo=lo, hi=hi, contains=var.in_domain,
        domain=(f"{var.name} = {_text(lo)}" if lo == hi else f"{_text(lo)} <= {var.name} <= {_text(hi)}")
        + f" (the values {user_id} uses)")


def _text(q: Fraction) -> str:
    return str(q) if q.denominator != 1 else str(q.numerator)


def decide_at_uses(claim: Claim, registry, budget, seed: int, check) -> list[dict[str, Any]]:
    """For every registered user of ``claim`` that declares an instantiation of it, the verdict of
    ``claim`` restricted to those values (records documented above), decided by ``check`` (the
    engine's, passed in: the engine calls this module, so it does not import the engine)."""
    out = []
    for user in registry.claims.values():
        use = getattr(user, "uses_at", {}).get(claim.id)
        if use is None or not use.at:
            continue
        record: dict[str, Any] = {"by": user.id, "how": use.how}
        try:
            at = resolve(use, ConstantValues(user.constant_defaults()).exact)
            record["at"] = shown(at)
            variables = {v.name for v in claim.variables}
            if claim.check is not None and variables & set(at):
                record.update(verdict="inconclusive", examples=0, counterexample=None,
                              evidence="not decided at these values: the line is decided by its own procedure, "
                                       "which cannot be confined to them")
                out.append(record)
                continue
            confined, overrides = restricted(claim, at, user.id)
        except (ClaimError, TypeError, ValueError, ZeroDivisionError) as exc:
            record.update(at=record.get("at", {}), verdict="error", examples=0, counterexample=None,
                          evidence=f"the instantiation cannot be applied: {exc}")
            out.append(record)
            continue
        result = check(confined, budget, seed, overrides=overrides, store=None, registry=registry,
                       replay_first=False, instantiations=False)
        record.update(verdict=result.verdict.value, evidence=result.evidence, examples=result.examples,
                      counterexample=result.counterexample)
        out.append(record)
    return out
