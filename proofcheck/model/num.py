"""Numbers: exact conversion, rigorous enclosures (Arb balls) and the numeric back-ends.

Three kinds of arithmetic meet in a check:

* floats (numpy), fast and used by the search;
* exact rationals (``fractions.Fraction``), used whenever a quantity is rational;
* Arb balls (python-flint), rigorous enclosures of transcendental quantities.

A float found by the search is only a *lead*. :func:`enclose` turns a margin into an
:class:`Enclosure` whose endpoints are exact rationals; a refutation or certificate is decided on
those endpoints only. mpmath is used for high-precision cross-checks, never as the certifier (its
interval context has open soundness reports; Arb does not).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Mapping

import numpy as np
import sympy
from flint import arb, ctx as flint_ctx, fmpq

PRECISIONS = (64, 128, 256, 1024)  # bits tried in turn when an enclosure straddles a decision


class NumericError(ValueError):
    """A value that cannot take part in a check (NaN, infinity, an unknown function)."""


class BeyondReach(NumericError):
    """An instance too large to compute here (e.g. a width beyond the memory of one draw): the check
    says it was not reached there, which is no verdict about the claim and no error."""


# ---------------------------------------------------------------- exact conversion
def to_fraction(x: Any) -> Fraction:
    """The exact rational value of ``x`` (a float is the dyadic rational it stores)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, bool):
        return Fraction(int(x))
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if isinstance(x, (float, np.floating)):
        if not math.isfinite(float(x)):
            raise NumericError(f"non-finite number {x!r}")
        return Fraction(float(x))
    if isinstance(x, fmpq):
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, sympy.Basic):
        if x.is_Rational:
            return Fraction(int(x.p), int(x.q))
        if x.is_Float:  # a literal written in a claim: the decimal it prints as (literal_fraction)
            return literal_fraction(x)
        raise NumericError(f"{x} is not rational")
    if isinstance(x, str):
        return Fraction(x)
    raise NumericError(f"cannot convert {type(x).__name__} to an exact rational")


def literal_fraction(x: Any) -> Fraction:
    """The exact value of a number *written in a claim*: a float (or sympy ``Float``) means the
    decimal it prints as, ``0.1`` -> 1/10 (``Fraction(repr(x))``); other numbers are exact already.

    This is the one rule for declared numbers (constants, literals in relations); a value found
    by the search is a float that means exactly the binary number it holds (:func:`to_fraction`)."""
    if isinstance(x, bool):
        return Fraction(int(x))
    if isinstance(x, sympy.Basic) and x.is_Float:
        x = float(x)
    if isinstance(x, float) or type(x).__name__ in ("float64", "float32", "float16"):
        f = float(x)
        if not math.isfinite(f):
            raise NumericError(f"non-finite number {f!r}")
        return Fraction(repr(f))
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, sympy.Basic) and x.is_Rational:
        return Fraction(int(x.p), int(x.q))
    raise NumericError(f"{x!r} is not a rational literal")


def fraction_to_arb(q: Fraction) -> arb:
    return arb(fmpq(q.numerator, q.denominator))


def arb_endpoints(x: arb) -> tuple[Fraction, Fraction]:
    """Exact rational endpoints of an Arb ball (the ball's radius is rounded outward by Arb)."""
    if not x.is_finite():
        raise NumericError("enclosure is not finite")
    return _exact_arb(x.lower()), _exact_arb(x.upper())


def _exact_arb(x: arb) -> Fraction:
    man, exp = x.man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2 ** (-exp))


# ---------------------------------------------------------------- enclosures
@dataclass(frozen=True)
class Enclosure:
    """A closed interval ``[lo, hi]`` with exact rational endpoints known to contain a value."""

    lo: Fraction
    hi: Fraction

    @classmethod
    def exact(cls, value: Any) -> "Enclosure":
        q = to_fraction(value)
        return cls(q, q)

    @classmethod
    def of(cls, value: Any) -> "Enclosure":
        """Normalise what a rigorous margin function returned."""
        if isinstance(value, Enclosure):
            return value
        if isinstance(value, arb):
            return cls(*arb_endpoints(value))
        if isinstance(value, tuple) and len(value) == 2:
            lo, hi = to_fraction(value[0]), to_fraction(value[1])
            if lo > hi:
                raise NumericError(f"empty enclosure [{lo}, {hi}]")
            return cls(lo, hi)
        if isinstance(value, (float, np.floating)):
            raise NumericError("a float is not a rigorous enclosure")
        return cls.exact(value)

    @property
    def is_exact(self) -> bool:
        return self.lo == self.hi

    def certain_sign(self) -> int | None:
        """1 or -1 when the enclosure excludes 0, 0 when it is exactly 0, None when it straddles 0."""
        if self.lo > 0:
            return 1
        if self.hi < 0:
            return -1
        return 0 if self.is_exact else None

    def definitely_negative(self, strict: bool = False) -> bool:
        """True when the value is certainly a failure: ``< 0`` (or ``<= 0`` for a strict relation)."""
        return self.hi <= 0 if strict else self.hi < 0

    def definitely_holds(self, strict: bool = False) -> bool:
        """True when the value certainly satisfies ``>= 0`` (or ``> 0`` for a strict relation)."""
        return self.lo > 0 if strict else self.lo >= 0

    def mid(self) -> float:
        return float((self.lo + self.hi) / 2)

    def __str__(self) -> str:
        if self.is_exact:
            return str(self.lo)
        return f"[{float(self.lo):.6g}, {float(self.hi):.6g}]"


# ---------------------------------------------------------------- sympy -> Arb
_UNARY = {
    sympy.sin: "sin", sympy.cos: "cos", sympy.tan: "tan", sympy.asin: "asin",
    sympy.acos: "acos", sympy.atan: "atan", sympy.exp: "exp", sympy.log: "log",
    sympy.sinh: "sinh", sympy.cosh: "cosh", sympy.tanh: "tanh", sympy.erf: "erf", sympy.erfc: "erfc",
}


def arb_eval(expr: sympy.Basic, values: Mapping[sympy.Symbol, Any], prec: int = 64) -> arb:
    """Rigorous Arb enclosure of a sympy expression at exact (rational or ball) values.

    Rationals stay exact (unlike ``lambdify``, which prints ``1/3`` as a float).
    """
    with _precision(prec):
        cache: dict[sympy.Basic, arb] = {}
        return _arb(to_sympy(expr), values, cache)


class _precision:
    def __init__(self, prec: int):
        self.prec = prec

    def __enter__(self):
        self.saved = flint_ctx.prec
        flint_ctx.prec = self.prec

    def __exit__(self, *exc):
        flint_ctx.prec = self.saved


def _to_arb(value: Any) -> arb:
    if isinstance(value, arb):
        return value
    if isinstance(value, sympy.Basic) and not value.is_Rational and not value.is_Float:
        if value.free_symbols:
            raise NumericError(f"{value} is not a number")
        return _arb(value, {}, {})
    return fraction_to_arb(to_fraction(value))


def _arb(e: sympy.Basic, values, cache) -> arb:
    if e in cache:
        return cache[e]
    if e.is_Symbol:
        if e not in values:
            raise NumericError(f"no value for symbol {e}")
        out = _to_arb(values[e])
    elif e.is_Rational:
        out = arb(fmpq(int(e.p), int(e.q)))
    elif e.is_Float:  # a literal in a formula means the decimal it prints as: 0.1 is 1/10
        out = fraction_to_arb(literal_fraction(e))
    elif e is sympy.pi:
        out = arb.pi()
    elif e is sympy.E:
        out = arb.const_e()
    elif e.is_Add:
        out = arb(0)
        for a in e.args:
            out = out + _arb(a, values, cache)
    elif e.is_Mul:
        out = arb(1)
        for a in e.args:
            out = out * _arb(a, values, cache)
    elif e.is_Pow:
        base, ex = e.args
        b = _arb(base, values, cache)
        if ex.is_Integer:
            n = int(ex)
            out = b**n if n >= 0 else 1 / (b ** (-n))
        elif ex == sympy.Rational(1, 2):
            out = b.sqrt()
        elif ex == sympy.Rational(-1, 2):
            out = 1 / b.sqrt()
        else:
            out = (_arb(ex, values, cache) * b.log()).exp()
    elif isinstance(e, sympy.Abs):
        a = _arb(e.args[0], values, cache)
        lo, hi = a.lower(), a.upper()
        if lo >= 0:
            out = a
        elif hi <= 0:
            out = -a
        else:
            m = max(abs(_exact_arb(lo)), abs(_exact_arb(hi)))
            out = arb(0).union(fraction_to_arb(m))
    elif isinstance(e, (sympy.Max, sympy.Min)):
        parts = [_arb(a, values, cache) for a in e.args]
        out = parts[0]
        for p in parts[1:]:
            out = out.max(p) if isinstance(e, sympy.Max) else out.min(p)
    elif type(e) in _UNARY:
        out = getattr(_arb(e.args[0], values, cache), _UNARY[type(e)])()
    else:
        raise NumericError(f"no rigorous evaluation for {type(e).__name__} in {e}")
    cache[e] = out
    return out


def enclose_expr(expr: sympy.Basic, values: Mapping[sympy.Symbol, Any],
                 decide: Callable[[Enclosure], bool] | None = None) -> Enclosure:
    """Enclosure of ``expr``; precision rises until ``decide`` is settled or precision runs out."""
    last: Enclosure | None = None
    for prec in PRECISIONS:
        enc = Enclosure.of(arb_eval(expr, values, prec))
        last = enc
        if enc.is_exact or decide is None or decide(enc):
            return enc
    assert last is not None
    return last


# ---------------------------------------------------------------- back-ends for margin functions
class FloatOps:
    """Float back-end: ``num.sin`` etc. act on floats and numpy arrays."""

    name = "float"
    pi = math.pi
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    tan = staticmethod(np.tan)
    asin = staticmethod(np.arcsin)
    acos = staticmethod(np.arccos)
    atan = staticmethod(np.arctan)
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sqrt = staticmethod(np.sqrt)
    abs = staticmethod(np.abs)

    @staticmethod
    def const(q: Any) -> float:
        return float(to_fraction(q))

    @staticmethod
    def max(a, b):
        return np.maximum(a, b)

    @staticmethod
    def min(a, b):
        return np.minimum(a, b)


class ArbOps:
    """Rigorous back-end: the same names act on Arb balls."""

    name = "arb"
    pi = property(lambda self: arb.pi())

    @staticmethod
    def const(q: Any) -> arb:
        return _to_arb(q)

    sin = staticmethod(lambda x: _to_arb(x).sin())
    cos = staticmethod(lambda x: _to_arb(x).cos())
    tan = staticmethod(lambda x: _to_arb(x).tan())
    asin = staticmethod(lambda x: _to_arb(x).asin())
    acos = staticmethod(lambda x: _to_arb(x).acos())
    atan = staticmethod(lambda x: _to_arb(x).atan())
    exp = staticmethod(lambda x: _to_arb(x).exp())
    log = staticmethod(lambda x: _to_arb(x).log())
    sqrt = staticmethod(lambda x: _to_arb(x).sqrt())
    abs = staticmethod(lambda x: abs(_to_arb(x)))
    max = staticmethod(lambda a, b: _to_arb(a).max(_to_arb(b)))
    min = staticmethod(lambda a, b: _to_arb(a).min(_to_arb(b)))


FLOAT = FloatOps()
ARB = ArbOps()


def to_sympy(x: Any) -> sympy.Basic:
    """A number or sympy object as a sympy object; text is refused (it would be parsed as code:
    user and store text goes through :mod:`proofcheck.model.parse` only)."""
    if isinstance(x, (str, bytes)):
        raise NumericError("text is not a number here (parse it with proofcheck.model.parse)")
    if isinstance(x, Fraction):
        return sympy.Rational(x.numerator, x.denominator)
    return sympy.sympify(x, strict=True)


def exact_compare(a: Any, b: Any) -> int:
    """Sign of ``a - b`` decided exactly (rationals) or rigorously (Arb, rising precision) for real
    numbers such as ``2/pi``; raises ValueError when it cannot be decided (equal irrationals)."""
    try:
        d = to_fraction(a) - to_fraction(b)
        return (d > 0) - (d < 0)
    except NumericError:
        pass
    for prec in PRECISIONS:
        with _precision(prec):
            x = _to_arb(a) - _to_arb(b)
            if x > 0:
                return 1
            if x < 0:
                return -1
    raise ValueError(f"cannot decide the order of {a} and {b}")


def is_scalar(value: Any) -> bool:
    return isinstance(value, (int, float, Fraction, np.integer, np.floating, fmpq)) and not isinstance(value, bool)


def check_finite(name: str, value: Any) -> None:
    """Raise :class:`NumericError` naming ``name`` if ``value`` holds NaN or infinity."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return
    if not np.all(np.isfinite(arr)):
        raise NumericError(f"{name} contains NaN or infinity")
