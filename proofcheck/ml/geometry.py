"""Second moments of an input distribution on cones cut by a few half-spaces.

The central quantity is, for normals ``a_1..a_r`` (r <= 4 in practice)::

    M(a_1..a_r) = E[z z^T 1{a_1^T z >= 0, ..., a_r^T z >= 0}]      (boundary counts as inside)

and the probability ``P = E[1{...}]``.  How it is computed depends on the distribution:

* **finite atoms** (rational coordinates and weights): an exact finite sum in ``Fraction``; the
  sign test ``a^T z >= 0`` is decided exactly, so points on a boundary hyperplane count;
* **standard Gaussian**: deterministic and (up to float rounding) exact for cones of dimension
  <= 3, one smooth 1-D quadrature with a stated error for dimension 4.  The method:

  1. reduce to the span ``U`` of the normals: the complement of ``U`` is independent of the event,
     so it contributes ``P * I`` on ``U^perp`` (FACTS.md);
  2. inside ``U`` (dimension ``e``) use Gaussian integration by parts (divergence theorem with
     ``grad phi = -g phi``)::

        E[g 1_C]     = (2 pi)^(-1/2) sum_F  a_F * P_{e-1}(F)
        E[g g^T 1_C] = P(C) I + (2 pi)^(-1/2) sum_F  m_F a_F^T

     where ``F`` runs over the facets ``C ∩ a_F^perp`` (``a_F`` the unit inward normal) and
     ``P_{e-1}(F)``, ``m_F`` are the Gaussian measure and first moment of ``F`` inside its own
     hyperplane -- the same problem one dimension lower;
  3. ``P(C)``: ``e = 2`` arc length / 2 pi (Sheppard); ``e = 3`` solid angle of the spherical
     polygon (triangulated from an interior point, Van Oosterom--Strackee); ``e = 4`` Plackett's
     reduction ``dP/d rho_ij = phi_2(0,0;rho_ij) P(X_k, X_l >= 0 | X_i = X_j = 0)`` integrated
     along ``R(t) = I + t (R - I)`` by composite Gauss--Legendre on panels graded towards the
     singular end (the disagreement of two rules is reported as the error: an estimate).

  Accuracy: float rounding for ``e <= 2``; for ``e >= 3`` the facet terms are O(1) and cancel when
  normals are nearly parallel, so the stated error includes ``1e-16 / (smallest sine between two
  normals)`` (measured errors stay well below it; see ``tests/ml``).
  For two half-spaces this reproduces the closed form of FACTS.md (tested against it, and against
  Monte Carlo, in ``tests/ml``).

Every function returns an error bound next to its value: ``0`` means exact (Fractions), a float
rounding bound for the closed forms, the quadrature's estimate for ``e = 4``.  Rigorous (Arb) enclosures exist for planar cones with rational
normals (:func:`gaussian_cone2_arb`); many cones at once: :func:`batch_gaussian_cone`.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Sequence

import numpy as np
from flint import arb, ctx as flint_ctx

from proofcheck.model.num import NumericError, fraction_to_arb, to_fraction

SQRT_2PI = math.sqrt(2.0 * math.pi)
#: relative size below which a direction is treated as absent (normals parallel / outside a span).
RANK_TOL = 1e-12
#: float rounding allowance of the closed forms (relative to the size of the result).
ROUNDING = 1e-13


class GeometryError(NumericError):
    """A geometric input without a defined answer (zero normal vector, wrong shape, NaN)."""


# ------------------------------------------------------------------ input checks
def as_normals(normals: Any, k: int | None = None) -> np.ndarray:
    """``normals`` as a float ``(r, k)`` array; raises on NaN, wrong shape or a zero vector."""
    arr = np.asarray(normals, dtype=float)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise GeometryError(f"normals must be an (r, k) array, got shape {arr.shape}")
    if k is not None and arr.shape[1] != k:
        raise GeometryError(f"normals have dimension {arr.shape[1]}, the distribution has {k}")
    if not np.all(np.isfinite(arr)):
        raise GeometryError("normals contain NaN or infinity")
    if arr.shape[0] and np.any(np.all(arr == 0.0, axis=1)):
        raise GeometryError("angle undefined for a zero vector")
    return arr


def apply_signs(normals: np.ndarray, signs: Sequence[int] | None) -> np.ndarray:
    if signs is None:
        return normals
    s = np.asarray(signs, dtype=float)
    if s.shape != (normals.shape[0],) or not np.all(np.abs(s) == 1):
        raise GeometryError("signs must be one +1/-1 per normal")
    return normals * s[:, None]


# ------------------------------------------------------------------ FACTS.md closed forms
# ------------------------------------------------------------------ Gaussian cones
def gaussian_cone(normals: Any) -> tuple[float, np.ndarray, np.ndarray, float]:
    """``(P, E[g 1_C], E[g g^T 1_C], err)`` for ``g ~ N(0, I_k)`` and ``C = {A g >= 0}``.

    ``err`` bounds the absolute error of every entry (float rounding, the rank decisions and, for a
    4-dimensional cone, the quadrature)."""
    A = as_normals(normals)
    k = A.shape[1]
    if A.shape[0] == 0:
        return 1.0, np.zeros(k), np.eye(k), 0.0
    P, m1, M2, err = _cone(A / np.linalg.norm(A, axis=1)[:, None])
    return P, m1, M2, err + ROUNDING * (1.0 + float(np.max(np.abs(M2))))


def _unit_rows(A: np.ndarray) -> np.ndarray:
    """Normalise rows; drop rows that are numerically zero (a constraint ``0 >= 0``)."""
    n = np.linalg.norm(A, axis=1)
    keep = n > RANK_TOL
    return A[keep] / n[keep][:, None]


def _cone(A: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, float]:
    """Gaussian moments of ``{g in R^e : A g >= 0}`` (rows of A are unit or numerically zero)."""
    e = A.shape[1]
    A = _unit_rows(A)
    # duplicates (same direction) are one constraint; an opposite pair confines C to a hyperplane.
    rows: list[np.ndarray] = []
    for a in A:
        if any(np.linalg.norm(a - b) < RANK_TOL for b in rows):
            continue
        if any(np.linalg.norm(a + b) < RANK_TOL for b in rows):
            return 0.0, np.zeros(e), np.zeros((e, e)), 0.0
        rows.append(a)
    if not rows:
        return 1.0, np.zeros(e), np.eye(e), 0.0
    A = np.array(rows)
    # reduce to the span of the normals: the complement contributes P * I there.
    _, s, vt = np.linalg.svd(A)
    d = int(np.sum(s > RANK_TOL * s[0]))
    err = float(np.sum(s[d:])) * 4.0  # the neglected directions move each moment by O(s)
    if d < e:
        Q = vt[:d]  # (d, e) orthonormal rows spanning the normals
        P, m1, M2, err2 = _cone(A @ Q.T)
        return P, Q.T @ m1, Q.T @ M2 @ Q + P * (np.eye(e) - Q.T @ Q), err + err2
    if e == 1:
        a = float(A[0, 0])
        return 0.5, np.array([a / SQRT_2PI]), np.array([[0.5]]), err
    if e == 2:
        P, m1, M2 = _cone2(A)
        return P, m1, M2, err
    if e == 3:
        return _cone3(A, err + _conditioning(A))
    if e == 4 and A.shape[0] == 4:
        return _cone4(A, err)
    raise GeometryError(f"no deterministic Gaussian method for {A.shape[0]} normals spanning {e} dimensions")


def _conditioning(A: np.ndarray) -> float:
    """Rounding allowance of the facet decomposition for nearly parallel (or opposite) normals:
    projecting ``a_j`` onto ``a_i^perp`` loses ``1e-16 / sin(angle)`` of accuracy, and the facet
    terms (each O(1)) then cancel down to the result.  Empirically the error stays ~1000x below
    ``1e-16 / min sin``, which is what we state."""
    m = 1.0
    for i in range(len(A)):
        for j in range(i):
            m = min(m, float(np.linalg.norm(np.cross(A[i], A[j]))) if A.shape[1] == 3 else
                    math.sqrt(max(0.0, 1.0 - float(A[i] @ A[j]) ** 2)))
    return 1e-16 / max(m, 1e-300)


def _arc(A: np.ndarray) -> tuple[float, float] | None:
    """The arc ``[t1, t2]`` of angles with ``a_i . (cos t, sin t) >= 0`` for all rows, or None."""
    al = np.arctan2(A[:, 1], A[:, 0])
    lo, hi = al[0] - math.pi / 2, al[0] + math.pi / 2
    for a in al[1:]:
        d = (a - al[0] + math.pi) % (2 * math.pi) - math.pi  # representative in [-pi, pi)
        c = al[0] + d
        lo, hi = max(lo, c - math.pi / 2), min(hi, c + math.pi / 2)
        if hi < lo:
            return None
    return lo, hi


def _cone2(A: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    arc = _arc(A)
    if arc is None:
        return 0.0, np.zeros(2), np.zeros((2, 2))
    t1, t2 = arc
    L = t2 - t1
    # g = r (cos t, sin t), r ~ chi_2 independent of t ~ U[0, 2 pi): E r = sqrt(pi/2), E r^2 = 2.
    m1 = math.sqrt(math.pi / 2) / (2 * math.pi) * np.array([math.sin(t2) - math.sin(t1), math.cos(t1) - math.cos(t2)])
    s2 = (math.sin(2 * t2) - math.sin(2 * t1)) / 2
    cc = (L + s2) / 2
    ss = (L - s2) / 2
    cs = (math.sin(t2) ** 2 - math.sin(t1) ** 2) / 2
    M2 = (2.0 / (2 * math.pi)) * np.array([[cc, cs], [cs, ss]])
    return L / (2 * math.pi), m1, M2


def _hyperplane_basis(a: np.ndarray) -> np.ndarray:
    """Orthonormal rows spanning ``a^perp`` (a unit)."""
    _, _, vt = np.linalg.svd(a[None, :])
    return vt[1:]


def _facets(A: np.ndarray):
    """For each row a_i: (a_i, basis of a_i^perp, the facet cone's moments in that basis)."""
    out = []
    for i, a in enumerate(A):
        B = _hyperplane_basis(a)
        others = np.delete(A, i, axis=0) @ B.T
        out.append((a, B, _cone(others) if len(others) else (1.0, np.zeros(B.shape[0]), np.eye(B.shape[0]), 0.0)))
    return out


def _moments_from_facets(P: float, facets, e: int, err: float):
    m1 = np.zeros(e)
    M2 = P * np.eye(e)
    for a, B, (PF, m1F, _, errF) in facets:
        m1 += a * PF / SQRT_2PI
        M2 += np.outer(B.T @ m1F, a) / SQRT_2PI
        err += errF
    M2 = (M2 + M2.T) / 2
    return P, m1, M2, err


def _cone3(A: np.ndarray, err: float):
    facets = _facets(A)
    # P: solid angle of the spherical polygon, triangulated from an interior point.
    edges = []
    for i, (a, B, _) in enumerate(facets):
        arc = _arc_of(np.delete(A, i, axis=0), B)
        if arc is not None and arc[1] > arc[0]:
            t1, t2 = arc
            edges.append((B.T @ np.array([math.cos(t1), math.sin(t1)]), B.T @ np.array([math.cos(t2), math.sin(t2)])))
    if not edges:
        return 0.0, np.zeros(3), np.zeros((3, 3)), err
    c = sum(v1 + v2 for v1, v2 in edges)
    nc = np.linalg.norm(c)
    if nc < RANK_TOL:
        return 0.0, np.zeros(3), np.zeros((3, 3)), err
    c = c / nc
    omega = 0.0
    for v1, v2 in edges:
        num = abs(float(np.dot(c, np.cross(v1, v2))))
        den = 1.0 + float(c @ v1 + v1 @ v2 + v2 @ c)
        omega += 2.0 * math.atan2(num, den)
    return _moments_from_facets(omega / (4 * math.pi), facets, 3, err)


def _arc_of(others: np.ndarray, B: np.ndarray):
    """Arc of a facet in the 2-D basis ``B`` cut by the other constraints (None if empty)."""
    proj = others @ B.T
    proj = _unit_rows(proj)
    if len(proj) == 0:
        return (0.0, 2 * math.pi)
    for i in range(len(proj)):
        for j in range(i):
            if np.linalg.norm(proj[i] + proj[j]) < RANK_TOL:
                return None
    return _arc(proj)


_GL_CACHE: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _gauss_legendre01(m: int) -> tuple[np.ndarray, np.ndarray]:
    if m not in _GL_CACHE:
        x, w = np.polynomial.legendre.leggauss(m)
        _GL_CACHE[m] = ((x + 1) / 2, w / 2)
    return _GL_CACHE[m]


_PAIRS4 = [((i, j), tuple(m for m in range(4) if m not in (i, j))) for i in range(4) for j in range(i + 1, 4)]


def _plackett_integrand(R: np.ndarray, s: np.ndarray, sin2: np.ndarray | None = None) -> np.ndarray:
    """``2 s f(1 - s^2)`` where ``f(t) = dP(R(t))/dt`` (vectorised over ``s``).  ``sin2[i, j]``:
    ``1 - R_ij^2`` computed without cancellation (from the normals' 2x2 minors) when available."""
    t = 1.0 - s * s
    total = np.zeros_like(s)
    for (i, j), (k, l) in _PAIRS4:
        rho = R[i, j]
        if rho == 0.0:
            continue
        tr = t * rho
        # det of the (i, j) block of R(t): 1 - t^2 rho^2 = (1 - t^2) + t^2 (1 - rho^2), no cancellation
        one_m_rho2 = (1.0 - rho * rho) if sin2 is None else sin2[i, j]
        det = np.maximum(s * s * (2.0 - s * s) + t * t * one_m_rho2, 1e-300)
        # C = t [[R_ki, R_kj], [R_li, R_lj]];  cond = R(t)_{kl block} - C S^{-1} C^T
        a, b, c, d = t * R[k, i], t * R[k, j], t * R[l, i], t * R[l, j]

        def quad(x1, x2, y1, y2):  # [x1 x2] S^{-1} [y1 y2]^T
            return (x1 * y1 - tr * (x1 * y2 + x2 * y1) + x2 * y2) / det

        ckk = 1.0 - quad(a, b, a, b)
        cll = 1.0 - quad(c, d, c, d)
        ckl = t * R[k, l] - quad(a, b, c, d)
        rc = np.clip(ckl / np.sqrt(np.maximum(ckk * cll, 1e-300)), -1.0, 1.0)
        total += rho / (2 * math.pi * np.sqrt(det)) * (0.25 + np.arcsin(rc) / (2 * math.pi))
    return 2.0 * s * total


def plackett_orthant4(R: np.ndarray | None = None, normals: np.ndarray | None = None) -> tuple[float, float]:
    """``P(X >= 0)`` for ``X ~ N(0, R)``, ``R`` a 4x4 correlation matrix, with an error estimate.

    Plackett (1954): ``dP/d rho_ij = phi_2(0, 0; rho_ij) P(X_k >= 0, X_l >= 0 | X_i = X_j = 0)``;
    integrate along ``R(t) = I + t (R - I)`` from ``P(I) = 1/16``.  With ``t = 1 - s^2`` the
    integrand is smooth except on the scale ``s ~ sqrt(lambda_min(R))`` (``R(t)`` nearly singular),
    so we use composite Gauss--Legendre on panels graded geometrically towards ``s = 0`` down to
    well below that scale.  The error reported is the disagreement of 20- and 40-node rules on each
    panel (an estimate, not a rigorous bound) plus a conditioning allowance ``1e-16/sqrt(lambda_min)``
    for the rounding of nearly dependent normals.  Give ``normals`` (4 x 4, rows) instead of ``R``
    for better accuracy with nearly parallel normals."""
    if R is None:
        if normals is None:
            raise GeometryError("plackett_orthant4 needs R or normals")
        R = np.zeros((4, 4))
    R = np.asarray(R, dtype=float)
    sin2 = None
    if R.shape == (4, 4) and normals is not None:
        A = np.asarray(normals, dtype=float)
        A = A / np.linalg.norm(A, axis=1)[:, None]
        R = A @ A.T
        sin2 = np.zeros((4, 4))
        for i in range(4):
            for j in range(4):
                m = np.outer(A[i], A[j])
                sin2[i, j] = float(np.sum(np.triu(m - m.T, 1) ** 2))  # Lagrange identity
        lam = max(float(np.linalg.svd(A, compute_uv=False)[-1]) ** 2, 1e-300)  # accurate lambda_min(R)
    else:
        lam = max(float(np.linalg.eigvalsh(R)[0]), 1e-300)
    s_lo = max(math.sqrt(lam) * 1e-4, 1e-150)
    edges = [1.0]
    while edges[-1] > s_lo:
        edges.append(edges[-1] / 4.0)
    edges.append(0.0)
    a = np.array(edges[1:])
    b = np.array(edges[:-1])
    x1, w1 = _gauss_legendre01(20)
    x2, w2 = _gauss_legendre01(40)
    h = (b - a)[:, None]
    s1 = (a[:, None] + h * x1[None, :]).ravel()
    s2 = (a[:, None] + h * x2[None, :]).ravel()
    with np.errstate(all="ignore"):
        v1 = (_plackett_integrand(R, s1, sin2).reshape(len(a), -1) * w1[None, :] * h).sum(axis=1)
        v2 = (_plackett_integrand(R, s2, sin2).reshape(len(a), -1) * w2[None, :] * h).sum(axis=1)
    P = 1.0 / 16.0 + float(v2.sum())
    if not math.isfinite(P):
        raise GeometryError("4-dimensional cone too close to degenerate for the deterministic method")
    return P, float(np.abs(v1 - v2).sum()) + 1e-16 / math.sqrt(lam) + 1e-15


def _cone4(A: np.ndarray, err: float):
    P, qerr = plackett_orthant4(normals=A)
    P = min(1.0, max(0.0, P))
    return _moments_from_facets(P, _facets(A), 4, err + qerr)


# ------------------------------------------------------------------ exact helpers
def exact_vector(v: Any) -> list[Fraction]:
    return [to_fraction(x) for x in np.asarray(v, dtype=object).ravel()]


def exact_dot(a: Sequence[Fraction], b: Sequence[Fraction]) -> Fraction:
    return sum((x * y for x, y in zip(a, b)), Fraction(0))


# ------------------------------------------------------------------ distribution-level front ends
# ------------------------------------------------------------------ vectorised Gaussian paths
def batch_cone2(normals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised planar cones: ``normals`` of shape ``(N, r, 2)`` -> ``(P (N,), M (N, 2, 2))`` for
    ``g ~ N(0, I_2)`` (arc lengths, as in :func:`gaussian_cone`; rounding error ~1e-15)."""
    A = np.asarray(normals, dtype=float)
    if np.any(np.all(A == 0, axis=-1)):
        raise GeometryError("angle undefined for a zero vector")
    al = np.arctan2(A[..., 1], A[..., 0])  # (N, r)
    d = (al - al[:, :1] + math.pi) % (2 * math.pi) - math.pi
    c = al[:, :1] + d
    t1 = c.max(axis=1) - math.pi / 2
    t2 = c.min(axis=1) + math.pi / 2
    L = np.maximum(t2 - t1, 0.0)
    t2 = t1 + L
    s2 = (np.sin(2 * t2) - np.sin(2 * t1)) / 2
    cs = (np.sin(t2) ** 2 - np.sin(t1) ** 2) / 2
    M = np.empty((A.shape[0], 2, 2))
    M[:, 0, 0] = (L + s2) / 2
    M[:, 1, 1] = (L - s2) / 2
    M[:, 0, 1] = M[:, 1, 0] = cs
    M /= math.pi
    return L / (2 * math.pi), M


def batch_wedge(U: np.ndarray, V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised FACTS.md wedge: rows of ``U, V`` (``(N, k)``) -> ``(P (N,), M (N, k, k))``,
    with the limits ``theta = 0`` (``I/2``) and ``theta = pi`` (``0``)."""
    U = np.asarray(U, dtype=float)
    V = np.asarray(V, dtype=float)
    nu, nv = np.linalg.norm(U, axis=1), np.linalg.norm(V, axis=1)
    if np.any(nu == 0) or np.any(nv == 0):
        raise GeometryError("angle undefined for a zero vector")
    u, v = U / nu[:, None], V / nv[:, None]
    th = 2 * np.arctan2(np.linalg.norm(u - v, axis=1), np.linalg.norm(u + v, axis=1))
    s, c = np.sin(th), np.cos(th)
    k = U.shape[1]
    P = (math.pi - th) / (2 * math.pi)
    S = np.einsum("ni,nj->nij", u, v)
    S = S + S.transpose(0, 2, 1) - c[:, None, None] * (np.einsum("ni,nj->nij", u, u) + np.einsum("ni,nj->nij", v, v))
    safe = s > 1e-300
    coef = np.where(safe, 1.0 / (2 * math.pi * np.where(safe, s, 1.0)), 0.0)
    M = P[:, None, None] * np.eye(k)[None] + coef[:, None, None] * S
    M[th == 0] = np.eye(k) / 2
    M[th == math.pi] = 0.0
    return P, M


def _batch_unit_dedupe(A: np.ndarray, active: np.ndarray):
    """Normalise rows, deactivate numerically-zero rows and later duplicates; flag cones with an
    opposite pair (confined to a hyperplane: measure zero)."""
    n = np.linalg.norm(A, axis=2)
    active = active & (n > RANK_TOL)
    U = A / np.where(n > 0, n, 1.0)[..., None]
    r = A.shape[1]
    flat = np.zeros(A.shape[0], dtype=bool)
    for j in range(r):
        for i in range(j):
            both = active[:, i] & active[:, j]
            dup = both & (np.linalg.norm(U[:, j] - U[:, i], axis=1) < RANK_TOL)
            active[:, j] &= ~dup
            flat |= both & (np.linalg.norm(U[:, j] + U[:, i], axis=1) < RANK_TOL)
    return U * active[..., None], active, flat


def batch_gaussian_cone(A: Any, active: np.ndarray | None = None):
    """Vectorised :func:`gaussian_cone` for many cones at once: ``A`` of shape ``(N, r, e)``
    (``e <= 4``; for ``e = 4`` at most 4 normals) -> ``(P (N,), m1 (N, e), M (N, e, e), err (N,))``.

    Same mathematics as the scalar path (reduction to the span, integration by parts over facets,
    arcs in 2-D, solid angles by triangulation in 3-D, Plackett in 4-D), tested against it."""
    A = np.asarray(A, dtype=float)
    N, r, e = A.shape
    if active is None:
        if np.any(np.all(A == 0, axis=2)):
            raise GeometryError("angle undefined for a zero vector")
        if not np.all(np.isfinite(A)):
            raise GeometryError("normals contain NaN or infinity")
        active = np.ones((N, r), dtype=bool)
    U, active, flat = _batch_unit_dedupe(A, active.copy())
    P = np.zeros(N)
    m1 = np.zeros((N, e))
    M = np.zeros((N, e, e))
    err = np.zeros(N)
    none = ~active.any(axis=1) & ~flat
    P[none] = 1.0
    M[none] = np.eye(e)
    todo = ~flat & ~none
    if not todo.any():
        return P, m1, M, err
    idx = np.nonzero(todo)[0]
    _, s, vt = np.linalg.svd(U[idx])
    d = np.sum(s > RANK_TOL * s[:, :1], axis=1)
    for dd in np.unique(d):
        sel = idx[d == dd]
        sub = d == dd
        dropped = 4.0 * s[sub, dd:].sum(axis=1)
        if dd < e:
            Q = vt[sub, :dd, :]  # (n', dd, e)
            Ap = np.einsum("nre,nde->nrd", U[sel], Q)
            p, q1, q2, qe = batch_gaussian_cone(Ap, active[sel])
            P[sel] = p
            m1[sel] = np.einsum("nde,nd->ne", Q, q1)
            proj = np.einsum("nde,ndf->nef", Q, Q)
            M[sel] = np.einsum("nde,ndg,ngf->nef", Q, q2, Q) + p[:, None, None] * (np.eye(e)[None] - proj)
            err[sel] = qe + dropped
        else:
            p, q1, q2, qe = _batch_full(U[sel], active[sel], e)
            P[sel], m1[sel], M[sel], err[sel] = p, q1, q2, qe + dropped
    return P, m1, M, err + ROUNDING * (1.0 + np.abs(M).max(axis=(1, 2)))


def _batch_arcs(U2: np.ndarray, active: np.ndarray):
    """Arcs of planar cones (N, r, 2) with masks: (t1, t2, L) with L = 0 when empty."""
    al = np.arctan2(U2[..., 1], U2[..., 0])
    first = np.argmax(active, axis=1)
    ref = al[np.arange(len(al)), first][:, None]
    c = ref + (al - ref + math.pi) % (2 * math.pi) - math.pi
    t1 = np.where(active, c, -np.inf).max(axis=1) - math.pi / 2
    t2 = np.where(active, c, np.inf).min(axis=1) + math.pi / 2
    L = np.maximum(t2 - t1, 0.0)
    return t1, t1 + L, L


def _arc_moments(t1, t2, L):
    m1 = math.sqrt(math.pi / 2) / (2 * math.pi) * np.stack([np.sin(t2) - np.sin(t1), np.cos(t1) - np.cos(t2)], axis=1)
    s2 = (np.sin(2 * t2) - np.sin(2 * t1)) / 2
    cs = (np.sin(t2) ** 2 - np.sin(t1) ** 2) / 2
    M = np.empty((len(L), 2, 2))
    M[:, 0, 0] = (L + s2) / 2
    M[:, 1, 1] = (L - s2) / 2
    M[:, 0, 1] = M[:, 1, 0] = cs
    return L / (2 * math.pi), m1, M / math.pi


def _batch_hyperplane_bases(U: np.ndarray) -> np.ndarray:
    """(N, e) unit vectors -> (N, e-1, e) orthonormal bases of their orthogonal complements."""
    _, _, vt = np.linalg.svd(U[:, None, :])
    return vt[:, 1:, :]


def _batch_full(U: np.ndarray, active: np.ndarray, e: int):
    N, r, _ = U.shape
    err = np.zeros(N)
    if e == 1:
        a = np.where(active, U[..., 0], 0.0).sum(axis=1)  # the one active normal, +-1
        return np.full(N, 0.5), (a / SQRT_2PI)[:, None], np.full((N, 1, 1), 0.5), err
    if e == 2:
        t1, t2, L = _batch_arcs(U, active)
        P, m1, M = _arc_moments(t1, t2, L)
        return P, m1, M, err
    # e = 3 or 4: facets
    P = np.zeros(N)
    m1 = np.zeros((N, e))
    M = np.zeros((N, e, e))
    facet_m1 = []
    edges = []
    for i in range(r):
        on = active[:, i]
        B = _batch_hyperplane_bases(U[:, i])  # (N, e-1, e)
        others = [j for j in range(r) if j != i]
        Ap = np.einsum("nre,nde->nrd", U[:, others], B)
        act = active[:, others] & on[:, None]
        if e == 3:
            nrm = np.linalg.norm(Ap, axis=2)
            act = act & (nrm > RANK_TOL)
            Ap = Ap / np.where(nrm > 0, nrm, 1.0)[..., None]
            opp = np.zeros(N, dtype=bool)
            for a_ in range(len(others)):
                for b_ in range(a_):
                    opp |= act[:, a_] & act[:, b_] & (np.linalg.norm(Ap[:, a_] + Ap[:, b_], axis=1) < RANK_TOL)
            t1, t2, L = _batch_arcs(Ap, act | ~act.any(axis=1, keepdims=True))
            L = np.where(on & ~opp & act.any(axis=1), L, 0.0)
            PF, mF, _ = _arc_moments(t1, t1 + L, L)
            v1 = np.einsum("nde,nd->ne", B, np.stack([np.cos(t1), np.sin(t1)], axis=1))
            v2 = np.einsum("nde,nd->ne", B, np.stack([np.cos(t1 + L), np.sin(t1 + L)], axis=1))
            edges.append((v1, v2, L > 0))
            errF = 0.0
        else:
            PF, mF, _, errF = batch_gaussian_cone(Ap, act)
            PF = np.where(on, PF, 0.0)
            mF = np.where(on[:, None], mF, 0.0)
        lifted = np.einsum("nde,nd->ne", B, mF)
        m1 += U[:, i] * (PF / SQRT_2PI)[:, None]
        facet_m1.append((lifted, U[:, i]))
        err = err + errF
    if e == 3:
        c = sum(np.where(ok[:, None], v1 + v2, 0.0) for v1, v2, ok in edges)
        nc = np.linalg.norm(c, axis=1)
        c = c / np.where(nc > 0, nc, 1.0)[:, None]
        omega = np.zeros(N)
        for v1, v2, ok in edges:
            num = np.abs(np.einsum("ne,ne->n", c, np.cross(v1, v2)))
            den = 1.0 + np.einsum("ne,ne->n", c, v1) + np.einsum("ne,ne->n", v1, v2) + np.einsum("ne,ne->n", v2, c)
            omega += np.where(ok, 2.0 * np.arctan2(num, den), 0.0)
        P = np.where(nc > RANK_TOL, omega / (4 * math.pi), 0.0)
        # conditioning allowance, as in the scalar path (_conditioning)
        msin = np.ones(N)
        for i in range(r):
            for j in range(i):
                both = active[:, i] & active[:, j]
                sn = np.linalg.norm(np.cross(U[:, i], U[:, j]), axis=1)
                msin = np.where(both, np.minimum(msin, sn), msin)
        err = err + 1e-16 / np.maximum(msin, 1e-300)
    else:
        P, qe = plackett_orthant4_batch(U)
        err = err + qe
    M = P[:, None, None] * np.eye(e)[None]
    for lifted, a in facet_m1:
        M += np.einsum("ne,nf->nef", lifted, a) / SQRT_2PI
    M = (M + M.transpose(0, 2, 1)) / 2
    return P, m1, M, err


def plackett_orthant4_batch(U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`plackett_orthant4` from unit normals ``U`` of shape ``(N, 4, 4)`` (one
    common graded mesh, fine enough for the worst-conditioned cone of the batch)."""
    U = np.asarray(U, dtype=float)
    N = U.shape[0]
    R = np.einsum("nie,nje->nij", U, U)
    sin2 = np.zeros((N, 4, 4))
    # Lagrange identity: |a x b|^2 = sum_{p<q} (a_p b_q - a_q b_p)^2
    for p in range(4):
        for q in range(p + 1, 4):
            sin2 += (U[:, :, None, p] * U[:, None, :, q] - U[:, :, None, q] * U[:, None, :, p]) ** 2
    lam = np.maximum(np.linalg.svd(U, compute_uv=False)[:, -1] ** 2, 1e-300)
    # panels graded by 4 down to sqrt(lambda_min) * 1e-4: cones with the same depth share a mesh
    depth = np.ceil(np.log(1.0 / np.maximum(np.sqrt(lam) * 1e-4, 1e-150)) / math.log(4.0)).astype(int)
    P = np.empty(N)
    E = np.empty(N)
    for dep in np.unique(depth):
        sel = depth == dep
        P[sel], E[sel] = _plackett_mesh(R[sel], sin2[sel], int(dep))
    E += 1e-16 / np.sqrt(lam) + 1e-15
    if not np.all(np.isfinite(P)):
        raise GeometryError("4-dimensional cone too close to degenerate for the deterministic method")
    return P, E


def _plackett_mesh(R: np.ndarray, sin2: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    N = R.shape[0]
    edges = [4.0 ** -i for i in range(depth + 1)] + [0.0]
    a = np.array(edges[1:])
    b = np.array(edges[:-1])
    h = (b - a)[:, None]
    vals = []
    for m_ in (20, 40):
        x, w = _gauss_legendre01(m_)
        s = (a[:, None] + h * x[None, :]).ravel()  # (S,)
        wt = (w[None, :] * h).ravel()
        t = 1.0 - s * s
        total = np.zeros((N, len(s)))
        with np.errstate(all="ignore"):
            for (i, j), (k, l) in _PAIRS4:
                rho = R[:, i, j][:, None]
                tr = t[None, :] * rho
                det = np.maximum((s * s * (2.0 - s * s))[None, :] + (t * t)[None, :] * sin2[:, i, j][:, None], 1e-300)
                tt = t[None, :]
                A_, B_ = tt * R[:, k, i][:, None], tt * R[:, k, j][:, None]
                C_, D_ = tt * R[:, l, i][:, None], tt * R[:, l, j][:, None]

                def quad(x1, x2, y1, y2):
                    return (x1 * y1 - tr * (x1 * y2 + x2 * y1) + x2 * y2) / det

                ckk = 1.0 - quad(A_, B_, A_, B_)
                cll = 1.0 - quad(C_, D_, C_, D_)
                ckl = tt * R[:, k, l][:, None] - quad(A_, B_, C_, D_)
                rc = np.clip(ckl / np.sqrt(np.maximum(ckk * cll, 1e-300)), -1.0, 1.0)
                term = rho / (2 * math.pi * np.sqrt(det)) * (0.25 + np.arcsin(rc) / (2 * math.pi))
                total += np.where(rho == 0.0, 0.0, term)
        vals.append((2.0 * s[None, :] * total) @ wt)
    return 1.0 / 16.0 + vals[1], np.abs(vals[0] - vals[1])


# ------------------------------------------------------------------ rigorous (Arb) planar cones
def wedge_moment_arb(u: Sequence[Any], v: Sequence[Any], prec: int = 128):
    """Rigorous Arb enclosure (k x k list of ``flint.arb``) of FACTS.md's Gaussian wedge moment
    ``E[g g^T 1{u^T g >= 0, v^T g >= 0}]`` for exact (rational) ``u, v`` that are not parallel."""


    uq = [to_fraction(x) for x in u]
    vq = [to_fraction(x) for x in v]
    saved = flint_ctx.prec
    flint_ctx.prec = prec
    try:
        uu = sum(x * x for x in uq)
        vv = sum(x * x for x in vq)
        uv = sum(x * y for x, y in zip(uq, vq))
        if uu == 0 or vv == 0:
            raise GeometryError("angle undefined for a zero vector")
        if uv * uv == uu * vv:
            raise GeometryError("wedge_moment_arb needs non-parallel u, v (use the theta = 0 or pi limit)")
        nu, nv = fraction_to_arb(uu).sqrt(), fraction_to_arb(vv).sqrt()
        c = fraction_to_arb(uv) / (nu * nv)
        s = fraction_to_arb(uu * vv - uv * uv).sqrt() / (nu * nv)
        th = arb.atan2(s, c) if hasattr(arb, "atan2") else c.acos()
        pi = arb.pi()
        P = (pi - th) / (2 * pi)
        ua = [fraction_to_arb(x) / nu for x in uq]
        va = [fraction_to_arb(x) / nv for x in vq]
        k = len(uq)
        out = []
        for i in range(k):
            row = []
            for j in range(k):
                S = ua[i] * va[j] + va[i] * ua[j] - c * (ua[i] * ua[j] + va[i] * va[j])
                row.append((P if i == j else arb(0)) + S / (2 * pi * s))
            out.append(row)
        return out
    finally:
        flint_ctx.prec = saved


def _rot90(a):
    return [-a[1], a[0]]


def gaussian_cone2_arb(normals: Any, prec: int = 128):
    """Rigorous Arb enclosure (2x2 list of ``flint.arb``) of ``E[g g^T 1{A g >= 0}]`` for
    ``g ~ N(0, I_2)`` and rational normals (rows of ``A``; floats are taken as the dyadic rationals
    they store).  The combinatorics are decided exactly in rationals: the cone is the plane, a
    half-plane, a wedge ``R(a_p, a_q)`` of two of the normals (then FACTS.md's formula in Arb), or
    has measure zero."""

    A = [[to_fraction(x) for x in row] for row in np.asarray(normals, dtype=object).reshape(-1, 2)]
    for a in A:
        if a[0] == 0 and a[1] == 0:
            raise GeometryError("angle undefined for a zero vector")
    zero = [[arb(0), arb(0)], [arb(0), arb(0)]]
    if not A:
        return [[arb(1), arb(0)], [arb(0), arb(1)]]

    def inside(r):
        return all(a[0] * r[0] + a[1] * r[1] >= 0 for a in A)

    def same_dir(u, v):
        return u[0] * v[1] - u[1] * v[0] == 0 and u[0] * v[0] + u[1] * v[1] > 0

    # all normals in one direction: a half-plane
    if all(same_dir(a, A[0]) for a in A):
        half = arb(1) / 2
        return [[half, arb(0)], [arb(0), half]]
    rays = []
    for a in A:
        for r in (_rot90(a), [-x for x in _rot90(a)]):
            if inside(r) and not any(same_dir(r, q) for q in rays):
                rays.append(r)
    if len(rays) != 2 or rays[0][0] * rays[1][1] - rays[0][1] * rays[1][0] == 0:
        return zero  # {0}, a ray or a line: measure zero
    r1, r2 = rays
    p = next(a for a in A if a[0] * r1[0] + a[1] * r1[1] == 0)
    q = next(a for a in A if a[0] * r2[0] + a[1] * r2[1] == 0)
    return wedge_moment_arb(p, q, prec)
