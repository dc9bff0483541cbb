"""Spectral certificates: every bound on ``lambda_min``, ``lambda_max`` or ``sigma_max`` that a verdict rests on.

Floats for the search (:func:`lam_max`, :func:`lam_min`, with :func:`spectral_err` for how far an
entrywise error moves them), and rigorous twins:

* exact rationals: :func:`certify_psd` (exact ``LDL^T`` with a rational witness when not PSD);
  Rayleigh quotients at a rational test vector bound ``lambda_min`` from above and
  ``lambda_max``/``sigma_max`` from below (:func:`rayleigh`, :func:`sigma_sq_lower`,
  :func:`sigma_max_lower_sq`, :func:`sym_lam_max_lower`); :func:`sigma_sq_bounds` encloses
  ``sigma_max^2`` from both sides, :func:`sym_upper_certified` bounds ``lambda_max`` of a symmetric
  part from above; :func:`spectral_norm_at_most` decides ``|W|_2 <= gamma``;
* Arb balls: :func:`lambda_min_enclosure` (Arb Cholesky below, Rayleigh above) and
  :func:`spectral_norm_bounds`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

import numpy as np
from flint import arb, ctx as flint_ctx

from proofcheck.ml.linalg_exact import ExactError, dot, float_matrix, fmat, fvec, matvec, quad, rationalise
from proofcheck.model.num import NumericError, arb_endpoints, fraction_to_arb, to_fraction


# ------------------------------------------------------------------ floats
def lam_max(M: Any, kind: str = "singular") -> float:
    """Largest singular value (``kind="singular"``: the operator norm), largest real eigenvalue
    (``"eigen"``), or largest eigenvalue of the symmetric part (``"sym"``: the max of
    ``x^T M x / |x|^2``)."""
    M = np.asarray(M, dtype=float)
    if kind == "singular":
        return float(np.linalg.svd(M, compute_uv=False)[0])
    if kind == "eigen":
        return float(np.max(np.linalg.eigvals(M).real))
    if kind == "sym":
        return float(np.linalg.eigvalsh((M + M.T) / 2)[-1])
    raise ValueError(f"unknown kind {kind!r}")


def lam_min(M: Any, kind: str = "singular") -> float:
    """Smallest singular value / smallest real eigenvalue / smallest eigenvalue of the symmetric part."""
    M = np.asarray(M, dtype=float)
    if kind == "singular":
        return float(np.linalg.svd(M, compute_uv=False)[-1])
    if kind == "eigen":
        return float(np.min(np.linalg.eigvals(M).real))
    if kind == "sym":
        return float(np.linalg.eigvalsh((M + M.T) / 2)[0])
    raise ValueError(f"unknown kind {kind!r}")


def spectral_err(entry_err: float, size: int) -> float:
    """Bound on the change of any eigen/singular value when every entry moves by <= entry_err
    (Weyl: |dlambda| <= |dM|_2 <= |dM|_F <= size * entry_err)."""
    return float(entry_err) * size


# ------------------------------------------------------------------ exact rationals
@dataclass
class PSDCertificate:
    """Result of :func:`certify_psd`: ``psd`` True with the exact pivots, or False with a rational
    ``witness`` ``x`` such that ``x^T M x = value < 0`` exactly."""

    psd: bool
    pivots: list = field(default_factory=list)
    witness: list | None = None
    value: Fraction | None = None


def certify_psd(M: Any) -> PSDCertificate:
    """Exact PSD decision for a symmetric rational matrix by symmetric Gaussian elimination (LDL^T
    with diagonal pivoting).  Not PSD comes with an exact witness vector."""
    A = fmat(M)
    n = len(A)
    if any(len(row) != n for row in A):
        raise NumericError("a square matrix is required")
    for i in range(n):
        for j in range(i):
            if A[i][j] != A[j][i]:
                raise NumericError("certify_psd needs a symmetric matrix")
    orig = [row[:] for row in A]
    E = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]  # rows: transformed basis vectors
    active = list(range(n))
    pivots = []

    def witness(x):
        val = sum(x[i] * orig[i][j] * x[j] for i in range(n) for j in range(n))
        return PSDCertificate(False, pivots, x, val)

    while active:
        # a negative diagonal entry is an immediate witness: E_p^T M E_p = A[p][p]
        for p in active:
            if A[p][p] < 0:
                return witness(E[p][:])
        p = max(active, key=lambda q: A[q][q])
        if A[p][p] == 0:
            # all remaining diagonals are 0: PSD only if the remaining block is 0
            for a in active:
                for b in active:
                    if A[a][b] != 0:
                        # x = t e_a + e_b: x^T A x = 2 t A_ab (diagonals 0) < 0 with t = -1/A_ab
                        t = -1 / A[a][b]
                        return witness([t * E[a][i] + E[b][i] for i in range(n)])
            break
        pivots.append(A[p][p])
        active.remove(p)
        for q in active:
            f = A[q][p] / A[p][p]
            if f:
                for r in range(n):
                    A[q][r] -= f * A[p][r]
                for r in range(n):
                    A[r][q] -= f * A[r][p]
                E[q] = [E[q][i] - f * E[p][i] for i in range(n)]
    return PSDCertificate(True, pivots)


def rayleigh(M: Any, x: Any) -> Fraction:
    """Exact ``x^T M x / x^T x``: an upper bound of ``lambda_min`` and a lower bound of
    ``lambda_max`` of the symmetric part of ``M``."""
    xq = fvec(x)
    xx = dot(xq, xq)
    if xx == 0:
        raise ExactError("zero test vector")
    return quad(xq, M) / xx


def sigma_sq_lower(M: Any, x: Any) -> Fraction:
    """Exact ``|M x|^2 / |x|^2 <= sigma_max(M)^2``."""
    xq = fvec(x)
    xx = dot(xq, xq)
    if xx == 0:
        raise ExactError("zero test vector")
    Mx = matvec(fmat(M), xq)
    return dot(Mx, Mx) / xx


def sigma_max_lower_sq(M: Any) -> Fraction:
    """An exact rational lower bound of ``sigma_max(M)^2``: ``|M x|^2/|x|^2`` at the rounded top
    right singular vector (0 for the zero matrix)."""
    Mf = float_matrix(M)
    if not np.any(Mf):
        return Fraction(0)
    v = np.linalg.svd(Mf)[2][0]
    return sigma_sq_lower(M, rationalise(v))


def sym_lam_max_lower(M: Any) -> Fraction:
    """An exact lower bound of ``lambda_max(sym M) = max_x x^T M x / x^T x``."""
    Mf = float_matrix(M)
    v = np.linalg.eigh((Mf + Mf.T) / 2)[1][:, -1]
    return rayleigh(M, rationalise(v))


def frobenius_sq(B: Any):
    """``|B|_F^2 >= sigma_max(B)^2``, in the entries' own arithmetic (exact for rationals, a ball for Arb)."""
    return sum((x * x for row in B for x in row), 0)


def sigma_sq_bounds(B: Any) -> tuple[Fraction, Fraction]:
    """Exact ``lo <= sigma_max(B)^2 <= hi``: a rational test vector below, Frobenius above."""
    return sigma_max_lower_sq(B), frobenius_sq(B)


def sym_upper_candidate(Bs: Sequence[Any]) -> Fraction:
    """A rational just above ``max_B lambda_max(sym B)`` (floats: a candidate for :func:`sym_upper_holds`)."""
    lam = max(float(np.linalg.eigvalsh((float_matrix(B) + float_matrix(B).T) / 2)[-1]) for B in Bs)
    return Fraction(lam).limit_denominator(10**9) + Fraction(1, 10**9)


def sym_gap_certificate(c: Fraction, B: Any):
    """The exact LDL^T decision of ``c I - sym(B) >= 0``, i.e. ``x^T B x <= c |x|^2`` for all ``x``
    (a rational witness ``x`` when it fails)."""
    Bq = fmat(B)
    return certify_psd([[c * (r == s) - (Bq[r][s] + Bq[s][r]) / 2 for s in range(len(Bq))] for r in range(len(Bq))])


def sym_upper_holds(c: Fraction, Bs: Sequence[Any]) -> bool:
    """Exact: ``x^T B x <= c |x|^2`` for every ``B`` and ``x`` (so every eigenvalue's real part is ``<= c``)."""
    return all(sym_gap_certificate(c, B).psd for B in Bs)


def sym_upper_certified(Bs: Sequence[Any]) -> Fraction:
    """A certified rational upper bound of ``max_B lambda_max(sym B)`` (raised until LDL^T certifies)."""
    c = sym_upper_candidate(Bs)
    step = Fraction(1, 10**9)
    for _ in range(40):
        if sym_upper_holds(c, Bs):
            return c
        step *= 4
        c += step
    raise NumericError("could not certify an upper bound of the symmetric part's largest eigenvalue")

def spectral_norm_at_most(W: Any, gamma: Any) -> bool:
    """``|W|_2 <= gamma`` decided exactly for rational ``W``: ``gamma >= 0`` and ``gamma^2 I - W^T W`` is PSD."""
    g = to_fraction(gamma)
    if g < 0:
        return False
    Wq = fmat(W)
    cols = len(Wq[0]) if Wq else 0
    gram = [[g * g * (i == j) - sum((row[i] * row[j] for row in Wq), Fraction(0)) for j in range(cols)]
            for i in range(cols)]
    return certify_psd(gram).psd


# ------------------------------------------------------------------ Arb balls
def _cholesky_positive(M: list[list[arb]]) -> bool:
    """True only if the Arb Cholesky factorisation certifies ``M`` positive definite."""
    n = len(M)
    L = [[arb(0)] * n for _ in range(n)]
    for j in range(n):
        s = M[j][j]
        for k in range(j):
            s = s - L[j][k] * L[j][k]
        if not s > 0:  # Arb comparison: True only when the whole ball is positive
            return False
        L[j][j] = s.sqrt()
        for i in range(j + 1, n):
            t = M[i][j]
            for k in range(j):
                t = t - L[i][k] * L[j][k]
            L[i][j] = t / L[j][j]
    return True


def lambda_min_enclosure(H_arb: list[list[arb]], H_float: np.ndarray | None = None,
                         rel: float = 1e-9, prec: int = 128) -> tuple[Fraction, Fraction]:
    """Exact rational ``lo, hi`` with ``lo <= lambda_min(H) <= hi`` for a symmetric matrix of balls.

    ``lo``: the largest tried ``mu`` such that ``H - mu I`` is certified positive definite (Arb
    Cholesky), or ``-inf`` represented by a very negative bound when none is. ``hi``: the Rayleigh
    quotient of the float eigenvector, evaluated in Arb (its upper endpoint).
    """
    n = len(H_arb)
    if H_float is None:
        H_float = np.array([[float(x.mid()) for x in row] for row in H_arb])
    w, V = np.linalg.eigh(H_float)
    lam = float(w[0])
    old = flint_ctx.prec
    flint_ctx.prec = prec
    try:
        lo = None
        for shrink in (rel, 1e-6, 1e-3, 1e-1):
            mu = Fraction(lam - shrink * max(abs(lam), 1e-12))
            mu_arb = fraction_to_arb(mu)
            M = [[H_arb[i][j] - (mu_arb if i == j else 0) for j in range(n)] for i in range(n)]
            if _cholesky_positive(M):
                lo = mu
                break
        if lo is None:
            lo = Fraction(-(10**9))
        v = [fraction_to_arb(Fraction(float(c))) for c in V[:, 0]]
        num = arb(0)
        for i in range(n):
            for j in range(n):
                num += v[i] * H_arb[i][j] * v[j]
        den = sum((c * c for c in v), arb(0))
        hi = arb_endpoints(num / den)[1]
        return lo, hi
    finally:
        flint_ctx.prec = old


def spectral_norm_bounds(A_arb: list[list[arb]]) -> tuple[Fraction, Fraction]:
    """Rational ``lo <= ||A||_2 <= hi`` for a symmetric matrix of Arb balls: ``||A||_2`` is the larger of
    ``lambda_max(A) = -lambda_min(-A)`` and ``-lambda_min(A)``, each enclosed by :func:`lambda_min_enclosure`."""
    n = len(A_arb)
    l1, h1 = lambda_min_enclosure(A_arb)
    l2, h2 = lambda_min_enclosure([[-A_arb[i][j] for j in range(n)] for i in range(n)])
    return max(-h1, -h2, Fraction(0)), max(-l1, -l2)
