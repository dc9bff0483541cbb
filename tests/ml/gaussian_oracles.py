"""Closed forms used as independent test oracles for the Gaussian cone code (FACTS.md).

No claim uses them (sampling, :func:`monte_carlo_moment`, is a test too): they check :mod:`proofcheck.ml.geometry`'s cone moments and the extremal
quantities against formulas derived separately (Sheppard's orthant law, the wedge second moment).
"""
import math
from typing import Any

import numpy as np

from proofcheck.ml.geometry import GeometryError, as_normals


def angle(a: Any, b: Any) -> float:
    """The angle in ``[0, pi]`` between two vectors (atan2 form: accurate near 0 and pi)."""
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise GeometryError("vector contains NaN or infinity")
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        raise GeometryError("angle undefined for a zero vector")
    ua, ub = a / na, b / nb
    return float(2.0 * math.atan2(np.linalg.norm(ua - ub), np.linalg.norm(ua + ub)))


def sheppard_prob(theta: float) -> float:
    """``P(u^T g >= 0, v^T g >= 0) = (pi - theta) / (2 pi)`` for unit ``u, v`` at angle theta."""
    return (math.pi - theta) / (2.0 * math.pi)


def wedge_moment_closed_form(u: Any, v: Any) -> np.ndarray:
    """FACTS.md: ``E[g g^T 1{u^T g>=0, v^T g>=0}]`` for ``g ~ N(0, I)``, with the limits
    ``theta = 0`` (half-space: ``I/2``) and ``theta = pi`` (a hyperplane: ``0``) handled."""
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    th = angle(u, v)
    u = u / np.linalg.norm(u)
    v = v / np.linalg.norm(v)
    k = u.size
    if th == 0.0:
        return 0.5 * np.eye(k)
    if th == math.pi:
        return np.zeros((k, k))
    c, s = math.cos(th), math.sin(th)
    return sheppard_prob(th) * np.eye(k) + (np.outer(u, v) + np.outer(v, u) - c * (np.outer(u, u) + np.outer(v, v))) / (2 * math.pi * s)


def gaussian_wedge_eigs(theta: float) -> tuple[float, float, float]:
    """Eigenvalues of ``E[g g^T 1{R(u, v)}]`` for ``g ~ N(0, I)`` and ``angle(u, v) = theta``:
    ``((pi - theta - sin theta)/(2 pi), (pi - theta + sin theta)/(2 pi))`` in the plane of ``u, v``
    and ``(pi - theta)/(2 pi)`` on its complement."""
    return ((math.pi - theta - math.sin(theta)) / (2 * math.pi), (math.pi - theta + math.sin(theta)) / (2 * math.pi),
            (math.pi - theta) / (2 * math.pi))


def monte_carlo_moment(sample: np.ndarray, normals: Any, z_crit: float = 3.29) -> tuple[np.ndarray, float, float, float]:
    """``(M, P, err_M, err_P)`` from samples (rows): entrywise CLT half-widths at ``z_crit``
    standard errors (3.29 ~ 99.9% per entry).  A statistical statement, never exact."""
    X = np.asarray(sample, dtype=float)
    A = as_normals(normals, X.shape[1])
    ind = np.all(X @ A.T >= 0, axis=1).astype(float)
    n = X.shape[0]
    prods = np.einsum("ni,nj->nij", X, X) * ind[:, None, None]
    M = prods.mean(axis=0)
    sd = prods.reshape(n, -1).std(axis=0, ddof=1).max() if n > 1 else float("inf")
    P = float(ind.mean())
    sdp = float(ind.std(ddof=1)) if n > 1 else float("inf")
    return M, P, float(z_crit * sd / math.sqrt(n)), float(z_crit * sdp / math.sqrt(n))
