"""Stored values for people: how a value in the store format (:mod:`proofcheck.store.codec`) reads as
text -- a number as the float to read with its exact form beside it or on hover, an array by its
rows, an object by the description it gave. The engine's evidence, the ml objects' descriptions and
the reports all read values through here. Exact text is only displayed, never parsed or evaluated.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from proofcheck.store.codec import StoredNumber, array_record, encode, stored_array, stored_number, stored_object


# ------------------------------------------------------------------ people's numbers, as plain text
#: Longest fraction shown as it is in plain text; a longer exact value is shown as its decimal.
SHORT_FRACTION = 12

# Longest exact rational shown inline; longer ones go to a tooltip (HTML) or are summarised (Markdown).
SHORT_EXACT = 24


def float_or_text(x: Any) -> float | str:
    """``x`` as a float to format, or the text that shows it when it is not a number: a dash for
    None, ``NaN``, ``true``/``false``, its own text otherwise."""
    if x is None:
        return "\u2014"
    if isinstance(x, bool):
        return str(x).lower()
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "NaN" if math.isnan(f) else f


def fmt_float(x: float, digits: int = 6) -> str:
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    f = float_or_text(x)
    if isinstance(f, str):
        return f
    if math.isinf(f):
        return "\u221e" if f > 0 else "\u2212\u221e"
    if f == 0:
        return "0"
    s = format(f, f".{digits}g")
    return s.replace("e+0", "e+").replace("e-0", "e-")


@dataclass(frozen=True)
class Number:
    """A number ready to show: ``text`` to read, ``exact`` (the rational, or None when ``text`` is
    already exact) and whether ``text`` is only an approximation."""

    text: str
    exact: str | None
    approximate: bool
    full: str  # the shortest decimal that round-trips the stored float, or the exact rational

    @property
    def exact_is_short(self) -> bool:
        return self.exact is not None and len(self.exact) <= SHORT_EXACT


def number_of(data: Any) -> Number | None:
    """Read an encoded or plain number; None when ``data`` is not a number."""
    if isinstance(data, bool):
        return None
    if isinstance(data, int):
        if abs(data) >= 10**15:  # a 300-digit integer reads as its magnitude; the digits on hover
            try:
                return Number(fmt_float(float(data)), str(data), True, str(data))
            except OverflowError:
                digits = len(str(abs(data)))
                return Number(f"{'-' if data < 0 else ''}{str(abs(data))[0]}.{str(abs(data))[1:4]}e+{digits - 1}",
                              str(data), True, str(data))
        return Number(str(data), None, False, str(data))
    if isinstance(data, float):
        return Number(fmt_float(data), None, fmt_float(data) != repr(data), repr(data))
    stored = stored_number(data)  # a tagged number, read by the codec (bounded digits)
    if stored is not None:
        return _stored_number(stored)
    if isinstance(data, str):
        # Constants are stored as printed, e.g. "1/3": show the value, keep the fraction.
        try:
            q = Fraction(data)
        except (ValueError, ZeroDivisionError):
            return None
        if "/" not in data:
            return None  # an integer or decimal string reads fine as it is
        if q.denominator == 1:
            return Number(str(q.numerator), None, False, str(q.numerator))  # "0/1" is 0
        return Number(fmt_float(float(q)), f"{q.numerator}/{q.denominator}", True, data)
    return None


def _stored_number(stored: StoredNumber) -> Number:
    q = stored.rational
    if q is None:  # an irrational number, or a $q outside the schema (shown as stored)
        exact = _unwrap(stored.text)
        if stored.approx is None:
            return Number(exact, None, False, exact)  # no float to read (beyond the float range)
        return Number(fmt_float(stored.approx), exact, True, exact)
    if q.denominator == 1:
        return Number(str(q.numerator), None, False, str(q.numerator))
    f = float(q)
    text = fmt_float(f)
    if Fraction(f) == q:
        # The rational is the float itself (it came from one): its repr is exact too.
        return Number(text, stored.text, text != repr(f), repr(f))
    return Number(text, stored.text, True, stored.text)


def _unwrap(text: str) -> str:
    """``"(2 * (pi^-1))"`` without the outer pair of parentheses when they enclose the whole text."""
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for k, ch in enumerate(text):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and k < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def is_array(data: Any) -> bool:
    return stored_array(data) is not None


def is_object(data: Any) -> bool:
    return stored_object(data) is not None


def array_rows(data: dict, max_rows: int = 8, max_cols: int = 8):
    """The entries of a 1-D or 2-D array as rows (None marks an elided run), and a caption.

    Arrays of more dimensions are shown flat (row-major) with their shape in the caption.
    """
    flat, shape = stored_array(data)
    n = len(flat)
    if len(shape) == 2 and shape[0] * shape[1] == n:
        r, c = shape
        rows_idx = _elide(r, max_rows)
        cols_idx = _elide(c, max_cols)
        rows = []
        for i in rows_idx:
            if i is None:
                rows.append(None)
                continue
            rows.append([None if j is None else flat[i * c + j] for j in cols_idx])
        caption = f"{r}\u00d7{c}"
    else:
        cols_idx = _elide(n, max_cols * 2)
        rows = [[None if j is None else flat[j] for j in cols_idx]]
        dims = "\u00d7".join(str(s) for s in shape) if shape else "0"
        caption = f"vector of {n}" if len(shape) == 1 else f"array of shape {dims}, shown flat"
    return rows, caption


def _elide(n: int, limit: int) -> list[int | None]:
    if n <= limit:
        return list(range(n))
    head = limit - 2
    return list(range(head)) + [None] + [n - 1]


def object_name(data: dict) -> str:
    return stored_object(data)[0]


def number_text(num: Number, hover: bool = False) -> str:
    """A number as a person reads it: an integer, a short decimal that is the value itself, a short
    fraction, or else a decimal of six digits (the exact form stays in the JSON, and on hover in HTML).
    An irrational number is its decimal, followed by its short exact form unless ``hover`` shows it."""
    if num.exact is None:
        return num.text
    try:
        if Fraction(num.text) == Fraction(num.exact):
            return num.text  # the short decimal is the exact value (0.5 for 1/2)
    except (ValueError, ZeroDivisionError):  # an irrational's exact text (2 * (pi^-1))
        return num.text if hover or not num.exact_is_short else f"{num.text} (= {num.exact})"
    if len(num.full) <= 10 and num.full != num.exact:
        return num.full  # a float that reads short (0.1): the value searched is that float
    if len(num.exact) <= SHORT_FRACTION:
        return num.exact
    return num.text


def humanise(name: str) -> str:
    """``TeacherStudent`` -> ``teacher student``; ``W_star`` stays ``W_star``."""
    if "_" in name or not re.fullmatch(r"(?:[A-Z][a-z0-9]+)+", name):
        return name
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()


def object_text(data: dict, depth: int = 0) -> str:
    """A stored object in a few words: the description the object gave when it was stored
    (``describe()``, kept as ``"text"``), else its class in words and its fields summarised."""
    name, inner, text = stored_object(data)
    if text is not None and text.strip():
        return " ".join(text.split())
    name = humanise(name)
    if isinstance(inner, dict) and inner:
        fields = [f"{k} {value_text(v, depth + 1)}" for k, v in inner.items() if v is not None]
        return f"{name}: " + ", ".join(fields)
    if inner is None:
        return name
    return f"{name} {value_text(inner, depth + 1)}"


def _matrix_shape(data: Any) -> tuple[int, int] | None:
    if isinstance(data, (list, tuple)) and data and all(isinstance(r, (list, tuple)) for r in data):
        n = len(data[0])
        if n and all(len(r) == n for r in data):
            return len(data), n
    return None


def value_text(data: Any, depth: int = 0, limit: int = 400) -> str:
    """An encoded value on one line of plain text (terminal, pytest, notes): people's numbers,
    arrays and matrices as ``[[1, 0], [0, 1]]`` with their shape when large, objects by their
    description; never a codec record or a Python repr. Longer than ``limit``: cut with ``…``."""
    text = _value_text(data, depth)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


def _value_text(data: Any, depth: int) -> str:
    if depth > 6:
        return "\u2026"
    num = number_of(data)
    if num is not None:
        return number_text(num)
    if data is None:
        return "none"
    if isinstance(data, bool):
        return "true" if data else "false"
    if isinstance(data, str):
        return data
    if is_array(data):
        rows, caption = array_rows(data, max_rows=6, max_cols=6)
        shown = ["\u22ee" if row is None else
                 "[" + ", ".join("\u2026" if v is None else _value_text(v, depth + 1) for v in row) + "]"
                 for row in rows]
        inner = shown[0] if len(shown) == 1 else "[" + ", ".join(shown) + "]"
        elided = any(row is None or None in row for row in rows)
        return f"{inner} ({caption})" if elided else inner
    if is_object(data):
        return object_text(data, depth)
    if isinstance(data, dict):
        return "{" + ", ".join(f"{k}: {_value_text(v, depth + 1)}" for k, v in data.items()) + "}"
    if isinstance(data, (list, tuple)):
        shape = _matrix_shape(data)
        if shape and shape[0] * shape[1] > 3 and all(number_of(v) is not None for r in data for v in r):
            return _value_text(array_record([v for r in data for v in r], shape), depth)
        more = f", \u2026 {len(data) - 16} more" if len(data) > 16 else ""
        return "[" + ", ".join(_value_text(v, depth + 1) for v in data[:16]) + more + "]"
    return str(data)


def values_text(values: Any, limit: int = 400) -> str:
    """``name = value, ...`` for a counterexample's (or a setting's) encoded values."""
    if not isinstance(values, dict):
        return value_text(values, limit=limit)
    text = ", ".join(f"{k} = {value_text(v)}" for k, v in values.items())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


def plain(value: Any) -> Any:
    """A value as the codec would store it, for the readers above (a Fraction, a numpy array, a
    sympy number or a storable object from a live Result); stored values pass through."""
    if isinstance(value, (dict, list, tuple, str, int, float, bool)) or value is None:
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value
    try:
        return encode(value)
    except Exception:  # noqa: BLE001 - a value that cannot be encoded is shown by its str
        return str(value)


def short(value: Any, limit: int = 200) -> str:
    """A live value (Fraction, float, list of rows, numpy array) as people read it: what a
    storable object's ``describe()`` uses for its numbers."""
    return value_text(plain(value), limit=limit)
