"""Extremal spectral quantities over all weights at a given angle, and which way their errors go.

The smoothness constants of an input distribution are extrema over a *set of weights*::

    m_min(phi) = min_{angle(w_i, w_i*) = phi for all i} lambda_min(B_000)    (n = 1: R_{w,w*})
    m_max(phi) = max_{same set}                         lambda_max(B_000)
    m_ex(phi)  = max_{klm in {100, 001, 010, 110}} max_{same set} lambda_max(B_klm) / phi
    alpha(phi) = max_{same set} lambda_max(B_101) / phi
    beta(phi)  = max_{same set} max_i max(P[R(w_i, -w_i*)], P[R(-w_i, w_i*)]) / phi

Region moments are invariant under positive scaling of each ``w_i``, so the set is parametrised
by unit directions ``w_i = cos(phi) w_i*/|w_i*| + sin(phi) u_i`` with ``u_i`` a unit vector
orthogonal to ``w_i*``.  For ``k = 2`` each ``u_i`` is one of two vectors, so the set is finite
(``2^n`` configurations) and the extremum is computed by enumeration -- **exact** up to the
stated error of each region moment.  For ``k >= 3`` the set is a product of spheres; we optimise
(random restarts + Nelder--Mead) and the result errs on a known side:

* an optimised **max** is attained by some configuration, so it is a **lower** bound of the true
  max (``side="lower"``);
* an optimised **min** is an **upper** bound of the true min (``side="upper"``).

Soundness rule (use :func:`safe_for`): a verdict may rest on an :class:`Estimate` only if the
direction in which it may err cannot flip the verdict.  E.g. "the printed step size bound is never
positive because ``m_min(phi) - 10 m_ex <= 0``" needs an *upper* bound of ``m_min`` and a *lower*
bound of ``m_ex``: an optimised min (upper bound) and an optimised max (lower bound) are both safe.
"Assumption holds with constant c" needs an upper bound of the max: an optimised max is unsafe.

``lambda_max``/``lambda_min``: the source may define them as singular values; both readings are
available (:func:`lam_max` with ``kind="singular"`` or ``"eigen"``).  Exact certificates for
rational symmetric matrices: :func:`certify_psd` (exact ``LDL^T``), :func:`certify_lam_max_gt`.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

import numpy as np
from scipy import optimize

from proofcheck.ml.geometry import GeometryError
from proofcheck.ml.networks import as_weights, batch_block_matrices, block_matrix, block_matrix_exact, config_at_angle
from proofcheck.store.codec import storable
from proofcheck.model.num import NumericError, to_fraction

EX_KLM = [(1, 0, 0), (0, 0, 1), (0, 1, 0), (1, 1, 0)]


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

    def scaled(self, c: float) -> "Estimate":
        if c < 0:
            flip = {"lower": "upper", "upper": "lower", "exact": "exact"}[self.side]
            return Estimate(self.value * c, flip, self.err * -c, self.argbest, self.evaluations, self.note)
        return Estimate(self.value * c, self.side, self.err * c, self.argbest, self.evaluations, self.note)

    def to_json(self) -> dict:
        return {"value": self.value, "side": self.side, "err": self.err, "note": self.note,
                "evaluations": self.evaluations,
                "argbest": None if self.argbest is None else np.asarray(self.argbest, dtype=float).tolist()}

    @classmethod
    def from_json(cls, d: dict) -> "Estimate":
        return cls(d["value"], d["side"], d.get("err", 0.0), None if d.get("argbest") is None else np.array(d["argbest"]),
                   d.get("evaluations", 0), d.get("note", ""))


def safe_for(estimate: Estimate, need: str) -> bool:
    """May a verdict use ``estimate`` as a bound of the kind ``need`` (``"lower"`` or ``"upper"``)?

    ``need="upper"``: the verdict needs a number known to be >= the true value."""
    if need not in ("lower", "upper"):
        raise ValueError("need must be 'lower' or 'upper'")
    return estimate.side == "exact" or estimate.side == need


# ------------------------------------------------------------------ spectra
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


# ------------------------------------------------------------------ exact certificates
def _frac_matrix(M: Any) -> list[list[Fraction]]:
    M = np.asarray(M, dtype=object)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise NumericError("a square matrix is required")
    return [[to_fraction(x) for x in row] for row in M]


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
    A = _frac_matrix(M)
    n = len(A)
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


def certify_lam_min_ge(M: Any, c: Any) -> PSDCertificate:
    """``lambda_min(M) >= c`` exactly (symmetric rational M): ``M - c I`` is PSD."""
    A = _frac_matrix(M)
    cq = to_fraction(c)
    return certify_psd([[A[i][j] - (cq if i == j else 0) for j in range(len(A))] for i in range(len(A))])


def rational_vector(x: Any, denominator: int = 10**6) -> list[Fraction]:
    return [Fraction(round(float(v) * denominator), denominator) for v in np.asarray(x).ravel()]


def certify_lam_max_gt(M: Any, c: Any, x: Any = None, kind: str = "singular") -> tuple[bool, list[Fraction] | None, Fraction | None]:
    """Exact proof that ``lambda_max(M) > c`` by a rational test vector ``x``:

    * ``kind="sym"``/``"eigen"`` (symmetric M): ``x^T M x - c x^T x > 0``;
    * ``kind="singular"``: ``|M x|^2 - c^2 |x|^2 > 0`` (needs ``c >= 0``).

    ``x`` defaults to the rounded top eigen/singular vector.  Returns ``(holds, x, slack)``."""
    A = _frac_matrix(M)
    cq = to_fraction(c)
    Mf = np.array([[float(v) for v in row] for row in A])
    if x is None:
        if kind == "singular":
            x = np.linalg.svd(Mf)[2][0]
        else:
            x = np.linalg.eigh((Mf + Mf.T) / 2)[1][:, -1]
    xq = rational_vector(x) if not all(isinstance(v, Fraction) for v in np.asarray(x, dtype=object).ravel()) else list(x)
    n = len(A)
    xx = sum(v * v for v in xq)
    if xx == 0:
        return False, xq, None
    if kind == "singular":
        if cq < 0:
            return True, xq, None
        Mx = [sum(A[i][j] * xq[j] for j in range(n)) for i in range(n)]
        slack = sum(v * v for v in Mx) - cq * cq * xx
    else:
        slack = sum(xq[i] * A[i][j] * xq[j] for i in range(n) for j in range(n)) - cq * xx
    return slack > 0, xq, slack


# ------------------------------------------------------------------ configurations at angle phi
@dataclass(frozen=True)
class RationalAngle:
    """An angle given by rational ``cos`` and ``sin`` (``cos^2 + sin^2 = 1`` exactly), so that
    rotating a rational vector by it stays rational: ``pythagorean_angle(t)`` gives
    ``cos = (1 - t^2)/(1 + t^2)``, ``sin = 2t/(1 + t^2)``, i.e. ``phi = 2 atan t``."""

    cos: Fraction
    sin: Fraction

    def __post_init__(self):
        if self.cos ** 2 + self.sin ** 2 != 1 or self.sin < 0:
            raise GeometryError("RationalAngle needs cos^2 + sin^2 = 1 and sin >= 0")

    @property
    def value(self) -> float:
        return math.atan2(float(self.sin), float(self.cos))


def pythagorean_angle(t: Any) -> RationalAngle:
    t = to_fraction(t)
    if t < 0:
        raise GeometryError("pythagorean_angle needs t >= 0 (phi in [0, pi))")
    return RationalAngle((1 - t * t) / (1 + t * t), 2 * t / (1 + t * t))


def _k2_configs(W_star: np.ndarray, phi):
    k, n = W_star.shape
    if isinstance(phi, RationalAngle):
        # exact: w_i = cos * w_i* + sin * (+-) rot90(w_i*), rational when w_i* is (scale is irrelevant)
        Wq = np.array([[to_fraction(x) for x in row] for row in W_star], dtype=object)
        for signs in itertools.product((1, -1), repeat=n):
            W = np.empty((2, n), dtype=object)
            for i in range(n):
                W[0, i] = phi.cos * Wq[0, i] - signs[i] * phi.sin * Wq[1, i]
                W[1, i] = phi.cos * Wq[1, i] + signs[i] * phi.sin * Wq[0, i]
            yield W
        return
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
    if isinstance(phi, RationalAngle):
        if k != 2:
            raise GeometryError("exact rational angles are supported for k = 2 only")
        best, best_e, best_W, count = -math.inf, 0.0, None, 0
        for W in _k2_configs(W_star, phi):
            v, e = objective(W)
            count += 1
            if sgn * v > best:
                best, best_e, best_W = sgn * v, e, W
        return Estimate(sgn * best, "exact", best_e, best_W, count,
                        "k = 2, rational angle: all 2^n configurations, exact rational weights")
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
        W = np.asarray(W)
        if W.dtype == object:  # exact rational configuration
            if hasattr(dist, "atoms_q"):
                Bq = block_matrix_exact(dist, W, np.asarray(W_star, dtype=object), *klm)
                B = Bq.astype(float)
                v = lam_max(B, kind) if which == "max" else lam_min(B, kind)
                return v, 1e-13 * (1.0 + float(np.abs(B).max()))
            W = W.astype(float)
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


def m_max(dist, phi: float, W_star: Any, kind: str = "singular", **opt) -> Estimate:
    """``max_{angle(w_i, w_i*) = phi} lambda_max(B_000)``."""
    return extremum(_lam_obj(dist, W_star, (0, 0, 0), "max", kind), W_star, phi, "max", **opt)


def m_max_klm(dist, phi: float, W_star: Any, klm: tuple[int, int, int], kind: str = "singular", **opt) -> Estimate:
    """``max_{angle = phi} lambda_max(B_klm)`` (for n = 1, ``B_101 = R_{w,-w*}``: Thm 2.3's
    ``m_max^{w,-w*}``; ``B_000 = R_{w,w*}``; the other six are measure-zero events for continuous
    inputs)."""
    return extremum(_lam_obj(dist, W_star, klm, "max", kind), W_star, phi, "max", **opt)


def m_ex(dist, phi: float, W_star: Any, kind: str = "singular", **opt) -> Estimate:
    """Smallest ``m_ex`` with Assumption 3.3's first bound at this ``phi``:
    ``max_{klm in {100,001,010,110}} max_{angle = phi} lambda_max(B_klm) / phi``."""
    phi_f = phi.value if isinstance(phi, RationalAngle) else float(phi)
    if phi_f <= 0:
        raise GeometryError("m_ex(phi) = sup lambda_max / phi needs phi > 0")
    ests = [m_max_klm(dist, phi, W_star, klm, kind, **opt) for klm in EX_KLM]
    best = max(ests, key=lambda e: e.value)
    side = "exact" if all(e.side == "exact" for e in ests) else "lower"
    return Estimate(best.value / phi_f, side, best.err / phi_f, best.argbest, sum(e.evaluations for e in ests),
                    f"max over B_100, B_001, B_010, B_110; {best.note}")


def alpha(dist, phi: float, W_star: Any, kind: str = "singular", **opt) -> Estimate:
    """Smallest ``alpha`` with ``max_{angle = phi} lambda_max(B_101) <= alpha phi``."""
    phi_f = phi.value if isinstance(phi, RationalAngle) else float(phi)
    if phi_f <= 0:
        raise GeometryError("alpha(phi) = sup lambda_max / phi needs phi > 0")
    return m_max_klm(dist, phi, W_star, (1, 0, 1), kind, **opt).scaled(1.0 / phi_f)


def beta_config(dist, W: Any, W_star: Any) -> tuple[float, float]:
    """``max_i max(P[R(w_i, -w_i*)], P[R(-w_i, w_i*)])`` for one configuration (divide by phi for
    Thm 3.5's beta), with its error bound (exact for atoms with rational weights)."""
    if np.asarray(W).dtype == object and hasattr(dist, "prob_region_exact"):
        Wq, Wsq = np.asarray(W, dtype=object), np.asarray(W_star, dtype=object)
        best = max(dist.prob_region_exact(np.stack([s * Wq[:, i], -s * Wsq[:, i]]))
                   for i in range(Wq.shape[1]) for s in (1, -1))
        return float(best), 1e-16
    W = as_weights(W)
    Ws = as_weights(W_star, "W_star")
    best, err = 0.0, 0.0
    for i in range(W.shape[1]):
        for a, b in ((W[:, i], -Ws[:, i]), (-W[:, i], Ws[:, i])):
            p, e = dist.prob_region(np.stack([a, b]))
            best, err = max(best, p), max(err, e)
    return best, err


def beta(dist, phi: float, W_star: Any, **opt) -> Estimate:
    """Smallest ``beta`` with ``P[R(w_i,-w_i*)], P[R(-w_i,w_i*)] <= beta phi`` for all ``i`` and all
    configurations at angle ``phi``."""
    phi_f = phi.value if isinstance(phi, RationalAngle) else float(phi)
    if phi_f <= 0:
        raise GeometryError("beta(phi) needs phi > 0")
    return extremum(lambda W: beta_config(dist, W, W_star), W_star, phi, "max", **opt).scaled(1.0 / phi_f)


# ------------------------------------------------------------------ Gaussian closed forms (n = 1)
def gaussian_wedge_eigs(theta: float) -> tuple[float, float, float]:
    """Eigenvalues of ``E[g g^T 1{R(u, v)}]`` for ``g ~ N(0, I)`` and ``angle(u, v) = theta``:
    ``((pi - theta - sin theta)/(2 pi), (pi - theta + sin theta)/(2 pi))`` in the plane of ``u, v``
    and ``(pi - theta)/(2 pi)`` on its complement."""
    return ((math.pi - theta - math.sin(theta)) / (2 * math.pi), (math.pi - theta + math.sin(theta)) / (2 * math.pi),
            (math.pi - theta) / (2 * math.pi))
