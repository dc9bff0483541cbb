"""Teacher-student two-layer ReLU networks and the block matrices of their population gradient.

The student ``f(W, .)`` and the teacher ``f(W*, .)`` are two networks of :mod:`proofcheck.ml.two_layer`
(every output weight 1, the scale ``1/n``; the exact forward pass is :func:`~proofcheck.ml.two_layer.output_exact`),
and the loss is taken in expectation over the input distribution (the population view), not summed over a
finite sample.

Conventions: ``W`` is a ``k x n`` array whose columns are the hidden weights ``w_1..w_n`` (input
dimension ``k``, ``n`` neurons); ``W_vec`` stacks the columns into ``R^{kn}`` (``W.T.ravel()``).

Two readings of the model (a paper may print one and compute with the other):

* ``"appendix"``: ``f(W, z) = (1/n) sum_{i=1..n} sigma(w_i^T z)`` -- average over the ``n`` neurons,
  which gives the factor ``1/n^2`` in the gradient;
* ``"printed"``: ``f(W, z) = (1/k) sum_{i=1..k} sigma(w_i^T z)`` -- normalisation by the *input*
  dimension and a sum to ``k``; defined only when ``k <= n`` (it then ignores neurons
  ``k+1..n``); :class:`ModelError` otherwise.

Loss ``l(W, z) = 1/2 (f(W, z) - f(W*, z))^2``; the ReLU derivative at 0 is taken as
``relu_grad_at_zero`` (default 1, matching the closed regions ``w^T z >= 0``; it only matters for
distributions with atoms on a boundary).

Regions and blocks: ``R(a, b) = {z : a^T z >= 0, b^T z >= 0}``;
``B_klm`` is the ``nk x nk`` block matrix with ``(i, j)`` block
``(1/n^2) E[z z^T 1{R(w_i, (-1)^k w_i*)} 1{R((-1)^l w_j, (-1)^m w_j*)}]``.
``B_000`` and ``B_101`` are symmetric (the region of block ``(i, j)`` is that of ``(j, i)``); the
others are in general not.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from proofcheck.ml.distributions import FiniteAtoms, Gaussian, StandardGaussian, UniformSphere
from proofcheck.ml.geometry import (ROUNDING, GeometryError, batch_cone2, batch_gaussian_cone, batch_wedge, exact_dot,
                       exact_vector)
from proofcheck.ml.two_layer import descent_step, output_exact
from proofcheck.model.num import NumericError, to_fraction

KLM_ALL = [(k, l, m) for k in (0, 1) for l in (0, 1) for m in (0, 1)]


class ModelError(NumericError):
    """A network that cannot be evaluated as asked (shapes, undefined neurons, NaN)."""


def as_weights(W: Any, name: str = "W") -> np.ndarray:
    arr = np.asarray(W, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ModelError(f"{name} must be a k x n array")
    if not np.all(np.isfinite(arr)):
        raise ModelError(f"{name} contains NaN or infinity")
    return arr


def vec(W: Any) -> np.ndarray:
    """``W_vec = [w_1^T, ..., w_n^T]`` (columns stacked)."""
    return np.asarray(W).T.ravel()


def unvec(v: Any, k: int) -> np.ndarray:
    v = np.asarray(v)
    return v.reshape(-1, k).T


def _reading(k: int, n: int, reading: str) -> tuple[int, Fraction]:
    """(how many neurons the model sums over, its normalisation constant) for input dim k, n neurons."""
    if reading == "appendix":
        return n, Fraction(1, n)
    if reading == "printed":
        if k > n:
            raise ModelError(f"eq. (2.1) as printed sums w_1..w_k, but only n = {n} < k = {k} neurons exist")
        return k, Fraction(1, k)
    raise ModelError(f"unknown reading {reading!r} (use 'appendix' or 'printed')")


def _neurons(W: np.ndarray, reading: str) -> tuple[np.ndarray, float]:
    """(the columns the model sums over, its normalisation constant)."""
    use, c = _reading(*W.shape, reading)
    return W[:, :use], float(c)


# ------------------------------------------------------------------ population quantities
def _exact_cols(W: Any) -> list[list[Fraction]]:
    arr = np.asarray(W, dtype=object)
    if arr.ndim == 1:
        arr = arr[:, None]
    return [[to_fraction(x) for x in arr[:, i]] for i in range(arr.shape[1])]


def population_gradient(dist, W: Any, W_star: Any, reading: str = "appendix") -> tuple[np.ndarray, float]:
    """``E[nabla_W l(W, z)]`` computed *directly* (``k x n``, error bound).

    The two-half-space form
    ``E nabla_{w_i} l = c^2 sum_j (E[zz^T 1{w_i>=0, w_j>=0}] w_j - E[zz^T 1{w_i>=0, w_j*>=0}] w_j*)``
    (exact for atoms up to the final float sum; closed form for Gaussians).  A zero column ``w_j*``
    contributes nothing."""
    W = as_weights(W)
    Ws = as_weights(W_star, "W_star")
    if W.shape != Ws.shape:
        raise ModelError("W and W_star must have the same shape")
    cols, c = _neurons(W, reading)
    cols_s, _ = _neurons(Ws, reading)
    G = np.zeros_like(W)
    err = 0.0
    for i in range(cols.shape[1]):
        wi = cols[:, i]
        if not np.any(wi):
            raise GeometryError("angle undefined for a zero vector")
        for j in range(cols.shape[1]):
            for other, sign in ((cols[:, j], 1.0), (cols_s[:, j], -1.0)):
                if not np.any(other):
                    continue
                M, e = dist.second_moment_region(np.stack([wi, other]))
                G[:, i] += sign * (M @ other)
                err += e * float(np.abs(other).sum())
    return c * c * G, c * c * err


def population_gradient_exact(dist, W: Any, W_star: Any, reading: str = "appendix",
                              relu_grad_at_zero: Fraction = Fraction(1)) -> np.ndarray:
    """Exact ``E[nabla_W l]`` for finite atoms (object array of ``Fraction``, ``k x n``)."""
    Wq = _exact_cols(W)
    Wsq = _exact_cols(W_star)
    k, n = len(Wq[0]), len(Wq)
    use, c = _reading(k, n, reading)
    G = np.empty((k, n), dtype=object)
    G[:, :] = Fraction(0)
    for x, p in zip(dist.atoms_q, dist.weights_q):
        pres = [exact_dot(w, x) for w in Wq[:use]]
        r = output_exact(pres, c) - output_exact([exact_dot(w, x) for w in Wsq[:use]], c)  # f(W, x) - f(W*, x)
        for i, v in enumerate(pres):
            d = Fraction(1) if v > 0 else (to_fraction(relu_grad_at_zero) if v == 0 else Fraction(0))
            if d:
                for a in range(k):
                    G[a, i] += p * r * c * d * x[a]
    return G


def config_at_angle(W_star: Any, phi: float, U: Any) -> np.ndarray:
    """Columns ``w_i = cos(phi) w_i*/|w_i*| + sin(phi) u_i`` where ``u_i`` is column ``i`` of ``U``
    projected orthogonally to ``w_i*`` and normalised (so ``angle(w_i, w_i*) = phi``)."""
    Ws = as_weights(W_star, "W_star")
    U = as_weights(U, "U")
    k, n = Ws.shape
    W = np.zeros_like(Ws)
    for i in range(n):
        s = Ws[:, i]
        ns = np.linalg.norm(s)
        if ns == 0:
            raise GeometryError("angle undefined for a zero vector")
        s = s / ns
        u = U[:, i] - (U[:, i] @ s) * s
        nu = np.linalg.norm(u)
        if nu < 1e-6 * np.linalg.norm(U[:, i]) or nu == 0:
            raise GeometryError("direction u_i is parallel to w_i* (angle undefined)")
        u = u / nu
        u = u - (u @ s) * s  # second Gram-Schmidt pass: u exactly orthogonal to s up to rounding
        nu = np.linalg.norm(u)
        W[:, i] = math.cos(phi) * s + math.sin(phi) * u / nu
    return W


# ------------------------------------------------------------------ block matrices (Def 3.1 form)
def _block_normals(W: np.ndarray, Ws: np.ndarray, i: int, j: int, k_: int, l_: int, m_: int) -> np.ndarray:
    return np.stack([W[:, i], (-1) ** k_ * Ws[:, i], (-1) ** l_ * W[:, j], (-1) ** m_ * Ws[:, j]])


def block_matrix(dist, W: Any, W_star: Any, k: int, l: int, m: int) -> tuple[np.ndarray, float]:
    """``(B_klm, err)``: the ``nk x nk`` matrix with blocks
    ``(1/n^2) E[z z^T 1{R(w_i, (-1)^k w_i*)} 1{R((-1)^l w_j, (-1)^m w_j*)}]``."""
    W = as_weights(W)
    Ws = as_weights(W_star, "W_star")
    if W.shape != Ws.shape:
        raise ModelError("W and W_star must have the same shape")
    d, n = W.shape
    if _gaussian_reducible(dist) and d >= 3 and n >= 2:
        # all n^2 blocks at once through the vectorised cones (same mathematics, tested equal)
        if np.any(np.all(W == 0, axis=0)) or np.any(np.all(Ws == 0, axis=0)):
            raise GeometryError("angle undefined for a zero vector")
        out = _batch_gauss_vectorised(dist, W[None], Ws[None], [(k, l, m)])
        return out[(k, l, m)][0], out["err"]
    B = np.zeros((n * d, n * d))
    err = 0.0
    for i in range(n):
        for j in range(n):
            M, e = dist.second_moment_region(_block_normals(W, Ws, i, j, k, l, m))
            B[i * d:(i + 1) * d, j * d:(j + 1) * d] = M
            err = max(err, e)
    return B / n**2, err / n**2


def block_matrix_exact(dist, W: Any, W_star: Any, k: int, l: int, m: int) -> np.ndarray:
    """Exact ``B_klm`` (object array of ``Fraction``) for finite atoms."""
    Wq = _exact_cols(W)
    Wsq = _exact_cols(W_star)
    d, n = len(Wq[0]), len(Wq)
    sk, sl, sm = (-1) ** k, (-1) ** l, (-1) ** m
    # exact signs of every (atom, vector) pair once
    ins_w = [[exact_dot(w, x) for w in Wq] for x in dist.atoms_q]
    ins_s = [[exact_dot(w, x) for w in Wsq] for x in dist.atoms_q]
    B = np.empty((n * d, n * d), dtype=object)
    B[:, :] = Fraction(0)
    scale = Fraction(1, n * n)
    for a, (x, p) in enumerate(zip(dist.atoms_q, dist.weights_q)):
        outer = [[p * scale * x[r] * x[s] for s in range(d)] for r in range(d)]
        for i in range(n):
            if not (ins_w[a][i] >= 0 and sk * ins_s[a][i] >= 0):
                continue
            for j in range(n):
                if not (sl * ins_w[a][j] >= 0 and sm * ins_s[a][j] >= 0):
                    continue
                for r in range(d):
                    for s in range(d):
                        B[i * d + r, j * d + s] += outer[r][s]
    return B


def gradient_three_sum_exact(dist, W: Any, W_star: Any) -> np.ndarray:
    """Exact three-sum for finite atoms (``Fraction`` object array, ``k x n``)."""
    Wq = np.array(_exact_cols(W), dtype=object).T
    Wsq = np.array(_exact_cols(W_star), dtype=object).T
    B = {klm: block_matrix_exact(dist, Wq, Wsq, *klm) for klm in KLM_ALL}
    x, w, ws = vec(Wq) - vec(Wsq), vec(Wq), vec(Wsq)
    g = (B[0, 0, 0] + B[1, 0, 0]).dot(x) + (B[0, 0, 1] + B[1, 0, 1]).dot(w) + (B[0, 1, 0] + B[1, 1, 0]).dot(-ws)
    return unvec(g, Wq.shape[0])


def gd_step_exact(dist, W: Any, W_star: Any, eta: Any, reading: str = "appendix") -> np.ndarray:
    """One exact step of gradient descent on the population loss: ``W - eta E[nabla_W l(W, z)]``."""
    G = population_gradient_exact(dist, W, W_star, reading)
    return descent_step(np.array(_exact_cols(W), dtype=object).T, G, to_fraction(eta))


# ------------------------------------------------------------------ batch evaluation
def batch_block_matrices(dist, Ws: Any, W_stars: Any, which: Sequence[tuple[int, int, int]] = KLM_ALL) -> dict:
    """Many configurations at once: ``Ws``, ``W_stars`` of shape ``(N, k, n)``; returns
    ``{klm: (N, nk, nk) array}`` and, under key ``"err"``, one error bound for all entries.

    Finite atoms: fully vectorised (signs decided exactly: near-zero float dot products are redone
    in ``Fraction``).  Standard Gaussian: vectorised closed forms where every region is a wedge of
    two half-spaces (``k = 2``, or ``n = 1``); otherwise configuration by configuration."""
    Ws = np.asarray(Ws, dtype=float)
    Wss = np.asarray(W_stars, dtype=float)
    if Ws.ndim != 3 or Ws.shape != Wss.shape:
        raise ModelError("batch weights must have shape (N, k, n), the same for W and W_star")
    if not (np.all(np.isfinite(Ws)) and np.all(np.isfinite(Wss))):
        raise ModelError("batch weights contain NaN or infinity")

    if isinstance(dist, FiniteAtoms):
        return _batch_atoms(dist, Ws, Wss, which)
    return _batch_generic(dist, Ws, Wss, which)


def _gaussian_reducible(dist) -> bool:
    return type(dist) in (StandardGaussian, Gaussian, UniformSphere)


def _batch_generic(dist, Ws, Wss, which):
    """Gaussian-type inputs: vectorised arcs (``k = 2``), wedges (``n = 1``) or general cones
    (:func:`proofcheck.geometry.batch_gaussian_cone`); other distributions one at a time."""
    N, k, n = Ws.shape
    if np.any(np.all(Ws == 0, axis=1)) or np.any(np.all(Wss == 0, axis=1)):
        raise GeometryError("angle undefined for a zero vector")
    if _gaussian_reducible(dist):
        return _batch_gauss_vectorised(dist, Ws, Wss, which)
    out = {klm: np.zeros((N, n * k, n * k)) for klm in which}
    err = 0.0
    for t in range(N):
        for klm in which:
            B, e = block_matrix(dist, Ws[t], Wss[t], *klm)
            out[klm][t] = B
            err = max(err, e)
    out["err"] = err
    return out


def _batch_gauss_vectorised(dist, Ws, Wss, which):
    N, k, n = Ws.shape
    L = dist.L
    scale = dist.moment_scale
    # whitening z = L g: normals a -> L^T a (L symmetric), moments M -> L M L^T
    Wg = Ws if L is None else np.einsum("ab,Nbi->Nai", L, Ws)
    Wsg = Wss if L is None else np.einsum("ab,Nbi->Nai", L, Wss)
    out = {}
    extra_err = 0.0
    for (kk, ll, mm) in which:
        if k > 2 and n > 1:
            a = np.broadcast_to(Wg.transpose(0, 2, 1)[:, :, None, :], (N, n, n, k))
            b = np.broadcast_to((-1) ** kk * Wsg.transpose(0, 2, 1)[:, :, None, :], (N, n, n, k))
            c = np.broadcast_to((-1) ** ll * Wg.transpose(0, 2, 1)[:, None, :, :], (N, n, n, k))
            d = np.broadcast_to((-1) ** mm * Wsg.transpose(0, 2, 1)[:, None, :, :], (N, n, n, k))
            A = np.stack([a, b, c, d], axis=3).reshape(N * n * n, 4, k)
            _, _, M, e_ = batch_gaussian_cone(A)
            extra_err = max(extra_err, float(e_.max()))
            M = M.reshape(N, n, n, k, k)
        elif k == 2:
            # normals for every block (i, j): (N, n, n, 4, 2)
            a = np.broadcast_to(Wg.transpose(0, 2, 1)[:, :, None, :], (N, n, n, k))
            b = np.broadcast_to((-1) ** kk * Wsg.transpose(0, 2, 1)[:, :, None, :], (N, n, n, k))
            c = np.broadcast_to((-1) ** ll * Wg.transpose(0, 2, 1)[:, None, :, :], (N, n, n, k))
            d = np.broadcast_to((-1) ** mm * Wsg.transpose(0, 2, 1)[:, None, :, :], (N, n, n, k))
            A = np.stack([a, b, c, d], axis=3).reshape(N * n * n, 4, k)
            _, M = batch_cone2(A)
            M = M.reshape(N, n, n, k, k)
        else:  # n == 1: the block is a wedge, a hyperplane or empty
            if ll == 1 or kk != mm:
                M = np.zeros((N, 1, 1, k, k))
            else:
                _, M = batch_wedge(Wg[:, :, 0], (-1) ** kk * Wsg[:, :, 0])
                M = M.reshape(N, 1, 1, k, k)
        if L is not None:
            M = np.einsum("ab,Nijbc,cd->Nijad", L, M, L)
        out[(kk, ll, mm)] = scale * M.transpose(0, 1, 3, 2, 4).reshape(N, n * k, n * k) / n**2
    big = 1.0 if L is None else float(np.abs(L).sum(axis=1).max()) ** 2
    out["err"] = (10 * ROUNDING + extra_err) * scale * big
    return out


def _exact_sign_fix(D: np.ndarray, X: np.ndarray, V: np.ndarray, dist) -> np.ndarray:
    """``D[N, a, i] = x_a . V[N, :, i]`` with signs near 0 recomputed exactly; returns the
    boolean ``D >= 0``."""
    scale = np.einsum("ak,Nki->Nai", np.abs(X), np.abs(V))
    unsure = np.abs(D) <= 1e-9 * scale
    out = D >= 0
    if unsure.any():
        for N, a, i in zip(*np.nonzero(unsure)):
            v = exact_vector(V[N, :, i])
            out[N, a, i] = exact_dot(v, dist.atoms_q[a]) >= 0
    return out


def _batch_atoms(dist, Ws, Wss, which):
    X = dist.atoms  # (A, k)
    p = dist.weights
    N, k, n = Ws.shape
    pos_w = _exact_sign_fix(np.einsum("ak,Nki->Nai", X, Ws), X, Ws, dist)
    neg_w = _exact_sign_fix(np.einsum("ak,Nki->Nai", X, -Ws), X, -Ws, dist)
    pos_s = _exact_sign_fix(np.einsum("ak,Nki->Nai", X, Wss), X, Wss, dist)
    neg_s = _exact_sign_fix(np.einsum("ak,Nki->Nai", X, -Wss), X, -Wss, dist)
    outer = np.einsum("a,ar,as->ars", p, X, X)  # (A, k, k)
    out = {}
    for (kk, ll, mm) in which:
        left = pos_w & (pos_s if kk == 0 else neg_s)  # (N, A, n)
        right = (pos_w if ll == 0 else neg_w) & (pos_s if mm == 0 else neg_s)
        # blocks[N, i, j, r, s] = sum_a left[N,a,i] right[N,a,j] outer[a,r,s]
        blocks = np.einsum("Nai,Naj,ars->Nirjs", left.astype(float), right.astype(float), outer, optimize=True)
        out[(kk, ll, mm)] = blocks.reshape(N, n * k, n * k) / n**2
    out["err"] = 1e-15 * float(np.abs(X).max() ** 2 * len(p))
    return out
