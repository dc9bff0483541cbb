"""Exact JSON encoding of example values, so that a counterexample replays bit for bit.

* ``Fraction`` and floats are stored as exact rationals (``{"$q": "p/q"}``; a float is the dyadic
  rational it holds), with a float beside them for people to read;
* an irrational real number (``2/pi``) as ``{"$num": "(2 * (pi^-1))"}``, text in the number grammar
  of :mod:`proofcheck.model.parse` (read back by that parser, never evaluated as code);
* numpy arrays as nested lists of such numbers with their shape;
* an object of a class registered with :func:`storable` (it has ``to_json()`` and a ``from_json``
  classmethod) as ``{"$obj": "module:Class", "data": ..., "text": ...}``, ``text`` being its
  ``describe()`` (a short description for people, shown by the reports, never read back).

Decoding follows a schema: a ``$q`` is ``p/q`` with at most :data:`MAX_DIGITS` digits and a nonzero
denominator, an array's shape matches its items and its dtype is one of :data:`DTYPES`, an ``$obj``
names a class in the allow-list registry (store text never chooses a module to import), and
anything else raises :class:`CodecError`. The old ``$sympy`` encoding (sympy's ``srepr``, which
only ``eval`` could read) is refused.

This is the one reader of the format: the engine and the replay decode with :func:`decode_value`
(numbers exactly) or :func:`decode_as_written` (a float stored from a float is that float), a
claim's replay hook with :func:`decode_exact`, and the reports ask :func:`stored_number`,
:func:`stored_array` and :func:`stored_object` what a stored value is, to show it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping

import numpy as np
import sympy

from proofcheck.model.num import NumericError
from proofcheck.model.parse import NumberSyntaxError, parse_number, to_text

MAX_DIGITS = 2000        # digits of a stored numerator or denominator
MAX_ITEMS = 10_000_000   # items of a stored array
DTYPES = ("float64", "float32", "int64", "int32", "int16", "int8", "uint8", "bool")
_Q = re.compile(r"^\s*(-?\d{1,%d})\s*(?:/\s*(\d{1,%d}))?\s*$" % (MAX_DIGITS, MAX_DIGITS))


class CodecError(NumericError):
    """A stored value that does not follow the schema (it is skipped, never guessed at)."""


# ---------------------------------------------------------------- the allow-list of classes
_CLASSES: dict[str, type] = {}


def storable(cls: type) -> type:
    """Class decorator: values of ``cls`` may be stored and read back (``to_json``/``from_json``).

    Only classes registered here are decoded from ``$obj``: the store never names a module to
    import."""
    if not (hasattr(cls, "to_json") and hasattr(cls, "from_json")):
        raise TypeError(f"{cls.__name__} needs to_json() and a from_json classmethod to be storable")
    _CLASSES[class_name(cls)] = cls
    return cls


def class_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def registered_classes() -> dict[str, type]:
    return dict(_CLASSES)


# ---------------------------------------------------------------- encode
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
        return {"$q": f"{value.numerator}/{value.denominator}", "float": finite_float(value)}
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
        name = class_name(type(value))
        if name not in _CLASSES:
            raise NumericError(f"cannot store a {type(value).__name__}: its class is not registered "
                               f"with proofcheck.store.codec.storable")
        out = {"$obj": name, "data": encode(value.to_json())}
        describe = getattr(value, "describe", None)
        if callable(describe):  # a short description for people; never read back
            out["text"] = str(describe())
        return out
    if isinstance(value, sympy.Basic):
        if value.is_Rational:
            return {"$q": f"{value.p}/{value.q}", "float": finite_float(Fraction(int(value.p), int(value.q)))}

        try:
            return {"$num": to_text(value), "float": finite_float(value)}
        except NumberSyntaxError as exc:
            raise NumericError(f"cannot store {value}: {exc}") from None
    raise NumericError(f"cannot store a value of type {type(value).__name__}")


def finite_float(value: Any) -> float | None:
    """A float for people to read; None when the number is beyond the float range."""
    try:
        f = float(value)
    except (OverflowError, TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


# ---------------------------------------------------------------- decode
def parse_q(text: Any) -> Fraction:
    """A stored ``p/q`` (bounded digits, nonzero denominator)."""
    if not isinstance(text, str):
        raise CodecError(f"$q must be a string 'p/q', got {type(text).__name__}")
    m = _Q.match(text)
    if m is None:
        raise CodecError(f"$q {text[:40]!r} is not 'p/q' with at most {MAX_DIGITS} digits each")
    p, q = int(m.group(1)), int(m.group(2) or 1)
    if q == 0:
        raise CodecError(f"$q {text[:40]!r} has a zero denominator")
    return Fraction(p, q)


def decode(data: Any, exact: bool = False) -> Any:
    """Inverse of :func:`encode`. ``exact=True`` keeps rationals as ``Fraction``; otherwise the
    stored float (which is the same number when it came from a float). Raises :class:`CodecError`
    for data that does not follow the schema."""
    if isinstance(data, list):
        return [decode(v, exact) for v in data]
    if isinstance(data, float):
        if not math.isfinite(data):
            raise CodecError("a stored float is not finite")
        return data
    if not isinstance(data, dict):  # JSON scalars (and values a caller decoded already) as they are
        return data
    if "$q" in data:
        q = parse_q(data["$q"])
        f = data.get("float")
        if exact or f is None:  # the float beside it is for people to read; the value is the $q
            return q
        try:
            return float(q)
        except OverflowError:
            raise CodecError("a $q with a float beside it is beyond the float range") from None
    if "$num" in data:
        try:
            value = parse_number(data["$num"])
        except NumberSyntaxError as exc:
            raise CodecError(f"$num {str(data['$num'])[:40]!r}: {exc}") from None
        f = data.get("float")
        if exact or f is None or not isinstance(f, float):
            return value
        return f
    if "$array" in data:
        return _decode_array(data, exact)
    if "$obj" in data:
        name = data["$obj"]
        cls = _CLASSES.get(name) if isinstance(name, str) else None
        if cls is None:
            raise CodecError(f"$obj {str(name)[:60]!r} is not a registered storable class")
        try:
            return cls.from_json(decode(data.get("data"), exact=False))
        except CodecError:
            raise
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
            raise CodecError(f"$obj {name}: {type(exc).__name__}: {exc}") from None
    if "$sympy" in data:
        raise CodecError("the old $sympy encoding is not read (it would have to be evaluated as code)")
    odd = [k for k in data if isinstance(k, str) and k.startswith("$")]
    if odd:
        raise CodecError(f"unknown tag {odd[0]!r}")
    return {k: decode(v, exact) for k, v in data.items()}


def decode_value(data: Any) -> Any:
    """A record's value as the engine re-verifies it: a number exactly (a rational, or a real number
    such as 2/pi), arrays and objects as stored. Raises :class:`CodecError` outside the schema."""
    return decode(data, exact=_is_number(data))


def decode_as_written(data: Any) -> Any:
    """A value as it was written: a number stored from a float comes back as that float (so a
    constant reads as it was set, and a regenerated setting compares equal), another number
    exactly, arrays and objects as stored. Raises :class:`CodecError` outside the schema."""
    if not _is_number(data):
        return decode(data, exact=False)
    value = decode(data, exact=True)
    f = data.get("float")
    if isinstance(value, Fraction) and isinstance(f, float) and math.isfinite(f) and Fraction(f) == value:
        return f
    return value


def decode_exact(mapping: Mapping[str, Any] | None) -> dict[str, Any]:
    """A record's ``values`` or ``extra`` decoded exactly (``Fraction``, object arrays of Fractions,
    objects through their ``from_json``)."""
    return {k: decode(v, exact=True) for k, v in (mapping or {}).items()}


def _is_number(data: Any) -> bool:
    return isinstance(data, dict) and ("$q" in data or "$num" in data)


def _decode_array(data: dict, exact: bool) -> np.ndarray:
    raw, shape = data["$array"], data.get("shape")
    if not isinstance(raw, list) or len(raw) > MAX_ITEMS:
        raise CodecError("$array must be a list of items")
    if not isinstance(shape, list) or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0
                                              for n in shape):
        raise CodecError("an array's shape must be a list of non-negative integers")
    if math.prod(shape) != len(raw):
        raise CodecError(f"an array of shape {shape} cannot hold {len(raw)} items")
    items = [decode(v, exact) for v in raw]
    for v in items:
        if isinstance(v, (list, dict, str)) or v is None:
            raise CodecError("an array item is not a number or an object")
    dtype = data.get("dtype", "float64")
    if dtype not in DTYPES and not (data.get("object") is True and "dtype" not in data):
        raise CodecError(f"array dtype {str(dtype)[:20]!r} is not one of {', '.join(DTYPES)}")
    if exact or data.get("object"):
        arr = np.empty(len(items), dtype=object)
        arr[:] = items
        return arr.reshape(shape)
    try:
        return np.array(items, dtype=dtype).reshape(shape)
    except (TypeError, ValueError, OverflowError) as exc:
        raise CodecError(f"array items do not fit dtype {dtype}: {exc}") from None


# ---------------------------------------------------------------- reading for people
# The reports show stored values without decoding them into numbers (a value that breaks the schema is
# still shown, never computed with): these readers only say what a stored value is.
@dataclass(frozen=True)
class StoredNumber:
    """A stored number as people read it: the rational of a ``$q`` (None for an irrational number, or
    a ``$q`` outside the schema), its exact text (never parsed or evaluated here), and the float
    stored beside an irrational number (None beyond the float range)."""

    rational: Fraction | None
    text: str
    approx: float | None


def stored_number(data: Any) -> StoredNumber | None:
    """The number a stored value is; None when it is not a tagged number."""
    if not isinstance(data, dict):
        return None
    if "$q" in data:
        try:
            q = parse_q(data["$q"])
        except CodecError:
            return StoredNumber(None, str(data["$q"])[:40], None)
        return StoredNumber(q, f"{q.numerator}/{q.denominator}", None)
    for key in ("$num", "$sympy"):  # $sympy: reports written before $num, shown, never read back
        if key in data:
            f = data.get("float")
            readable = isinstance(f, (int, float)) and not isinstance(f, bool) and math.isfinite(f)
            return StoredNumber(None, str(data[key]), float(f) if readable else None)
    return None


def stored_array(data: Any) -> tuple[list, tuple[int, ...]] | None:
    """The flat items and the shape of a stored array (its length when the shape is unreadable);
    None when ``data`` is not an array."""
    if not (isinstance(data, dict) and isinstance(data.get("$array"), list)):
        return None
    flat, shape = data["$array"], data.get("shape")
    if isinstance(shape, list) and all(isinstance(s, int) for s in shape):
        return flat, tuple(shape)
    return flat, (len(flat),)


def array_record(items: list, shape: list[int] | tuple[int, ...]) -> dict[str, Any]:
    """Stored items (already encoded) as a stored array of the given shape, e.g. an object's matrix
    to show as one."""
    return {"$array": list(items), "shape": list(shape)}


def stored_object(data: Any) -> tuple[str, Any, str | None] | None:
    """A stored object's class name (without its module), its data and the description it gave when
    it was stored; None when ``data`` is not an object."""
    if not (isinstance(data, dict) and "$obj" in data):
        return None
    text = data.get("text")
    return str(data["$obj"]).rsplit(":", 1)[-1], data.get("data"), text if isinstance(text, str) else None
