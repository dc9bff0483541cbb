"""Exact JSON encoding of example values, so that a counterexample replays bit for bit.

* ``Fraction`` and floats are stored as exact rationals (``{"$q": "p/q"}``; a float is the dyadic
  rational it holds), with a float beside them for people to read;
* numpy arrays as nested lists of such numbers with their shape;
* an object with ``to_json()`` and a ``from_json`` classmethod as ``{"$obj": "module:Class", ...}``.
"""
from __future__ import annotations

import importlib
import math
from fractions import Fraction
from typing import Any

import numpy as np

from .num import NumericError


def encode(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if not math.isfinite(f):
            raise NumericError(f"cannot store non-finite value {f}")
        q = Fraction(f)
        return {"$q": f"{q.numerator}/{q.denominator}", "float": f}
    if isinstance(value, Fraction):
        return {"$q": f"{value.numerator}/{value.denominator}", "float": _approx(value)}
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {"$array": [encode(v) for v in value.ravel().tolist()], "shape": list(value.shape), "object": True}
        return {"$array": [encode(v) for v in value.ravel().tolist()], "shape": list(value.shape),
                "dtype": str(value.dtype)}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if hasattr(value, "to_json") and hasattr(type(value), "from_json"):
        cls = type(value)
        return {"$obj": f"{cls.__module__}:{cls.__qualname__}", "data": encode(value.to_json())}
    try:
        import sympy

        if isinstance(value, sympy.Basic):
            if value.is_Rational:
                return {"$q": f"{value.p}/{value.q}", "float": _approx(Fraction(int(value.p), int(value.q)))}
            return {"$sympy": sympy.srepr(value), "float": _approx(value)}
    except (ImportError, TypeError):
        pass
    raise NumericError(f"cannot store a value of type {type(value).__name__}")


def _approx(value: Any) -> float | None:
    """A float for people to read; None when the number is beyond the float range."""
    try:
        f = float(value)
    except (OverflowError, TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def decode(data: Any, exact: bool = False) -> Any:
    """Inverse of :func:`encode`. ``exact=True`` keeps rationals as ``Fraction``; otherwise the
    stored float (which is the same number when it came from a float)."""
    if isinstance(data, list):
        return [decode(v, exact) for v in data]
    if not isinstance(data, dict):
        return data
    if "$q" in data:
        q = Fraction(data["$q"])
        if exact or data.get("float") is None:
            return q
        return float(q)
    if "$array" in data:
        items = [decode(v, exact) for v in data["$array"]]
        shape = tuple(data["shape"])
        if exact or data.get("object"):
            arr = np.empty(len(items), dtype=object)
            arr[:] = items
            return arr.reshape(shape)
        return np.array(items, dtype=data.get("dtype", "float64")).reshape(shape)
    if "$obj" in data:
        module, _, qual = data["$obj"].partition(":")
        obj = importlib.import_module(module)
        for part in qual.split("."):
            obj = getattr(obj, part)
        return obj.from_json(decode(data["data"], exact=False))
    if "$sympy" in data:
        import sympy

        value = sympy.sympify(data["$sympy"])
        return value if exact or data.get("float") is None else data["float"]
    return {k: decode(v, exact) for k, v in data.items()}
