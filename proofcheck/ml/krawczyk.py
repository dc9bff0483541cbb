r"""Certified zeros of smooth maps: the Krawczyk operator in Arb ball arithmetic.

For a smooth :math:`F : \mathbb{R}^n \to \mathbb{R}^n`, a box :math:`X` with centre :math:`c` and any
matrix :math:`Y` (here a rational approximation of :math:`J_F(c)^{-1}`), the Krawczyk operator is

.. math::

   K(X) = c - Y F(c) + (I - Y J_F(X)) (X - c).

If :math:`K(X)` lies in the interior of :math:`X`, then :math:`F` has exactly one zero in :math:`X`
(Krawczyk 1969; Moore, Kearfott & Cloud, *Introduction to Interval Analysis*, SIAM 2009, Thm 8.2).
Every operation below is an Arb ball operation (python-flint), so the test is rigorous: ``F`` and
``J`` must be evaluated on balls by functions that are themselves rigorous (for example
:func:`proofcheck.model.num.arb_eval` of sympy expressions, as :func:`from_sympy` does).

A zero the test cannot certify (a singular Jacobian: a zero on a manifold of zeros, as critical
points of over-parameterised networks often are) gets ``None``: it is never called certified.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np
import sympy
from flint import arb, arb_mat, fmpq

from proofcheck.model.num import NumericError, _precision, arb_endpoints, arb_eval, to_fraction, to_sympy

ArbVector = list
ArbMatrix = list


class KrawczykError(NumericError):
    """Bad input: sizes that do not match, a non-finite centre, a radius that is not positive."""


@dataclass(frozen=True)
class CertifiedZero:
    """A box ``[lo_i, hi_i]`` (exact rational endpoints) that contains exactly one zero of ``F``."""

    box: tuple[tuple[Fraction, Fraction], ...]
    center: tuple[Fraction, ...]
    radius: Fraction
    precision: int

    def balls(self) -> list[arb]:
        """The box as Arb balls (outward rounded), for evaluating other quantities over it."""
        out = []
        for lo, hi in self.box:
            mid = (lo + hi) / 2
            out.append(arb(fmpq(mid.numerator, mid.denominator)).union(arb(fmpq(lo.numerator, lo.denominator)))
                       .union(arb(fmpq(hi.numerator, hi.denominator))))
        return out

    def width(self) -> Fraction:
        return max(hi - lo for lo, hi in self.box)


def _ball(q: Fraction) -> arb:
    return arb(fmpq(q.numerator, q.denominator))


def _box(center: Sequence[Fraction], radius: Fraction) -> list[arb]:
    r = _ball(radius)
    return [_ball(c) + arb(0).union(r).union(-r) for c in center]


def _rational_inverse(J_mid: np.ndarray) -> list[list[Fraction]]:
    """A rational approximation Y of J^{-1}: any Y makes the test sound; a good one makes it pass."""
    try:
        Y = np.linalg.inv(J_mid)
    except np.linalg.LinAlgError:
        raise KrawczykError("the Jacobian at the centre is singular") from None
    if not np.all(np.isfinite(Y)):
        raise KrawczykError("the Jacobian at the centre is singular")
    return [[Fraction(float(v)).limit_denominator(2**60) for v in row] for row in Y]


def krawczyk_step(F: Callable[[ArbVector], ArbVector], J: Callable[[ArbVector], ArbMatrix],
                  center: Sequence[Fraction], radius: Fraction, prec: int = 128) -> tuple[bool, list[arb]]:
    """One Krawczyk test on the box ``center ± radius``: (K(X) inside int X, K(X) as balls)."""
    n = len(center)
    with _precision(prec):
        c = [_ball(q) for q in center]
        X = _box(center, radius)
        Fc = list(F(c))
        JX = J(X)
        Jc = J(c)
        if len(Fc) != n or len(JX) != n or any(len(row) != n for row in JX):
            raise KrawczykError(f"F must map R^{n} to R^{n} and J must be {n}x{n}")
        J_mid = np.array([[float(Jc[i][j].mid()) for j in range(n)] for i in range(n)])
        Y = _rational_inverse(J_mid)
        Ym = arb_mat([[_ball(q) for q in row] for row in Y])
        I_minus = arb_mat([[1 if i == j else 0 for j in range(n)] for i in range(n)]) - Ym * arb_mat([[JX[i][j] for j in range(n)] for i in range(n)])
        d = arb_mat([[X[i] - c[i]] for i in range(n)])
        YF = Ym * arb_mat([[Fc[i]] for i in range(n)])
        K = [c[i] - YF[i, 0] + (I_minus * d)[i, 0] for i in range(n)]
        inside = all(K[i].is_finite() and X[i].contains_interior(K[i]) for i in range(n))
        return inside, K


def certify_zero(F: Callable[[ArbVector], ArbVector], J: Callable[[ArbVector], ArbMatrix],
                 x: Sequence[Any], radii: Sequence[float] = (1e-12, 1e-9, 1e-6, 1e-4),
                 precisions: Sequence[int] = (128, 256)) -> CertifiedZero | None:
    """Certify a zero of ``F`` near the approximate zero ``x`` (floats or rationals), or None.

    Radii grow from tiny (a very accurate ``x``) to moderate; precision rises when the balls are
    too wide. The returned box is ``K(X)``'s hull, which contains the unique zero."""
    if not len(x):
        raise KrawczykError("an empty point has no zero to certify")
    try:
        center = [to_fraction(v) for v in x]
    except NumericError as exc:
        raise KrawczykError(f"the approximate zero is not finite: {exc}") from None
    center = [q.limit_denominator(2**80) if q.denominator > 2**80 else q for q in center]
    for r in radii:
        if not r > 0:
            raise KrawczykError("radii must be positive")
        radius = Fraction(r)
        for prec in precisions:
            try:
                inside, K = krawczyk_step(F, J, center, radius, prec)
            except (KrawczykError, ZeroDivisionError, ValueError):
                return None
            if inside:
                box = tuple(arb_endpoints(k) for k in K)
                return CertifiedZero(box=box, center=tuple(center), radius=radius, precision=prec)
    return None


# ---------------------------------------------------------------- maps given as sympy expressions
def from_sympy(exprs: Sequence[sympy.Expr], symbols: Sequence[sympy.Symbol]):
    """``(F, J)`` for :func:`certify_zero` from sympy expressions (Jacobian by sympy, values by
    :func:`proofcheck.model.num.arb_eval`, rigorous on balls)."""
    exprs = [to_sympy(e) for e in exprs]
    symbols = list(symbols)
    if len(exprs) != len(symbols):
        raise KrawczykError(f"{len(exprs)} equations in {len(symbols)} unknowns: the system must be square")
    jac = [[sympy.diff(e, s) for s in symbols] for e in exprs]

    def at(values):
        return dict(zip(symbols, values))

    def F(values):
        env = at(values)
        return [arb_eval(e, env, prec=_current_prec()) for e in exprs]

    def J(values):
        env = at(values)
        return [[arb_eval(e, env, prec=_current_prec()) for e in row] for row in jac]

    return F, J


def _current_prec() -> int:
    from flint import ctx

    return int(ctx.prec)
