"""The extremal quantity ``m_min`` over all weights at a given angle, and which way its error goes.

Def. 3.2 of Park et al. (2019): ``m_min(phi) = min_{angle(w_i, w_i*) = phi for all i} lambda_min(B_000)``
(``n = 1``: ``lambda_min(R_{w,w*})``). The safe-side lower bounds of ``m_ex`` and the Gaussian closed
forms of ``m_min``/``m_max`` are that paper's model (``lemmas/park2019/model.py``).

Region moments are invariant under positive scaling of each ``w_i``, so the set is parametrised
by unit directions ``w_i = cos(phi) w_i*/|w_i*| + sin(phi) u_i`` with ``u_i`` a unit vector
orthogonal to ``w_i*``.  For ``k = 2`` each ``u_i`` is one of two vectors, so the set is finite
(``2^n`` configurations) and the extremum is computed by enumeration -- **exact** up to the
stated error of each region moment.  For ``k >= 3`` the set is a product of spheres; we optimise
(random restarts + Nelder--Mead) and the result errs on a known side: an optimised **min** is an
**upper** bound of the true min (``side="upper"``), an optimised max a **lower** bound. A verdict
may rest on an :class:`Estimate` only if the direction in which it may err cannot flip it.

``lambda_min`` may be read as a singular value or an eigenvalue (``kind``, see
:func:`proofcheck.ml.spectral.lam_min`).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from scipy import optimize

from proofcheck.ml.geometry import GeometryError
from proofcheck.ml.networks import as_weights, batch_block_matrices, block_matrix, config_at_angle
from proofcheck.ml.spectral import lam_max, lam_min, spectral_err
from proofcheck.store.codec import storable


# ------------------------------------------------------------------ estimates and their sides
@storable
@dataclass(frozen=True)
class Estimate:
    """``value`` of an extremum with ``side``:

    * ``"exact"``: the true value, up to ``err`` (absolute, in both directions);
    * ``"lower"``: ``value - err <= true value`` (e.g. an optimised max);
    * ``"upper"``: ``true value <= value + err`` (e.g. an optimised min).

    ``argbest`` is the configuration attaining ``value`` (a ``k x n`` array of directions)."""

    value: float
    side: str
    err: float = 0.0
    argbest: Any = None
    evaluations: int = 0
    note: str = ""

    def __post_init__(self):
        if self.side not in ("exact", "lower", "upper"):
            raise ValueError(f"side must be exact, lower or upper, not {self.side!r}")

    def to_json(self) -> dict:
        return {"value": self.value, "side": self.side, "err": self.err, "note": self.note,
                "evaluations": self.evaluations,
                "argbest": None if self.argbest is None else np.asarray(self.argbest, dtype=float).tolist()}

    @classmethod
    def from_json(cls, d: dict) -> "Estimate":
        return cls(d["value"], d["side"], d.get("err", 0.0), None if d.get("argbest") is None else np.array(d["argbest"]),
                   d.get("evaluations", 0), d.get("note", ""))


# ------------------------------------------------------------------ spectra
# ------------------------------------------------------------------ exact certificates
# ------------------------------------------------------------------ configurations at angle phi
def _k2_configs(W_star: np.ndarray, phi):
    k, n = W_star.shape
    perp = np.stack([-W_star[1], W_star[0]])  # columns rotated by +90 degrees
    for signs in itertools.product((1.0, -1.0), repeat=n):
        yield config_at_angle(W_star, phi, perp * np.array(signs)[None, :])


def _configs_at_angle_batch(Ws: np.ndarray, phi: float, U: np.ndarray) -> np.ndarray:
    """Vectorised :func:`config_at_angle` for ``U`` of shape ``(N, k, n)`` (draws parallel to some
    ``w_i*`` are nudged)."""
    S = Ws / np.linalg.norm(Ws, axis=0)[None, :]
    V = U - np.einsum("Nki,ki->Ni", U, S)[:, None, :] * S[None]
    nv = np.linalg.norm(V, axis=1)
    bad = nv < 1e-6 * np.maximum(np.linalg.norm(U, axis=1), 1e-300)
    if bad.any():
        U = U + rng_nudge(U.shape) * bad[:, None, :]
        V = U - np.einsum("Nki,ki->Ni", U, S)[:, None, :] * S[None]
        nv = np.linalg.norm(V, axis=1)
    V = V / nv[:, None, :]
    V = V - np.einsum("Nki,ki->Ni", V, S)[:, None, :] * S[None]  # second Gram-Schmidt pass
    nv = np.linalg.norm(V, axis=1)
    return math.cos(phi) * S[None] + math.sin(phi) * V / nv[:, None, :]


def rng_nudge(shape) -> np.ndarray:
    """A fixed pseudo-random nudge (deterministic) for draws parallel to a teacher vector."""
    return 0.1 * np.random.default_rng(12345).standard_normal(shape)


def _config_at_angle_safe(Ws, phi, U):
    try:
        return config_at_angle(Ws, phi, U)
    except GeometryError:  # a draw parallel to some w_i*: nudge it
        return config_at_angle(Ws, phi, U + rng_nudge(U.shape))


def extremum(objective: Callable[[np.ndarray], tuple[float, float]], W_star: Any, phi: float, sense: str,
             rng=None, restarts: int = 8, maxiter: int = 400, screen: int = 256, rounds: int = 40,
             polish: int = 2, polish_iter: int = 300) -> Estimate:
    """Extremum of ``objective(W) -> (value, err)`` over ``{W : angle(w_i, w_i*) = phi for all i}``.

    ``k = 2``: exact enumeration of the ``2^n`` configurations (``side="exact"``).  Otherwise the
    best of random restarts refined by Nelder--Mead (``side="lower"`` for a max, ``"upper"`` for a
    min); when ``objective.batch`` exists (a vectorised ``(N, k, n) -> (N,)`` form): the best
    ``restarts`` of ``screen`` random configurations are improved by ``rounds`` of batched random
    local search, and the best ``polish`` of them by a short Nelder--Mead.  ``phi`` in ``{0, pi}`` makes the set a single configuration (exact)."""
    if sense not in ("max", "min"):
        raise ValueError("sense must be 'max' or 'min'")
    Ws = as_weights(W_star, "W_star")
    k, n = Ws.shape
    sgn = 1.0 if sense == "max" else -1.0
    phi = float(phi)
    if not (0.0 <= phi <= math.pi) or not math.isfinite(phi):
        raise GeometryError(f"angle phi = {phi} outside [0, pi]")
    if phi in (0.0, math.pi) or k == 1:
        W = Ws * math.cos(phi) / np.linalg.norm(Ws, axis=0)[None, :]
        v, e = objective(W)
        return Estimate(v, "exact", e, W, 1)
    if k == 2:
        best, best_e, best_W, count = -math.inf, 0.0, None, 0
        for W in _k2_configs(Ws, phi):
            v, e = objective(W)
            count += 1
            if sgn * v > best:
                best, best_e, best_W = sgn * v, e, W
        return Estimate(sgn * best, "exact", best_e, best_W, count, "k = 2: all 2^n configurations enumerated")
    rng = np.random.default_rng(0) if rng is None else rng
    count = 0

    def f(x):
        nonlocal count
        count += 1
        try:
            W = config_at_angle(Ws, phi, x.reshape(k, n))
        except GeometryError:
            return 1e9
        v, e = objective(W)
        return -sgn * v

    # starting points: the best of a vectorised random screen when the objective has a batch form,
    # improved by batched random local search (shrinking steps); Nelder--Mead polishes the best few
    starts = [rng.standard_normal(k * n) for _ in range(restarts)]
    batch = getattr(objective, "batch", None)
    if batch is not None and screen > 0:
        def evaluate(X):
            return -sgn * np.asarray(batch(_configs_at_angle_batch(Ws, phi, X.reshape(-1, k, n))))  # minimise

        X = rng.standard_normal((screen, k * n))
        vals = evaluate(X)
        count += screen
        top = np.argsort(vals)[:restarts]
        cur, cur_v = X[top].copy(), vals[top].copy()
        step = 0.5
        for _ in range(rounds):
            prop = cur[:, None, :] + step * rng.standard_normal((len(cur), 16, k * n))
            pv = evaluate(prop.reshape(-1, k * n)).reshape(len(cur), 16)
            count += pv.size
            j = np.argmin(pv, axis=1)
            better = pv[np.arange(len(cur)), j] < cur_v
            cur[better] = prop[np.arange(len(cur)), j][better]
            cur_v[better] = pv[np.arange(len(cur)), j][better]
            step *= 0.8
        starts = [cur[t] for t in np.argsort(cur_v)[:max(1, polish)]]
        maxiter = min(maxiter, polish_iter)
    best = None
    for x0 in starts:
        res = optimize.minimize(f, x0, method="Nelder-Mead", options={"maxiter": maxiter, "xatol": 1e-7, "fatol": 1e-12})
        x = res.x
        W = _config_at_angle_safe(Ws, phi, x.reshape(k, n))
        v, e = objective(W)
        if best is None or sgn * v > sgn * best[0]:
            best = (v, e, W)
    v, e, W = best
    return Estimate(v, "lower" if sense == "max" else "upper", e, W, count,
                    f"best of {restarts} Nelder-Mead restarts: a {'max is a lower' if sense == 'max' else 'min is an upper'} bound")


def _lam_obj(dist, W_star, klm, which: str, kind: str):
    Ws = as_weights(W_star, "W_star")

    def obj(W):
        B, e = block_matrix(dist, W, Ws, *klm)
        v = lam_max(B, kind) if which == "max" else lam_min(B, kind)
        return v, spectral_err(e, B.shape[0])

    def batch(Wb):
        Bs = batch_block_matrices(dist, Wb, np.broadcast_to(Ws, Wb.shape), [tuple(klm)])[tuple(klm)]
        return _batch_spectrum(Bs, which, kind)

    obj.batch = batch
    return obj


def _batch_spectrum(Bs: np.ndarray, which: str, kind: str) -> np.ndarray:
    if kind == "singular":
        sv = np.linalg.svd(Bs, compute_uv=False)
        return sv[:, 0] if which == "max" else sv[:, -1]
    if kind == "sym":
        ev = np.linalg.eigvalsh((Bs + Bs.transpose(0, 2, 1)) / 2)
        return ev[:, -1] if which == "max" else ev[:, 0]
    ev = np.linalg.eigvals(Bs).real
    return ev.max(axis=1) if which == "max" else ev.min(axis=1)


def m_min(dist, phi: float, W_star: Any, kind: str = "singular", **opt) -> Estimate:
    """``min_{angle(w_i, w_i*) = phi} lambda_min(B_000)`` (n = 1: ``lambda_min(R_{w,w*})``)."""
    return extremum(_lam_obj(dist, W_star, (0, 0, 0), "min", kind), W_star, phi, "min", **opt)


# ------------------------------------------------------------------ Gaussian closed forms (n = 1)
