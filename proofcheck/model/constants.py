"""The one place where a claim's constants become numbers.

A check reads its constants through one :class:`ConstantValues`, built once from the claim's declared
constants and the ``--set`` overrides. Every layer (search, certifiers, statistics, frontier,
replay, procedures, lemmas) takes the view it needs from it, so a constant can never mean two
numbers in one check:

* a float written in a claim means the decimal it prints as: ``0.3`` is 3/10
  (:func:`proofcheck.model.num.literal_fraction`), exactly what ``--set delta=0.3`` gives;
* ``--set`` values are exact already (the number grammar of :mod:`proofcheck.model.parse`);
* an irrational constant (``sqrt(2)``, ``2/pi``) stays an exact sympy number.

Views: :attr:`exact` (``Fraction`` for rationals -- a Python ``int`` stays an ``int``, exact and
usable as a size -- or an exact sympy number), :attr:`sympy`, :meth:`arb` (rigorous balls) and
:attr:`floats` (for numpy; an ``int`` stays an ``int``). A value that is not a real number (an array, an object) is passed
through unchanged by every view; a NaN or infinite constant raises :class:`BadConstant` naming it
when a view is taken.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Mapping

import numpy as np
import sympy

from proofcheck.model.num import PRECISIONS, NumericError, arb_eval, literal_fraction, to_fraction, to_sympy


class BadConstant(NumericError):
    """A constant is NaN or infinite: a bad input, reported rather than skipped."""


def exact_constant(name: str, value: Any) -> Any:
    """The exact value of one constant (see the module docstring); non-numbers unchanged."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            raise BadConstant(f"constant {name} is {float(value)!r}")
        return literal_fraction(float(value))
    if isinstance(value, sympy.Basic):
        if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            raise BadConstant(f"constant {name} is {value}")
        if not value.is_number or value.is_real is False:
            return value  # not a real number: the layers that need one say so
        if value.is_Rational or value.is_Float:
            return literal_fraction(value)
        return value
    try:  # other exact scalars (flint fmpq)
        return to_fraction(value)
    except (NumericError, ValueError, TypeError, ZeroDivisionError):
        return value


def is_real_number(value: Any) -> bool:
    """Whether an exact constant value (from :func:`exact_constant`) is a real number."""
    if isinstance(value, (int, Fraction)):
        return True
    return isinstance(value, sympy.Basic) and bool(value.is_number) and value.is_real is not False


class ConstantValues:
    """Views of one check's constants; built once per check (``Context.constant_values``)."""

    def __init__(self, constants: Mapping[str, Any]):
        self.raw = dict(constants)
        self._exact: dict[str, Any] | None = None
        self._sympy: dict[str, Any] | None = None
        self._floats: dict[str, Any] | None = None
        self._arb: dict[int, dict[str, Any]] = {}

    def __repr__(self) -> str:
        return f"ConstantValues({self.raw!r})"

    @property
    def exact(self) -> dict[str, Any]:
        """name -> ``Fraction`` (``int`` for integers) or an exact sympy number."""
        if self._exact is None:
            self._exact = {k: self.exact_of(k) for k in self.raw}
        return dict(self._exact)

    def exact_of(self, name: str) -> Any:
        """One constant's exact value (only this one need be a finite number)."""
        if self._exact is not None:
            return self._exact[name]
        return exact_constant(name, self.raw[name])

    def sympy_of(self, name: str) -> Any:
        v = self.exact_of(name)
        return to_sympy(v) if is_real_number(v) else v

    @property
    def sympy(self) -> dict[str, Any]:
        """name -> sympy number (``Rational`` for rationals)."""
        if self._sympy is None:
            self._sympy = {k: self.sympy_of(k) for k in self.raw}
        return dict(self._sympy)

    def arb(self, prec: int = PRECISIONS[0]) -> dict[str, Any]:
        """name -> ``flint.arb`` ball at ``prec`` bits (exact for dyadic rationals)."""
        if prec not in self._arb:
            self._arb[prec] = {k: (arb_eval(v, {}, prec) if is_real_number(v) else v)
                               for k, v in self.sympy.items()}
        return dict(self._arb[prec])

    @property
    def floats(self) -> dict[str, Any]:
        """name -> float, for numpy (the nearest float to the exact value)."""
        if self._floats is None:
            self._floats = {k: _float(v) for k, v in self.exact.items()}
        return dict(self._floats)

    def float_of(self, name: str) -> float:
        return self.floats[name]

    def fraction_of(self, name: str) -> Fraction:
        """The exact rational value of a constant; raises :class:`NumericError` for an irrational."""
        v = self.exact_of(name)
        if isinstance(v, (int, Fraction)):
            return Fraction(v)
        raise NumericError(f"constant {name} = {v} is not rational")


def _float(v: Any) -> Any:
    if isinstance(v, int):  # sizes and exponents stay integers (range(n), n-th powers)
        return v
    if isinstance(v, Fraction):
        return float(v)
    if isinstance(v, sympy.Basic) and v.is_number and v.is_real is not False:
        return float(v)
    return v


def constant_view(constants: "ConstantValues | Mapping[str, Any]") -> ConstantValues:
    """A :class:`ConstantValues` for either form (helpers that accept a raw mapping read it here)."""
    return constants if isinstance(constants, ConstantValues) else ConstantValues(constants)
