"""The stepped reference of the du2019 dynamics (a test oracle and the benchmarks' baseline, no claim's code):
gradient descent and Heun-stepped gradient flow of ``f(W, a, x) = (1/sqrt m) sum_r a_r relu(w_r^T x)`` with
``L = sum_i (f(x_i) - y_i)^2 / 2`` (the plain forward pass and gradient of :mod:`proofcheck.ml.two_layer`),
vectorised over neurons (and a leading batch axis). The claims use the
exact and certified forms (:mod:`proofcheck.ml.flow`, :mod:`proofcheck.ml.gd_exact`, the one-input forms of
:mod:`lemmas.du2019.dynamics`); the tests compare them with this independent plain implementation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from proofcheck.ml.gram import h_of_weights
from proofcheck.ml.two_layer import descent_step, gradients, residual
from proofcheck.model.num import NumericError


def init(rng: np.random.Generator, m: int, d: int, batch: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``w_r(0) ~ N(0, I_d)``, ``a_r ~ unif{-1, 1}`` (shapes ``(m, d)``, ``(m,)``, or batched)."""
    if m < 1:
        raise NumericError(f"width m = {m} must be at least 1")
    shape = (m,) if batch is None else (batch, m)
    W = rng.standard_normal(shape + (d,))
    a = rng.integers(0, 2, size=shape).astype(np.float64) * 2 - 1
    return W, a


@dataclass
class Trajectory:
    """Sampled quantities along a run: ``times`` (or steps), ``residual_sq = ||y - u||^2``,
    ``max_move = max_r ||w_r - w_r(0)||``, ``lam_min = lambda_min(H)`` (first layer's Gram) when asked."""

    times: np.ndarray
    residual_sq: np.ndarray
    max_move: np.ndarray
    lam_min: np.ndarray | None = None
    error_residual: np.ndarray | None = None  # discretisation error estimate of residual_sq
    error_move: np.ndarray | None = None
    W: np.ndarray | None = None
    a: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _observe(W, W0, a, X, y, want_lam):
    r2 = np.sum(residual(W, a, X, y) ** 2, axis=-1)
    move = np.max(np.linalg.norm(W - W0, axis=-1), axis=-1)
    lam = np.linalg.eigvalsh(h_of_weights(W, X))[..., 0] if want_lam else None
    return r2, move, lam


def gd(W0: np.ndarray, a0: np.ndarray, X: np.ndarray, y: np.ndarray, eta: float, steps: int,
       both: bool = False, every: int = 1, lam: bool = False) -> Trajectory:
    """Gradient descent ``W(k+1) = W(k) - eta dL/dW`` (and ``a`` too when ``both``)."""
    W, a = W0.copy(), a0.copy()
    rec_t, rec_r, rec_m, rec_l = [], [], [], []
    for k in range(steps + 1):
        if k % every == 0 or k == steps:
            r2, mv, lm = _observe(W, W0, a, X, y, lam)
            rec_t.append(k), rec_r.append(r2), rec_m.append(mv), rec_l.append(lm)
        if k == steps:
            break
        gW, ga, _ = gradients(W, a, X, y, both)
        W = descent_step(W, gW, eta)
        if both:
            a = descent_step(a, ga, eta)
    return Trajectory(np.array(rec_t, float), np.array(rec_r), np.array(rec_m),
                      np.array(rec_l) if lam else None, W=W, a=a)


def flow(W0: np.ndarray, a0: np.ndarray, X: np.ndarray, y: np.ndarray, T: float, h: float,
         both: bool = False, every: int = 1, lam: bool = False) -> Trajectory:
    """Gradient flow on ``[0, T]`` by Heun's method with step ``h`` (observed every ``every`` steps)."""
    steps = int(math.ceil(T / h - 1e-12))
    W, a = W0.copy(), a0.copy()
    rec_t, rec_r, rec_m, rec_l = [], [], [], []
    for k in range(steps + 1):
        if k % every == 0 or k == steps:
            r2, mv, lm = _observe(W, W0, a, X, y, lam)
            rec_t.append(k * h), rec_r.append(r2), rec_m.append(mv), rec_l.append(lm)
        if k == steps:
            break
        g1W, g1a, _ = gradients(W, a, X, y, both)
        W1 = W - h * g1W
        a1 = a - h * g1a if both else a
        g2W, g2a, _ = gradients(W1, a1, X, y, both)
        W = W - 0.5 * h * (g1W + g2W)
        if both:
            a = a - 0.5 * h * (g1a + g2a)
    return Trajectory(np.array(rec_t), np.array(rec_r), np.array(rec_m),
                      np.array(rec_l) if lam else None, W=W, a=a)
