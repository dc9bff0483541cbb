"""Shared exact helpers of the certification layers: constants, exact signs, boxes as Arb balls.

Everything here decides on exact rationals or on Arb enclosures with exact rational endpoints; a
float never decides anything. A question that cannot be settled rigorously answers ``None``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Mapping

import numpy as np
import sympy
import z3.z3 as z3_internal
from flint import arb

from proofcheck.model.constants import BadConstant, ConstantValues, constant_view, is_real_number
from proofcheck.model.num import _UNARY, PRECISIONS, Enclosure, NumericError, arb_eval, literal_fraction, to_sympy


class Unsupported(Exception):
    """The claim is outside what a certification layer handles; the layer answers ``None``."""


# ---------------------------------------------------------------- constants
def substitute_constants(expr: sympy.Basic, constants: ConstantValues | Mapping[str, Any],
                         keep: set[str] = frozenset()) -> sympy.Basic:
    """``expr`` with every symbol naming a constant (and not in ``keep``) replaced by its exact value
    (:class:`proofcheck.model.constants.ConstantValues`: the one conversion of constants).

    Symbols are matched by name, whatever their assumptions (``real=True``, ``positive=True``...).
    NaN or infinity raise :class:`BadConstant` (a bad input, not an unsupported claim); a value that
    is not a real number (an array, an object) raises :class:`Unsupported`.
    """
    constants = constant_view(constants)
    repl = {}
    for s in expr.free_symbols:
        if s.name in keep or s.name not in constants.raw:
            continue
        v = constants.sympy_of(s.name)
        if not is_real_number(v):
            raise Unsupported(f"constant {s.name} is not a real number")
        repl[s] = v
    return expr.xreplace(repl) if repl else expr


def exact_float_literals(expr: sympy.Basic) -> sympy.Basic:
    """Replace sympy ``Float`` literals by the decimal they print as (as :mod:`num` does)."""
    floats = {f: sympy.Rational(literal_fraction(f)) for f in expr.atoms(sympy.Float)}
    return expr.xreplace(floats) if floats else expr


# ---------------------------------------------------------------- exact signs
def exact_sign(value: sympy.Basic) -> int | None:
    """Sign (-1, 0, 1) of a constant real sympy expression, or ``None`` when it cannot be settled.

    Rationals are decided exactly; anything else on Arb enclosures at rising precision; an
    enclosure that keeps straddling 0 is settled only by an exact symbolic zero.
    """
    try:
        value = to_sympy(value)
        if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo, sympy.I):
            return None
        if value.free_symbols:
            return None
        if value.is_Rational:
            return (int(value.p) > 0) - (int(value.p) < 0)
        for prec in PRECISIONS:
            try:
                enc = Enclosure.of(arb_eval(value, {}, prec))
            except NumericError:
                return None
            if enc.certain_sign() is not None:
                return enc.certain_sign()
        # Straddles 0 at every precision: only an exact symbolic zero settles it.
        if value.is_zero is True:
            return 0
        if sympy.count_ops(value) <= 200 and sympy.simplify(value) == 0:  # bounded effort
            return 0
    except (NumericError, TypeError, ValueError, ZeroDivisionError, AttributeError,
            RecursionError, NotImplementedError):
        return None
    return None


def exact_value(expr: sympy.Basic, point: Mapping[sympy.Symbol, sympy.Basic]) -> sympy.Basic | None:
    """``expr`` at an exact point (sympy numbers), or ``None`` where it is undefined."""
    try:
        v = expr.xreplace(dict(point))
        if not v.is_number:
            v = to_sympy(v).doit()
    except (TypeError, ValueError, ZeroDivisionError, AttributeError, RecursionError):
        return None
    if v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        return None
    if v.free_symbols:
        return None
    return v


def holds_exactly(margin_value: sympy.Basic | None, strict: bool) -> bool | None:
    """Does a condition with this exact margin value hold (True), fail (False), or is it unsettled?"""
    if margin_value is None:
        return None
    s = exact_sign(margin_value)
    if s is None:
        return None
    return s > 0 if strict else s >= 0


# ---------------------------------------------------------------- boxes
def box_ball(lo_ball: arb, hi_ball: arb, nonnegative: bool = False, nonpositive: bool = False) -> arb:
    """An Arb ball containing ``[lo, hi]`` given balls around its endpoints.

    ``nonnegative``: the box is known to lie in ``[0, oo)`` (its exact left end is >= 0), so the
    ball is clipped to its nonnegative part -- otherwise Arb's radius rounding pokes below 0 and
    ``sqrt``/``log`` of a box starting at 0 would be indeterminate.
    """
    ball = lo_ball.union(hi_ball)
    if nonnegative:
        ball = ball.nonnegative_part()
    elif nonpositive:
        ball = -((-ball).nonnegative_part())
    return ball


def enclosure(expr: sympy.Basic, values: Mapping[sympy.Symbol, Any], prec: int = 64) -> Enclosure | None:
    """Rigorous enclosure of ``expr`` (``None`` if Arb cannot evaluate it finitely there)."""
    try:
        return Enclosure.of(arb_eval(expr, values, prec))
    except (NumericError, ZeroDivisionError, ValueError, TypeError):
        return None


def to_sympy_rational(q: Fraction) -> sympy.Rational:
    return sympy.Rational(q.numerator, q.denominator)


def safe_float(q: Any) -> float:
    """``float(q)``, clamped to the largest finite float when ``q`` is too large for one."""
    try:
        return float(q)
    except OverflowError:
        return math.copysign(1.7976931348623157e308, 1 if q > 0 else -1)


# ---------------------------------------------------------------- a claim, exactly
@dataclass
class ExactCondition:
    name: str
    margin: sympy.Expr  # >= 0 holds (> 0 when strict)
    strict: bool


@dataclass
class ExactClaim:
    """A claim whose conditions are all sympy relations, with constants substituted exactly.

    ``variables`` are the claim's variables that occur in a condition or are bounded (in claim order), each with
    one canonical symbol; ``lo``/``hi`` are their exact bounds (``None``: unbounded on that side).
    """

    hypotheses: list[ExactCondition]
    conclusion: ExactCondition
    variables: list[Any]
    symbols: dict[str, sympy.Symbol]
    lo: dict[str, sympy.Expr | None]
    hi: dict[str, sympy.Expr | None]

    @property
    def conditions(self) -> list[ExactCondition]:
        return list(self.hypotheses) + [self.conclusion]


def _bound(var_name: str, side: str, value: Any, constants: ConstantValues) -> sympy.Expr | None:
    if value is None:
        return None
    if isinstance(value, (float, np.floating)):
        if math.isnan(float(value)):
            raise BadConstant(f"{side} bound of {var_name} is NaN")
        if math.isinf(float(value)):
            return None
    try:
        v = to_sympy(value)
    except (sympy.SympifyError, TypeError, ValueError):
        raise Unsupported(f"{side} bound of {var_name} is not a number") from None
    if v in (sympy.oo, -sympy.oo):
        return None
    if v.has(sympy.nan, sympy.zoo):
        raise BadConstant(f"{side} bound of {var_name} is {v}")
    v = exact_float_literals(substitute_constants(v, constants))
    if v.free_symbols or not v.is_number or v.has(sympy.oo, -sympy.oo, sympy.I):
        raise Unsupported(f"{side} bound of {var_name} is not a real number: {v}")
    return v


def exact_claim(claim: Any, constants: ConstantValues | Mapping[str, Any]) -> ExactClaim:
    """Prepare a claim for the exact layers, or raise :class:`Unsupported` (or :class:`BadConstant`)."""
    constants = constant_view(constants)
    if claim.conclusion is None or not claim.is_algebraic():
        raise Unsupported("not every condition is a sympy relation")
    variables = {v.name: v for v in claim.variables}
    const_names = {c.name for c in claim.constants} | set(constants.raw)
    canon: dict[str, sympy.Symbol] = {n: v.symbol for n, v in variables.items()}

    def prep(cond) -> ExactCondition:
        m = cond.margin_expr
        if m is None:
            raise Unsupported(f"condition {cond.name} has no sympy margin")
        m = to_sympy(m)
        m = substitute_constants(m, constants, keep=set(variables))
        repl = {}
        for s in m.free_symbols:
            if s.name in variables:
                if s != canon[s.name]:
                    repl[s] = canon[s.name]
            elif s.name in const_names:
                raise Unsupported(f"constant {s.name} has no value")
            else:
                raise Unsupported(f"free symbol {s.name} is neither a variable nor a constant")
        if repl:
            m = m.xreplace(repl)
        m = exact_float_literals(m)
        if m.has(sympy.nan, sympy.zoo, sympy.I, sympy.oo, -sympy.oo):
            raise Unsupported(f"condition {cond.name} is not a real expression")
        return ExactCondition(cond.name, m, bool(cond.strict))

    hyps = [prep(h) for h in claim.hypotheses]
    concl = prep(claim.conclusion)
    used = set()
    for c in hyps + [concl]:
        used |= {s.name for s in c.margin.free_symbols}
    # Variables that do not occur still count when they are bounded (lo/hi mark a scalar): an
    # empty range would make the statement vacuous, and a counterexample should give them a value.
    vs = [v for v in claim.variables if v.name in used or v.lo is not None or v.hi is not None]
    lo = {v.name: _bound(v.name, "lower", v.lo, constants) for v in vs}
    hi = {v.name: _bound(v.name, "upper", v.hi, constants) for v in vs}
    return ExactClaim(hyps, concl, vs, {v.name: canon[v.name] for v in vs}, lo, hi)


def check_arb_supported(expr: sympy.Basic) -> None:
    """Raise :class:`Unsupported` unless :func:`proofcheck.model.num.arb_eval` can evaluate every node."""
    for node in sympy.preorder_traversal(expr):
        if (node.is_Symbol or node.is_Number or node is sympy.pi or node is sympy.E
                or node.is_Add or node.is_Mul or node.is_Pow
                or isinstance(node, (sympy.Abs, sympy.Max, sympy.Min)) or type(node) in _UNARY):
            continue
        raise Unsupported(f"no rigorous Arb evaluation for {type(node).__name__}")


def guarded(name: str, ctx: Any, run: Callable[[], Any]) -> Any:
    """Run a certification layer: NaN/infinite constants raise (bad input), anything the layer
    cannot handle answers None (noted in the progress stream) so the pipeline goes on."""
    try:
        return run()
    except BadConstant:
        raise
    except Unsupported:
        return None
    except Exception as exc:  # never let an exotic expression crash the pipeline
        try:
            ctx.progress(f"{name} skipped: {type(exc).__name__}: {exc}")
        except Exception:
            pass
        return None


def fresh_z3() -> None:
    """Start a z3 decision in a pristine context.

    z3 models depend on what the context has seen before (term ids, learnt state), so without this
    a claim's counterexample would depend on which claims the same worker process decided earlier:
    the same seed must give the same JSON whichever worker runs the claim."""
    z3_internal._main_ctx = None
