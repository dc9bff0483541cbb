"""The du2019 dynamics that are exact in closed form, and the streamed draws at large width.

Network: ``f(W, a, x) = (1/sqrt m) sum_r a_r relu(w_r^T x)``; loss ``L = sum_i (f(x_i) - y_i)^2 / 2``
(:mod:`proofcheck.ml.two_layer`, whose forward pass and pre-activations the float paths here call).
The one certified flow for any ``n`` is :mod:`proofcheck.ml.flow` (first layer; event-driven, Arb), the one
exact/Arb gradient descent :mod:`proofcheck.ml.gd_exact`. Here: :class:`StreamedInit` (a width of 10^7 drawn
chunk by chunk) and :func:`near_init_certificate` (Lemma 2.5's bootstrap decided per draw, both layers too).

On ONE unit input the dynamics are exact for all time: :class:`OneInputFlow` (first layer, event-driven
with activation changes decided in ``Q(sqrt m)``), :func:`one_input_gd` / :func:`one_input_gd_exact`
(gradient descent through the common shift of the active neurons) and :func:`one_input_both_layers`
(both layers, through the path ``q = int (y - u) dt``).
"""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from flint import arb, ctx as flint_ctx

from proofcheck.ml.gram import h0_from_pattern_counts
from proofcheck.ml.spectral import lambda_min_enclosure
from proofcheck.ml.two_layer import exact_sum, gram_exact, output, pre_activations_by_input
from proofcheck.store.codec import storable
from proofcheck.model.num import NumericError, fraction_to_arb


# ---------------------------------------------------------------- exact event-driven flow, one input
@dataclass
class Phase:
    """A stretch of the one-input flow with a fixed set of active neurons: from time ``start`` on,
    ``|q| = travel + rho (1 - e^{-h (t - start)})/h`` and ``|y - u| = rho e^{-h (t - start)}``."""

    start: arb     # time the phase begins (0 exactly for the first)
    travel: arb    # |q| at its start: how far every still active neuron has moved (times sqrt m)
    rho: arb       # |y - u| at its start
    active: int    # active neurons during the phase (for s > start; at s = start the earlier set)


@storable
@dataclass
class OneInputFlow:
    """The exact gradient flow of the first layer of ``f = (1/sqrt m) sum_r a_r relu(w_r^T x)`` on ONE
    unit input, for all ``t >= 0``, with activation changes (event-driven, Arb balls).

    Only ``s_r = w_r^T x`` matters (``w_r`` moves along ``x``): ``ds_r/dt = (a_r/sqrt m) 1{s_r >= 0} r``,
    ``dr/dt = -h r`` with ``r = y - u`` and ``h = H(t) = #active/m``. So ``r`` keeps its sign ``sigma``,
    the common travel ``|q(t)| = |int_0^t r|`` is monotone, neurons with ``a_r sigma > 0`` stay active,
    inactive ones never move, and an active neuron with ``a_r sigma < 0`` deactivates when ``|q|``
    reaches ``s_r sqrt m`` (at that instant ``s_r = 0`` still counts as active: ``relu'(0) = 1``, the
    convention of ``H``). Within a phase ``rho`` falls linearly in ``|q|``: ``rho' = rho - h dq``, so
    the event time is ``-log(1 - h dq/rho)/h``. ``H(s)`` is non-increasing in ``s``.

    Values are exact rationals; a comparison Arb cannot decide raises :class:`NumericError`
    (the caller treats the margin as undefined, never as a verdict).
    """

    s: list[Fraction]
    a: list[int]
    y: Fraction

    def __post_init__(self) -> None:
        self.s = [Fraction(v) for v in self.s]
        self.a = [int(v) for v in self.a]
        self.y = Fraction(self.y)
        if not self.s or len(self.s) != len(self.a) or any(v not in (-1, 1) for v in self.a):
            raise NumericError(f"a one-input initialisation needs m >= 1 pre-activations and signs a_r in "
                               f"{{-1, 1}} of the same length (got {len(self.s)} and {len(self.a)})")
        self._phases: list[Phase] | None = None
        self._num: Fraction | None = None

    def num(self) -> Fraction:
        """``sum_{s_r >= 0} a_r s_r = sqrt(m) u(0)`` (exact; common-denominator integer sum)."""
        if self._num is None:
            terms = [self.s[r] if self.a[r] > 0 else -self.s[r] for r in self.initially_active()]
            if not terms:
                self._num = Fraction(0)
            else:
                D = math.lcm(*(q.denominator for q in terms))
                self._num = Fraction(sum(q.numerator * (D // q.denominator) for q in terms), D)
        return self._num

    # ------------------------------------------------------------ JSON (exact)
    def to_json(self) -> dict[str, Any]:
        return {"s": [f"{v.numerator}/{v.denominator}" for v in self.s], "a": list(self.a),
                "y": f"{self.y.numerator}/{self.y.denominator}"}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "OneInputFlow":
        return cls([Fraction(v) for v in data["s"]], [int(v) for v in data["a"]], Fraction(data["y"]))

    def __repr__(self) -> str:
        return f"OneInputFlow(m={self.m}, s={[str(v) for v in self.s]}, a={self.a}, y={self.y})"

    # ------------------------------------------------------------ initial quantities
    @property
    def m(self) -> int:
        return len(self.s)

    def initially_active(self) -> list[int]:
        return [r for r, v in enumerate(self.s) if v >= 0]

    def sqrt_m(self) -> arb:
        return arb(self.m).sqrt()

    def r0(self) -> arb:
        """``y - u(0)`` as a ball."""
        num = self.num()
        return fraction_to_arb(self.y) - fraction_to_arb(num) / self.sqrt_m()

    def sign(self) -> int:
        """The sign of ``y - u(0) = y - (num/m) sqrt(m)`` (exact: 0 only when ``y = u(0)``)."""
        num = self.num()
        return _sign_sqrt(self.y, -num / self.m, self.m)

    # ------------------------------------------------------------ the phases
    def phases(self) -> list[Phase]:
        if self._phases is not None:
            return self._phases
        sigma = self.sign()
        active = len(self.initially_active())
        phases = [Phase(arb(0), arb(0), abs(self.r0()), active)]
        if sigma != 0:
            # |y - u| = alpha + beta sqrt(m) exactly (alpha, beta rational): decisions are exact in Q(sqrt m)
            num = self.num()
            alpha, beta = sigma * self.y, -sigma * num / self.m
            # neurons moving down, by threshold s_r (|q| reaches s_r sqrt m): popped in ascending order
            down = [self.s[r] for r in self.initially_active() if self.a[r] * sigma < 0]
            heapq.heapify(down)

            def groups():
                while down:
                    v, count = heapq.heappop(down), 1
                    while down and down[0] == v:
                        heapq.heappop(down)
                        count += 1
                    yield v, count

            level_prev = Fraction(0)
            for level, count in groups():
                ph = phases[-1]
                h = Fraction(ph.active, self.m)
                # reached iff the travel left, rho/h, exceeds (level - level_prev) sqrt m: rho' = rho - h dq > 0
                beta_next = beta - h * (level - level_prev)
                if _sign_sqrt(alpha, beta_next, self.m) <= 0:
                    break  # never reached (= 0: approached as t -> infinity)
                rho_next = fraction_to_arb(alpha) + fraction_to_arb(beta_next) * self.sqrt_m()
                ratio = rho_next / ph.rho
                if not ratio > 0:
                    raise NumericError("an activation change is too close to the flow's limit to time it (Arb)")
                tau = arb(0) if level == level_prev else -ratio.log() / fraction_to_arb(h)
                phases.append(Phase(ph.start + tau, fraction_to_arb(level) * self.sqrt_m(), rho_next,
                                    ph.active - count))
                beta, level_prev = beta_next, level
        self._phases = phases
        return phases

    def phase_at(self, t: Fraction) -> Phase:
        """The phase holding time ``t`` (an event time belongs to the phase that ends there)."""
        t = Fraction(t)
        if t < 0:
            raise NumericError(f"time t = {t} < 0")
        phases = self.phases()
        if t == 0:
            return phases[0]
        tt = fraction_to_arb(t)
        found = phases[0]
        for ph in phases[1:]:
            if ph.start < tt:
                found = ph
            elif ph.start >= tt:
                break
            else:
                raise NumericError("time t is too close to an activation change to place it (Arb)")
        return found

    # ------------------------------------------------------------ quantities at time t
    def h_min(self, t: Fraction) -> Fraction:
        """``min_{0 <= s <= t} lambda_min(H(s)) = H(t)`` (H is 1 x 1 and non-increasing): exact."""
        return Fraction(self.phase_at(t).active, self.m)

    def h_final(self) -> Fraction:
        """``lim_{t -> inf} H(t)`` (exact)."""
        return Fraction(self.phases()[-1].active, self.m)

    def move_final(self) -> arb:
        """``sup_t max_r ||w_r(t) - w_r(0)||``: the limit of the travel (``+ rho/h`` in the last phase)."""
        ph = self.phases()[-1]
        if ph.active == 0:
            return ph.travel / self.sqrt_m()
        return (ph.travel + ph.rho / fraction_to_arb(Fraction(ph.active, self.m))) / self.sqrt_m()

    def _decay(self, ph: Phase, t: Fraction) -> arb:
        return (-(fraction_to_arb(Fraction(ph.active, self.m)) * (fraction_to_arb(Fraction(t)) - ph.start))).exp()

    def residual_abs(self, t: Fraction) -> arb:
        """``|y - u(t)|``."""
        ph = self.phase_at(t)
        if ph.active == 0:
            return ph.rho
        return ph.rho * self._decay(ph, t)

    def travel(self, t: Fraction) -> arb:
        """``|q(t)|``: how far (times sqrt m) a neuron active on all of ``[0, t]`` has moved."""
        ph = self.phase_at(t)
        if ph.active == 0:
            return ph.travel  # nothing moves any more
        h = fraction_to_arb(Fraction(ph.active, self.m))
        return ph.travel + ph.rho * (1 - self._decay(ph, t)) / h

    def move(self, t: Fraction) -> arb:
        """``max_r ||w_r(t) - w_r(0)||``."""
        return self.travel(t) / self.sqrt_m()

    def path_length(self, t: Fraction) -> arb:
        """``max_r int_0^t ||dw_r/ds|| ds`` (= ``move``: a neuron moves on a line, one way)."""
        return self.travel(t) / self.sqrt_m()

    def speed(self, t: Fraction) -> arb:
        """``max_r ||dw_r/dt||`` at ``t`` (``|y - u(t)|/sqrt m`` while some neuron is active)."""
        ph = self.phase_at(t)
        return arb(0) if ph.active == 0 else self.residual_abs(t) / self.sqrt_m()

    def residual_derivative(self, t: Fraction) -> arb:
        """``d/dt ||y - u||^2`` from the chain rule through the neuron velocities: ``2 r dr/dt`` with
        ``dr/dt = -(1/sqrt m) sum_r a_r ds_r/dt`` over active neurons (``ds_r/dt = a_r r/sqrt m``)."""
        ph = self.phase_at(t)
        r = self.residual_abs(t)
        # sum over the active neurons of a_r * ds_r/dt = a_r * (a_r r/sqrt m), with a_r^2 = 1
        velocity_sum = arb(ph.active) * r / self.sqrt_m()
        return -2 * r * velocity_sum / self.sqrt_m()


def _sign_sqrt(alpha: Fraction, beta: Fraction, m: int) -> int:
    """The sign of ``alpha + beta sqrt(m)`` (exact)."""
    sa, sb = (alpha > 0) - (alpha < 0), (beta > 0) - (beta < 0)
    if sa == 0 or sb == 0 or sa == sb:
        return sa or sb
    root = math.isqrt(m)
    if root * root == m:
        v = alpha + beta * root
        return (v > 0) - (v < 0)
    return sa if alpha * alpha > beta * beta * m else sb


def one_input_flows(max_m: int = 12, label: Fraction | int = 2):
    """Hypothesis strategy of :class:`OneInputFlow`: ``1 <= m <= max_m`` pre-activations in ``[-3, 3]`` and a
    label in ``[-label, label]``, multiples of 1/100 (cheap integer draws); shrinks to ``m = 1``,
    ``s = 0``, ``a = 1``, ``y = 0``."""
    from hypothesis import strategies as st

    hundredths = lambda k: Fraction(k, 100)
    bound = int(Fraction(label) * 100)

    @st.composite
    def build(draw):
        m = draw(st.integers(1, max_m))
        s = draw(st.lists(st.integers(-300, 300).map(hundredths), min_size=m, max_size=m))
        a = draw(st.lists(st.sampled_from([1, -1]), min_size=m, max_size=m))
        y = draw(st.integers(-bound, bound).map(hundredths))
        return OneInputFlow(s, a, y)

    return build()


def one_input_final_h(s: np.ndarray, a: np.ndarray, y: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Float twin of :meth:`OneInputFlow.h_final` and :meth:`OneInputFlow.move_final` for a batch:
    ``s``, ``a`` of shape ``(B, m)``.

    Returns ``(lim H(t), y - u(0), sup_t max_r ||w_r(t) - w_r(0)||)`` per trial. Same phases as the exact
    flow: deactivations in ascending threshold ``s_r sqrt m`` while the remaining travel ``rho/h``
    reaches them."""
    s = np.atleast_2d(s)
    a = np.atleast_2d(a)
    B, m = s.shape
    sq = math.sqrt(m)
    act = s >= 0
    r0 = y - output(s[:, :, None], a)[:, 0]  # one input: P_r1 = s_r
    out = np.empty(B)
    moved = np.zeros(B)
    for b in range(B):
        A = int(act[b].sum())
        sigma = 1.0 if r0[b] >= 0 else -1.0
        if r0[b] == 0:
            out[b] = A / m
            continue
        down = np.sort(s[b][act[b] & (a[b] * sigma < 0)]) * sq
        rho, travel = abs(r0[b]), 0.0
        for level in down:
            h = A / m
            dq = level - travel
            if h * dq >= rho:
                break
            rho -= h * dq
            travel = level
            A -= 1
        out[b] = A / m
        moved[b] = (travel + rho / (A / m) if A > 0 else travel) / sq
    return out, r0, moved


# ---------------------------------------------------------------- gradient descent, one input (exact structure)
def one_input_gd(s: np.ndarray, a: np.ndarray, y: float, eta: float, steps: int) -> np.ndarray:
    """``y - u(k)`` for ``k = 0..steps`` of gradient descent on the first layer, ONE unit input (floats).

    ``s_r(k+1) = s_r(k) + eta (a_r/sqrt m) 1{s_r(k) >= 0} r_k``: every neuron active so far moves by the
    common ``a_r Q_k/sqrt m`` with ``Q_k = eta sum_{j<k} r_j``; one that steps below 0 stops for good. So a
    neuron with ``a_r = 1`` is active at ``k`` iff ``s_r(0) >= -min_{j<=k} Q_j/sqrt m`` (``a_r = -1``:
    ``s_r(0) >= max_j Q_j/sqrt m``), and ``u(k) = (S_+ - S_-)/sqrt m + |A_k| Q_k/m`` with ``S_+-`` the sums of
    the active ``s_r(0)``: prefix sums over the sorted pre-activations, ``O(log m)`` per step."""
    s = np.asarray(s, float)
    a = np.asarray(a, float)
    m = s.shape[0]
    sq = math.sqrt(m)
    plus, minus = np.sort(s[a > 0]), np.sort(s[a < 0])
    # suffix sums: sum of the entries >= a threshold
    cp = np.concatenate([np.cumsum(plus[::-1])[::-1], [0.0]])
    cm = np.concatenate([np.cumsum(minus[::-1])[::-1], [0.0]])
    Q = qmin = qmax = 0.0
    out = np.empty(steps + 1)
    for k in range(steps + 1):
        ip = np.searchsorted(plus, -qmin / sq, side="left")
        im = np.searchsorted(minus, qmax / sq, side="left")
        count = (plus.shape[0] - ip) + (minus.shape[0] - im)
        u = (cp[ip] - cm[im]) / sq + count * Q / m
        r = y - u
        out[k] = r
        Q += eta * r
        qmin, qmax = min(qmin, Q), max(qmax, Q)
    return out


def one_input_gd_exact(s: np.ndarray, a: np.ndarray, y: Fraction, eta: Fraction, steps: int) -> list[arb]:
    """:func:`one_input_gd` in Arb from the exact (dyadic) floats of an initialisation: sorting floats is
    exact, suffix sums and the run are Arb balls; an activity that Arb cannot decide raises
    :class:`NumericError` (the caller then has no rigorous verdict for that run)."""
    s = np.asarray(s, float)
    a = np.asarray(a, float)
    m = s.shape[0]
    sq = arb(m).sqrt()
    plus, minus = np.sort(s[a > 0]), np.sort(s[a < 0])

    def suffix(xs):
        out, acc = [arb(0)] * (len(xs) + 1), arb(0)
        for i in range(len(xs) - 1, -1, -1):
            acc += arb(float(xs[i]))
            out[i] = acc
        return out

    cp, cm = suffix(plus), suffix(minus)

    def first_at_least(xs, thr: arb) -> int:
        """Index of the first entry certainly >= thr, all before it certainly < thr (binary search)."""
        lo, hi = 0, len(xs)
        while lo < hi:
            mid = (lo + hi) // 2
            b = arb(float(xs[mid]))
            if b >= thr:
                hi = mid
            elif b < thr:
                lo = mid + 1
            else:
                raise NumericError("an activation of the exact gradient descent is undecided (Arb)")
        return lo

    Q = qmin = qmax = arb(0)
    eta_b, y_b = fraction_to_arb(Fraction(eta)), fraction_to_arb(Fraction(y))
    out = []
    for _ in range(steps + 1):
        ip, im = first_at_least(plus, -qmin / sq), first_at_least(minus, qmax / sq)
        count = (len(plus) - ip) + (len(minus) - im)
        u = (cp[ip] - cm[im]) / sq + arb(count) * Q / arb(m)
        r = y_b - u
        out.append(r)
        Q = Q + eta_b * r
        qmin, qmax = qmin.min(Q), qmax.max(Q)
    return out


# ---------------------------------------------------------------- both layers trained, one input
def one_input_both_layers(s: np.ndarray, a: np.ndarray, y: float) -> tuple[float, float, float]:
    """Gradient flow of BOTH layers on ONE unit input, reduced to its path (floats).

    With ``dq = r dt`` (``r = y - u``) every active neuron turns hyperbolically:
    ``s_r(q) = s_r cosh(q/sqrt m) + a_r sinh(q/sqrt m)``, ``a_r(q) = a_r cosh + s_r sinh``, so on a stretch
    with a fixed active set ``u(q) = (P cosh(2q/sqrt m) + S sinh(2q/sqrt m))/sqrt m`` (``P = sum a_r s_r``,
    ``S = sum (a_r^2 + s_r^2)/2``); a neuron stops for good when ``s_r(q)`` reaches 0. ``q`` runs
    monotonically to the root ``q*`` of ``u(q) = y``, and ``d/dt log ||y-u||^2 = -2 u'(q)``.

    Returns ``(min over the path of u'(q), u'(0), y - u(0))``: the decay at rate ``rho`` holds for all
    ``t`` when ``2 min u' >= rho``, and fails for small ``t`` when ``2 u'(0) < rho``."""
    s = np.asarray(s, float)
    a = np.asarray(a, float)
    m = s.shape[0]
    rho = 1.0 / math.sqrt(m)
    act = s >= 0
    sa, aa = s[act], a[act]
    P = float(np.dot(aa, sa))
    S = float(np.dot(aa, aa) + np.dot(sa, sa)) / 2
    r0 = y - rho * P
    du0 = 2 * rho * rho * S
    if r0 == 0:
        return du0, du0, 0.0
    sigma = 1.0 if r0 > 0 else -1.0
    down = (aa * sigma < 0) & (np.abs(sa) < np.abs(aa))
    ds_all, da_all = sa[down], aa[down]
    # |q| at which each down-moving neuron reaches s = 0: tanh(|q|/sqrt m) = s_r/|a_r|
    levels_all = np.arctanh(ds_all / np.abs(da_all)) / rho
    # only the first few deactivations usually come before the root: sort the smallest first
    first = min(256, levels_all.shape[0])
    head = (np.argpartition(levels_all, first - 1)[:first] if levels_all.shape[0] > first
            else np.arange(levels_all.shape[0]))

    def ordered():
        yield from head[np.argsort(levels_all[head])]
        if levels_all.shape[0] > first:  # rarely needed: the rest, sorted
            mask = np.ones(levels_all.shape[0], dtype=bool)
            mask[head] = False
            rest = np.nonzero(mask)[0]
            yield from rest[np.argsort(levels_all[rest])]

    def u_at(q):
        return rho * (P * math.cosh(2 * rho * q) + S * math.sinh(2 * rho * q))

    def du_min(q_lo, q_hi):
        """min of u'(q) = 2 rho^2 (P sinh(2 rho q) + S cosh(2 rho q)) over q between q_lo and q_hi."""
        pts = [q_lo, q_hi]
        if S > abs(P):  # stationary point where tanh(2 rho q) = -P/S
            q0 = math.atanh(-P / S) / (2 * rho)
            if min(q_lo, q_hi) < q0 < max(q_lo, q_hi):
                pts.append(q0)
        return min(2 * rho * rho * (P * math.sinh(2 * rho * q) + S * math.cosh(2 * rho * q)) for q in pts)

    lowest = math.inf
    q_lo = 0.0
    alive = int(sa.shape[0])
    for i in ordered():
        lev, s0, a0 = levels_all[i], ds_all[i], da_all[i]
        q_hi = sigma * lev
        if sigma * (y - u_at(q_hi)) <= 0:  # the root q* comes first
            break
        lowest = min(lowest, du_min(q_lo, q_hi))
        P -= a0 * s0
        S -= (a0 * a0 + s0 * s0) / 2
        alive -= 1
        q_lo = q_hi
    else:
        q_hi = None
    if alive == 0:
        return 0.0, du0, r0  # nothing active: u stays put, no decay at all
    root = _root_beyond(lambda q: sigma * (y - u_at(q)), q_lo, q_hi, sigma)
    return min(lowest, du_min(q_lo, root)), du0, r0


def _root_beyond(f, q_lo: float, q_hi: float | None, sigma: float) -> float:
    """The upper end of a bisected bracket of the root of ``f`` (positive before it) beyond ``q_lo`` in the
    direction ``sigma``; ``q_hi`` (a point past the root) or, when None, found by doubling the step."""
    if q_hi is None:
        step = 1.0
        q_hi = q_lo + sigma * step
        while f(q_hi) > 0 and step < 1e12:
            step *= 2
            q_hi = q_lo + sigma * step
    lo, hi = q_lo, q_hi
    for _ in range(200):
        mid = (lo + hi) / 2
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
    return hi


# ---------------------------------------------------------------- n inputs at large width
#: neurons generated at a time by :class:`StreamedInit` (memory O(CHUNK d), whatever the width)
CHUNK = 1 << 20


@dataclass
class StreamedInit:
    """An initialisation ``w_r(0) ~ N(0, I_d)``, ``a_r ~ unif{-1, 1}`` of ``m`` neurons, generated chunk by
    chunk from its seed (chunk ``k`` from ``SeedSequence([seed, k])``), so a width of ``10^7`` or more
    never sits in memory at once; :meth:`arrays` materialises it (for the exact flow). ``decision``
    caches what a check computed about this draw (a float margin and its rigorous twin)."""

    seed: int
    m: int
    d: int
    decision: Any = field(default=None, repr=False, compare=False)

    def chunks(self):
        """``(W^T, a)`` per chunk: ``W^T`` is ``(d, k)`` (row-major per coordinate: the dot products with a
        few inputs are then a few vector operations, where a ``(k, d) @ (d, n)`` product with tiny ``d``
        and ``n`` is ten times slower)."""
        for k, start in enumerate(range(0, self.m, CHUNK)):
            size = min(CHUNK, self.m - start)
            rng = np.random.default_rng(np.random.SeedSequence([self.seed, k]))
            yield rng.standard_normal((self.d, size)), np.where(rng.random(size) < 0.5, -1.0, 1.0)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``W(0)`` as ``(m, d)`` and ``a`` as ``(m,)``."""
        parts = list(self.chunks())
        return np.concatenate([p[0] for p in parts], axis=1).T.copy(), np.concatenate([p[1] for p in parts])


@dataclass
class NearInitCertificate:
    r"""Lemma 2.5's bootstrap, decided for one draw (slides pp. 17--18; Du et al. 2019, Lemma 3.4).

    If :math:`\lambda_{\min}(H(s))\ge\mu` on :math:`[0,t]` then :math:`\|y-u(s)\|\le e^{-\mu s}\|y-u(0)\|` and every
    neuron moves at most :math:`\rho=\sqrt n\|y-u(0)\|/(\sqrt m\,\mu)` (the speed bound of Lemma 2.4). A neuron whose
    pre-activation on :math:`x_i` exceeds :math:`\rho` in absolute value keeps :math:`S_{ri}`; so
    :math:`|H_{ij}(t)-H_{ij}(0)|\le|x_i^\top x_j|F_{ij}/m` with :math:`F_{ij}` the neurons within :math:`\rho` of the
    boundary on :math:`x_i` or :math:`x_j`, and :math:`\lambda_{\min}(H(t))\ge\lambda_{\min}(H(0))-\|\Delta H\|_F=:L`.
    ``certified`` when :math:`L\ge\mu`: then (continuity in :math:`t`) :math:`\lambda_{\min}(H(t))\ge\mu` and every
    neuron stays within :math:`\rho` for ALL :math:`t\ge0`. Float pre-activations and sums carry explicit
    error bounds; the exact quantities are the float weights' rationals and the dataset's exact inputs."""

    certified: bool
    lam_lower: Fraction      # L (a rigorous lower bound on lambda_min(H(t)) for all t when certified)
    mu: Fraction
    rho: float               # the move radius used (upper bound)
    residual_upper: float    # ||y - u(0)|| (upper bound)
    flippable: int           # neurons within rho of a boundary (any input)
    residual_lower: float = 0.0  # ||y - u(0)|| (lower bound)
    flippable_each: tuple[int, ...] = ()  # per input i: neurons within rho of the boundary on x_i

    def margin(self) -> float:
        return float((self.lam_lower - self.mu) / self.mu)


def _near_boundary_pass(init: StreamedInit, X: np.ndarray, per_w: float, cap: float, pairs, both_layers: bool):
    """One pass over a streamed draw's chunks: per pair ``(i, j)`` the lower bounds on ``min(|P_ri|, |P_rj|)`` of the
    neurons within ``cap`` of a boundary (``near``; ``near_any`` over all inputs), ``sum_r a_r relu(P_ri)`` and
    ``sum_r relu(P_ri)`` with the total pre-activation error, the activation pattern counts and ``max ||w_r||^2``."""
    n, d = X.shape
    w_norm_sq = 0.0
    near: dict[tuple[int, int], list[np.ndarray]] = {p: [] for p in pairs}
    near_any: list[np.ndarray] = []
    sums, abs_sums, err = np.zeros(n), np.zeros(n), 0.0
    counts = np.zeros(2**n, dtype=np.int64)
    for Wt, a in init.chunks():
        absW = np.abs(Wt[0])
        for q in range(1, d):
            absW += np.abs(Wt[q])
        if both_layers:
            w_norm_sq = max(w_norm_sq, float(np.max(np.einsum("qk,qk->k", Wt, Wt))))
        e = absW * per_w                                  # per neuron error bound of every P_ri
        dist, key = [], np.zeros(Wt.shape[1], dtype=np.int64)
        for i, P in enumerate(pre_activations_by_input(Wt, X)):
            relu = np.maximum(P, 0.0)
            sums[i] += a @ relu
            abs_sums[i] += relu.sum()
            key += (P >= 0) << i
            np.abs(P, out=P)
            P -= e                                        # lower bound on |exact P_ri|
            dist.append(P)
        err += float(e.sum()) * (1 + 2.0**-40)
        counts += np.bincount(key, minlength=2**n)
        for (i, j) in pairs:
            v = dist[i] if i == j else np.minimum(dist[i], dist[j])
            near[(i, j)].append(v[v <= cap])
        v = np.minimum.reduce(dist) if n > 1 else dist[0]
        near_any.append(v[v <= cap])
    return near, near_any, sums, abs_sums, err, counts, w_norm_sq


def near_init_certificate(init: StreamedInit, X: np.ndarray, X_exact, y_exact, mu: Fraction,
                          guess_residual: float | None = None, both_layers: bool = False) -> NearInitCertificate:
    """:class:`NearInitCertificate` for one streamed draw in one pass over its chunks (O(m n d) numpy).

    Neurons within an a-priori radius (from ``guess_residual``, default ``||y|| + 8 sqrt n``) of a
    boundary are kept; the true radius needs ``||y - u(0)||``, known only after the pass; if it exceeds
    the a-priori one the certificate is not given (never a wrong one).

    ``both_layers`` (Theorem 2.6: ``a`` trained too): with ``kappa = sqrt(n) ||y-u(0)|| / (sqrt(m) mu)``,
    ``B = max_r ||w_r(0)||``, ``|dw_r/dt| <= |a_r| sqrt(n) ||r|| / sqrt m`` and ``|da_r/dt| <= ||w_r|| sqrt(n) ||r|| / sqrt m``
    give ``|a_r(t) - a_r(0)| <= R_a = (kappa B + kappa^2)/(1 - kappa^2)`` and moves ``<= R_w = kappa (1 + R_a)``; the
    kernel is at least ``G o (1/m) sum_r a_r(t)^2 S_r S_r^T`` (the a-part is positive semidefinite), so
    ``lambda_min(H(t)) >= (1 - R_a)^2 (lambda_min(H(0)) - ||Delta H||_F)`` with the flips within ``R_w``."""

    n, d = X.shape
    m = init.m
    G = gram_exact(X_exact)
    # |x_iq(float) - x_iq(exact)| plus the rounding of a d-term dot product, per unit of ||w_r||_1
    eps_x = max(abs(Fraction(float(c)) - Fraction(c)) for row in X_exact for c in row)
    per_w = float(eps_x) * (1 + 2.0**-50) + (d + 2) * 2.0**-52 * float(np.max(np.abs(X)))
    mu_f = float(mu)
    y_norm = math.sqrt(sum(float(v) ** 2 for v in y_exact))
    guess = (y_norm + 8 * math.sqrt(n)) if guess_residual is None else guess_residual
    cap = math.sqrt(n) * guess / (math.sqrt(m) * mu_f) * 1.01
    if both_layers:
        cap *= 4  # R_w = kappa (1 + R_a): room for R_a up to 3
    pairs = [(i, j) for i in range(n) for j in range(i, n)]
    near, near_any, sums, abs_sums, err, counts, w_norm_sq = _near_boundary_pass(init, X, per_w, cap, pairs, both_layers)
    # u_i(0) = sums_i / sqrt m up to: the P errors (relu is 1-Lipschitz), numpy's summation error
    # (gamma_k per chunk of k terms, Higham eq. (4.4)), and the final rounding
    gam = (CHUNK + 2) * 2.0**-53 * 1.01
    u = sums / math.sqrt(m)
    u_err = (err + gam * abs_sums + 4 * 2.0**-53 * np.abs(sums)) / math.sqrt(m) * (1 + 2.0**-40) + 4 * 2.0**-53 * np.abs(u)
    res = np.array([float(v) for v in y_exact]) - u
    r_up = float(math.sqrt(float(np.sum((np.abs(res) + u_err + 4 * 2.0**-53 * np.abs(res)) ** 2)))) * (1 + 2.0**-40)
    low = np.maximum(np.abs(res) - u_err - 4 * 2.0**-53 * np.abs(res), 0.0)
    r_lo = float(math.sqrt(float(np.sum(low ** 2)))) * (1 - 2.0**-40)
    rho = math.sqrt(n) * r_up / (math.sqrt(m) * mu_f) * (1 + 2.0**-30)
    a_shrink = Fraction(1)
    if both_layers:
        kappa, B = rho, math.sqrt(w_norm_sq) * (1 + 2.0**-30)
        if not kappa < 1:
            return NearInitCertificate(False, Fraction(-1), mu, rho, r_up, 0, r_lo)
        R_a = (kappa * B + kappa * kappa) / (1 - kappa * kappa) * (1 + 2.0**-30)
        if not R_a < 1:
            return NearInitCertificate(False, Fraction(-1), mu, rho, r_up, 0, r_lo)
        rho = kappa * (1 + R_a) * (1 + 2.0**-30)
        a_shrink = (1 - Fraction(R_a)) ** 2
    flip_any = int(sum(int(np.count_nonzero(v <= rho)) for v in near_any))
    if rho > cap:
        return NearInitCertificate(False, Fraction(-1), mu, rho, r_up, flip_any, r_lo)
    each = tuple(int(sum(int(np.count_nonzero(v <= rho)) for v in near[(i, i)])) for i in range(n))
    H0 = h0_from_pattern_counts([int(c) for c in counts], G, m)
    lo, _ = lambda_min_enclosure([[fraction_to_arb(q) for q in row] for row in H0])
    # ||Delta H||_F <= sqrt(sum_ij (|G_ij| F_ij / m)^2), rounded up in exact rationals
    frob_sq = Fraction(0)
    for (i, j) in pairs:
        F = int(sum(int(np.count_nonzero(v <= rho)) for v in near[(i, j)]))
        term = (abs(G[i][j]) * F / m) ** 2
        frob_sq += term if i == j else 2 * term
    frob_up = Fraction(math.sqrt(float(frob_sq))) * (1 + Fraction(1, 2**40)) + Fraction(1, 2**60)
    L = (lo - frob_up) * a_shrink if lo > frob_up else lo - frob_up
    return NearInitCertificate(L >= mu, L, mu, rho, r_up, flip_any, r_lo, each)


def one_input_both_layers_decay(s: np.ndarray, a: np.ndarray, y: Fraction, c: Fraction, prec: int = 128):
    r"""Decide, in Arb, whether ``||y-u(t)||^2 <= e^{-c t}||y-u(0)||^2`` for ALL ``t >= 0`` when both layers are
    trained on ONE unit input (the path of :func:`one_input_both_layers`; ``a_r = +-1``, every float ``s_r`` the
    rational it stores).

    Along the path, with ``x = |q|/sqrt m`` and ``z = e^{2x}``, a neuron active at ``x`` contributes its initial
    ``(a_r, s_r)`` rotated hyperbolically, so between deactivations ``|y - u| = D(z)/z`` with
    ``D(z) = -alpha z^2 + Y z - beta`` (``Y = sigma y``, ``alpha = (sigma P + S)/(2 sqrt m)``,
    ``beta = (sigma P - S)/(2 sqrt m)``, ``P = sum a_r s_r``, ``S = sum (1 + s_r^2)/2`` over the active neurons,
    ``sigma`` the sign of ``y - u(0)``); a down-moving neuron stops for good at ``z = (1 + s_r)/(1 - s_r)``
    (``tanh x = s_r``). Time is ``dt = dx / (rho |y - u|)`` (``rho = 1/sqrt m``), integrated in closed form
    (a log of the ratio of ``D``'s root distances), and ``g(t) = log(|r_0|^2/|r(t)|^2) - c t`` has
    ``dg/dt = w - c`` with ``w = 2 u'(q) = A z + B/z`` (``A = 4 rho alpha``, ``B = -4 rho beta``), convex in x and
    dropping at each deactivation. So the minima of ``g`` are at the upward crossings ``w = c`` inside a stretch
    and, at the root ``z_+`` of ``D`` (``u = y``), ``g -> +-infinity`` as ``w(z_+) - c`` is positive or negative.

    Returns an Arb ball: ``w(0) - c`` when it is certainly negative (g falls at once), else the least ``g`` at the
    crossings (``>= 0``: the decay holds for all t, ``< 0``: it fails there), ``-1`` when the limit certainly
    fails, ``+1`` when nothing can fail; raises :class:`NumericError`
    when an ordering or a sign is not decided by its enclosure."""
    old = flint_ctx.prec
    flint_ctx.prec = prec
    try:
        return _both_layers_decay(np.asarray(s, float), np.asarray(a, float), y, c)
    finally:
        flint_ctx.prec = old


def _active_sums(s: np.ndarray, a: np.ndarray) -> tuple[arb, arb]:
    """``P = sum a_r s_r`` and ``S = sum (1 + s_r^2)/2`` over the active neurons, exactly (``a_r = +-1``)."""
    act = s >= 0
    sa, aa = s[act], a[act]
    P = fraction_to_arb(exact_sum(aa * sa))               # a_r = +-1: a_r s_r is exact
    hi = np.float64(134217729.0) * sa                      # Veltkamp split: s = sh + sl, each square exact
    sh = hi - (hi - sa)
    sl = sa - sh
    S = (fraction_to_arb(exact_sum(sh * sh) + 2 * exact_sum(sh * sl) + exact_sum(sl * sl)) + int(sa.shape[0])) / 2
    return P, S


def _stretch_end(down: np.ndarray, k: int, z_root: arb) -> tuple[int, arb, bool]:
    """``(j, end, last)``: the neurons ``down[k:j]`` stop together at the next level; the stretch ends there
    (``last`` False) or at the root ``z_root`` of ``y = u`` when that comes first (``last`` True)."""
    j = k
    while j < down.shape[0] and down[j] == down[k]:
        j += 1
    if k >= down.shape[0]:
        return j, z_root, True
    q = Fraction(float(down[k]))
    z_next = fraction_to_arb((1 + q) / (1 - q))
    if z_next < z_root:
        return j, z_next, False
    if z_next > z_root:
        return j, z_root, True
    raise NumericError("a deactivation and the root of y = u cannot be ordered")


def _crossing_g(A: arb, B: arb, cb: arb, z_lo: arb, end: arb, at_z) -> arb | None:
    """``g`` at the upward crossing of ``w = A z + B/z = c`` (the larger root of ``A z^2 - c z + B``) when it lies
    inside the stretch ``(z_lo, end)`` (``at_z(z)`` gives ``g`` there), None when there is none."""
    d2 = cb * cb - 4 * A * B
    if d2 > 0:
        zc = (cb + d2.sqrt()) / (2 * A)
        if (zc > z_lo) and (zc < end):
            return at_z(zc)
        if not ((zc < z_lo) or (zc > end)):
            raise NumericError("the crossing w = c and a stretch end cannot be ordered")
    elif not d2 < 0 and not (d2 == 0):
        raise NumericError("whether w = c is crossed is not decided")
    return None


def _both_layers_decay(s: np.ndarray, a: np.ndarray, y: Fraction, c: Fraction) -> arb:
    """The body of :func:`one_input_both_layers_decay` at the working precision."""
    rho = 1 / arb(s.shape[0]).sqrt()
    P, S = _active_sums(s, a)
    yb, cb = fraction_to_arb(y), fraction_to_arb(c)
    r0 = yb - rho * P
    if not (r0 > 0 or r0 < 0):
        raise NumericError("the sign of y - u(0) is not decided")
    sigma = 1 if r0 > 0 else -1
    # w = 2 u'(q) at t = 0 below c: g decreases from g(0) = 0, so the decay fails just after 0
    w0 = 4 * rho * rho * S
    if w0 < cb:
        return w0 - cb
    # down-moving neurons (a_r sigma < 0, 0 <= s_r < 1) stop at z = (1 + s)/(1 - s), in the order of s
    act = s >= 0
    down = np.sort(s[act][(a[act] * sigma < 0) & (s[act] < 1)])
    Y = yb * sigma
    t_total, z_lo, r0_abs, worst, k = arb(0), arb(1), abs(r0), None, 0
    while True:
        alpha = rho * (P * sigma + S) / 2
        beta = rho * (P * sigma - S) / 2
        if not alpha > 0:
            if S == 0 or (S < 1 and S.contains(0)):
                return arb(-1)  # nothing active: u stays, ||y - u|| never decays
            raise NumericError("alpha of a stretch is not certainly positive")
        disc = (Y * Y - 4 * alpha * beta).sqrt()
        z_root, z_minus = (Y + disc) / (2 * alpha), (Y - disc) / (2 * alpha)
        j, end, last = _stretch_end(down, k, z_root)
        A, B = 4 * rho * alpha, -4 * rho * beta

        def time_to(z):
            return ((z - z_minus) / (z_root - z)).log() / (2 * rho * alpha * (z_root - z_minus))

        def g_at(z):
            r_c = (-alpha * z * z + Y * z - beta) / z
            return 2 * (r0_abs / r_c).log() - cb * (t_total + time_to(z) - time_to(z_lo))

        g = _crossing_g(A, B, cb, z_lo, end, g_at)
        if g is not None:
            worst = g if worst is None else worst.min(g)
        if last:
            w_root = A * z_root + B / z_root
            if w_root < cb:
                return arb(-1)
            if not w_root > cb:
                raise NumericError("2 u'(q*) against c at the root is not decided")
            return worst if worst is not None else arb(1)
        t_total = t_total + time_to(end) - time_to(z_lo)
        for v in down[k:j]:  # the neurons stopping at this level leave the sums (each had a_r = -sigma)
            qv = fraction_to_arb(Fraction(float(v)))
            P = P + qv * sigma
            S = S - (1 + qv * qv) / 2
        z_lo, k = end, j
