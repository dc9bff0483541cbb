"""Gram matrices of two-layer ReLU networks: the infinite-width kernel and its finite-width samples.

For unit inputs ``x_i`` and ``w ~ N(0, I)``::

    H^inf_ij = E[x_i^T x_j 1{w^T x_i >= 0, w^T x_j >= 0}] = x_i^T x_j (pi - arccos(x_i^T x_j)) / (2 pi)

(Sheppard's orthant formula times the inner product: the arc-cosine kernel of degree 0, Cho & Saul
2009; tested against Monte Carlo in tests/ml/test_gram.py). For first-layer weights ``W`` (rows
``w_r``, ``m`` of them; activation patterns from :mod:`proofcheck.ml.two_layer`) the empirical matrix is::

    H(W)_ij = (1/m) x_i^T x_j #{r : w_r^T x_i >= 0, w_r^T x_j >= 0}.

Rigorous versions: :func:`h_inf_arb` encloses ``H^inf`` in Arb balls from exact rational inputs;
:func:`lambda_min_enclosure` returns exact rational bounds ``lo <= lambda_min <= hi`` (lower bound by an
Arb Cholesky factorisation of ``H - lo I``, upper bound by an exact Rayleigh quotient).

``H(0)`` through its exact law (``n <= 3``): the neurons' activation patterns are i.i.d. over the
``2^n`` orthants with closed-form probabilities (:func:`orthant_probabilities`), so ``H(0)`` is a
function of multinomial counts (:func:`sample_h0_by_law`, :func:`h0_from_pattern_counts`). The R-ball
around ``W(0)``: neuron-wise reachability in floats and exactly (:func:`pair_change_reachable_exact`,
:func:`flippable_exact`).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import numpy as np
from flint import arb, ctx as flint_ctx

from proofcheck.ml.spectral import lambda_min_enclosure, rayleigh
from proofcheck.ml.two_layer import activations, activations_exact
from proofcheck.model.num import NumericError, fraction_to_arb


# ---------------------------------------------------------------- infinite width
def angles(X: np.ndarray) -> np.ndarray:
    """Angles between unit rows, ``2 atan2(||x_i - x_j||, ||x_i + x_j||)``: accurate near 0 and pi,
    where ``arccos`` of a rounded inner product loses half the digits."""
    diff = np.linalg.norm(X[:, None, :] - X[None, :, :], axis=-1)
    summ = np.linalg.norm(X[:, None, :] + X[None, :, :], axis=-1)
    return 2 * np.arctan2(diff, summ)


def h_inf(X: np.ndarray) -> np.ndarray:
    """Closed form of ``H^inf`` for unit rows of ``X``."""
    theta = angles(X)
    return np.cos(theta) * (np.pi - theta) / (2 * np.pi)


def lambda_min(H: np.ndarray) -> float:
    return float(np.linalg.eigvalsh(H)[0])


def lambda0(X: np.ndarray) -> float:
    """``lambda_0 = lambda_min(H^inf)`` in floats."""
    return lambda_min(h_inf(X))


def h_inf_arb(gram_exact: Sequence[Sequence[Fraction]], prec: int = 128) -> list[list[arb]]:
    """Arb enclosures of ``H^inf`` from the exact Gram matrix ``x_i^T x_j`` (rationals in [-1, 1])."""
    n = len(gram_exact)
    old = flint_ctx.prec
    flint_ctx.prec = prec
    try:
        out = [[arb(0)] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                c = gram_exact[i][j]
                if abs(c) > 1:
                    raise NumericError(f"Gram entry {c} outside [-1, 1]: inputs are not unit vectors")
                ca = fraction_to_arb(Fraction(c))
                if c == 1:
                    val = arb(1) / 2
                elif c == -1:
                    val = arb(0)
                else:
                    val = ca * (arb.pi() - ca.acos()) / (2 * arb.pi())
                out[i][j] = out[j][i] = val
        return out
    finally:
        flint_ctx.prec = old


def lambda0_enclosure(gram_exact: Sequence[Sequence[Fraction]]) -> tuple[Fraction, Fraction]:
    """Rigorous bounds on ``lambda_0 = lambda_min(H^inf)`` from exact inputs."""
    return lambda_min_enclosure(h_inf_arb(gram_exact))


# ---------------------------------------------------------------- finite width
def h_of_patterns(S: np.ndarray, G: np.ndarray) -> np.ndarray:
    """``H`` from activation patterns ``S`` (``(m, n)`` or ``(B, m, n)``) and the Gram ``G = X X^T``."""
    m, n = S.shape[-2], S.shape[-1]
    counts = np.empty(S.shape[:-2] + (n, n))
    for i in range(n):
        for j in range(i, n):
            counts[..., i, j] = counts[..., j, i] = np.count_nonzero(S[..., i] & S[..., j], axis=-1)
    return G * counts / m


def h_of_weights(W: np.ndarray, X: np.ndarray) -> np.ndarray:
    """``H(W)`` for weights ``W`` (``(m, d)`` or a batch ``(B, m, d)``)."""
    return h_of_patterns(activations(W, X), X @ X.T)


def h_from_counts(counts: np.ndarray, gram_exact: Sequence[Sequence[Fraction]], m: int) -> list[list[Fraction]]:
    """``H_ij = x_i^T x_j counts_ij / m`` as exact rationals, ``counts_ij = #{r : S_ri S_rj}`` (integers)."""
    n = len(gram_exact)
    return [[Fraction(int(counts[i, j]), m) * gram_exact[i][j] for j in range(n)] for i in range(n)]


def h_exact(S: np.ndarray, gram_exact: Sequence[Sequence[Fraction]]) -> list[list[Fraction]]:
    """``H`` as exact rationals from an integer pattern matrix ``S`` (``m x n``) and an exact Gram."""
    return h_from_counts(S.astype(np.int64).T @ S.astype(np.int64), gram_exact, S.shape[0])


# ---------------------------------------------------------------- worst weights in a ball
def flippable(W0: np.ndarray, X: np.ndarray, R: float) -> np.ndarray:
    """``F[r, i]``: some ``w`` with ``||w - w_r(0)|| <= R`` has a different ``1{w^T x_i >= 0}``.

    For a unit ``x_i``, ``{w^T x_i : ||w - w_r(0)|| <= R} = [s - R, s + R]`` with ``s = w_r(0)^T x_i``
    (Cauchy-Schwarz, attained at ``w_r(0) +- R x_i``), so an active input can be switched off iff
    ``s < R`` and an inactive one switched on iff ``s >= -R``: the event is ``-R <= s < R``.
    """
    s = W0 @ X.T
    return (s >= -R) & (s < R)


def worst_in_ball(W0: np.ndarray, X: np.ndarray, R: float, score, max_flippable: int = 5) -> np.ndarray:
    """Weights ``W`` with every ``||w_r - w_r(0)|| <= R`` whose activation pattern, neuron by neuron,
    minimises ``score`` over the patterns reachable inside the ball.

    ``score(P, rows)`` gets candidate patterns ``P`` (``(N, K, n)`` booleans) of the neurons ``rows``
    and returns ``(N, K)`` numbers (lower is worse for the claim). The objective must be a sum over
    neurons (a Rayleigh quotient at a fixed vector, a signed sum of entries), so neuron-wise
    minimisation is exact for it. A candidate pattern is realised by the least-norm step meeting its
    sign constraints with a margin ``1e-9 R`` (active-set enumeration, vectorised over the neurons that
    share a flippable set and current pattern); it is kept only if that step has norm
    ``<= R (1 - 1e-9)`` and the recomputed activations confirm it.
    """
    W = W0.copy()
    F = flippable(W0, X, R)
    rows = np.nonzero(F.any(axis=1))[0]
    if rows.size == 0:
        return W
    S0 = activations(W0, X)
    eps = 1e-9 * R
    keys = np.concatenate([F[rows], S0[rows] & F[rows]], axis=1)
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    n = X.shape[0]
    for g in range(len(uniq)):
        idx = rows[inv == g]
        Fi = np.nonzero(uniq[g][:n])[0][:max_flippable]
        k = len(Fi)
        K = 1 << k
        flips = ((np.arange(K)[:, None] >> np.arange(k)) & 1).astype(bool)  # (K, k)
        P = np.repeat(S0[idx][:, None, :], K, axis=1)
        P[:, :, Fi] ^= flips[None, :, :]
        sc = np.asarray(score(P, idx), dtype=float)  # (N, K)
        s = W0[idx] @ X[Fi].T  # (N, k)
        XF = X[Fi]
        GF = XF @ XF.T
        best_norm = np.full((len(idx), K), np.inf)
        best_v = np.zeros((len(idx), K, X.shape[1]))
        best_norm[:, 0] = 0.0  # the current pattern: no move
        for c in range(1, K):
            on = P[0, c, Fi]  # targets are shared by the group
            sig = np.where(on, 1.0, -1.0)
            b = np.where(on[None, :], eps - s, s + eps)  # (N, k): sig_j x_j^T v >= b_j
            for act in range(1, K):
                S_idx = np.nonzero((act >> np.arange(k)) & 1)[0]
                D = sig[S_idx]
                M = D[:, None] * GF[np.ix_(S_idx, S_idx)] * D[None, :]
                try:
                    lam = np.linalg.solve(M, b[:, S_idx].T).T  # (N, |S|)
                except np.linalg.LinAlgError:
                    continue
                v = (lam * D[None, :]) @ XF[S_idx]  # (N, d)
                ok = np.all(lam >= -1e-14, axis=1)
                ok &= np.all((v @ XF.T) * sig[None, :] >= b - 1e-15 * (1 + np.abs(b)), axis=1)
                nv = np.linalg.norm(v, axis=1)
                better = ok & (nv < best_norm[:, c])
                best_norm[better, c] = nv[better]
                best_v[better, c] = v[better]
        feasible = best_norm <= R * (1 - 1e-9)
        sc = np.where(feasible, sc, np.inf)
        choice = np.argmin(sc, axis=1)
        # keep the current pattern on ties (stable)
        choice = np.where(sc[np.arange(len(idx)), choice] < sc[:, 0], choice, 0)
        Wn = W0[idx] + best_v[np.arange(len(idx)), choice]
        target = P[np.arange(len(idx)), choice]
        good = np.all(((Wn @ X.T) >= 0) == target, axis=1)
        W[idx[good]] = Wn[good]
    return W


def min_lambda_in_ball(W0: np.ndarray, X: np.ndarray, R: float, rounds: int = 3) -> tuple[np.ndarray, float]:
    """Weights in the ball that push ``lambda_min(H(W))`` down: neuron-wise minimisation of the
    Rayleigh quotient at the current least eigenvector, repeated ``rounds`` times."""
    G = X @ X.T
    best_W, best = W0, lambda_min(h_of_weights(W0, X))
    W = W0
    for _ in range(rounds):
        _, V = np.linalg.eigh(h_of_weights(W, X))
        u = V[:, 0]

        def score(P, rows, u=u):
            Pu = P * u
            return np.einsum("...i,ij,...j->...", Pu, G, Pu)

        W = worst_in_ball(W0, X, R, score)
        lam = lambda_min(h_of_weights(W, X))
        if lam < best:
            best_W, best = W, lam
    return best_W, best


def pair_change_reachable(W0: np.ndarray, xi: np.ndarray, xj: np.ndarray, R: float) -> tuple[np.ndarray, np.ndarray]:
    """Per neuron: can a ``w`` with ``||w - w_r(0)|| <= R`` switch ``1{w^T x_i >= 0, w^T x_j >= 0}`` on
    (``plus``) or off (``minus``)? Exact for unit inputs (least-norm steps in closed form).

    Off: switch off one of the two (distance ``s`` for an active input; possible iff ``s < R``).
    On: every inactive one of the two must be switched on; alone, input ``i`` needs ``|s_i|``; both
    together need the least-norm ``v`` with ``x_i^T v >= -s_i``, ``x_j^T v >= -s_j``.
    """
    si, sj = W0 @ xi, W0 @ xj
    on_i, on_j = si >= 0, sj >= 0
    prod = on_i & on_j
    minus = prod & ((si < R) | (sj < R))
    c = float(xi @ xj)
    # least-norm v with x_i^T v >= b_i, x_j^T v >= b_j (b = -s): candidates with 0, 1 or 2 active constraints
    bi, bj = -si, -sj
    inf = np.full(si.shape, np.inf)
    cand0 = np.where((bi <= 0) & (bj <= 0), 0.0, inf)
    cand_i = np.where((bi > 0) & (c * bi >= bj), bi, inf)
    cand_j = np.where((bj > 0) & (c * bj >= bi), bj, inf)
    det = 1 - c * c
    if det > 1e-15:
        li = (bi - c * bj) / det
        lj = (bj - c * bi) / det
        both_sq = (bi * bi - 2 * c * bi * bj + bj * bj) / det
        cand_ij = np.where((li >= 0) & (lj >= 0), np.sqrt(np.maximum(both_sq, 0.0)), inf)
    else:
        cand_ij = inf
    norm_needed = np.minimum(np.minimum(cand0, cand_i), np.minimum(cand_j, cand_ij))
    plus = (~prod) & (norm_needed <= R)
    # "switching on" an input exactly at 0 counts as on (>= 0), matching the closed ball
    return plus, minus


def sup_entry_change(W0: np.ndarray, X: np.ndarray, R: float) -> np.ndarray:
    """``sup_W |H_ij(W) - H_ij(W0)|`` over the ball, for every pair (exact: neuron-wise reachability)."""
    n, m = X.shape[0], W0.shape[0]
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            plus, minus = pair_change_reachable(W0, X[i], X[j], R)
            c = abs(float(X[i] @ X[j]))
            out[i, j] = out[j, i] = c * max(plus.sum(), minus.sum()) / m
    return out


def lambda_min_upper_exact(W: np.ndarray, X_exact, gram_exact) -> Fraction:
    """An exact rational upper bound on ``lambda_min(H(W))`` (exact patterns, exact Rayleigh quotient)."""
    S = activations_exact(W, X_exact)
    He = h_exact(S, gram_exact)
    _, V = np.linalg.eigh(np.array(He, dtype=float))
    return rayleigh(He, V[:, 0])


# ---------------------------------------------------------------- H(0) through its exact law (n <= 3)
def orthant_probabilities(G: np.ndarray) -> np.ndarray:
    """``P(pattern)`` for every activation pattern of one neuron ``w ~ N(0, I)`` on ``n <= 3`` unit
    inputs with Gram matrix ``G`` (entry ``k`` is the pattern whose bit ``i`` says ``w^T x_i >= 0``).

    ``(w^T x_i)_i`` is a centred Gaussian with correlations ``G``; orthant probabilities in closed form:
    ``n = 1``: 1/2; ``n = 2``: ``(pi - theta)/(2 pi)`` for equal signs, ``theta/(2 pi)`` otherwise
    (Sheppard); ``n = 3``: ``1/8 + (asin r_12 + asin r_13 + asin r_23)/(4 pi)`` with the signs of the
    pattern folded into the ``r``. The boundary ``w^T x_i = 0`` has probability 0."""
    G = np.asarray(G, dtype=float)
    n = G.shape[0]
    if n > 3:
        raise NumericError(f"orthant probabilities in closed form need n <= 3 inputs, got {n}")
    out = np.empty(2**n)
    for k in range(2**n):
        eps = np.array([1.0 if (k >> i) & 1 else -1.0 for i in range(n)])
        r = np.clip(G * np.outer(eps, eps), -1.0, 1.0)
        if n == 1:
            out[k] = 0.5
        elif n == 2:
            out[k] = (np.pi - np.arccos(r[0, 1])) / (2 * np.pi)
        else:
            out[k] = 0.125 + (np.arcsin(r[0, 1]) + np.arcsin(r[0, 2]) + np.arcsin(r[1, 2])) / (4 * np.pi)
    out = np.clip(out, 0.0, 1.0)
    return out / out.sum()


def pattern_both(n: int) -> np.ndarray:
    """``B[k, i, j] = 1`` when pattern ``k`` activates both inputs ``i`` and ``j``."""
    B = np.zeros((2**n, n, n))
    for k in range(2**n):
        on = [(k >> i) & 1 for i in range(n)]
        B[k] = np.outer(on, on)
    return B


def spectral_deviation_and_lambda_min(Hs: np.ndarray, Hinf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``||H - H^inf||_2`` and ``lambda_min(H)`` for a batch of symmetric matrices."""
    dev = np.max(np.abs(np.linalg.eigvalsh(Hs - Hinf)), axis=-1)
    return dev, np.linalg.eigvalsh(Hs)[..., 0]


# ---------------------------------------------------------------- the R-ball, exactly (small widths)
def pair_change_reachable_exact(W0_exact, xi, xj, R) -> tuple[list[bool], list[bool]]:
    """:func:`pair_change_reachable` in exact rationals (``W0_exact`` rows, unit ``xi``, ``xj`` and ``R``
    as Fractions): the least-norm steps are compared with ``R`` through their squares."""

    R = Fraction(R)
    c = sum(a * b for a, b in zip(xi, xj))
    det = 1 - c * c
    plus, minus = [], []
    for w in W0_exact:
        si = sum(a * b for a, b in zip(w, xi))
        sj = sum(a * b for a, b in zip(w, xj))
        on_i, on_j = si >= 0, sj >= 0
        both = on_i and on_j
        minus.append(both and (si < R or sj < R))
        if both:
            plus.append(False)
            continue
        bi, bj = -si, -sj
        need = []  # squared norms of the feasible candidate steps
        if bi <= 0 and bj <= 0:
            need.append(Fraction(0))
        if bi > 0 and c * bi >= bj:
            need.append(bi * bi)
        if bj > 0 and c * bj >= bi:
            need.append(bj * bj)
        if det > 0:
            li, lj = (bi - c * bj) / det, (bj - c * bi) / det
            if li >= 0 and lj >= 0:
                need.append((bi * bi - 2 * c * bi * bj + bj * bj) / det)
        plus.append(bool(need) and min(need) <= R * R)
    return plus, minus


def flippable_exact(W0_exact, x, R) -> list[bool]:
    """``A_ir`` exactly: ``-R <= w_r(0)^T x < R`` (the closed ball's range is ``[s - R, s + R]``)."""
    R = Fraction(R)
    out = []
    for w in W0_exact:
        s = sum(a * b for a, b in zip(w, x))
        out.append(-R <= s < R)
    return out


def h0_from_pattern_counts(counts: Sequence[int], gram_exact: Sequence[Sequence[Fraction]], m: int) -> list[list[Fraction]]:
    """``H(0)`` exactly from the counts of the neurons' activation patterns (see :func:`orthant_probabilities`
    for the pattern numbering): ``H_ij = x_i^T x_j #{neurons active on both} / m``."""
    n = len(gram_exact)
    both = [[0] * n for _ in range(n)]
    for k, c in enumerate(counts):
        on = [i for i in range(n) if (k >> i) & 1]
        for i in on:
            for j in on:
                both[i][j] += int(c)
    return [[Fraction(gram_exact[i][j]) * both[i][j] / m for j in range(n)] for i in range(n)]
