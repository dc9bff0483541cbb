r"""Li and Yuan's model: the one-hidden-layer ReLU network with identity mapping, under Gaussian input, in closed form.

It lives with the paper's claims (not in :mod:`proofcheck.ml`) because only this paper uses it and it
builds claim conditions (:func:`in_spectral_ball`); the spectral certificate it decides with is the
shared one (:func:`proofcheck.ml.spectral.spectral_norm_at_most`).

Y. Li and Y. Yuan, *Convergence Analysis of Two-layer Neural Networks with ReLU Activation*,
NeurIPS 2017, Section 2: for :math:`x \sim \mathcal N(0, I_d)` and :math:`W \in \mathbb R^{d\times d}`
with columns :math:`w_i`,

.. math::

   f_W(x) = \| \sigma((I + W)^\top x) \|_1 = \sum_i \sigma(\langle e_i + w_i, x\rangle),\qquad
   L(W) = \mathbb E_x\,\tfrac12 (f_W(x) - f_{W^*}(x))^2 .

(the ``scale`` argument chooses the factor in front of the square: ½ by default).
Everything follows from the degree-1 arc-cosine kernel (Cho & Saul 2009): for vectors
:math:`u, v` at angle :math:`\theta`,

.. math::

   k(u, v) = \mathbb E[\sigma(u^\top x)\sigma(v^\top x)] = \frac{\|u\|\|v\|}{2\pi}(\sin\theta + (\pi-\theta)\cos\theta),
   \qquad \nabla_u k(u, v) = \frac{1}{2\pi}\big((\pi - \theta) v + \|v\| \sin\theta\, \hat u\big).

With a PReLU :math:`\sigma_a(t) = \max(t, 0) - a \max(-t, 0)` the kernel is
:math:`k_a(u, v) = (1 + a^2) k(u, v) - a (k(u, -v) + k(-u, v))`.

Each function takes a numeric back-end ``num`` (:data:`proofcheck.model.num.FLOAT` for search,
:data:`proofcheck.model.num.ARB` for rigorous re-verification on Arb balls), so the same formula serves
both: the margin functions of the claims are written once.
"""
from __future__ import annotations

import contextlib
from fractions import Fraction
import math
from typing import Any, Sequence

import numpy as np
from flint import arb
from hypothesis import strategies as st

from proofcheck.ml.spectral import spectral_norm_at_most
from proofcheck.model.claim import Condition
from proofcheck.model.num import FLOAT, NumericError, _precision, to_fraction

Vector = Sequence[Any]


class IdentityMappingError(NumericError):
    """Bad input: a zero vector where an angle is needed, shapes that do not match, NaN."""


def _dot(u: Vector, v: Vector):
    out = 0
    for a, b in zip(u, v):
        out = out + a * b
    return out


def _norm(u: Vector, num):
    return num.sqrt(_dot(u, u))


def _angle(u: Vector, v: Vector, num):
    """``(θ, cos θ, sin θ, ‖u‖, ‖v‖)`` with ``sin θ`` from the 2×2 minors (Lagrange's identity) and
    ``θ = atan2(sin, cos)``: accurate on Arb balls even as ``θ → 0``, where ``acos`` of a ball near 1
    would lose half its precision at every use."""
    nu, nv = _norm(u, num), _norm(v, num)
    c = _dot(u, v) / (nu * nv)
    minors = 0
    for i in range(len(u)):
        for j in range(i + 1, len(u)):
            m = u[i] * v[j] - u[j] * v[i]
            minors = minors + m * m
    if num is FLOAT:
        s = float(np.sqrt(minors)) / (nu * nv)
        return float(np.arctan2(s, c)), c, s, nu, nv
    s = num.sqrt(minors) / (nu * nv) if len(u) > 1 else num.const(0)
    return arb.atan2(s, c), c, s, nu, nv


def relu_kernel_grad(u: Vector, v: Vector, num=FLOAT) -> list:
    """``∇_u E[σ(u·x) σ(v·x)] = ((π − θ) v + ‖v‖ sin θ û) / (2π)`` (u ≠ 0)."""
    theta, c, s, nu, nv = _angle(u, v, num)
    return [((num.pi - theta) * vi + nv * s * ui / nu) / (2 * num.pi) for ui, vi in zip(u, v)]


def prelu_kernel_grad(u: Vector, v: Vector, a, num=FLOAT) -> list:
    mv = [-x for x in v]
    mu = [-x for x in u]
    g1 = relu_kernel_grad(u, v, num)
    g2 = relu_kernel_grad(u, mv, num)
    # d/du k(-u, v) = -(grad of k at (-u, v)) with respect to its first argument
    g3 = relu_kernel_grad(mu, v, num)
    return [(1 + a * a) * x - a * (y - z) for x, y, z in zip(g1, g2, g3)]


def _lifted(W: Any, num) -> list[list[Any]]:
    """``W`` as nested lists of the back-end's numbers (exact rationals become Arb balls)."""
    rows = [list(r) for r in W]
    return rows if num is FLOAT else [[num.const(x) for x in r] for r in rows]


def columns_plus_identity(W: Any, num=FLOAT) -> list[list[Any]]:
    """The vectors ``e_i + w_i`` (columns of ``I + W``) as lists, checking shape and finiteness."""
    rows = [list(r) for r in W]
    d = len(rows)
    if d == 0 or any(len(r) != d for r in rows):
        raise IdentityMappingError("W must be a non-empty square matrix")
    for r in rows:
        for x in r:
            finite = x.is_finite() if hasattr(x, "is_finite") else np.isfinite(float(x))
            if not finite:
                raise IdentityMappingError("W contains NaN or infinity")
    rows = _lifted(rows, num)
    return [[rows[r][i] + (1 if r == i else 0) for r in range(d)] for i in range(d)]


def _kernel_grad(u: Vector, v: Vector, a, num) -> list:
    """``∂_1 k_a(u, v)``; at ``v = u`` (θ = 0, where acos is not smooth) it is ``(1 + a²) u / 2``."""
    if u is v:
        return [(1 + a * a) * x / 2 for x in u]
    return relu_kernel_grad(u, v, num) if a == 0 else prelu_kernel_grad(u, v, a, num)


def population_gradient(W: Any, W_star: Any, num=FLOAT, a=0, scale=None) -> list[list[Any]]:
    r"""``∇_W L`` in closed form, as a matrix whose column ``i`` is ``∂L/∂w_i``.

    With ``a_i = e_i + w_i``, ``b_j = e_j + w_j*`` and ``k`` symmetric,
    ``∂L/∂w_i = 2·scale·(Σ_j ∂_1k(a_i, a_j) − Σ_j ∂_1k(a_i, b_j))``."""
    A, B = columns_plus_identity(W, num), columns_plus_identity(W_star, num)
    half = (1 / 2) if (num is FLOAT and scale is None) else (num.const("1/2") if scale is None else scale)
    d = len(A)
    cols = []
    for i in range(d):
        acc = [0] * d
        for j in range(d):
            gaa = _kernel_grad(A[i], A[i] if j == i else A[j], a, num)
            gab = _kernel_grad(A[i], B[j], a, num)
            acc = [s + x - y for s, x, y in zip(acc, gaa, gab)]
        cols.append([2 * half * s for s in acc])
    return [[cols[i][r] for i in range(d)] for r in range(d)]


def one_point_convexity_margin(W: Any, W_star: Any, delta, num=FLOAT, a=0, scale=None):
    r"""``⟨−∇L(W), W* − W⟩ − δ ‖W* − W‖_F²`` (≥ 0: δ-one-point strongly convex at ``W``).

    The printed definition (slides) is garbled as ``⟨−∇f(x), x* x⟩``; this is the reading
    ``⟨−∇f(x), x* − x⟩ > δ‖x* − x‖²`` of Li & Yuan (2017), Definition 2.1."""
    G = population_gradient(W, W_star, num, a, scale)
    W, W_star = _lifted(W, num), _lifted(W_star, num)
    d = len(G)
    inner, sq = 0, 0
    for r in range(d):
        for c in range(d):
            diff = W_star[r][c] - W[r][c]
            inner = inner - G[r][c] * diff
            sq = sq + diff * diff
    return inner - delta * sq


def auxiliary_f_A(W: Any, W_star: Any, num=FLOAT):
    r"""``f_A = Σ_i (‖e_i + w_i*‖ − ‖e_i + w_i‖)`` (the slides print ``‖e_i − w_i‖``: an erratum
    per Li & Yuan's potential function; both readings are available through ``sign``)."""
    A, B = columns_plus_identity(W, num), columns_plus_identity(W_star, num)
    return sum((_norm(b, num) - _norm(a, num) for a, b in zip(A, B)), 0)


# ---------------------------------------------------------------- norms and strategies
def spectral_norm_float(W: Any) -> float:
    return float(np.linalg.norm(np.asarray(W, dtype=float), 2))


#: Matrix entries are drawn as integers over this denominator (cheap to draw, dense in [-1, 1]).
ENTRY_DENOMINATOR = 840
#: The drawn direction is scaled to ``t γ`` in spectral norm, ``t = min(j, 8)/8`` for ``j`` in 0..16:
#: about half the draws on the ball's boundary, where Phase 1 (``f_A > Cγ``) lives.
_SCALE_STEPS = 8


def weights_in_ball(d: int, gamma: Any):
    """A Hypothesis strategy for rational ``d × d`` matrices with ``‖W‖₂ <= γ``, covering the whole
    spectral-norm ball (not only the Frobenius ball inside it): an integer direction ``M`` scaled by a
    rational just below ``t γ / ‖M‖₂`` (float ``‖M‖₂``, a relative slack of 2⁻³⁰ for its rounding;
    the claims' hypothesis re-checks ``‖W‖₂ <= γ`` exactly). Shrinks to ``W = 0``."""
    g = to_fraction(gamma)
    if g < 0:
        raise IdentityMappingError(f"the radius gamma must be >= 0, got {gamma}")
    entries = st.lists(st.integers(-ENTRY_DENOMINATOR, ENTRY_DENOMINATOR), min_size=d * d, max_size=d * d)

    def build(drawn):
        numerators, j = drawn
        M = [[Fraction(numerators[r * d + c], ENTRY_DENOMINATOR) for c in range(d)] for r in range(d)]
        norm = spectral_norm_float(M)
        if norm == 0 or j == 0:
            return tuple(tuple(Fraction(0) for _ in range(d)) for _ in range(d))
        t = Fraction(min(j, _SCALE_STEPS), _SCALE_STEPS)
        s = Fraction(math.floor(float(g * t) / norm * 2**30 * (1 - 2**-30)), 2**30)
        return tuple(tuple(x * s for x in row) for row in M)

    return st.tuples(entries, st.integers(0, 2 * _SCALE_STEPS)).map(build)


def teacher_student_in_ball(gamma: Any, dims: Sequence[int] = (1, 2, 3)):
    """``(W, W*)`` pairs, both in the ``γ``-ball of the spectral norm, of a common size ``d``."""

    @st.composite
    def draw(draw_):
        d = draw_(st.sampled_from(list(dims)))
        return (draw_(weights_in_ball(d, gamma)), draw_(weights_in_ball(d, gamma)))

    return draw()


def gd_step(W: Any, W_star: Any, eta, num=FLOAT, a=0, scale=None) -> list[list[Any]]:
    """One step of population gradient descent ``W − η ∇L(W)`` (closed-form gradient)."""
    G = population_gradient(W, W_star, num, a, scale)
    Wl = _lifted(W, num)
    return [[Wl[r][c] - eta * G[r][c] for c in range(len(G))] for r in range(len(G))]


def sgd_step(W: Any, W_star: Any, X: Any, eta, num=FLOAT) -> list[list[Any]]:
    r"""One SGD step on the minibatch ``X`` (rows ``x_b``, ``B x n``) of the loss
    ``½ (f_W(x) − f_W*(x))²``, ``f_W(x) = Σ_j σ((e_j + w_j)·x)``:
    ``W − (η/B) Σ_b (f_W(x_b) − f_W*(x_b)) x_b 1{(I + W)^T x_b > 0}^T``.

    Floats: ``X`` an array, vectorised. Arb (``num=ARB``): ``W`` exact or balls, the rows of ``X``
    taken as the exact rationals the floats store; a pre-activation whose sign the ball cannot
    decide (a measure-zero kink) raises :class:`IdentityMappingError`."""
    if num is FLOAT:
        W = np.asarray(W, dtype=float)
        n = W.shape[0]
        X = np.asarray(X, dtype=float)
        P, Ps = X @ (np.eye(n) + W), X @ (np.eye(n) + np.asarray(W_star, dtype=float))
        r = np.maximum(P, 0).sum(axis=1) - np.maximum(Ps, 0).sum(axis=1)
        return W - (eta / X.shape[0]) * (X.T @ (r[:, None] * (P > 0)))
    U, Us = columns_plus_identity(W, num), columns_plus_identity(W_star, num)
    n = len(U)
    Wl = _lifted(W, num)
    G = [[num.const(0)] * n for _ in range(n)]
    rows = [[num.const(float(v)) for v in x] for x in np.asarray(X, dtype=float)]
    for x in rows:
        pre = [_dot(u, x) for u in U]
        on = []
        for p in pre:
            if p > 0:
                on.append(True)
            elif p <= 0:
                on.append(False)
            else:
                raise IdentityMappingError("a pre-activation's sign is not decided on the ball (a ReLU kink)")
        r = sum((p for p, o in zip(pre, on) if o), num.const(0)) - sum(
            (num.max(_dot(u, x), num.const(0)) for u in Us), num.const(0))
        for j in range(n):
            if on[j]:
                for i in range(n):
                    G[i][j] = G[i][j] + r * x[i]
    e = num.const(eta) / len(rows)
    return [[Wl[i][j] - e * G[i][j] for j in range(n)] for i in range(n)]


def sgd_distance_sq_batch(W0: Any, W_star: Any, eta: float, steps: int, batch: int, runs: int,
                          rng: np.random.Generator) -> np.ndarray:
    """``‖W_T − W*‖_F²`` of ``runs`` independent SGD runs at once (floats): ``steps`` steps from
    ``W0``, each on a fresh minibatch of ``batch`` standard Gaussian inputs (the update of :func:`sgd_step`)."""
    Ws = np.asarray(W_star, dtype=float)
    n = Ws.shape[0]
    I = np.eye(n)
    W = np.broadcast_to(np.asarray(W0, dtype=float), (runs, n, n)).copy()
    for _ in range(steps):
        X = rng.standard_normal((runs, batch, n))
        P = X @ (I + W)
        r = np.maximum(P, 0).sum(axis=2) - np.maximum(X @ (I + Ws), 0).sum(axis=2)
        W -= (eta / batch) * np.einsum("rbi,rbj->rij", X, r[:, :, None] * (P > 0))
    D = W - Ws
    return np.einsum("rij,rij->r", D, D)


def gd_distance_sq(W0: Any, W_star: Any, eta: Any, steps: int, num=FLOAT, a=0, prec: int = 256):
    """``‖W_T − W*‖_F²`` after ``steps`` population GD steps from ``W0`` (floats, or Arb balls at
    ``prec`` bits: balls widen with every step, so the working precision is raised)."""
    lift = float if num is FLOAT else num.const
    with contextlib.nullcontext() if num is FLOAT else _precision(prec):
        W = [[lift(x) for x in r] for r in W0]
        Ws = [[lift(x) for x in r] for r in W_star]
        e = lift(eta)
        for _ in range(steps):
            W = gd_step(W, Ws, e, num=num, a=a)
        return sum((W[r][c] - Ws[r][c]) ** 2 for r in range(len(W)) for c in range(len(W)))


def in_spectral_ball(label: str, matrix_of, radius: str = "gamma"):
    """The hypothesis ``‖M‖₂ <= γ`` as a claim condition: the float margin ``γ − ‖M‖₂`` for the
    search, and its sign decided exactly (``γ²I − MᵀM`` PSD) for re-verification. ``matrix_of(env)``
    picks the matrix out of an example; ``radius`` names the constant."""

    return Condition(f"|{label}|_2 <= {radius}",
                     margin=lambda e: float(e[radius]) - spectral_norm_float(matrix_of(e)),
                     rigorous=lambda e: 1 if spectral_norm_at_most(matrix_of(e), e[radius]) else -1)
