r"""The two-layer ReLU network, once: forward pass, activation pattern, residual, loss gradient, one step.

The network of Du, Zhai, Poczos, Singh (ICLR 2019; slides p. 4) with ``m`` hidden neurons, first-layer
rows ``w_r`` and output weights ``a_r``:

.. math::
    f(W, a, x) = \frac{1}{\sqrt m}\sum_{r=1}^m a_r\,\sigma(w_r^\top x),\qquad \sigma(z) = z\,1\{z\ge0\},

the empirical loss (slides eq. (1)) :math:`L(W, a) = \sum_i \frac12 (f(W, a, x_i) - y_i)^2`, its gradient

.. math::
    \frac{\partial L}{\partial w_r} = \frac{a_r}{\sqrt m}\sum_i (u_i - y_i)\,1\{w_r^\top x_i\ge0\}\,x_i,
    \qquad u_i = f(W, a, x_i)

(the source's indicator: :math:`\sigma'(0) = 1`, the convention of the Gram matrix ``H``), and one step of
gradient descent of the first layer (slides eq. (2)) :math:`W(k+1) = W(k) - \eta\,\partial L/\partial W(k)`;
the flow (eq. (3)) is its limit, integrated exactly in :mod:`proofcheck.ml.flow` and stepped exactly in
:mod:`proofcheck.ml.gd_exact`.

Park's teacher-student model (:mod:`proofcheck.ml.networks`, thesis eq. (2.1)) is the same forward pass with
every ``a_r = 1`` and the scale ``1/n`` (or ``1/k`` as printed) in place of ``1/sqrt m``, and the loss is
taken between a PAIR of such networks, student ``W`` and teacher ``W*``, in expectation over the input
distribution (the population view) instead of summed over ``n`` samples (the finite-sample view here).
Both call :func:`output_exact` for the exact forward pass and :func:`descent_step` for a step
(the float step of eq. (2) is ``descent_step(W, gradients(W, a, X, y)[0], eta)``).

Float functions take a batch axis in front (``W`` of shape ``(m, d)`` or ``(B, m, d)``); the exact ones
take every float as the dyadic rational it stores, so a sign decided by them is decided for the
network the floats describe. :func:`preactivation_error` and :func:`initial_patterns` are the
rigorous bridge between the two (a float sign is kept only when its rounding error cannot flip it).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable, Sequence

import numpy as np
from flint import arb

from proofcheck.model.num import NumericError, fraction_to_arb, to_fraction

_U = 2.0 ** -53  # unit roundoff of binary64


# ---------------------------------------------------------------- float forward pass and gradient
def _matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A @ B`` for a batch ``A``: one 2-d BLAS product over the flattened leading axes (numpy's batched
    matmul is slow for tiny matrices)."""
    return (A.reshape(-1, A.shape[-1]) @ B).reshape(A.shape[:-1] + (B.shape[-1],))


def pre_activations(W: np.ndarray, X: np.ndarray) -> np.ndarray:
    """``P[..., r, i] = w_r^T x_i`` for ``W`` of shape ``(m, d)`` or a batch ``(B, m, d)``."""
    return _matmul(W, X.T)


def activations(W: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The activation pattern ``S[..., r, i] = 1{w_r^T x_i >= 0}`` (booleans)."""
    return pre_activations(W, X) >= 0


def output(P: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``u_i = (1/sqrt m) sum_r a_r relu(P_ri)`` from pre-activations ``P`` (``(..., m, n)``) and ``a``
    (``(..., m)``)."""
    return np.einsum("...m,...mn->...n", a, np.maximum(P, 0.0)) / math.sqrt(P.shape[-2])


def predictions(W: np.ndarray, a: np.ndarray, X: np.ndarray) -> np.ndarray:
    """``u_i = f(W, a, x_i)`` (shape ``(n,)`` or ``(B, n)``)."""
    return output(pre_activations(W, X), a)


def residual(W: np.ndarray, a: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``y - u``: the residual whose squared norm is ``2 L`` and whose decay Theorem 2.1 states."""
    return y - predictions(W, a, X)


def gradients(W: np.ndarray, a: np.ndarray, X: np.ndarray, y: np.ndarray, both: bool = False):
    """``(dL/dW, dL/da or None, u)`` of the empirical loss;
    ``dL/da_r = (1/sqrt m) sum_i (u_i - y_i) relu(w_r^T x_i)`` (both layers trained, Theorem 2.6)."""
    m = W.shape[-2]
    P = pre_activations(W, X)
    relu = np.maximum(P, 0.0)
    u = np.einsum("...m,...mn->...n", a, relu) / math.sqrt(m)
    res = u - y
    coeff = (P >= 0) * res[..., None, :]  # (..., m, n): sigma'(0) = 1
    gW = (a / math.sqrt(m))[..., None] * _matmul(coeff, X)
    ga = np.einsum("...mn,...n->...m", relu, res) / math.sqrt(m) if both else None
    return gW, ga, u


def descent_step(W, grad, eta):
    """One gradient-descent step ``W - eta grad``: slides eq. (2) with ``grad = gradients(W, a, X, y)[0]``;
    floats, or object arrays of Fractions for an exact step (Park's population step)."""
    return W - eta * grad


# ---------------------------------------------------------------- exact forward pass
def dot_exact(w, x) -> Fraction:
    """``w^T x`` in rationals (floats as the rationals they store)."""
    return sum((to_fraction(p) * to_fraction(q) for p, q in zip(w, x)), Fraction(0))


def output_exact(P: Sequence[Fraction], scale, a: Sequence | None = None) -> Fraction:
    """``scale sum_r a_r relu(P_r)`` in rationals for ONE input (``a = None``: every ``a_r = 1``, Park's eq. (2.1))."""
    if a is None:
        return to_fraction(scale) * sum((max(p, Fraction(0)) for p in P), Fraction(0))
    return to_fraction(scale) * sum((to_fraction(ar) * max(p, Fraction(0)) for ar, p in zip(a, P)), Fraction(0))


def activations_exact(W: np.ndarray, X_exact) -> np.ndarray:
    """``1{w_r^T x_i >= 0}`` decided in exact rationals (each float weight is the rational it stores)."""
    S = np.zeros((W.shape[0], len(X_exact)), dtype=bool)
    for r in range(W.shape[0]):
        w = [to_fraction(v) for v in W[r]]
        for i, x in enumerate(X_exact):
            S[r, i] = dot_exact(w, x) >= 0
    return S


def exact_sum(x: np.ndarray) -> Fraction:
    """The exact sum of a float array (every float is the dyadic rational it stores), in O(len) numpy.

    Splits each entry into a multiple of ``2^(e - 26)`` (summed exactly in int64) and a remainder,
    repeated until the remainders vanish; scaling by a power of two and the subtraction are exact."""
    x = np.asarray(x, dtype=np.float64).ravel()
    if not np.all(np.isfinite(x)):
        raise NumericError("non-finite entry in a sum")
    if x.size >= 2**36:
        raise NumericError("array too long for the exact int64 sum")
    total = Fraction(0)
    for _ in range(64):
        big = float(np.max(np.abs(x))) if x.size else 0.0
        if big == 0.0:
            return total
        e = math.frexp(big)[1]
        scale = math.ldexp(1.0, 26 - e)
        hi = np.rint(x * scale)
        total += Fraction(int(hi.astype(np.int64).sum())) / Fraction(scale)
        x = x - hi / scale
    raise NumericError("exact sum did not terminate")


def to_arb(q) -> arb:
    """An Arb ball of a number taken exactly (a ball is returned as it is)."""
    return q if isinstance(q, arb) else fraction_to_arb(to_fraction(q))


# ---------------------------------------------------------------- the rigorous bridge from floats
def pre_activations_by_input(Wt: np.ndarray, X: np.ndarray) -> np.ndarray:
    """``P[i, r] = w_r^T x_i`` from ``W^T`` (``(d, m)``) for few coordinates ``d``: one axpy per coordinate
    (BLAS is slow on ``(m, 2) @ (2, n)``), summed in the order ``q = 0..d-1`` the error bounds assume."""
    out = np.empty((X.shape[0], Wt.shape[1]))
    for i in range(X.shape[0]):
        np.multiply(Wt[0], X[i, 0], out=out[i])
        for q in range(1, Wt.shape[0]):
            out[i] += Wt[q] * X[i, q]
    return out


def thin_pre_activations(W: np.ndarray, X: np.ndarray) -> np.ndarray:
    """:func:`pre_activations_by_input` for ``W`` of shape ``(m, d)``: ``P[r, i]`` (a transposed view)."""
    return pre_activations_by_input(np.ascontiguousarray(W.T), X).T


def exact_inputs(X: np.ndarray, X_exact) -> tuple[list[list[Fraction]], np.ndarray]:
    """Exact inputs (``X_exact`` if given, else the rationals the floats store) and an upper bound on
    ``|X - X_exact|`` entrywise (0 when the floats are the inputs)."""
    if X_exact is None:
        return [[Fraction(float(v)) for v in row] for row in X], np.zeros_like(X)
    Xq = [[to_fraction(v) for v in row] for row in X_exact]
    if len(Xq) != X.shape[0] or any(len(row) != X.shape[1] for row in Xq):
        raise NumericError("X_exact must have the shape of X")
    dX = np.array([[float(abs(Fraction(float(X[i, k])) - Xq[i][k])) for k in range(X.shape[1])]
                   for i in range(X.shape[0])]) * (1 + 2.0 ** -50)
    return Xq, dX


class ExactPreActivations:
    """``w_r^T x_j`` in rationals on demand (``W`` floats as the rationals they store, ``Xq`` exact rows), each
    pair computed once: the few signs :func:`initial_patterns` and a switching neuron need decided exactly."""

    def __init__(self, W: np.ndarray, Xq) -> None:
        self.W, self.Xq = W, Xq
        self._cache: dict[tuple[int, int], Fraction] = {}

    def __call__(self, r: int, j: int) -> Fraction:
        v = self._cache.get((r, j))
        if v is None:
            v = self._cache[(r, j)] = dot_exact(self.W[r], self.Xq[j])
        return v


def gram_exact(Xq: Sequence[Sequence[Fraction]]) -> list[list[Fraction]]:
    """``G_ij = x_i^T x_j`` in rationals."""
    return [[dot_exact(xi, xj) for xj in Xq] for xi in Xq]


def preactivation_error(W0: np.ndarray, X: np.ndarray, dX: np.ndarray | None = None) -> np.ndarray:
    """An upper bound on ``|fl(w_r^T x_i) - w_r^T x_i^exact|`` for :func:`thin_pre_activations`.

    ``gamma_d sum_q |w_rq x_iq|`` (Higham, *Accuracy and Stability*, Thm 3.1), padded, plus
    ``sum_q |w_rq| |x_iq - x_iq^exact|`` when the floats only approximate the exact inputs."""
    d = X.shape[1]
    err = (1.01 * d * _U / (1 - d * _U)) * thin_pre_activations(np.abs(W0), np.abs(X)) + 1e-300
    if dX is not None and np.any(dX):
        err += 1.01 * thin_pre_activations(np.abs(W0), dX)
    return err


def initial_patterns(P0: np.ndarray, err: np.ndarray, exact_pre: Callable[[int, int], Fraction]):
    """The activation pattern ``1{w_r^T x_j >= 0}`` of the exact network: the float sign where the error bound
    cannot flip it, ``exact_pre(r, j)`` elsewhere. Returns the pattern and the ``(r, j)`` exactly at 0."""
    S = P0 >= 0
    zeros: set[tuple[int, int]] = set()
    for r, j in zip(*np.nonzero(np.abs(P0) <= err)):
        v = exact_pre(int(r), int(j))
        S[r, j] = v >= 0
        if v == 0:
            zeros.add((int(r), int(j)))
    return S, zeros


def pattern_groups(S: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Neurons grouped by activation pattern and output sign: ``key_r = (sum_i S_ri 2^i) * 2 + (a_r > 0)``
    and the members of every key (stable order). Neurons of one group move along the same curve
    while no pattern changes (:mod:`proofcheck.ml.flow`, :mod:`proofcheck.ml.gd_exact`)."""
    key = (S.astype(np.int64) @ (1 << np.arange(S.shape[1]))) * 2 + (a > 0)
    order = np.argsort(key, kind="stable")
    ks, starts = np.unique(key[order], return_index=True)
    bounds = list(starts[1:]) + [S.shape[0]]
    return key, {int(k): order[s:e] for k, s, e in zip(ks, starts, bounds)}


def boundary_front(P: np.ndarray, active: bool, size: int) -> np.ndarray:
    """Positions of the ``size`` entries of ``P`` (one group's pre-activations on one input) nearest the
    boundary ``w^T x = 0`` from the group's side (smallest ``P`` when active, largest when not), nearest
    first: only these can switch first when the group moves together."""
    sv = P if active else -P
    k = min(size, len(P))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(sv, k - 1)[:k] if k < len(P) else np.arange(len(P))
    return part[np.argsort(sv[part], kind="stable")]


def active_sums_exact(W0: np.ndarray, a: np.ndarray, S: np.ndarray, Xq) -> list[Fraction]:
    """``sqrt(m) u_j = sum_{r: S_rj} a_r w_r^T x_j`` for every input ``j``, exactly (``a_r = +-1``: each
    ``a_r w_rq`` is exact, summed by :func:`exact_sum`)."""
    out = []
    for j, x in enumerate(Xq):
        mask = S[:, j]
        tot = Fraction(0)
        for q, xq in enumerate(x):
            if xq != 0:
                tot += exact_sum(a[mask] * W0[mask, q]) * xq
        out.append(tot)
    return out
