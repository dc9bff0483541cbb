"""The engine's check of an :class:`~proofcheck.model.claim.Emptiness` certificate (``vacuous``).

A certificate hands over boxes; the engine proves two things itself before it says ``vacuous``:

1. **cover** -- the boxes cover the variables' whole domain: z3 finds no point of the domain
   (an outer rational box of it) outside every part (``unsat``);
2. **bound** -- on every part, the hypothesis margin is certainly < 0 (<= 0 for a strict
   hypothesis): Arb enclosures of the margin over the part's box, bisected along its widest side
   up to a box budget (branch-and-bound).

The margin is the hypothesis's own (a sympy relation, or a margin declared ``RERUN_ON_BALLS``),
or, for a certificate over reduced invariants, its ``bound`` -- then the reduction is a claim the
certificate names in ``uses`` (and the claim in its ``uses``), and the result says it rests on it.
Any step that fails is named in a note and the claim stays ``survived``.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy
import z3
from flint import ctx as flint_ctx

from proofcheck.model.claim import RERUN_ON_BALLS, ClaimError, Emptiness, Env, Outcome
from proofcheck.model.num import ARB, Enclosure, NumericError, arb_endpoints, arb_eval, fraction_to_arb, is_scalar, literal_fraction
from proofcheck.model.verdict import Verdict
from proofcheck.decide.certify.exact import fresh_z3, substitute_constants
from proofcheck.decide.lint import inexact_floats_in

#: Boxes the branch-and-bound may enclose per certificate before the bound step fails.
MAX_BOXES = 4000
PRECISION = 128


class _Failed(Exception):
    """A step of the check failed; the message names it."""


def check_emptiness(ctx) -> tuple[Outcome | None, str]:
    """(``vacuous`` outcome, "") when the claim's certificate passes; (None, why) otherwise."""
    claim = ctx.claim
    cert = claim.emptiness
    if cert is None:
        return None, ""
    if callable(cert) and not isinstance(cert, Emptiness):
        cert = cert(ctx)
        if cert is None:
            return None, "the emptiness certificate gave nothing here"
    if not isinstance(cert, Emptiness):
        raise ClaimError(f"{claim.id}: emptiness must be an Emptiness certificate")
    try:
        hyp = _hypothesis(claim, cert)
        variables = _variables(claim, cert)
        margin = _margin(ctx, cert, hyp, variables)
        parts = [_part(cert, p, variables) for p in cert.parts]
        if not parts:
            raise _Failed("cover: the certificate has no part")
        domain = {v.name: _outer_domain(v) for v in variables}
        _check_cover(domain, parts)
        boxes = 0
        for i, part in enumerate(parts):
            boxes += _check_bound(margin, _box(part, domain), bool(hyp.strict), i, boxes)
    except _Failed as exc:
        return None, f"emptiness certificate not accepted: step {exc}"
    rests = (f"; the reduction to {', '.join(v.name for v in variables) or 'no variable'} rests on "
             f"{', '.join(cert.uses)}" if cert.bound is not None else "")
    evidence = (f"the hypotheses can never hold: hypothesis {hyp.name!r} fails everywhere -- {len(parts)} part(s) "
                f"cover the domain (z3) and its margin is certainly negative on each (Arb branch-and-bound, "
                f"{boxes} boxes){rests}" + (f" ({cert.how})" if cert.how else ""))
    return Outcome(Verdict.VACUOUS, evidence, examples=0, satisfied=0, decided_by="interval",
                   details={"emptiness": {"hypothesis": hyp.name, "parts": len(parts), "boxes": boxes,
                                          "uses": list(cert.uses)}}), ""


# ---------------------------------------------------------------- what is bounded
def _hypothesis(claim, cert: Emptiness):
    for h in claim.hypotheses:
        if getattr(h, "name", None) == cert.hypothesis:
            return h
    raise _Failed(f"hypothesis: the claim has no hypothesis named {cert.hypothesis!r}")


def _variables(claim, cert: Emptiness) -> list:
    if cert.variables is None:
        return [v for v in claim.variables if v.lo is not None or v.hi is not None]
    if cert.bound is None:
        raise _Failed("reduction: variables other than the claim's need a bound and the claim establishing it")
    return list(cert.variables)


def _margin(ctx, cert: Emptiness, hyp, variables):
    """A function of a box {name: arb ball} returning an Arb enclosure of the bounded margin."""
    if cert.bound is not None:
        if not cert.uses:
            raise _Failed("reduction: the bound is over reduced variables, and no claim in the certificate's "
                          "uses establishes that it bounds the hypothesis margin")
        missing = [u for u in cert.uses if u not in ctx.claim.uses]
        if missing:
            raise _Failed(f"reduction: {', '.join(missing)} is not among the claim's uses")
        return _function_margin(ctx, cert.bound)
    if hyp.relation is not None:
        expr = substitute_constants(hyp.margin_expr, ctx.constant_values)  # already a sympy expression
        names = {v.name for v in variables}
        stray = sorted(s.name for s in expr.free_symbols if s.name not in names)
        if stray:
            raise _Failed(f"bound: the margin of {hyp.name!r} depends on {', '.join(stray)}, which the parts do "
                          f"not range over")
        return lambda balls: arb_eval(expr, {s: balls[s.name] for s in expr.free_symbols}, PRECISION)
    if getattr(hyp, "rigorous", None) is RERUN_ON_BALLS:
        return _function_margin(ctx, hyp.margin)
    raise _Failed(f"bound: hypothesis {hyp.name!r} has no margin the engine can enclose on boxes (a sympy relation "
                  f"or a margin declared RERUN_ON_BALLS)")


def _function_margin(ctx, fn):
    inexact = inexact_floats_in(fn)
    if inexact:
        raise _Failed(f"bound: the margin uses the inexact float(s) {', '.join(inexact)} (Arb would enclose another "
                      f"margin)")
    constants = ctx.constant_values.arb(PRECISION)

    def run(balls):
        return fn(Env({**constants, **balls}, num=ARB))

    return run


# ---------------------------------------------------------------- the parts and the domain
def _exact(x: Any, what: str) -> Fraction:
    try:
        if isinstance(x, sympy.Basic) and not (x.is_Rational or x.is_Float):
            raise NumericError("not rational")
        return literal_fraction(x)
    except (NumericError, TypeError, ValueError):
        raise _Failed(f"cover: {what} = {x!r} is not an exact rational") from None


def _part(cert: Emptiness, part, variables) -> dict[str, tuple[Fraction, Fraction]]:
    names = {v.name for v in variables}
    out = {}
    for name, ends in dict(part).items():
        if name not in names:
            raise _Failed(f"cover: a part ranges over {name!r}, which is not a bounded variable of the certificate")
        lo, hi = (_exact(e, f"an end of {name}") for e in ends)
        if lo > hi:
            raise _Failed(f"cover: a part has {name} in the empty range [{lo}, {hi}]")
        out[name] = (lo, hi)
    return out


def _outer_domain(var) -> tuple[Fraction | None, Fraction | None]:
    """Rational ends of a box containing the variable's domain (irrational ends rounded outward)."""
    def end(x, side):
        if x is None:
            return None
        if is_scalar(x) or isinstance(x, Fraction) or (isinstance(x, sympy.Basic) and (x.is_Rational or x.is_Float)):
            return literal_fraction(x) if not isinstance(x, Fraction) else x
        lo, hi = arb_endpoints(arb_eval(x, {}, PRECISION))
        return lo if side == 0 else hi
    return end(var.lo, 0), end(var.hi, 1)


def _check_cover(domain, parts) -> None:

    fresh_z3()
    xs = {name: z3.Real(name) for name in domain}
    s = z3.Solver()
    s.set("timeout", 10_000)
    q = lambda f: z3.RealVal(f"{f.numerator}/{f.denominator}")  # noqa: E731 - exact rational
    for name, (lo, hi) in domain.items():
        if lo is not None:
            s.add(xs[name] >= q(lo))
        if hi is not None:
            s.add(xs[name] <= q(hi))
    for part in parts:
        inside = [z3.And(xs[n] >= q(lo), xs[n] <= q(hi)) for n, (lo, hi) in part.items()]
        s.add(z3.Not(z3.And(*inside)) if inside else z3.BoolVal(False))
    answer = s.check()
    if answer == z3.unsat:
        return
    if answer == z3.sat:
        m = s.model()
        point = ", ".join(f"{n}={m.eval(x, model_completion=True)}" for n, x in xs.items())
        raise _Failed(f"cover: the parts do not cover the domain (z3: {point or 'a point'} lies in no part)")
    raise _Failed("cover: z3 could not decide whether the parts cover the domain")


def _box(part, domain) -> dict[str, tuple[Fraction, Fraction]]:
    """The part as a bounded box: a variable it does not name ranges over its (bounded) domain."""
    box = {}
    for name, (lo, hi) in domain.items():
        if name in part:
            box[name] = part[name]
        elif lo is not None and hi is not None:
            box[name] = (lo, hi)
        # an unbounded variable the part does not name: left out, so a margin that reads it fails
    return box


# ---------------------------------------------------------------- branch-and-bound
def _check_bound(margin, box, strict: bool, index: int, used: int) -> int:
    """Boxes enclosed to show ``margin < 0`` (``<= 0`` strict) on ``box``; raises _Failed otherwise."""
    stack, count = [box], 0
    saved = flint_ctx.prec
    flint_ctx.prec = PRECISION
    try:
        while stack:
            b = stack.pop()
            count += 1
            if used + count > MAX_BOXES:
                raise _Failed(f"bound: part {index + 1} not closed within {MAX_BOXES} boxes")
            balls = {n: fraction_to_arb(lo).union(fraction_to_arb(hi)) for n, (lo, hi) in b.items()}
            try:
                enc = Enclosure.of(margin(balls))
            except (NumericError, ArithmeticError, TypeError, ValueError, AttributeError, KeyError) as exc:
                raise _Failed(f"bound: the margin cannot be enclosed on part {index + 1} "
                              f"({type(exc).__name__}: {exc})") from None
            if enc.hi < 0 or (strict and enc.hi <= 0):
                continue
            if enc.lo >= 0:
                raise _Failed(f"bound: on part {index + 1} the margin is >= 0 somewhere (enclosure {enc} on "
                              f"{_show(b)}): the hypothesis can hold there")
            wide = [(hi - lo, n) for n, (lo, hi) in b.items() if hi > lo]
            if not wide:
                raise _Failed(f"bound: on part {index + 1} the margin is not certainly negative at {_show(b)}")
            _, n = max(wide)
            lo, hi = b[n]
            mid = (lo + hi) / 2
            stack += [{**b, n: (lo, mid)}, {**b, n: (mid, hi)}]
    finally:
        flint_ctx.prec = saved
    return count


def _show(box) -> str:
    return ", ".join(f"{n} in [{lo}, {hi}]" for n, (lo, hi) in box.items()) or "the part"
