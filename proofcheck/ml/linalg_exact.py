"""Exact rational linear algebra and exact planar rotations.

* matrices are ``numpy`` object arrays (or nested lists) of :class:`fractions.Fraction`
  (:func:`fmat`, :func:`fvec`, :func:`dot`, :func:`matvec`, :func:`quad`);
* :func:`rational_rotation` gives an exactly orthogonal rational 2x2 rotation (a Pythagorean
  point ``((1-t^2), 2t)/(1+t^2)``) and its angle ``2 atan t`` as an Arb ball, so weights
  ``w_i = R(+-theta) w_i*`` are at *exactly* the same angle ``theta`` to their targets
  (:func:`equal_angle_config`).

Spectral bounds from these live in :mod:`proofcheck.ml.spectral`.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

import numpy as np
from flint import arb, fmpq

from proofcheck.model.num import NumericError, to_fraction


class ExactError(NumericError):
    """An exact computation without a defined answer (zero vector, shape mismatch)."""


def fmat(M: Any) -> list[list[Fraction]]:
    """``M`` as a list of rows of Fractions (floats are taken as the dyadic rationals they store)."""
    arr = np.asarray(M, dtype=object)
    if arr.ndim != 2:
        raise ExactError("a matrix is required")
    return [[to_fraction(x) for x in row] for row in arr]


def fraction_text(x: Fraction) -> str:
    """``"p/q"`` (also ``"p/1"``): how an exact object's ``to_json`` writes a rational."""
    return f"{x.numerator}/{x.denominator}"


def fvec(v: Any) -> list[Fraction]:
    return [to_fraction(x) for x in np.asarray(v, dtype=object).ravel()]


def dot(a: Sequence[Fraction], b: Sequence[Fraction]) -> Fraction:
    if len(a) != len(b):
        raise ExactError("vectors of different lengths")
    return sum((x * y for x, y in zip(a, b)), Fraction(0))


def matvec(M: Sequence[Sequence[Fraction]], x: Sequence[Fraction]) -> list[Fraction]:
    return [dot(row, x) for row in M]


def quad(x: Sequence[Fraction], M: Any, y: Sequence[Fraction] | None = None) -> Fraction:
    """Exact ``x^T M y`` (``y = x`` by default)."""
    Mq = fmat(M)
    return dot(fvec(x), matvec(Mq, fvec(x if y is None else y)))


def rationalise(x: Any, denominator: int = 10**6) -> list[Fraction]:
    """A rational vector close to the float vector ``x`` (for test vectors: any rational works)."""
    arr = np.asarray(x, dtype=float).ravel()
    if not np.all(np.isfinite(arr)):
        raise ExactError("test vector contains NaN or infinity")
    return [Fraction(round(float(v) * denominator), denominator) for v in arr]


def float_matrix(M: Any) -> np.ndarray:
    return np.array([[float(v) for v in row] for row in fmat(M)])


# ------------------------------------------------------------------ planar rotations
def rational_rotation(t: Any) -> tuple[Fraction, Fraction, arb]:
    """``(cos, sin, angle)`` of the rotation by ``theta = 2 atan t`` (``t >= 0`` rational):
    ``cos = (1 - t^2)/(1 + t^2)``, ``sin = 2t/(1 + t^2)`` exactly, ``theta`` as an Arb ball."""
    tq = to_fraction(t)
    if tq < 0:
        raise ExactError("rotation parameter t must be >= 0")
    den = 1 + tq * tq
    theta = 2 * arb(fmpq(tq.numerator, tq.denominator)).atan()
    return (1 - tq * tq) / den, 2 * tq / den, theta


def tan_half(theta: float, denominator: int = 1000) -> Fraction:
    """A rational ``t`` with ``2 atan t`` close to ``theta`` in ``[0, pi)``."""
    if not (0 <= theta < np.pi):
        raise ExactError(f"angle {theta} outside [0, pi)")
    return Fraction(round(np.tan(theta / 2) * denominator), denominator)


def rotate(v: Sequence[Fraction], c: Fraction, s: Fraction, sign: int = 1) -> list[Fraction]:
    """``R(sign * theta) v`` for a planar vector."""
    if len(v) != 2:
        raise ExactError("planar rotation needs a 2-vector")
    s = s if sign > 0 else -s
    return [c * v[0] - s * v[1], s * v[0] + c * v[1]]


def equal_angle_config(W_star: Any, t: Any, signs: Sequence[int], scales: Sequence[Any] | None = None) -> np.ndarray:
    """Planar weights with ``w_i = scale_i R(sign_i theta) w_i*``: every ``angle(w_i, w_i*)`` equals
    ``theta = 2 atan t`` exactly (``k x n`` object array of Fractions)."""
    cols = [fvec(col) for col in np.asarray(W_star, dtype=object).T]
    if any(len(c) != 2 for c in cols):
        raise ExactError("equal_angle_config is planar (k = 2)")
    if len(signs) != len(cols):
        raise ExactError("one sign per neuron")
    c, s, _ = rational_rotation(t)
    scales = [Fraction(1)] * len(cols) if scales is None else [to_fraction(x) for x in scales]
    if any(x <= 0 for x in scales):
        raise ExactError("scales must be positive")
    out = np.empty((2, len(cols)), dtype=object)
    for i, (col, sg, sc) in enumerate(zip(cols, signs, scales)):
        r = rotate(col, c, s, sg)
        out[0, i], out[1, i] = sc * r[0], sc * r[1]
    return out


def rational_unit_vector(t: Sequence[Any]) -> list[Fraction]:
    """Inverse stereographic projection of ``t in Q^{k-1}``: an exactly unit vector in ``Q^k``,
    ``((2 t), |t|^2 - 1) / (|t|^2 + 1)`` (k = 2 gives the Pythagorean triples)."""
    tq = [to_fraction(x) for x in t]
    s = sum((x * x for x in tq), Fraction(0))  # a Fraction even for k = 1 (t empty): the vector (-1)
    return [2 * x / (s + 1) for x in tq] + [(s - 1) / (s + 1)]


def cos_sq_angle(a: Sequence[Fraction], b: Sequence[Fraction]) -> Fraction:
    """Exact ``cos^2 angle(a, b)`` (with the sign of the cosine kept: ``sign(a.b) (a.b)^2/|a|^2|b|^2``)."""
    aa, bb = dot(a, a), dot(b, b)
    if aa == 0 or bb == 0:
        raise ExactError("angle undefined for a zero vector")
    ab = dot(a, b)
    return (1 if ab >= 0 else -1) * ab * ab / (aa * bb)


# ------------------------------------------------------------------ random exact instances
def perpendicular(v: Sequence[Fraction]) -> list[Fraction]:
    """A nonzero rational vector orthogonal to ``v`` (planar: rotation by 90 degrees)."""
    v = list(v)
    if not any(v):
        raise ExactError("zero vector")
    if len(v) == 2:
        return [-v[1], v[0]]
    i = next(j for j, x in enumerate(v) if x != 0)
    j = (i + 1) % len(v)
    out = [Fraction(0)] * len(v)
    out[i], out[j] = -v[j], v[i]  # nonzero: out[j] = v[i] != 0; orthogonal: -v[j] v[i] + v[i] v[j] = 0
    return out
