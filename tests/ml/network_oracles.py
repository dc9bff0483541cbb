"""Independent test oracles for the network model of :mod:`proofcheck.ml.networks`.

The forward pass and per-sample gradient (:func:`forward`, :func:`grad_sample`) and their sample mean
check the population gradient by sampling.

No claim uses them: the population loss (from pairwise ReLU kernels, or summed exactly over atoms) is
differentiated by central differences to check the model's gradient, the appendix's three-sum of
block matrices is a second route to the same gradient, and a float gradient step is compared with
the exact one.
"""
from fractions import Fraction
from typing import Any

import numpy as np

from proofcheck.ml.geometry import exact_dot
from proofcheck.ml.networks import (KLM_ALL, _exact_cols, _neurons, _reading, as_weights, block_matrix,
                                    population_gradient, unvec, vec)


def relu_kernel(dist, a: Any, b: Any) -> tuple[float, float]:
    """``E[sigma(a^T z) sigma(b^T z)] = a^T E[z z^T 1{a^T z>=0, b^T z>=0}] b`` (zero vectors
    give 0 since sigma(0) = 0)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if not np.any(a) or not np.any(b):
        return 0.0, 0.0
    M, err = dist.second_moment_region(np.stack([a, b]))
    return float(a @ M @ b), err * float(np.abs(a).sum() * np.abs(b).sum())


def population_loss(dist, W: Any, W_star: Any, reading: str = "appendix") -> tuple[float, float]:
    """``E l(W, z)`` from pairwise ReLU kernels (exact sums for atoms; closed forms for Gaussians)."""
    W = as_weights(W)
    Ws = as_weights(W_star, "W_star")
    cols, c = _neurons(W, reading)
    cols_s, _ = _neurons(Ws, reading)
    total, err = 0.0, 0.0
    for A, sa, B, sb in ((cols, 1, cols, 1), (cols, 1, cols_s, -2), (cols_s, 1, cols_s, 1)):
        for i in range(A.shape[1]):
            for j in range(B.shape[1]):
                v, e = relu_kernel(dist, A[:, i], B[:, j])
                total += sa * sb * v
                err += abs(sa * sb) * e
    return 0.5 * c * c * total, 0.5 * c * c * err


def population_loss_exact(dist, W: Any, W_star: Any, reading: str = "appendix") -> Fraction:
    """Exact ``E l`` for finite atoms (weights taken as the rationals they store)."""
    Wq = _exact_cols(W)
    Wsq = _exact_cols(W_star)
    k = len(Wq[0])
    n = len(Wq)
    use, c = _reading(k, n, reading)
    total = Fraction(0)
    for x, p in zip(dist.atoms_q, dist.weights_q):
        f = sum((max(exact_dot(w, x), Fraction(0)) for w in Wq[:use]), Fraction(0))
        fs = sum((max(exact_dot(w, x), Fraction(0)) for w in Wsq[:use]), Fraction(0))
        total += p * (c * (f - fs)) ** 2 / 2
    return total


def is_symmetric(M: Any, tol: float = 0.0) -> bool:
    M = np.asarray(M)
    if M.dtype == object:
        return all(M[i, j] == M[j, i] for i in range(M.shape[0]) for j in range(i))
    return bool(np.abs(M - M.T).max() <= tol)


def gradient_three_sum(dist, W: Any, W_star: Any) -> tuple[np.ndarray, float]:
    """The appendix's first display: ``E nabla_{w_i} l = sum_j [B000 + B100]_{ij} (w_j - w_j*)
    + [B001 + B101]_{ij} w_j + [B010 + B110]_{ij} (-w_j*)`` (``k x n``, error bound)."""
    W = as_weights(W)
    Ws = as_weights(W_star, "W_star")
    Bs = {klm: block_matrix(dist, W, W_star, *klm) for klm in KLM_ALL}
    x = vec(W) - vec(Ws)
    g = (Bs[0, 0, 0][0] + Bs[1, 0, 0][0]) @ x + (Bs[0, 0, 1][0] + Bs[1, 0, 1][0]) @ vec(W) \
        + (Bs[0, 1, 0][0] + Bs[1, 1, 0][0]) @ (-vec(Ws))
    err = sum(e for _, e in Bs.values()) * float(np.abs(x).sum() + np.abs(vec(W)).sum() + np.abs(vec(Ws)).sum())
    return unvec(g, W.shape[0]), err


def gd_step(dist, W: Any, W_star: Any, eta: float, reading: str = "appendix") -> tuple[np.ndarray, float]:
    """One population gradient step ``W - eta E[nabla l(W, z)]`` (and the step's error bound)."""
    G, err = population_gradient(dist, W, W_star, reading)
    return as_weights(W) - eta * G, abs(eta) * err


def forward(W: Any, z: Any, reading: str = "appendix") -> np.ndarray:
    """``f(W, z)`` for one input (``z`` of shape ``(k,)``) or a batch (``(N, k)``)."""
    W = as_weights(W)
    Z = np.atleast_2d(np.asarray(z, dtype=float))
    cols, c = _neurons(W, reading)
    out = c * np.maximum(Z @ cols, 0.0).sum(axis=1)
    return out if np.ndim(z) > 1 else out[0]


def grad_sample(W: Any, W_star: Any, z: Any, reading: str = "appendix", relu_grad_at_zero: float = 1.0) -> np.ndarray:
    """``nabla_W l(W, z)`` (``k x n``; for a batch of inputs, their mean)."""
    W = as_weights(W)
    Ws = as_weights(W_star, "W_star")
    Z = np.atleast_2d(np.asarray(z, dtype=float))
    cols, c = _neurons(W, reading)
    resid = forward(W, Z, reading) - forward(Ws, Z, reading)  # (N,)
    pre = Z @ cols
    act = np.where(pre > 0, 1.0, np.where(pre == 0, relu_grad_at_zero, 0.0))  # (N, used)
    G = np.zeros_like(W)
    G[:, : cols.shape[1]] = c * (Z * resid[:, None]).T @ act / Z.shape[0]
    return G


def monte_carlo_gradient(dist, W: Any, W_star: Any, rng, samples: int = 200_000) -> tuple[np.ndarray, float]:
    """The sample mean of :func:`grad_sample` over ``samples`` draws of ``dist``, with a
    3.29-standard-error half-width (64 batches)."""
    W, Ws = as_weights(W), as_weights(W_star, "W_star")
    Z = dist.sample(rng, samples)
    per = np.stack([grad_sample(W, Ws, Z[i::64]).ravel() for i in range(64)])
    return per.mean(axis=0).reshape(W.shape), float(3.29 * per.std(axis=0, ddof=1).max() / 8.0)
