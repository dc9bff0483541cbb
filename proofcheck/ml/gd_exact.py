r"""Discrete gradient descent of a two-layer ReLU network (fixed output layer) in exact or Arb arithmetic.

Setting (Du, Zhai, Poczos, Singh, *Gradient Descent Provably Optimizes Over-parameterized Neural
Networks*, ICLR 2019, Theorem 4.1; slides Theorem 3.1, p. 16): :math:`W(k+1)=W(k)-\eta\,\partial L/\partial W(k)`,

.. math::
    w_r(k+1)=w_r(k)+\frac{\eta a_r}{\sqrt m}\sum_i S_{ri}(k)\,(y_i-u_i(k))\,x_i,\qquad S_{ri}(k)=1\{w_r(k)^\top x_i\ge0\}

(:math:`\sigma'(0)=1`, the source's indicator). A neuron whose pattern never changed up to step ``k`` has
``w_r(k) = w_r(0) + (eta a_r/sqrt m) sum_i p_i Z_i(k) x_i`` with the shared sum ``Z(k) = sum_{k'<k} (y - u(k'))``,
so each step costs O(n^2) plus the (few) neurons that ever switched; a switch of a never-switched
neuron is found on the group's nearest-to-boundary front (numpy) and decided exactly. The predictions of
never-switched neurons sum in closed form: ``u_j = (1/sqrt m) sum a_r p_j P0_rj + (eta/m) sum_i G_ij Z_i #{p_i p_j}``.

Arithmetic (``arith``):

* ``"exact"``: rationals (``Fraction``), possible only when ``sqrt m`` is an integer (the ``1/sqrt m`` of
  the network); every float input is the rational it stores;
* ``"arb"``: Arb balls at ``prec`` bits; a sign that a ball cannot decide stops the run with
  ``status = "unresolved"`` (never a guess);
* ``"float"``: the same algorithm in floats (fast path; an estimate).

The initial state (exact signs, groups, exact sums) is built as for the flow, by :mod:`proofcheck.ml.two_layer`.

Entry point :func:`gd`; the result is a :class:`GDTrajectory`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from flint import arb, ctx as flint_ctx

from proofcheck.model.num import NumericError, to_fraction
from proofcheck.ml.gram import h_from_counts
from proofcheck.ml.spectral import lambda_min_enclosure
from proofcheck.ml.two_layer import (ExactPreActivations, active_sums_exact, boundary_front, exact_inputs, gram_exact,
                                     initial_patterns, pattern_groups, preactivation_error,
                                     thin_pre_activations, to_arb)


@dataclass
class GDTrajectory:
    """``residual_sq[k] = ||y - u(k)||^2`` for ``k = 0..steps_done`` (numbers of the chosen arithmetic),
    ``counts[k]`` the integer matrix ``#{r: S_ri(k) S_rj(k)}`` (so ``H(k) = G * counts[k] / m`` exactly),
    ``switches`` the ``(step, neuron, input, on)`` pattern changes, ``status`` ``"complete"`` or
    ``"unresolved"`` (a sign no enclosure could decide, at step ``steps_done``)."""

    arith: str
    m: int
    eta: Any
    residual_sq: list
    residuals: list
    counts: list[np.ndarray]
    switches: list[tuple[int, int, int, bool]]
    status: str
    message: str
    G_exact: list[list[Fraction]]
    Z: list = field(default_factory=list)  # Z(k) at the recorded steps
    max_move: list = field(default_factory=list)  # (step, max_r ||w_r(k) - w_r(0)||)
    W_final: np.ndarray | None = None  # float image of W(steps_done)

    @property
    def steps_done(self) -> int:
        return len(self.residual_sq) - 1

    def residual_sq_float(self) -> np.ndarray:
        return np.array([float(v.mid()) if isinstance(v, arb) else float(v) for v in self.residual_sq])

    def H_exact(self, k: int) -> list[list[Fraction]]:
        return h_from_counts(self.counts[k], self.G_exact, self.m)

    def lam_min_enclosure(self, k: int) -> tuple[Fraction, Fraction]:
        He = self.H_exact(k)
        return lambda_min_enclosure([[to_arb(v) for v in row] for row in He], np.array(He, dtype=float))

    def rate_margins(self, rate) -> list:
        """``(1 - rate)^k ||y - u(0)||^2 - ||y - u(k)||^2`` for every step (Theorem 3.1's conclusion with
        ``rate = eta lambda_0 / 2``), in the trajectory's arithmetic: negative = the bound fails at k."""
        r0 = self.residual_sq[0]
        q = _conv(rate, self.arith)
        one = _conv(1, self.arith)
        out, f = [], one
        for v in self.residual_sq:
            out.append(f * r0 - v)
            f = f * (one - q)
        return out


def _conv(x, arith: str):
    if arith == "exact":
        return to_fraction(x)
    if arith == "arb":
        return to_arb(x)
    return float(x)


def _sign_ge0(x, arith: str):
    """``x >= 0``: True, False, or None when an Arb ball cannot decide."""
    if arith == "arb":
        if x >= 0:
            return True
        if x < 0:
            return False
        return None
    return x >= 0


def gd(W0: np.ndarray, a: np.ndarray, X: np.ndarray, y, eta, steps: int, *, arith: str = "arb",
       prec: int = 128, record_every: int = 1, move_every: int = 0, front: int = 64,
       X_exact=None, final_weights: bool = True) -> GDTrajectory:
    """Run ``steps`` GD steps of the first layer from ``W0`` (``(m, d)``), fixed ``a`` (``+-1``), inputs ``X``
    (``(n, d)``), labels ``y`` and step size ``eta`` (float or Fraction, taken exactly). ``record_every``
    keeps ``Z`` every that many steps; ``move_every > 0`` records ``max_r ||w_r(k) - w_r(0)||`` too.
    ``X_exact`` (rows of Fractions): the exact inputs, of which ``X`` is the float image. ``final_weights``:
    keep the float image of the last ``W`` (``W_final``; an O(m d) pass a caller of the residuals may skip)."""
    if arith not in ("exact", "arb", "float"):
        raise NumericError(f"unknown arithmetic {arith!r}")
    W0 = np.ascontiguousarray(W0, dtype=np.float64)
    X = np.ascontiguousarray(X, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    if not np.all(np.abs(a) == 1):
        raise NumericError("output weights a_r must be +-1")
    m = W0.shape[0]
    rt = math.isqrt(m)
    if arith == "exact" and rt * rt != m:
        raise NumericError(f"exact arithmetic needs an integer sqrt m (m = {m}); use arith='arb'")
    old = flint_ctx.prec
    flint_ctx.prec = prec
    try:
        return _run(W0, a, X, y, eta, steps, arith, record_every, move_every, front, X_exact, final_weights)
    finally:
        flint_ctx.prec = old


class _GDRun:
    """The state of one GD run: neurons grouped by (pattern, sign of a_r) that have never switched move together
    through ``Z = sum_k r(k)`` (their pre-activations are ``P0 + shift``); a neuron that switches keeps its own
    ``A_r``. The front of each group nearest a boundary (:meth:`front`) finds the flips at each step."""

    def __init__(self, W0, a, X, y, eta, arith, front_size, X_exact):
        m = W0.shape[0]
        n = X.shape[0]
        self.W0, self.a, self.X, self.arith, self.front_size, self.m, self.n = W0, a, X, arith, front_size, m, n
        self.C = C = lambda v: _conv(v, arith)  # noqa: E731
        self.yv = [C(to_fraction(v)) for v in (y.tolist() if isinstance(y, np.ndarray) else y)]
        self.Xq, dX = exact_inputs(X, X_exact)
        self.G_exact = gram_exact(self.Xq)
        self.G = [[C(self.G_exact[i][j]) for j in range(n)] for i in range(n)]
        if arith == "exact":
            self.inv_sqm = Fraction(1, math.isqrt(m))
        elif arith == "arb":
            self.inv_sqm = 1 / arb(m).sqrt()
        else:
            self.inv_sqm = 1 / math.sqrt(m)
        self.etav = C(eta)
        self.c_w = self.etav * self.inv_sqm  # eta / sqrt m
        self.c_u = self.etav / C(m)  # eta / m
        self.P0 = thin_pre_activations(W0, X)
        self.err = preactivation_error(W0, X, dX)
        self.P0e = ExactPreActivations(W0, self.Xq)
        self._groups()
        self.switched: dict[int, dict] = {}  # r -> {"bits": np.array, "A": list of nums}
        self.Z = [C(0)] * n

    def _groups(self) -> None:
        """Initial patterns (exact where a float pre-activation is too close to 0), the groups, their pattern
        counts and ``base_j = sum_{r never switched, active on x_j} a_r P0_rj`` (exact for exact/arb)."""
        a, n, P0, S0 = self.a, self.n, self.P0, self.P0 >= 0
        if self.arith != "float":
            S0 = initial_patterns(P0, self.err, self.P0e)[0]
        self.S0 = S0
        self.members = pattern_groups(S0, a)[1]
        self.alive = np.ones(self.m, dtype=bool)
        self.bits_of = {k: ((k >> 1) >> np.arange(n)) & 1 for k in self.members}
        self.counts_unch = np.zeros((n, n), dtype=np.int64)
        for k, mem in self.members.items():
            self.counts_unch += len(mem) * np.outer(self.bits_of[k], self.bits_of[k])
        if self.arith == "float":
            self.base = [float(np.sum(a * np.maximum(P0[:, j], 0.0) * S0[:, j])) for j in range(n)]
            return
        self.base = [self.C(tot) for tot in active_sums_exact(self.W0, a, S0, self.Xq)]

    def P0n(self, r, j):
        return self.C(self.P0e(r, j)) if self.arith != "float" else float(self.P0[r, j])

    def front(self, k, j, size):
        """The ``size`` never-switched neurons of group ``k`` nearest the boundary on ``x_j``, and whether that
        is the whole group."""
        mem = self.members[k]
        mem = mem[self.alive[mem]]
        self.members[k] = mem
        part = boundary_front(self.P0[mem, j], bool(self.bits_of[k][j]), size)
        return mem[part], len(part) == len(mem)

    def shift(self, k, j):
        b = self.bits_of[k]
        sg = 1 if k & 1 else -1
        return sg * self.c_w * sum((self.G[i][j] * self.Z[i] for i in range(self.n) if b[i]), self.C(0))

    def _maybe_flipping(self, k, j, shf):
        """The front of group ``k`` on ``x_j`` that may flip at the float shift ``shf`` (floats with a margin)."""
        b, size = self.bits_of[k], self.front_size
        while True:
            fr, complete = self.front(k, j, size)
            if len(fr) == 0:
                return fr
            # flips: active P0 + shift < 0; inactive P0 + shift >= 0
            v = self.P0[fr, j] + shf
            marg = (self.err[fr, j] + 1e-12 * (abs(shf) + np.abs(self.P0[fr, j]))) if self.arith != "float" else 0.0
            maybe = (v < marg) if b[j] else (v >= -marg)
            if maybe.all() and not complete:
                size *= 4
                continue
            return fr[maybe]

    def flip_unchanged(self):
        """Move the never-switched neurons whose pattern changes at this step to ``switched``; the undecided
        ``(r, j)`` or None."""
        n, C = self.n, self.C
        for k in list(self.members):
            if len(self.members[k]) == 0 or not self.alive[self.members[k]].any():
                continue
            b = self.bits_of[k]
            for j in range(n):
                if all(self.G_exact[i][j] == 0 or not b[i] for i in range(n)):
                    continue  # w^T x_j does not move for this group
                sh = self.shift(k, j)
                for r in self._maybe_flipping(k, j, _tofloat(sh, self.arith)):
                    r = int(r)
                    if not self.alive[r]:
                        continue
                    s = _sign_ge0(self.P0n(r, j) + sh, self.arith)
                    if s is None:
                        return r, j
                    if s != bool(b[j]):  # leaves the never-switched set with A_r = p * Z
                        self.alive[r] = False
                        self.counts_unch -= np.outer(b, b)
                        for q in range(n):
                            if b[q]:
                                self.base[q] = self.base[q] - int(self.a[r]) * self.P0n(r, q)
                        self.switched[r] = {"bits": b.copy(), "A": [self.Z[i] if b[i] else C(0) for i in range(n)]}
        return None

    def predictions(self, step, switches):
        """``(u, counts, undecided)`` at this step: the never-switched groups through ``Z``, the switched
        neurons' current patterns (their changes appended to ``switches``)."""
        n, C = self.n, self.C
        counts = self.counts_unch.copy()
        u = [self.inv_sqm * self.base[j]
             + self.c_u * sum((self.G[i][j] * self.Z[i] * int(self.counts_unch[i, j]) for i in range(n)), C(0))
             for j in range(n)]
        for r, st in self.switched.items():
            sg = int(self.a[r])
            P = [self.P0n(r, j) + sg * self.c_w * sum((self.G[i][j] * st["A"][i] for i in range(n)), C(0))
                 for j in range(n)]
            signs = [_sign_ge0(P[j], self.arith) for j in range(n)]
            if None in signs:
                return u, counts, (r, signs.index(None))
            nb = np.array([int(v) for v in signs], dtype=np.int64)
            switches.extend((step, r, j, bool(nb[j])) for j in range(n) if nb[j] != st["bits"][j])
            st["bits"] = nb
            counts += np.outer(nb, nb)
            for j in range(n):
                if nb[j]:
                    u[j] = u[j] + sg * self.inv_sqm * P[j]
        return u, counts, None


def _unresolved(step, undecided) -> str:
    return (f"step {step}: the sign of w_r^T x_j (neuron {undecided[0]}, input {undecided[1]}) is not decided by "
            f"its enclosure")


def _run(W0, a, X, y, eta, steps, arith, record_every, move_every, front_size, X_exact, final_weights=True):
    g = _GDRun(W0, a, X, y, eta, arith, front_size, X_exact)
    n, C = g.n, g.C
    res_sq, residuals, counts_rec, Z_rec, moves, switches = [], [], [], [], [], []
    status, message = "complete", ""
    for step in range(steps + 1):
        undecided = g.flip_unchanged()  # 1. pattern changes of never-switched neurons at this step
        u, counts, undecided = (None, None, undecided) if undecided else g.predictions(step, switches)
        if undecided:
            status, message = "unresolved", _unresolved(step, undecided)
            break
        r_k = [g.yv[j] - u[j] for j in range(n)]
        res_sq.append(sum((v * v for v in r_k), C(0)))
        residuals.append(r_k)
        counts_rec.append(counts)
        if record_every and step % record_every == 0:
            Z_rec.append((step, list(g.Z)))
        if move_every and step % move_every == 0:
            moves.append((step, _max_move(g.Z, g.switched, g.members, g.bits_of, g.alive, g.G, g.inv_sqm, g.etav,
                                          n, C, arith)))
        if step == steps:
            break
        # 2. the step: never-switched neurons through Z, switched ones through their own A
        for st in g.switched.values():
            st["A"] = [st["A"][i] + (r_k[i] if st["bits"][i] else C(0)) for i in range(n)]
        g.Z = [g.Z[i] + r_k[i] for i in range(n)]
    W_final = (_float_weights(W0, a, X, g.Z, g.switched, g.S0, g.alive, eta, g.m, arith) if final_weights else None)
    return GDTrajectory(arith, g.m, g.etav, res_sq, residuals, counts_rec, switches, status, message, g.G_exact,
                        Z_rec, moves, W_final)


def _tofloat(v, arith):
    return float(v.mid()) if arith == "arb" else float(v)


def _float_weights(W0, a, X, Z, switched, S0, alive, eta, m, arith):
    """The float image of the last recorded ``W`` (for plots and cross-checks)."""
    Zf = np.array([_tofloat(z, arith) for z in Z])
    A = S0.astype(float) * Zf[None, :]
    for r, st in switched.items():
        A[r] = [_tofloat(v, arith) for v in st["A"]]
    return W0 + (float(eta) * a / math.sqrt(m))[:, None] * (A @ X)


def _max_move(Z, switched, members, bits_of, alive, G, inv_sqm, eta, n, C, arith):
    """``max_r ||w_r(k) - w_r(0)||`` = ``eta/sqrt m * max_r sqrt(A_r^T G A_r)`` (an Arb ball in Arb)."""
    best = C(0)
    vecs = [[Z[i] if bits_of[k][i] else C(0) for i in range(n)] for k in members if alive[members[k]].any()]
    vecs += [st["A"] for st in switched.values()]
    for A in vecs:
        q = sum((A[i] * G[i][j] * A[j] for i in range(n) for j in range(n)), C(0))
        best = best.max(q) if arith == "arb" else max(best, q)
    if arith == "exact":
        # sqrt of a rational: return the square (exact) scaled, documented as squared
        return ("squared", eta * eta * inv_sqm * inv_sqm * best)
    if arith == "arb":
        if not best >= 0:
            best = arb(0).union(arb(best.upper()))
        return eta * inv_sqm * best.sqrt()
    return eta * inv_sqm * math.sqrt(max(best, 0.0))
