r"""Exact gradient flow of a two-layer ReLU network with a fixed output layer, integrated event by event.

Setting (Du, Zhai, Poczos, Singh, *Gradient Descent Provably Optimizes Over-parameterized Neural
Networks*, ICLR 2019, Sections 3--4; slides p. 8--10): :math:`f(W,a,x)=\frac1{\sqrt m}\sum_r a_r\sigma(w_r^\top x)`,
:math:`L=\sum_i\frac12(f(x_i)-y_i)^2`, :math:`a_r\in\{-1,1\}` fixed, flow :math:`\dot W=-\partial L/\partial W`,
:math:`S_{ri}=1\{w_r^\top x_i\ge0\}` (the source's indicator: :math:`\sigma'(0)=1`).

Between two changes of the activation pattern :math:`S` the loss is quadratic in :math:`W`, and

.. math::
    \frac{du}{dt}=H(y-u),\qquad H_{ij}=\tfrac1m x_i^\top x_j\textstyle\sum_r S_{ri}S_{rj},\qquad
    y-u(t_k+s)=e^{-Hs}(y-u(t_k)),

    w_r(t_k+s)=w_r(t_k)+\tfrac{a_r}{\sqrt m}\textstyle\sum_i S_{ri}x_i\,Q_i(s),\qquad
    Q(s)=\int_0^s e^{-H\tau}d\tau\,(y-u(t_k)).

Every neuron with the same pattern ``p`` and sign ``a`` moves along the same curve, so a pre-activation
is ``P_rj(t) = Ptilde_rj + (a_r/sqrt m) sum_i G_ij p_i Z_i(t)`` with the shared cumulative integral
``Z(t) = int_0^t (y - u)`` and a per-neuron offset ``Ptilde`` (its initial pre-activation for a neuron
that never switched). Within a group only the neuron nearest to the boundary can switch first, so each
piece has at most ``2^n * 2 * n`` candidate events whatever the width: detection is vectorised numpy
over neurons once, then scalar work per event (Lemma 2.3's point: patterns rarely change).

Rigour (``rigorous=True``, the default). The initial state is exact: every float weight and input is
the rational it stores; initial pre-activations are enclosed by a floating-point error bound, and signs
that bound cannot decide are computed in exact rationals; ``u(0)`` is an exact sum. Each piece is
propagated in Arb: ``exp`` of the augmented matrix ``[[-H, I], [0, 0]] s`` gives ``e^{-Hs}`` and
``Q(s)`` together. The first event of a piece is located by root isolation: a float proposal, an Arb
interval-Newton bracket ``[a, b]`` on which the candidate's derivative has a strict sign and whose
endpoint values have opposite strict signs (one root, a genuine crossing), and an exclusion pass
(adaptive bisection with centred forms and a monotonicity rule) proving that no candidate switches on
``[0, a]`` and no other candidate on ``[a, b]``. Event times are Arb balls.

Rules at the boundary, reported, not pretended:

* a neuron that reaches ``w^T x_i = 0`` switches; if the vector field on the new side points back
  (``d/dt w^T x_i`` changes sign across the switch) the flow would slide along the boundary (a Filippov
  sliding mode): integration stops there with ``status = "sliding"``;
* a tangency (derivative enclosing 0 at the crossing), two different candidates whose crossings cannot
  be separated, or a zero pre-activation with an undecidable direction stop with
  ``status = "unresolved"``; ``t_end`` is then the last time up to which everything is certified.

``rigorous=False`` is the float fast path (eigendecomposition of ``H``, a grid plus Brent's method for
the first crossing): an estimate, used by the benchmark and for plotting at very large width.

The network, its activation patterns and the exact bridge from float weights (error bounds, exact signs,
exact output sums, groups by pattern and sign, their fronts) are :mod:`proofcheck.ml.two_layer`'s.

Entry point: :func:`exact_flow`; the result is a :class:`FlowTrajectory`. Discrete gradient descent in
exact or Arb arithmetic is :func:`proofcheck.ml.gd_exact.gd`.

Usage (Theorem 2.1's conclusion for one initialisation, decided for every ``t >= 0``)::

    from proofcheck.ml import flow as fl
    W0, a = init.arrays()                            # (m, d), (m,): a dynamics.StreamedInit
    tr = fl.exact_flow(W0, a, D.X, D.y, T)          # Arb-certified; rigorous=False: float fast path
    if tr.status != "complete":                     # "sliding" / "unresolved": say so, do not decide
        ...
    lo, hi, t_star = tr.decay_sup(lam0)              # sup_{[0, T]} e^{lam0 t}||y-u(t)||^2/||y-u(0)||^2
    lo, hi, t_star = tr.decay_sup(lam0, forever=True)  # for all t >= 0 (raises NumericError if undecided)
    hi <= 1   -> the decay bound holds (certified);  lo > 1 -> it fails at t_star (certified)
    tr.max_move_sup()                                # exact upper bound on sup_t max_r ||w_r(t) - w_r(0)||
    tr.lam_min_inf()                                 # exact lower bound on min_t lambda_min(H(t))
    tr.events[k].time_ball, tr.residual_sq_ball(t), tr.w_ball(r, t)   # Arb balls
    tr.residual_sq(t), tr.u(t), tr.W(t), tr.max_move(t), tr.lam_min(t)  # floats

Cost: O(m n d) numpy once, then O(2^n n) candidates and a few 2n x 2n Arb matrix exponentials per
activation change (``benchmarks/bench_flow.py``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from flint import arb, arb_mat, ctx as flint_ctx

from proofcheck.ml.gram import h_from_counts
from proofcheck.ml.spectral import lambda_min_enclosure
from proofcheck.ml.two_layer import (ExactPreActivations, active_sums_exact, boundary_front, exact_inputs, gram_exact,
                                     initial_patterns, output, pattern_groups, preactivation_error,
                                     thin_pre_activations, to_arb)
from proofcheck.model.num import NumericError, arb_endpoints, to_fraction

# ---------------------------------------------------------------- exact helpers
def _float_down(q: Fraction) -> float:
    f = float(q)
    return f if Fraction(f) <= q else math.nextafter(f, -math.inf)


def _float_up(q: Fraction) -> float:
    f = float(q)
    return f if Fraction(f) >= q else math.nextafter(f, math.inf)


# ---------------------------------------------------------------- result objects
@dataclass
class Event:
    """A change of activation: neurons ``neurons`` switch input ``input`` on (``on``) or off at ``time``.

    ``time_ball`` is an Arb enclosure of the event time (rigorous mode), ``time`` its midpoint."""

    time: float
    time_ball: arb | None
    neurons: list[int]
    input: int
    on: bool
    piece: int  # index of the piece that starts at this event
    r_ball: list[arb] | None = None  # enclosure of y - u at the event time


@dataclass
class Piece:
    """``[t0, next event)``: constant pattern, ``H`` exact, state at ``t0``: residual ``r0 = y - u(t0)``,
    cumulative integral ``Z0 = int_0^{t0} (y - u)``; floats always, Arb balls in rigorous mode."""

    t0: float
    H: np.ndarray
    H_exact: list[list[Fraction]]
    r0: np.ndarray
    Z0: np.ndarray
    t0_ball: arb | None = None  # a thin (exact) anchor time; the true switch lies in start_ball
    r0_ball: list[arb] | None = None
    Z0_ball: list[arb] | None = None
    start_ball: arb | None = None  # enclosure of the event time that starts the piece
    E: arb | None = None  # start_ball - t0_ball: the offsets at which the switch may happen
    _eig: Any = None
    _lam_enc: Any = None
    _aug_m: Any = None

    # float closed form
    def eig(self):
        if self._eig is None:
            lam, V = np.linalg.eigh(self.H)
            self._eig = (lam, V, V.T @ self.r0)
        return self._eig

    def residual(self, s) -> np.ndarray:
        """``y - u(t0 + s)`` (floats; ``s`` scalar or 1-d array -> shape ``(len(s), n)``)."""
        lam, V, c = self.eig()
        s = np.asarray(s, dtype=float)
        return (np.exp(-np.multiply.outer(s, lam)) * c) @ V.T

    def integral(self, s) -> np.ndarray:
        """``Q(s) = int_0^s (y - u(t0 + tau)) d tau`` (floats)."""
        lam, V, c = self.eig()
        s = np.asarray(s, dtype=float)
        ls = np.multiply.outer(s, lam)
        with np.errstate(divide="ignore", invalid="ignore"):
            phi = np.where(np.abs(lam) > 1e-300, -np.expm1(-ls) / np.where(np.abs(lam) > 1e-300, lam, 1.0),
                           np.multiply.outer(s, np.ones_like(lam)))
        return (phi * c) @ V.T

    # Arb closed form
    def _aug(self) -> arb_mat:
        if self._aug_m is not None and self._aug_m[0] == flint_ctx.prec:
            return self._aug_m[1]
        n = len(self.H_exact)
        rows = [[arb(0)] * (2 * n) for _ in range(2 * n)]
        for i in range(n):
            for j in range(n):
                rows[i][j] = -to_arb(self.H_exact[i][j])
            rows[i][n + i] = arb(1)
        M = arb_mat(rows)
        self._aug_m = (flint_ctx.prec, M)
        return M

    def exp_aug(self, s: arb) -> tuple[arb_mat, arb_mat]:
        """``(e^{-Hs}, int_0^s e^{-H tau} d tau)`` for a ball ``s`` (valid for every ``s`` in it; tight
        only for a thin ball: use :meth:`state_ball` for wide ones)."""
        n = len(self.H_exact)
        E = (self._aug() * s).exp()
        A = arb_mat([[E[i, j] for j in range(n)] for i in range(n)])
        B = arb_mat([[E[i, n + j] for j in range(n)] for i in range(n)])
        return A, B

    def state_ball(self, s: arb) -> tuple[list[arb], list[arb], list[arb]]:
        """Enclosures of ``(y - u, Q, d/ds Q = y - u)`` at every offset ``s`` in the ball, by the centred
        form ``Q(s) in Q(c) + (s - c) e^{-H c} e^{-H [-w, w]} r0``."""
        n = len(self.H_exact)
        r0 = arb_mat([[x] for x in self.r0_ball])
        c = s.mid()
        w = s.rad()
        Ec, Bc = self.exp_aug(arb(c))
        rc = Ec * r0
        Qc = Bc * r0
        if w == 0:
            r = [rc[i, 0] for i in range(n)]
            return r, [Qc[i, 0] for i in range(n)], r
        Ew, _ = self.exp_aug(arb(0, w))
        rbox = Ew * rc  # e^{-H xi} r0 for every xi in the ball
        dev = arb(0, w)
        r = [rbox[i, 0] for i in range(n)]
        Q = [Qc[i, 0] + dev * rbox[i, 0] for i in range(n)]
        return r, Q, r

    def lam_min(self) -> float:
        return float(self.eig()[0][0])

    def lam_min_enclosure(self) -> tuple[Fraction, Fraction]:
        """Exact rational ``lo <= lambda_min(H) <= hi`` (Arb Cholesky and a Rayleigh quotient)."""
        if self._lam_enc is None:
            Ha = [[to_arb(v) for v in row] for row in self.H_exact]
            self._lam_enc = lambda_min_enclosure(Ha, self.H)
        return self._lam_enc


@dataclass
class FlowTrajectory:
    """The exact flow on ``[0, t_end]``: pieces of constant pattern separated by :class:`Event`\\ s.

    ``status``: ``"complete"`` (``t_end = T``), ``"sliding"`` (a Filippov sliding mode starts at
    ``t_end``), ``"unresolved"`` (see ``message``), or ``"max_events"``. Query methods take a time
    ``t`` in ``[0, t_end]``; the ``*_ball`` ones return Arb enclosures (rigorous mode only)."""

    m: int
    W0: np.ndarray
    a: np.ndarray
    X: np.ndarray
    y: np.ndarray
    T: float
    t_end: float
    status: str
    message: str
    rigorous: bool
    pieces: list[Piece]
    events: list[Event]
    G_exact: list[list[Fraction]]
    _segments: dict[int, list] = field(default_factory=dict)  # neuron -> [(piece, pattern bits, offset A~ float, ball)]
    _S0: np.ndarray | None = None
    _prec: int = 128
    stuck: list = field(default_factory=list)  # (neuron, input, piece): held at w^T x = 0 from that piece on
    _patterns: list | None = None
    _final_cands: list | None = None
    _Xq: list | None = None  # the exact inputs
    _ends_at_event: bool = False  # stopped at the last event (sliding, or undecidable direction after it)

    def forever(self) -> tuple[bool, str]:
        """Certify that NO activation changes after ``t_end`` (so the last piece's closed form holds for all
        ``t >= t_end``). From ``t_end`` on, ``Z`` moves by ``int_0^s e^{-H tau} r_e d tau``, of norm at most
        ``||r_e|| / lambda_min(H)``; every candidate whose value at ``t_end`` stays on its side by more than
        ``||beta|| ||r_e|| / lambda_min(H)`` never switches. Returns ``(certified, why)``."""
        if not self.rigorous or self.status != "complete" or self._final_cands is None:
            return False, f"needs a complete rigorous run (status {self.status})"

        def go():
            p = self.pieces[-1]
            if not self._final_cands:
                return True, "no pre-activation can move on the last piece (every group's drive is 0)"
            lam_lo = p.lam_min_enclosure()[0]
            if not lam_lo > 0:
                return False, "lambda_min(H) of the last piece is not certified positive"
            s_end = to_arb(self.t_end) - p.t0_ball
            r_e, Q_e, _ = p.state_ball(s_end)
            norm_r = sum((x * x for x in r_e), arb(0)).sqrt()
            travel = norm_r / to_arb(lam_lo)
            worst = None
            for c in self._final_cands:
                F = c.F_ball(Q_e)
                nb = sum((x * x for x in c.beta_ball), arb(0)).sqrt()
                margin = (F - nb * travel) if c.active else (-F - nb * travel)
                ok = bool(margin >= 0) if c.active else bool(margin > 0)
                if not ok:
                    return False, (f"input {c.j} of neuron(s) {c.neurons[:3]} may still switch after t_end "
                                   f"(margin {float(margin.mid()):.3g}); integrate further")
                lo = arb_endpoints(margin)[0]
                worst = lo if worst is None else min(worst, lo)
            return True, (f"no activation change after t = {self.t_end:g}: every candidate keeps its side by more "
                          f"than its remaining travel (least margin {float(worst) if worst is not None else 0:.3g})")
        return self._with_prec(go)

    # ------------------------------------------------------------ lookup
    @property
    def event_times(self) -> list[float]:
        return [e.time for e in self.events]

    @property
    def switched_neurons(self) -> list[int]:
        return sorted(self._segments)

    def _piece_index(self, t: float) -> int:
        if t < 0 or t > self.t_end * (1 + 1e-15) + 1e-300:
            raise NumericError(f"t = {t} outside the integrated range [0, {self.t_end}]")
        k = int(np.searchsorted([p.t0 for p in self.pieces], t, side="right")) - 1
        return max(k, 0)

    def _pieces_for(self, t) -> list[int]:
        """Indices of the pieces whose (ball) time range may contain the exact time ``t``."""
        ta = to_arb(t)
        out = []
        for k, p in enumerate(self.pieces):
            start_ok = not (ta < p.start_ball)
            end = self.pieces[k + 1].start_ball if k + 1 < len(self.pieces) else to_arb(self.t_end)
            end_ok = not (ta > end)
            if start_ok and end_ok:
                out.append(k)
        if not out:
            raise NumericError(f"t = {t} outside the integrated range [0, {self.t_end}]")
        return out

    # ------------------------------------------------------------ float queries
    def residual(self, t: float) -> np.ndarray:
        """``y - u(t)`` (floats)."""
        k = self._piece_index(t)
        p = self.pieces[k]
        return p.residual(t - p.t0)

    def u(self, t: float) -> np.ndarray:
        """Predictions ``u(t)`` (floats)."""
        return self.y - self.residual(t)

    def residual_sq(self, t: float) -> float:
        """``||y - u(t)||^2`` (float)."""
        r = self.residual(t)
        return float(r @ r)

    def Z(self, t: float) -> np.ndarray:
        k = self._piece_index(t)
        p = self.pieces[k]
        return p.Z0 + p.integral(t - p.t0)

    def lam_min(self, t: float) -> float:
        """``lambda_min(H(t))`` (float; piecewise constant, right-continuous at events)."""
        return self.pieces[self._piece_index(t)].lam_min()

    def _offsets(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """Per neuron, the pattern bits and offset ``A~`` with ``int_0^t S_r (y - u) = A~_r + p_r * Z(t)``."""
        k = self._piece_index(t)
        n = self.X.shape[0]
        bits = self._S0.astype(float).copy()
        off = np.zeros((self.m, n))
        for r, segs in self._segments.items():
            for (kk, b, A, _) in segs:
                if kk <= k:
                    bits[r], off[r] = b, A
        return bits, off

    def W(self, t: float) -> np.ndarray:
        """First-layer weights ``W(t)`` (floats, shape ``(m, d)``)."""
        bits, off = self._offsets(t)
        A = off + bits * self.Z(t)[None, :]
        return self.W0 + (self.a / math.sqrt(self.m))[:, None] * (A @ self.X)

    def max_move(self, t: float) -> float:
        """``max_r ||w_r(t) - w_r(0)||`` (float, vectorised: one norm per distinct pattern plus switched neurons)."""
        Zt = self.Z(t)
        bits = np.unique(self._S0, axis=0).astype(float)
        vals = [float(np.max(np.linalg.norm((bits * Zt) @ self.X, axis=1)))] if len(bits) else [0.0]
        if self._segments:
            b, off = self._offsets(t)
            idx = np.array(sorted(self._segments))
            vals.append(float(np.max(np.linalg.norm((off[idx] + b[idx] * Zt) @ self.X, axis=1))))
        return max(vals) / math.sqrt(self.m)

    # ------------------------------------------------------------ rigorous queries
    def _need_rigour(self):
        if not self.rigorous:
            raise NumericError("this trajectory was integrated in floats (rigorous=False): no enclosures")

    def _with_prec(self, fn):
        old = flint_ctx.prec
        flint_ctx.prec = self._prec
        try:
            return fn()
        finally:
            flint_ctx.prec = old

    def _state_at(self, t) -> tuple[list[arb], list[arb], int]:
        """Enclosures of ``(y - u(t), Z(t))`` for an exact time ``t`` (union over the pieces that may hold it)."""
        ks = self._pieces_for(t)
        out_r = out_Z = None
        for k in ks:
            p = self.pieces[k]
            s = to_arb(t) - p.t0_ball  # may be slightly negative near the event: the piece's virtual state
            r, Q, _ = p.state_ball(s)
            Zt = [p.Z0_ball[i] + Q[i] for i in range(len(r))]
            out_r = r if out_r is None else [x.union(y) for x, y in zip(out_r, r)]
            out_Z = Zt if out_Z is None else [x.union(y) for x, y in zip(out_Z, Zt)]
        return out_r, out_Z, ks[-1]

    def residual_ball(self, t) -> list[arb]:
        """Arb enclosure of ``y - u(t)`` at an exact time ``t`` (float or Fraction)."""
        self._need_rigour()
        return self._with_prec(lambda: self._state_at(t)[0])

    def residual_sq_ball(self, t) -> arb:
        """Arb enclosure of ``||y - u(t)||^2``."""
        self._need_rigour()
        return self._with_prec(lambda: sum((x * x for x in self._state_at(t)[0]), arb(0)))

    def w_ball(self, r: int, t) -> list[arb]:
        """Arb enclosure of ``w_r(t)`` for one neuron."""
        self._need_rigour()

        def go():
            _, Zt, k = self._state_at(t)
            bits, off = self._S0[r].astype(int).tolist(), None
            for (kk, b, A, Ab) in self._segments.get(r, []):
                if kk <= k:
                    bits, off = [int(v) for v in b], Ab
            n, d = self.X.shape
            A = [(off[i] if off is not None else arb(0)) + bits[i] * Zt[i] for i in range(n)]
            c = to_arb(self.a[r]) / arb(self.m).sqrt()
            return [to_arb(self.W0[r, q]) + c * sum((A[i] * to_arb(self._Xq[i][q]) for i in range(n)), arb(0))
                    for q in range(d)]
        return self._with_prec(go)

    def _move_sq_ball(self, A: list[arb]) -> arb:
        n = len(A)
        return sum((A[i] * to_arb(self.G_exact[i][j]) * A[j] for i in range(n) for j in range(n)), arb(0))

    def max_move_ball(self, t) -> arb:
        """Arb enclosure of ``max_r ||w_r(t) - w_r(0)||`` at an exact time ``t``."""
        self._need_rigour()
        return self._with_prec(lambda: self._max_move_from(self._state_at(t)[1], self._piece_index(float(t))))

    def _max_move_from(self, Zt: list[arb], k: int, switched: bool = True) -> arb:
        n = len(Zt)
        best = arb(0)
        if self._patterns is None:
            self._patterns = [tuple(int(v) for v in row) for row in np.unique(self._S0, axis=0)]
        for bits in self._patterns:
            best = best.max(self._move_sq_ball([bits[i] * Zt[i] for i in range(n)]))
        for r, segs in (self._segments.items() if switched else ()):
            bits, off = None, None
            for (kk, b, A, Ab) in segs:
                if kk <= k:
                    bits, off = [int(v) for v in b], Ab
            if bits is None:
                continue
            best = best.max(self._move_sq_ball([off[i] + bits[i] * Zt[i] for i in range(n)]))
        if not best >= 0:  # a wide ball of a sum of squares may dip below 0: keep [0, upper]
            best = arb(0).union(arb(best.upper()))
        return best.sqrt() / arb(self.m).sqrt()

    def max_move_sup(self, points_per_piece: int = 32) -> Fraction:
        """A rigorous upper bound on ``sup_{0 <= t <= t_end} max_r ||w_r(t) - w_r(0)||``.

        Each piece ``[t_k, t_{k+1}]`` is sampled at ``N + 1`` equispaced (thin-ball) times and each gap
        is covered by the Lipschitz bound ``||dw_r/dt|| <= sqrt(tr G) ||y - u(t_k)|| / sqrt m`` (``||y - u||`` does
        not increase on a piece: ``H`` is positive semidefinite)."""
        self._need_rigour()

        def go():
            best = Fraction(0)
            sqm = arb(self.m).sqrt()
            n = len(self.G_exact)
            trG = sum((to_arb(self.G_exact[i][i]) for i in range(n)), arb(0))
            N = max(1, points_per_piece)
            for k, p in enumerate(self.pieces):
                end = self.pieces[k + 1].start_ball if k + 1 < len(self.pieces) else to_arb(self.t_end)
                s0 = arb(p.E.lower())  # the piece's formula holds from its (ball) switch time on
                length = arb((end - p.t0_ball).upper()) - s0
                if not length > 0:
                    length = arb(0)
                # ||y - u|| at s0 <= 0 is at most e^{||H|| |s0|} ||r0|| (||H|| <= tr H <= tr G)
                rmax = sum((x * x for x in p.r0_ball), arb(0)).sqrt() * (trG * abs(s0)).exp()
                lip = trG.sqrt() * rmax / sqm
                slack = lip * length / (2 * N)
                # never-switched patterns on a fine grid; the few switched neurons at the piece's ends
                # with the Lipschitz slack of the whole piece
                every = max(1, -(-N * len(self._segments) // 4000))  # bound the Arb work on switched neurons
                for i in range(N + 1):
                    s = (s0 + length * i / N).mid()
                    _, Q, _ = p.state_ball(arb(s))
                    Zt = [p.Z0_ball[q] + Q[q] for q in range(n)]
                    best = max(best, arb_endpoints(self._max_move_from(Zt, k, switched=False) + slack)[1])
                    if self._segments and (i % every == 0 or i == N):
                        sl = lip * length * min(every, N) / (2 * N)
                        best = max(best, arb_endpoints(self._max_move_from(Zt, k) + sl)[1])
            return best
        return self._with_prec(go)

    def decay_sup(self, lam0, forever: bool = False) -> tuple[Fraction, Fraction, float]:
        r"""Rigorous bounds ``(lo, hi, t)`` on ``sup_{0<=t<=t_end} e^{lambda_0 t}||y-u(t)||^2 / ||y-u(0)||^2``.

        On a piece, :math:`e^{\lambda_0 t}\|e^{-Hs}r_k\|^2=e^{\lambda_0t_k}\sum_l c_l^2e^{(\lambda_0-2\mu_l)s}` is convex
        in ``s`` (``H`` symmetric), so its supremum is attained at the piece's endpoints: the event times
        and ``t_end``. ``lo`` is a certified value attained at (ball) time ``t``; ``hi`` bounds the sup.
        Theorem 2.1's conclusion holds on ``[0, t_end]`` iff the sup is ``<= 1``.

        ``forever=True``: the bounds are for ``t`` in ``[0, infinity)``; it needs :meth:`forever` (no later
        activation change) and ``2 lambda_min(H) > lambda_0`` on the last piece (then every mode of the last
        piece decays faster than ``e^{-lambda_0 t}``, the convex ratio is non-increasing there and its sup
        on ``[t_end, infinity)`` is its value at ``t_end``); otherwise :class:`NumericError` says which fails."""
        self._need_rigour()
        if forever:
            ok, why = self.forever()
            if not ok:
                raise NumericError(why)
            lam_lo = self.pieces[-1].lam_min_enclosure()[0]
            if not 2 * lam_lo > to_fraction(lam0):
                raise NumericError(f"2 lambda_min(H) >= {float(2 * lam_lo):.6g} on the last piece does not exceed "
                                   f"lambda_0 = {float(lam0):.6g}: the limit t -> infinity is not decided")

        def go():
            L = to_arb(lam0)
            r0 = self.pieces[0].r0_ball
            base = sum((x * x for x in r0), arb(0))
            if not base > 0:
                raise NumericError("y - u(0) is not certified nonzero")
            # the ratio is exactly 1 at t = 0 (a ball quotient base/base would straddle it)
            pts = [(e.time_ball, e.r_ball, e.time) for e in self.events]
            if not self._ends_at_event:
                # (a run stopped by a switch ends at that event, whose state is already a point)
                r_end = self.residual_ball(self.t_end)
                pts.append((to_arb(self.t_end), r_end, self.t_end))
            best_lo, best_hi, where = Fraction(1), Fraction(1), 0.0
            for tb, r, tf in pts:
                val = (L * tb).exp() * sum((x * x for x in r), arb(0)) / base
                lo, hi = arb_endpoints(val)
                if lo > best_lo:
                    best_lo, where = lo, tf
                best_hi = max(best_hi, hi)
            return best_lo, best_hi, where
        return self._with_prec(go)

    def lam_min_enclosures(self) -> list[tuple[float, tuple[Fraction, Fraction]]]:
        """``(piece start, (lo, hi))`` with exact bounds on ``lambda_min(H)`` on every piece."""
        return [(p.t0, p.lam_min_enclosure()) for p in self.pieces]

    def lam_min_ball_upto(self, t) -> arb:
        """Arb enclosure of ``min_{0<=s<=t} lambda_min(H(s))`` for an exact ``t <= t_end``: pieces that may start
        by ``t`` bound it below, pieces that certainly do bound it above (event times are balls)."""
        ta = to_arb(t)
        lo = hi = None
        for k, p in enumerate(self.pieces):
            may = k == 0 or not (p.start_ball > ta)
            sure = k == 0 or bool(p.start_ball < ta)
            if not may:
                break
            plo, phi = p.lam_min_enclosure()
            lo = plo if lo is None else min(lo, plo)
            if sure:
                hi = phi if hi is None else min(hi, phi)
        return to_arb(lo).union(to_arb(hi))

    def lam_min_inf(self) -> Fraction:
        """Exact lower bound on ``min_{0<=t<=t_end} lambda_min(H(t))`` (all pieces)."""
        return min(p.lam_min_enclosure()[0] for p in self.pieces)

    def summary(self) -> str:
        return (f"exact flow, m = {self.m}, n = {self.X.shape[0]}: {len(self.events)} activation changes on "
                f"[0, {self.t_end:.6g}] ({self.status}{': ' + self.message if self.message else ''}); "
                f"{'Arb-certified' if self.rigorous else 'float estimate'}")


# ---------------------------------------------------------------- integration
@dataclass
class _Cand:
    """A candidate event: the neurons ``neurons`` of one group (pattern ``bits``, sign ``a``) whose
    pre-activation on input ``j`` is ``F(s) = alpha + beta . Q(s)`` on the current piece."""

    j: int
    active: bool
    alpha: float
    beta: np.ndarray
    neurons: list[int]
    key: int
    alpha_ball: arb | None = None
    beta_ball: list[arb] | None = None
    at_zero: bool = False
    ambiguous: bool = False  # several neurons whose order cannot be decided share this extreme

    def safe_sign(self, v: arb) -> bool:
        return bool(v >= 0) if self.active else bool(v < 0)

    def event_sign_strict(self, v: arb) -> bool:
        return bool(v < 0) if self.active else bool(v > 0)

    def deriv_safe(self, d: arb) -> bool:
        return bool(d > 0) if self.active else bool(d < 0)

    def deriv_event(self, d: arb) -> bool:
        return bool(d < 0) if self.active else bool(d > 0)

    def F_ball(self, Q: list[arb]) -> arb:
        return self.alpha_ball + sum((self.beta_ball[i] * Q[i] for i in range(len(Q))), arb(0))

    def dF_ball(self, r: list[arb]) -> arb:
        return sum((self.beta_ball[i] * r[i] for i in range(len(r))), arb(0))


class _Net:
    """Neuron bookkeeping: groups of never-switched neurons (static numpy arrays, nearest-to-boundary
    fronts) and the few switched neurons (offsets ``Ptilde``, ``A~``)."""

    FRONT = 16

    def __init__(self, W0, a, X, rigorous, Xq=None, dX=None):
        self.W0, self.a, self.X = W0, a, X
        self.Xq = Xq if Xq is not None else exact_inputs(X, None)[0]
        self.m, self.n = W0.shape[0], X.shape[0]
        m, n = self.m, self.n
        self.rigorous = rigorous
        self._bits: dict[int, np.ndarray] = {}
        self.P0 = thin_pre_activations(W0, X)
        self.err = preactivation_error(W0, X, dX)
        self.P0_exact = ExactPreActivations(W0, self.Xq)
        if rigorous:
            self.S0, self.zero0 = initial_patterns(self.P0, self.err, self.P0_exact)
        else:
            self.S0, self.zero0 = self.P0 >= 0, set()
        self.pow = 1 << np.arange(n)
        self.key0, self.members = pattern_groups(self.S0, a)
        self.alive = np.ones(m, dtype=bool)
        self.count = {int(k): len(v) for k, v in self.members.items()}
        self.fronts: dict[tuple[int, int], list] = {}
        # switched neurons
        self.ch_ids: list[int] = []
        self.ch_pos: dict[int, int] = {}
        self.ch_key = np.zeros(0, dtype=np.int64)
        self.ch_Pt = np.zeros((0, n))
        self.ch_A = np.zeros((0, n))
        self.ch_Pt_ball: list[list[arb]] = []
        self.ch_lo = np.zeros((0, n))  # outward-rounded float bounds of the balls (rigorous selection)
        self.ch_hi = np.zeros((0, n))
        self.ch_A_ball: list[list[arb]] = []

    def bits(self, key: int) -> np.ndarray:
        b = self._bits.get(key)
        if b is None:
            b = self._bits[key] = ((key >> 1) >> np.arange(self.n)) & 1
        return b

    def counts_matrix(self) -> np.ndarray:
        C = np.zeros((self.n, self.n), dtype=np.int64)
        for k, c in self.count.items():
            if c:
                b = self.bits(k)
                C += c * np.outer(b, b)
        return C

    def keys(self) -> list[int]:
        return [k for k, c in self.count.items() if c > 0]

    # ---------------------------------------------------------- nearest never-switched neurons
    def _front(self, key: int, j: int, size: int | None = None):
        f = self.fronts.get((key, j))
        if f is not None and size is None:
            idx, pos, complete = f
            while pos < len(idx) and not self.alive[idx[pos]]:
                pos += 1
            f[1] = pos
            if pos < len(idx) or complete:
                return idx[pos:]
        mem = self.members.get(key)
        if mem is None:
            return np.zeros(0, dtype=np.int64)
        mem = mem[self.alive[mem]]
        self.members[key] = mem
        part = boundary_front(self.P0[mem, j], bool(self.bits(key)[j]), size or self.FRONT)
        self.fronts[(key, j)] = [mem[part], 0, len(part) == len(mem)]
        return mem[part]

    def unchanged_extreme(self, key: int, j: int, exclude=()):
        """``(value float, exact value or None, tied neurons, ambiguous)`` of the never-switched neuron of the
        group nearest to the boundary on input ``j``; ``None`` if the group has none."""
        active = bool(self.bits(key)[j])
        size = None
        for _ in range(8):
            fr = self._front(key, j, size)
            if len(exclude):
                f = self.fronts.get((key, j), [fr, 0, True])
                keep = ~np.isin(fr, np.fromiter(exclude, dtype=np.int64))
                if not keep.any() and not f[2]:
                    size = 4 * len(f[0])
                    continue
                fr = fr[keep]
            if len(fr) == 0:
                return None
            v1 = self.P0[fr[0], j]
            if not self.rigorous:
                tied = [int(r) for r in fr if self.P0[r, j] == v1]
                return float(v1), None, tied, False
            tol = self.err[fr[0], j] + self.err[fr, j]
            near = np.abs(self.P0[fr, j] - v1) <= tol + self.err[fr, j]
            f = self.fronts.get((key, j), [fr, 0, True])
            if near.all() and not f[2]:
                size = 4 * len(f[0])
                continue
            cand = [int(r) for r in fr[near]]
            ex = {r: self.P0_exact(r, j) for r in cand}
            best = min(ex.values()) if active else max(ex.values())
            tied = [r for r in cand if ex[r] == best]
            return float(best), best, tied, False
        raise NumericError("too many near-tied neurons in one group")

    # ---------------------------------------------------------- switched neurons
    def changed_extreme(self, key: int, j: int, shift: float, exclude=()):
        """Extreme switched neuron of the group on input ``j``: ``(float value, ball, tied neurons, ambiguous)``.

        Rigorous mode selects on outward-rounded float bounds of the balls: every member whose lower
        (upper) bound does not exceed the least upper (greatest lower) bound may be the extreme; the
        returned ball encloses the extreme over all of them, and ``ambiguous`` says that two different
        neurons may be it."""
        if not self.ch_ids:
            return None
        sel = np.nonzero(self.ch_key == key)[0]
        if len(exclude):
            ex = {self.ch_pos[r] for r in exclude if r in self.ch_pos}
            sel = np.array([q for q in sel if int(q) not in ex], dtype=np.int64)
        if len(sel) == 0:
            return None
        active = bool(self.bits(key)[j])
        vals = self.ch_Pt[sel, j]
        i = int(np.argmin(vals) if active else np.argmax(vals))
        v = vals[i]
        if not self.rigorous:
            tied = [self.ch_ids[int(q)] for q in sel[vals == v]]
            return float(v), None, tied, False
        lo, hi = self.ch_lo[sel, j], self.ch_hi[sel, j]
        cand = sel[lo <= hi.min()] if active else sel[hi >= lo.max()]
        ball = None
        for q in cand:
            b2 = self.ch_Pt_ball[int(q)][j]
            ball = b2 if ball is None else (ball.min(b2) if active else ball.max(b2))
        tied = [self.ch_ids[int(q)] for q in cand]
        return float(ball.mid()), ball, tied, len(tied) > 1

    def key_of(self, r: int) -> int:
        p = self.ch_pos.get(r)
        return int(self.key0[r]) if p is None else int(self.ch_key[p])

    def state_of(self, r: int):
        """``(bits, A~ float, A~ ball, Ptilde float, Ptilde ball)`` of neuron ``r``."""
        p = self.ch_pos.get(r)
        n = self.n
        if p is None:
            b = self.S0[r].astype(np.int64)
            Pb = [to_arb(self.P0_exact(r, j)) for j in range(n)] if self.rigorous else None
            Ab = [arb(0)] * n if self.rigorous else None
            return b, np.zeros(n), Ab, self.P0[r].copy(), Pb
        b = self.bits(int(self.ch_key[p]))
        return (b, self.ch_A[p].copy(), self.ch_A_ball[p] if self.rigorous else None, self.ch_Pt[p].copy(),
                self.ch_Pt_ball[p] if self.rigorous else None)

    def set_state(self, r: int, key: int, A: np.ndarray, Ab, Pt: np.ndarray, Pb):
        p = self.ch_pos.get(r)
        old = self.key_of(r)
        self.count[old] -= 1
        self.count[key] = self.count.get(key, 0) + 1
        if p is None:
            self.alive[r] = False
            p = self.ch_pos[r] = len(self.ch_ids)
            self.ch_ids.append(r)
            self.ch_key = np.append(self.ch_key, key)
            self.ch_A = np.vstack([self.ch_A, A[None, :]])
            self.ch_Pt = np.vstack([self.ch_Pt, Pt[None, :]])
            self.ch_A_ball.append(Ab)
            self.ch_Pt_ball.append(Pb)
            self.ch_lo = np.vstack([self.ch_lo, np.zeros((1, self.n))])
            self.ch_hi = np.vstack([self.ch_hi, np.zeros((1, self.n))])
        else:
            self.ch_key[p] = key
            self.ch_A[p] = A
            self.ch_Pt[p] = Pt
            if self.rigorous:
                self.ch_A_ball[p] = Ab
                self.ch_Pt_ball[p] = Pb
        if self.rigorous:
            for q in range(self.n):
                lo, hi = arb_endpoints(Pb[q])
                self.ch_lo[p, q] = _float_down(lo)
                self.ch_hi[p, q] = _float_up(hi)


def _ball_hull(a: arb, b: arb) -> arb:
    return a.union(b)


class _Integrator:
    def __init__(self, W0, a, X, y, T, rigorous, prec, max_events, grid, X_exact=None):
        self.W0 = np.ascontiguousarray(W0, dtype=np.float64)
        self.a = np.asarray(a, dtype=np.float64)
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        if self.W0.ndim != 2 or self.X.ndim != 2 or self.W0.shape[1] != self.X.shape[1]:
            raise NumericError("W0 must be (m, d) and X (n, d)")
        if not np.all(np.abs(self.a) == 1):
            raise NumericError("output weights a_r must be +-1")
        self.y_exact = [to_fraction(v) for v in (y.tolist() if isinstance(y, np.ndarray) else y)]
        self.y = np.array([float(v) for v in self.y_exact])
        self.T = float(T)
        self.rigorous, self.prec, self.max_events = rigorous, prec, max_events
        self.m, self.n = self.W0.shape[0], self.X.shape[0]
        self.G = self.X @ self.X.T
        self.Xq, dX = exact_inputs(self.X, X_exact)
        self.G_exact = gram_exact(self.Xq)
        self.net = _Net(self.W0, self.a, self.X, rigorous, self.Xq, dX)
        self.sqm = math.sqrt(self.m)
        self.grid = np.unique(np.concatenate([[0.0], np.geomspace(1e-12, 1.0, 40), np.linspace(0, 1, grid)]))
        self.zero: set[tuple[int, int]] = set(self.net.zero0)
        self.segments: dict[int, list] = {}
        self.stuck: list[tuple[int, int, int]] = []  # (neuron, input, piece it starts): held at w^T x = 0
        self.held: dict[int, set[int]] = {}

    # ---------------------------------------------------------- initial state
    def initial_residual(self):
        """``y - u(0)``: floats, and in rigorous mode the exact sum ``u_j(0) sqrt m = x_j . sum_{r active} a_r w_r``."""
        S = self.net.S0
        r0 = self.y - output(np.where(S, self.net.P0, 0.0), self.a)
        if not self.rigorous:
            return r0, None
        sqm = arb(self.m).sqrt()
        sums = active_sums_exact(self.W0, self.a, S, self.Xq)
        return r0, [to_arb(self.y_exact[j]) - to_arb(tot) / sqm for j, tot in enumerate(sums)]

    def make_piece(self, t0, t0_ball, r0, r0_ball, Z0, Z0_ball, start_ball=None, E=None) -> Piece:
        C = self.net.counts_matrix()
        H = self.G * C / self.m
        H_exact = h_from_counts(C, self.G_exact, self.m)
        if self.rigorous and start_ball is None:
            start_ball, E = t0_ball, arb(0)
        return Piece(t0, H, H_exact, r0, Z0, t0_ball, r0_ball, Z0_ball, start_ball, E)

    # ---------------------------------------------------------- candidates
    def candidates(self, p: Piece) -> list[_Cand]:
        net, n = self.net, self.n
        out = []
        zero_by_key: dict[tuple[int, int], list[int]] = {}
        for (r, j) in self.zero:
            zero_by_key.setdefault((net.key_of(r), j), []).append(r)
        for key in net.keys():
            bits = net.bits(key)
            sgn = 1.0 if key & 1 else -1.0
            for j in range(n):
                if self.beta_zero(bits, j):
                    continue  # w^T x_j is constant for the whole group on this piece: no event
                active = bool(bits[j])
                beta = sgn / self.sqm * self.G[:, j] * bits
                shift = float(beta @ p.Z0)
                beta_ball = shift_ball = None
                if self.rigorous:
                    c = arb(int(sgn)) / arb(self.m).sqrt()
                    beta_ball = [c * to_arb(self.G_exact[i][j]) * int(bits[i]) for i in range(n)]
                    shift_ball = sum((beta_ball[i] * p.Z0_ball[i] for i in range(n)), arb(0))
                zs = zero_by_key.get((key, j), [])
                if zs:
                    az = None
                    if self.rigorous:  # an enclosure of F(0); F itself vanishes at the switch offset
                        for r in zs:
                            v = net.state_of(r)[4][j] + shift_ball
                            az = v if az is None else az.union(v)
                    out.append(_Cand(j, active, 0.0, beta, sorted(zs), key, az, beta_ball, at_zero=True))
                exts = []
                ue = net.unchanged_extreme(key, j, exclude=zs)
                if ue is not None:
                    v, ex, tied, amb = ue
                    exts.append((v, to_arb(ex) if ex is not None else None, tied, amb))
                ce = net.changed_extreme(key, j, shift, exclude=zs)  # at-zero neurons are their own candidate
                if ce is not None:
                    exts.append(ce)
                if not exts:
                    continue
                if len(exts) == 2:
                    (v1, b1, t1, a1), (v2, b2, t2, a2) = exts
                    if self.rigorous:
                        ball = b1.min(b2) if active else b1.max(b2)
                        if b1.overlaps(b2):
                            amb, tied = True, t1 + t2
                        else:
                            first = (b1 < b2) == active
                            tied, amb = (t1, a1) if first else (t2, a2)
                        v = min(v1, v2) if active else max(v1, v2)
                        exts = [(v, ball, tied, amb)]
                    else:
                        if v1 == v2:
                            exts = [(v1, None, t1 + t2, False)]
                        else:
                            exts = [exts[0] if (v1 < v2) == active else exts[1]]
                v, ball, tied, amb = exts[0]
                out.append(_Cand(j, active, v + shift, beta, tied, key,
                                 (ball + shift_ball) if self.rigorous else None, beta_ball, False, amb))
        return out

    # ---------------------------------------------------------- float search
    def float_first(self, p: Piece, cands: list[_Cand], s_max: float):
        """``(s, candidate index)`` of the first crossing in floats, or ``None``."""
        if not cands or s_max <= 0:
            return None
        alpha = np.array([c.alpha for c in cands])
        beta = np.array([c.beta for c in cands])
        act = np.array([c.active for c in cands])
        zero = np.array([c.at_zero for c in cands])
        # immediate events of neurons at zero: the derivative points to the event side
        d0 = beta @ p.r0
        imm = zero & np.where(act, d0 < 0, d0 > 0)
        if imm.any():
            return 0.0, int(np.nonzero(imm)[0][0])
        s = self.grid * s_max
        F = alpha[:, None] + beta @ p.integral(s).T
        F[zero, 0] = np.where(act[zero], 1.0, -1.0)
        ev = np.where(act[:, None], F < 0, F >= 0)
        cols = np.nonzero(ev.any(axis=0))[0]
        if len(cols) == 0:
            return None
        g = int(cols[0])
        lo, hi = s[g - 1], s[g]
        best = None
        from scipy.optimize import brentq

        for ci in np.nonzero(ev[:, g])[0]:
            c = cands[ci]
            f = lambda x, c=c: c.alpha + float(c.beta @ p.integral(x))
            a_ = lo if not (c.at_zero and lo == 0) else hi * 1e-12
            try:
                fa, fb = f(a_), f(hi)
                root = brentq(f, a_, hi, xtol=1e-300, rtol=1e-15, maxiter=200) if fa * fb < 0 else hi
            except (ValueError, RuntimeError):
                root = hi
            if best is None or root < best[0]:
                best = (root, int(ci))
        return best

    # ---------------------------------------------------------- Arb search
    def _eval_box(self, p: Piece, a: arb, b: arb, cache: dict):
        key = (a.mid().str(30), b.mid().str(30))
        if key not in cache:
            box = _ball_hull(a, b)
            r, Q, _ = p.state_ball(box)
            cache[key] = (r, Q)
        return cache[key]

    def _eval_pt(self, p: Piece, s: arb, cache: dict):
        key = s.mid().str(30)
        if key not in cache:
            r, Q, _ = p.state_ball(s)
            cache[key] = (r, Q)
        return cache[key]

    def _safe_on(self, p, c: _Cand, a: arb, b: arb, cache) -> bool:
        if c.at_zero:
            # F vanishes at the switch offset eps in E: F(s) = int_eps^s F', of F''s sign after it
            lo = p.E.lower()
            X = _ball_hull(arb(lo) if lo < a else a, b)
            if c.deriv_safe(c.dF_ball(self._eval_box(p, arb(X.lower()), arb(X.upper()), cache)[0])):
                return True
            if not a > p.E.upper():
                return False
        rb, Qb = self._eval_box(p, a, b, cache)
        dF = c.dF_ball(rb)
        if c.safe_sign(c.F_ball(Qb)):
            return True
        if dF > 0 or dF < 0:  # monotone on the box: the extremes are at the endpoints
            Fa = c.F_ball(self._eval_pt(p, a, cache)[1])
            Fb = c.F_ball(self._eval_pt(p, b, cache)[1])
            return c.safe_sign(Fa) and c.safe_sign(Fb)
        return False

    def _crossing(self, p, c: _Cand, a: arb, b: arb, cache) -> bool:
        """True when ``c`` certainly crosses exactly once in ``(a, b]``, from the safe to the event side."""
        rb, _ = self._eval_box(p, a, b, cache)
        if not c.deriv_event(c.dF_ball(rb)):
            return False
        Fa = c.F_ball(self._eval_pt(p, a, cache)[1])
        Fb = c.F_ball(self._eval_pt(p, b, cache)[1])
        left_ok = bool(Fa > 0) if c.active else bool(Fa < 0)
        return left_ok and c.event_sign_strict(Fb)

    def _scan(self, p, cands, lo: arb, hi: arb, cache, min_rel=2.0 ** -45):
        """Prove every candidate safe on ``[lo, hi]``; else the first box that cannot be split further."""
        stack = [(lo, hi, 0)]
        while stack:
            a, b, depth = stack.pop()
            unsafe = [c for c in cands if not self._safe_on(p, c, a, b, cache)]
            if not unsafe:
                continue
            width = b - a
            if depth < 200 and width > (abs(b) + 1) * min_rel:
                mid = ((a + b) / 2).mid()
                if mid > a and mid < b:
                    stack.append((mid, b, depth + 1))
                    stack.append((a, mid, depth + 1))
                    continue
            return a, b, unsafe
        return None

    def _bracket(self, p, c: _Cand, s_f: float, s_max: arb, cache):
        """A thin certified crossing bracket ``(a, b)`` near the float root ``s_f`` (interval Newton)."""
        s = arb(s_f)
        for _ in range(4):
            r, Q = self._eval_pt(p, s, cache)
            F, dF = c.F_ball(Q), c.dF_ball(r)
            if dF.contains(0):
                return None
            s_new = (s - F / dF).mid()
            if s_new < 0:
                s_new = arb(0)
            if (s_new - s).is_zero():
                break
            s = s_new
        for shrink in (2 ** -(self.prec - 20), 2 ** -(self.prec // 2), 2.0 ** -40, 2.0 ** -24):
            eps = (abs(s) + 1) * arb(shrink)
            a = (s - eps).mid()
            b = (s + eps).mid()
            if a < 0:
                a = arb(0)
            if b > s_max:
                b = s_max
            if not b > a:
                continue
            if self._crossing(p, c, a, b, cache):
                return a, b
        return None

    def arb_first(self, p: Piece, cands: list[_Cand], s_max_f: float, t_left: arb):
        """``("none", None)``, ``("event", (cand, a, b))`` or ``("unresolved", (message, a))``."""
        cache: dict = {}
        s_max = t_left
        if not s_max > 0:
            return "none", None
        # neurons at zero whose derivative points to the event side switch at once
        for c in cands:
            if c.at_zero:
                d = c.dF_ball(p.state_ball(p.E)[0])
                if c.deriv_event(d):
                    return "event", (c, arb(0), arb(0))
                if not c.deriv_safe(d):
                    return "unresolved", (f"neuron(s) {c.neurons[:3]} at a zero pre-activation on input {c.j} "
                                          "with an undecidable direction", arb(0))
        guess = self.float_first(p, cands, s_max_f)
        if guess is not None:
            s_f, ci = guess
            c = cands[ci]
            br = self._bracket(p, c, s_f, s_max, cache)
            if br is not None:
                a, b = br
                first = self._scan(p, cands, arb(0), a, cache) if a > 0 else None
                if first is None:
                    others = [o for o in cands if o is not c and not self._safe_on(p, o, a, b, cache)]
                    if not others:
                        return "event", (c, a, b)
        res = self._scan(p, cands, arb(0), s_max, cache)
        if res is None:
            return "none", None
        a, b, unsafe = res
        if len(unsafe) == 1 and self._crossing(p, unsafe[0], a, b, cache):
            return "event", (unsafe[0], a, b)
        what = ", ".join(f"input {c.j} of neuron(s) {c.neurons[:3]}" for c in unsafe[:3])
        return "unresolved", (f"cannot isolate the next activation change near t0 + {float(a.mid()):.6g} "
                              f"({what}): a tangency or simultaneous crossings", a)

    # ---------------------------------------------------------- switching
    def switch(self, c: _Cand, r_star, r_star_ball, Z_star, Z_star_ball, piece_index: int):
        """Switch input ``c.j`` of ``c.neurons``; return ``None`` or ``(status, message)`` (sliding etc.)."""
        net, n = self.net, self.n
        j = c.j
        problems = []
        new_zero = set()
        for r in c.neurons:
            b, A, Ab, Pt, Pb = net.state_of(r)
            nb = b.copy()
            nb[j] ^= 1
            key = int(nb @ net.pow) * 2 + (1 if self.a[r] > 0 else 0)
            A_new = A + (b - nb) * Z_star
            Pt_new = net.P0[r] + (self.a[r] / self.sqm) * (self.G @ A_new)
            Ab_new = Pb_new = None
            if self.rigorous:
                Ab_new = [Ab[i] + int(b[i] - nb[i]) * Z_star_ball[i] for i in range(n)]
                cst = to_arb(self.a[r]) / arb(self.m).sqrt()
                Pb_new = [to_arb(net.P0_exact(r, q)) + cst * sum((to_arb(self.G_exact[q][i]) * Ab_new[i]
                                                               for i in range(n)), arb(0)) for q in range(n)]
            net.set_state(r, key, A_new, Ab_new, Pt_new, Pb_new)
            self.segments.setdefault(r, []).append((piece_index, nb.copy(), A_new.copy(), Ab_new))
            new_zero.add((r, j))
            # direction of d/dt (w_r . x_j) on the new side: sliding if it points back
            sgn = self.a[r] / self.sqm
            if self.beta_zero(nb, j):
                # w_r^T x_j no longer moves (x_j orthogonal to every input the neuron is active on): it stays at 0
                self.stuck.append((r, j, piece_index))
                continue
            if self.rigorous:
                cst = to_arb(self.a[r]) / arb(self.m).sqrt()
                d_new = cst * sum((to_arb(self.G_exact[i][j]) * int(nb[i]) * r_star_ball[i] for i in range(n)), arb(0))
                ok = bool(d_new > 0) if nb[j] else bool(d_new < 0)
                back = bool(d_new < 0) if nb[j] else bool(d_new > 0)
            else:
                d_new = sgn * float(np.sum(self.G[:, j] * nb * r_star))
                ok = d_new > 0 if nb[j] else d_new < 0
                back = not ok and d_new != 0
            if back:
                problems.append(("sliding", f"neuron {r} reaches w^T x_{j} = 0 and the flow on the "
                                            f"{'active' if nb[j] else 'inactive'} side points back (Filippov sliding mode)"))
            elif not ok:
                problems.append(("unresolved", f"neuron {r}, input {j}: the direction after the switch is undecidable"))
        # neurons held exactly at the boundary (stuck) need no candidate while their input's drive is 0;
        # a switch of another input may release them: they are then at zero with a direction to decide
        for r in c.neurons:
            nbits = self.net.bits(self.net.key_of(r))
            held = self.held.setdefault(r, set())
            for q in list(held):
                if q != j and not self.beta_zero(nbits, q):
                    held.discard(q)
                    new_zero.add((r, q))
            if self.beta_zero(nbits, j):
                held.add(j)
                new_zero.discard((r, j))
        self.zero = new_zero
        return problems[0] if problems else None

    def beta_zero(self, bits, j: int) -> bool:
        """``d/dt (w_r . x_j) = 0`` identically for a neuron with pattern ``bits`` (exact Gram entries)."""
        return all(self.G_exact[i][j] == 0 or not bits[i] for i in range(self.n))

    def virtual_start(self, p: Piece, nxt: Piece, s_hat: arb, E: arb, anchor: arb, start: arb):
        r"""State of the new piece at the thin anchor ``t^ = t_k + s^``, ``t* = t^ + eps`` (``eps`` in ``E``): the
        state from which the new pattern's flow passes through the true state at ``t*``. With ``H`` the old
        and ``H'`` the new matrix and ``r^ = e^{-H s^} r_k``:

        ``v = e^{H' eps} e^{-H eps} r^ = r^ + int_0^eps e^{H' tau}(H' - H)e^{-H tau} d tau r^``,
        ``Zv = Z^ + int_0^eps (e^{-H tau} - e^{-H' tau}) d tau r^ - int_0^eps e^{-H' tau} d tau (v - r^)``,

        enclosed with ``tau`` ranging over ``E``: the radius grows with ``|eps| ||H' - H||`` (first order in the
        tiny ``eps``, times the O(1/m) change of ``H``), not with ``|eps| ||r||``: no wrapping cascade."""
        n = self.n
        r_hat, Q_hat, _ = p.state_ball(s_hat)
        Z_hat = [p.Z0_ball[i] + Q_hat[i] for i in range(n)]
        H = arb_mat([[to_arb(v) for v in row] for row in p.H_exact])
        H2 = arb_mat([[to_arb(v) for v in row] for row in nxt.H_exact])
        dH = arb_mat([[to_arb(nxt.H_exact[i][j] - p.H_exact[i][j]) for j in range(n)] for i in range(n)])
        eH2 = (H2 * E).exp()
        emH = (-H * E).exp()
        emH2 = (-H2 * E).exp()
        rh = arb_mat([[x] for x in r_hat])
        dv = (eH2 * dH * emH * rh) * E
        v = [r_hat[i] + dv[i, 0] for i in range(n)]
        corr1 = ((emH - emH2) * rh) * E
        corr2 = (emH2 * dv) * E
        Zv = [Z_hat[i] + corr1[i, 0] - corr2[i, 0] for i in range(n)]
        nxt.t0_ball, nxt.r0_ball, nxt.Z0_ball, nxt.start_ball, nxt.E = anchor, v, Zv, start, E
        nxt.t0 = float(anchor.mid())

    # ---------------------------------------------------------- main loop
    def run(self) -> FlowTrajectory:
        old = flint_ctx.prec
        flint_ctx.prec = self.prec
        try:
            return self._run()
        finally:
            flint_ctx.prec = old

    def _run(self) -> FlowTrajectory:
        n, R = self.n, self.rigorous
        r0, r0b = self.initial_residual()
        t, tb = 0.0, (arb(0) if R else None)
        Z, Zb = np.zeros(n), ([arb(0)] * n if R else None)
        pieces = [self.make_piece(t, tb, r0, r0b, Z, Zb)]
        events: list[Event] = []
        status, message, t_end = "complete", "", self.T
        ends_at_event = False
        while True:
            p = pieces[-1]
            if len(events) >= self.max_events:
                status, message, t_end = "max_events", f"stopped after {self.max_events} events", p.t0
                break
            cands = self.candidates(p)
            if R:
                t_left = to_arb(self.T) - p.t0_ball
                kind, info = self.arb_first(p, cands, self.T - p.t0, t_left)
                if kind == "none":
                    break
                if kind == "unresolved":
                    msg, a = info
                    status, message = "unresolved", msg
                    t_end = float(arb_endpoints(p.t0_ball + a)[0]) if a > 0 else p.t0
                    t_end = max(p.t0, min(t_end, self.T))
                    break
                c, a, b = info
                s_ball = _ball_hull(a, b)
                r_s, Q_s, _ = p.state_ball(s_ball)  # the state at the true switch (first-order radius)
                tb_new = p.t0_ball + s_ball
                anchor = (p.t0_ball + s_ball.mid()).mid()  # the next piece starts at a thin time
                s_hat = anchor - p.t0_ball
                s_f = float(s_hat.mid())
                Zb_new = [p.Z0_ball[i] + Q_s[i] for i in range(n)]
            else:
                g = self.float_first(p, cands, self.T - p.t0)
                if g is None:
                    break
                s_f, ci = g
                c = cands[ci]
                r_s = Zb_new = tb_new = None
            if c.ambiguous:
                status, message = "unresolved", (f"two neurons of one group cannot be ordered on input {c.j} "
                                                 f"(neurons {c.neurons[:3]})")
                # certified up to the left end of the crossing's bracket
                t_end = max(p.t0, float(arb_endpoints(p.t0_ball + a)[0])) if R else p.t0 + s_f
                break
            r_new = p.residual(s_f).reshape(-1)
            Z_new = p.Z0 + p.integral(s_f).reshape(-1)
            t_new = p.t0 + s_f
            problem = self.switch(c, r_new, r_s, Z_new, Zb_new, len(pieces))
            events.append(Event(t_new, tb_new, list(c.neurons), c.j, not c.active, len(pieces), r_s))
            if problem is not None:
                status, message = problem
                t_end = t_new
                ends_at_event = True
                break
            nxt = self.make_piece(t_new, None, r_new, None, Z_new, None)
            if R:
                self.virtual_start(p, nxt, s_hat, s_ball - s_hat, anchor, tb_new)
            pieces.append(nxt)
        # a piece that starts at or after t_end carries no time
        traj = FlowTrajectory(self.m, self.W0, self.a, self.X, self.y, self.T, t_end, status, message, R,
                              pieces, events, self.G_exact, self.segments, self.net.S0, self.prec)
        traj._y_exact = self.y_exact
        traj.stuck = self.stuck
        traj._final_cands = cands if status == "complete" else None
        traj._Xq = self.Xq
        traj._ends_at_event = ends_at_event
        return traj


def exact_flow(W0: np.ndarray, a: np.ndarray, X: np.ndarray, y, T: float, *, rigorous: bool = True,
               prec: int = 128, max_events: int = 100_000, grid: int = 64, X_exact=None) -> FlowTrajectory:
    r"""Gradient flow of the first layer on ``[0, T]``, integrated exactly between activation changes.

    Parameters: ``W0`` ``(m, d)`` initial first-layer weights, ``a`` ``(m,)`` fixed output weights in
    ``{-1, 1}``, ``X`` ``(n, d)`` inputs (rows), ``y`` ``n`` labels (floats or Fractions; every float is
    the rational it stores), horizon ``T``. ``rigorous=True`` certifies every event and state with Arb at
    ``prec`` bits; ``rigorous=False`` is the float fast path. ``grid`` points per piece guide the float
    search for the first crossing. ``X_exact`` (rows of Fractions, e.g. a dataset's exact inputs) makes
    the rigorous run use those inputs exactly; ``X`` is then only their float image (floats guide,
    error bounds cover the difference).

    Returns a :class:`FlowTrajectory`: ``u(t)``, ``residual_sq(t)``, ``W(t)``, ``max_move(t)``,
    ``lam_min(t)`` in floats; ``residual_sq_ball(t)``, ``w_ball(r, t)``,
    ``max_move_ball(t)``, ``max_move_sup()``, ``decay_sup(lambda_0)``, ``lam_min_enclosures()``,
    ``lam_min_inf()`` as Arb balls / exact bounds; ``events`` with ``time_ball``; ``status`` and
    ``t_end`` (the end of the certified range)."""
    return _Integrator(W0, a, X, y, T, rigorous, prec, max_events, grid, X_exact).run()


def exact_flow_forever(W0: np.ndarray, a: np.ndarray, X: np.ndarray, y, T: float, *, max_T: float | None = None,
                       **kw) -> tuple[FlowTrajectory, bool, str]:
    """:func:`exact_flow` on ``[0, T]``, ``[0, 2T]``, ... up to ``max_T`` (default ``64 T``) until
    :meth:`FlowTrajectory.forever` certifies that no activation changes afterwards, so that the closed form
    of the last piece holds for every ``t >= t_end``. Returns ``(trajectory, certified, why)``; a run that
    stops (sliding, unresolved) is returned at once, uncertified."""
    max_T = 64 * T if max_T is None else max_T
    horizon = T
    while True:
        tr = exact_flow(W0, a, X, y, horizon, **kw)
        if tr.status != "complete":
            return tr, False, f"the flow stopped at t = {tr.t_end:g} ({tr.status}: {tr.message})"
        ok, why = tr.forever()
        if ok or horizon >= max_T:
            return tr, ok, why
        horizon = min(2 * horizon, max_T)
