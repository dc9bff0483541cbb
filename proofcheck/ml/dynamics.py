"""Gradient descent and gradient flow of a two-layer ReLU network, vectorised over neurons and trials.

Network: ``f(W, a, x) = (1/sqrt m) sum_r a_r relu(w_r^T x)``; loss ``L = sum_i (f(x_i) - y_i)^2 / 2``;
predictions ``u = (f(x_1), ..., f(x_n))``. Weights may carry a leading batch axis (independent
trials): ``W`` is ``(m, d)`` or ``(B, m, d)``, ``a`` is ``(m,)`` or ``(B, m)``.

Only the projections of ``w_r`` on ``span{x_i}`` move or matter, so a dataset of ``n`` inputs can be
run in ``d = rank X <= n`` dimensions without changing any trajectory (the caller chooses ``d``).

Gradient flow ``dW/dt = -dL/dW`` is integrated by Heun's method (explicit trapezoid) at a fixed step.
:func:`flow_with_error` runs it at steps ``h`` and ``h/2`` and reports their difference on the common
grid as the discretisation error of the finer run (a first-order Richardson estimate: conservative
when the method is second order between activation changes). A check that rests on a simulated flow
must exceed that error. :func:`frozen_flow` is the exact flow while no activation changes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from flint import arb

from ..num import NumericError, arb_endpoints, fraction_to_arb


def small_matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A @ B`` for a batch ``A`` (numpy's batched matmul is slow for tiny matrices)."""
    # one 2-d BLAS product over the flattened leading axes
    return (A.reshape(-1, A.shape[-1]) @ B).reshape(A.shape[:-1] + (B.shape[-1],))


def init(rng: np.random.Generator, m: int, d: int, batch: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``w_r(0) ~ N(0, I_d)``, ``a_r ~ unif{-1, 1}`` (shapes ``(m, d)``, ``(m,)``, or batched)."""
    if m < 1:
        raise NumericError(f"width m = {m} must be at least 1")
    shape = (m,) if batch is None else (batch, m)
    W = rng.standard_normal(shape + (d,))
    a = rng.integers(0, 2, size=shape).astype(np.float64) * 2 - 1
    return W, a


def predictions(W: np.ndarray, a: np.ndarray, X: np.ndarray) -> np.ndarray:
    """``u_i = f(W, a, x_i)`` (shape ``(n,)`` or ``(B, n)``)."""
    m = W.shape[-2]
    pre = small_matmul(W, X.T)
    return np.einsum("...m,...mn->...n", a, np.maximum(pre, 0.0)) / math.sqrt(m)


def gradients(W: np.ndarray, a: np.ndarray, X: np.ndarray, y: np.ndarray, both: bool = False):
    """``(dL/dW, dL/da or None, u)``; the ReLU derivative at 0 is taken as 1 (the convention of H)."""
    m = W.shape[-2]
    pre = small_matmul(W, X.T)
    relu = np.maximum(pre, 0.0)
    u = np.einsum("...m,...mn->...n", a, relu) / math.sqrt(m)
    res = u - y
    coeff = (pre >= 0) * res[..., None, :]  # (..., m, n)
    gW = (a / math.sqrt(m))[..., None] * small_matmul(coeff, X)
    ga = np.einsum("...mn,...n->...m", relu, res) / math.sqrt(m) if both else None
    return gW, ga, u


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
    from .gram import h_of_weights

    u = predictions(W, a, X)
    r2 = np.sum((y - u) ** 2, axis=-1)
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
        W = W - eta * gW
        if both:
            a = a - eta * ga
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


def flow_with_error(W0, a0, X, y, T: float, h: float, both: bool = False, every: int = 1,
                    lam: bool = False) -> Trajectory:
    """The flow at step ``h/2`` with the difference to the run at step ``h`` as its error estimate."""
    coarse = flow(W0, a0, X, y, T, h, both, every, False)
    fine = flow(W0, a0, X, y, T, h / 2, both, 2 * every, lam)
    n = min(len(coarse.times), len(fine.times))
    fine.times, fine.residual_sq, fine.max_move = fine.times[:n], fine.residual_sq[:n], fine.max_move[:n]
    if fine.lam_min is not None:
        fine.lam_min = fine.lam_min[:n]
    fine.error_residual = np.abs(fine.residual_sq - coarse.residual_sq[:n])
    fine.error_move = np.abs(fine.max_move - coarse.max_move[:n])
    fine.extra["step"] = h / 2
    return fine


# ---------------------------------------------------------------- exact flow with frozen activations
def frozen_flow(W0: np.ndarray, a: np.ndarray, X: np.ndarray, y: np.ndarray, t: float):
    """The exact first-layer flow at time ``t`` *if* no activation changes on ``[0, t]``.

    With patterns fixed, ``du/dt = H (y - u)`` for the constant ``H = H(W0)``, so
    ``y - u(t) = exp(-H t)(y - u(0))`` and ``w_r(t) = w_r(0) + (a_r/sqrt m) sum_i 1_ri x_i q_i(t)``
    with ``q(t) = int_0^t (y - u)``. Returns ``(residual(t), W(t), patterns_unchanged_at_t)``;
    the caller checks the patterns on a grid of ``[0, t]`` (or uses a monotonicity argument).
    """
    from .gram import activations, h_of_weights

    m = W0.shape[0]
    H = h_of_weights(W0, X)
    r0 = y - predictions(W0, a, X)
    lam, V = np.linalg.eigh(H)
    c = V.T @ r0
    e = np.exp(-lam * t)
    with np.errstate(divide="ignore", invalid="ignore"):
        integ = np.where(lam > 1e-300, (1 - e) / np.where(lam > 1e-300, lam, 1.0), t)
    r_t = V @ (e * c)
    q_t = V @ (integ * c)
    S = activations(W0, X).astype(float)
    W_t = W0 + (a / math.sqrt(m))[:, None] * ((S * q_t[None, :]) @ X)
    same = bool(np.array_equal(activations(W_t, X), activations(W0, X)))
    return r_t, W_t, same


@dataclass
class ScalarFlow:
    """Exact flow of a network on ONE unit input (``n = 1``) while its activations stay frozen.

    Pre-activations ``s_r = w_r^T x`` (exact rationals), signs ``a_r``, label ``y``. Active neurons
    move along ``x``: ``s_r(t) = s_r + (a_r/sqrt m) q(t)``, ``q(t) = r0 (1 - e^{-h t}) / h`` with
    ``h = H_11 = #active/m`` and ``r(t) = y - u(t) = r0 e^{-h t}``. Since ``q`` is monotone in ``t``,
    the activations stay frozen on ``[0, t]`` iff every active ``s_r(t) >= 0``.
    """

    s: list[Fraction]
    a: list[int]
    y: Fraction

    @property
    def m(self) -> int:
        return len(self.s)

    @property
    def active(self) -> list[int]:
        return [r for r, s in enumerate(self.s) if s >= 0]

    def h(self) -> Fraction:
        return Fraction(len(self.active), self.m)

    def r0(self) -> arb:
        u0 = sum((fraction_to_arb(Fraction(self.a[r]) * self.s[r]) for r in self.active), arb(0))
        return fraction_to_arb(self.y) - u0 / arb(self.m).sqrt()

    def residual(self, t: Fraction) -> arb:
        h = self.h()
        return self.r0() * (-(fraction_to_arb(h * t))).exp()

    def q(self, t: Fraction) -> arb:
        h = self.h()
        if h == 0:
            return self.r0() * fraction_to_arb(t)
        return self.r0() * (1 - (-(fraction_to_arb(h * t))).exp()) / fraction_to_arb(h)

    def move(self, t: Fraction) -> arb:
        """``max_r ||w_r(t) - w_r(0)|| = |q(t)| / sqrt m`` (0 if nothing is active)."""
        if not self.active:
            return arb(0)
        return abs(self.q(t)) / arb(self.m).sqrt()

    def speed(self, t: Fraction) -> arb:
        """``max_r ||dw_r/dt|| = |r(t)| / sqrt m`` for an active neuron."""
        if not self.active:
            return arb(0)
        return abs(self.residual(t)) / arb(self.m).sqrt()

    def frozen_until(self, t: Fraction) -> bool:
        """True only if it is certain that no activation changes on ``[0, t]``."""
        q = self.q(t)
        for r in self.active:
            s_t = fraction_to_arb(self.s[r]) + self.a[r] * q / arb(self.m).sqrt()
            if not s_t >= 0:
                return False
        return True

    @staticmethod
    def lower(x: arb) -> Fraction:
        return arb_endpoints(x)[0]

    @staticmethod
    def upper(x: arb) -> Fraction:
        return arb_endpoints(x)[1]


def sample_gram_at_init(rng: np.random.Generator, X: np.ndarray, m: int, trials: int,
                        chunk_elems: int = 4_000_000, on_chunk=None) -> np.ndarray:
    """``H(0)`` for ``trials`` independent initialisations (``(trials, n, n)``), in memory-bounded chunks.

    ``on_chunk(W, H)`` (optional) sees each chunk's weights ``(b, m, d)`` and Gram matrices, e.g. to
    re-verify exactly the trials that look like failures."""
    from .gram import h_of_weights

    d = X.shape[1]
    out = []
    per = max(1, chunk_elems // max(1, m * d))
    done = 0
    while done < trials:
        b = min(per, trials - done)
        W = rng.standard_normal((b, m, d))
        H = h_of_weights(W, X)
        if on_chunk is not None:
            on_chunk(W, H)
        out.append(H)
        done += b
    return np.concatenate(out, axis=0)


def decay_violations(traj: Trajectory, rate: float, tol: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
    """Per trial: does ``||y - u(t)||^2 <= exp(-rate t) ||y - u(0)||^2`` fail on the grid by more than the
    discretisation error? Returns ``(violated, worst ratio)``: the largest ``(||y - u(t)||^2 + error) /
    bound`` over ``t > 0`` (< 1: holds even allowing for the error; > 1 with ``violated``: fails)."""
    r2 = traj.residual_sq  # (steps, B) or (steps,)
    r0 = r2[0]
    bound = np.exp(-rate * traj.times)[:, None] * r0 if r2.ndim == 2 else np.exp(-rate * traj.times) * r0
    err = traj.error_residual if traj.error_residual is not None else np.zeros_like(r2)
    margin = bound - r2
    violated = np.any(margin < -(err + tol * (1 + r0)), axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.max(np.where(bound[1:] > 0, (r2[1:] + err[1:]) / np.where(bound[1:] > 0, bound[1:], 1), 0.0),
                       axis=0)
    return violated, ratio
