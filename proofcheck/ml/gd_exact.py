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

Entry point :func:`gd`; the result is a :class:`GDTrajectory`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from flint import arb, ctx as flint_ctx

from proofcheck.model.num import NumericError
from proofcheck.ml.flow import _arb, _dot_exact, _exact_inputs, _q, _thin_matmul, exact_sum


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
        C = self.counts[k]
        n = len(self.G_exact)
        return [[self.G_exact[i][j] * Fraction(int(C[i, j]), self.m) for j in range(n)] for i in range(n)]

    def lam_min_enclosure(self, k: int) -> tuple[Fraction, Fraction]:
        from proofcheck.ml.spectral import lambda_min_enclosure

        He = self.H_exact(k)
        return lambda_min_enclosure([[_arb(v) for v in row] for row in He], np.array(He, dtype=float))

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
        return _q(x)
    if arith == "arb":
        return _arb(x)
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
    m, d = W0.shape
    n = X.shape[0]
    rt = math.isqrt(m)
    if arith == "exact" and rt * rt != m:
        raise NumericError(f"exact arithmetic needs an integer sqrt m (m = {m}); use arith='arb'")
    old = flint_ctx.prec
    flint_ctx.prec = prec
    try:
        return _run(W0, a, X, y, eta, steps, arith, record_every, move_every, front, X_exact, final_weights)
    finally:
        flint_ctx.prec = old


def _run(W0, a, X, y, eta, steps, arith, record_every, move_every, front_size, X_exact, final_weights=True):
    m, d = W0.shape
    n = X.shape[0]
    C = lambda v: _conv(v, arith)  # noqa: E731
    ye = [_q(v) for v in (y.tolist() if isinstance(y, np.ndarray) else y)]
    yv = [C(v) for v in ye]
    Xq, dX = _exact_inputs(X, X_exact)
    G_exact = [[_dot_exact(Xq[i], Xq[j]) for j in range(n)] for i in range(n)]
    G = [[C(G_exact[i][j]) for j in range(n)] for i in range(n)]
    if arith == "exact":
        inv_sqm = Fraction(1, math.isqrt(m))
    elif arith == "arb":
        inv_sqm = 1 / arb(m).sqrt()
    else:
        inv_sqm = 1 / math.sqrt(m)
    etav = C(eta)
    c_w = etav * inv_sqm  # eta / sqrt m
    c_u = etav / C(m)  # eta / m

    P0 = _thin_matmul(W0, X.T)
    err = (1.01 * d * 2.0 ** -53 / (1 - d * 2.0 ** -53)) * _thin_matmul(np.abs(W0), np.abs(X).T) + 1e-300
    if np.any(dX):
        err += 1.01 * _thin_matmul(np.abs(W0), dX.T)
    exact_cache: dict[tuple[int, int], Fraction] = {}

    def P0e(r, j):
        v = exact_cache.get((r, j))
        if v is None:
            v = exact_cache[(r, j)] = _dot_exact(W0[r], Xq[j])
        return v

    def P0n(r, j):
        return C(P0e(r, j)) if arith != "float" else float(P0[r, j])

    S0 = P0 >= 0
    if arith != "float":
        for r, j in zip(*np.nonzero(np.abs(P0) <= err)):
            S0[r, j] = P0e(int(r), int(j)) >= 0
    pw = 1 << np.arange(n)
    key = (S0.astype(np.int64) @ pw) * 2 + (a > 0)
    alive = np.ones(m, dtype=bool)
    order = np.argsort(key, kind="stable")
    ks, starts = np.unique(key[order], return_index=True)
    bounds = list(starts[1:]) + [m]
    members = {int(k): order[s:e] for k, s, e in zip(ks, starts, bounds)}
    bits_of = {k: ((k >> 1) >> np.arange(n)) & 1 for k in members}
    counts_unch = np.zeros((n, n), dtype=np.int64)
    for k, mem in members.items():
        b = bits_of[k]
        counts_unch += len(mem) * np.outer(b, b)
    # base_j = sum over never-switched neurons active on x_j of a_r P0_rj (exact for exact/arb)
    if arith == "float":
        base = [float(np.sum(a * np.maximum(P0[:, j], 0.0) * S0[:, j])) for j in range(n)]
    else:
        base = []
        for j in range(n):
            mask = S0[:, j]
            tot = Fraction(0)
            for q in range(d):
                if Xq[j][q] != 0:
                    tot += exact_sum(a[mask] * W0[mask, q]) * Xq[j][q]
            base.append(C(tot))
    # fronts: per (key, j), never-switched neurons sorted by distance to the boundary
    fronts: dict[tuple[int, int], list] = {}

    def front(k, j, size):
        mem = members[k]
        mem = mem[alive[mem]]
        members[k] = mem
        active = bool(bits_of[k][j])
        sv = P0[mem, j] if active else -P0[mem, j]
        size = min(size, len(mem))
        if size == 0:
            return mem, True
        part = np.argpartition(sv, size - 1)[:size] if size < len(mem) else np.arange(len(mem))
        part = part[np.argsort(sv[part], kind="stable")]
        return mem[part], size == len(mem)

    switched: dict[int, dict] = {}  # r -> {"bits": np.array, "A": list of nums}
    Z = [C(0)] * n
    res_sq, residuals, counts_rec, Z_rec, moves, switches = [], [], [], [], [], []
    status, message = "complete", ""

    def shift(k, j):
        b = bits_of[k]
        sg = 1 if k & 1 else -1
        return sg * c_w * sum((G[i][j] * Z[i] for i in range(n) if b[i]), C(0))

    def shift_f(k, j):
        v = shift(k, j)
        return float(v.mid()) if arith == "arb" else float(v)

    for step in range(steps + 1):
        # 1. pattern changes of never-switched neurons at this step
        undecided = None
        for k in list(members):
            if len(members[k]) == 0 or not alive[members[k]].any():
                continue
            b = bits_of[k]
            for j in range(n):
                if all(G_exact[i][j] == 0 or not b[i] for i in range(n)):
                    continue  # w^T x_j does not move for this group
                sh, shf = shift(k, j), shift_f(k, j)
                size = front_size
                while True:
                    fr, complete = front(k, j, size)
                    if len(fr) == 0:
                        break
                    # flips: active P0 + shift < 0; inactive P0 + shift >= 0 (floats with a margin, then exact)
                    v = P0[fr, j] + shf
                    marg = err[fr, j] + 1e-12 * (abs(shf) + np.abs(P0[fr, j])) if arith != "float" else 0.0
                    maybe = (v < marg) if b[j] else (v >= -marg)
                    if maybe.all() and not complete:
                        size *= 4
                        continue
                    break
                for r in fr[maybe] if len(fr) else []:
                    r = int(r)
                    if not alive[r]:
                        continue
                    s = _sign_ge0(P0n(r, j) + sh, arith)
                    if s is None:
                        undecided = (r, j)
                        break
                    if s != bool(b[j]):
                        # leaves the never-switched set with A_r = p * Z
                        alive[r] = False
                        counts_unch -= np.outer(b, b)
                        for q in range(n):
                            if b[q]:
                                base[q] = base[q] - int(a[r]) * P0n(r, q)
                        switched[r] = {"bits": b.copy(), "A": [Z[i] if b[i] else C(0) for i in range(n)]}
                if undecided:
                    break
            if undecided:
                break
        if undecided:
            status, message = "unresolved", (f"step {step}: the sign of w_r^T x_j (neuron {undecided[0]}, input "
                                             f"{undecided[1]}) is not decided by its enclosure")
            break
        # switched neurons: current pre-activations and patterns
        counts = counts_unch.copy()
        u = [inv_sqm * base[j] + c_u * sum((G[i][j] * Z[i] * int(counts_unch[i, j]) for i in range(n)), C(0))
             for j in range(n)]
        for r, st in switched.items():
            A = st["A"]
            sg = int(a[r])
            P = [P0n(r, j) + sg * c_w * sum((G[i][j] * A[i] for i in range(n)), C(0)) for j in range(n)]
            nb = np.zeros(n, dtype=np.int64)
            for j in range(n):
                s = _sign_ge0(P[j], arith)
                if s is None:
                    undecided = (r, j)
                    break
                nb[j] = int(s)
            if undecided:
                break
            for j in range(n):
                if nb[j] != st["bits"][j]:
                    switches.append((step, r, j, bool(nb[j])))
            st["bits"] = nb
            counts += np.outer(nb, nb)
            for j in range(n):
                if nb[j]:
                    u[j] = u[j] + sg * inv_sqm * P[j]
        if undecided:
            status, message = "unresolved", (f"step {step}: the sign of w_r^T x_j (neuron {undecided[0]}, input "
                                             f"{undecided[1]}) is not decided by its enclosure")
            break
        r_k = [yv[j] - u[j] for j in range(n)]
        res_sq.append(sum((v * v for v in r_k), C(0)))
        residuals.append(r_k)
        counts_rec.append(counts)
        if record_every and step % record_every == 0:
            Z_rec.append((step, list(Z)))
        if move_every and step % move_every == 0:
            moves.append((step, _max_move(Z, switched, members, bits_of, alive, G, inv_sqm, etav, n, C, arith)))
        if step == steps:
            break
        # 2. the step: never-switched neurons through Z, switched ones through their own A
        for st in switched.values():
            st["A"] = [st["A"][i] + (r_k[i] if st["bits"][i] else C(0)) for i in range(n)]
        Z = [Z[i] + r_k[i] for i in range(n)]
    W_final = _float_weights(W0, a, X, Z, switched, S0, alive, eta, m, arith) if final_weights else None
    return GDTrajectory(arith, m, etav, res_sq, residuals, counts_rec, switches, status, message, G_exact,
                        Z_rec, moves, W_final)


def _tofloat(v, arith):
    return float(v.mid()) if arith == "arb" else float(v)


def _float_weights(W0, a, X, Z, switched, S0, alive, eta, m, arith):
    """The float image of the last recorded ``W`` (for plots and cross-checks)."""
    n = X.shape[0]
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
