r"""Theorem 2.3 of Park (2019): one neuron (n = 1), adapted from Du, Lee, Tian (arXiv:1709.06129).

Source: J. Park, *Input Distribution Analysis for Learning Two Layer Neural Network*, MSc thesis,
Seoul National University, 2019, Chapter 2, Theorem 2.3, p. 5 (both text extractions print the
same statement).

As printed:

.. math::

    \exists d > 0:\ m^{w,-w_*}_{max}(\phi) = \max_{w:\angle w,w_*=\phi}\lambda_{max}(R_{w,-w_*}) < d\phi,\quad
    \|w_0 - w_*\| < \|w_*\|,\quad \phi^t = \arcsin(\|w_0-w_*\|/\|w_*\|),\\
    0 \le \eta_t \le \min_{0\le\phi\le\phi^t}\frac{m_{min}(\phi)}{2(m_{max}(\phi)+2\alpha)^2}
    \;\Longrightarrow\; \|w_{t+1}-w_*\|^2 \le \Big(1 - \frac{\eta_t m_{min}(\phi_t)}{2}\Big)\|w_t-w_*\|^2 \quad (2.7)

Errata
------
* ``alpha`` is never defined before (or in) Theorem 2.3, and the ``d`` of the hypothesis is never
  used: the step-size bound has ``alpha`` where ``d`` is expected. (``alpha`` is introduced later,
  in Assumption 3.3, for ``B_101``; for ``n = 1``, ``B_101 = R_{w,-w*}``, so ``alpha`` *is* ``d`` there.)
  Reading ``@alpha=d``.
* "``< d phi``" with a strict inequality cannot hold at ``phi = 0`` (the left side is a largest
  eigenvalue of a PSD matrix, ``>= 0 = d * 0``); if ``phi`` ranges over Def. 2.2's closed ``[0, pi]``
  the hypothesis is never met (reading ``@phi_range=closed``). The check of ``@alpha=d`` takes
  ``phi`` in ``(0, pi]``.
* ``phi^t`` is defined from ``w_0`` but indexed by ``t``; the conclusion uses ``phi_t`` (undefined;
  read as ``angle(w_t, w*)``). One step from ``t = 0`` makes the two agree on what is checked.
* The model is normalised by ``1/n`` (= 1 here), the appendix's convention (see ``park2019.eq2.1``).
"""
from __future__ import annotations

import math
from fractions import Fraction

import sympy
from flint import arb
from hypothesis import strategies as st

from proofcheck import Claim, Constant, Outcome, Variable, Verdict
from proofcheck.ml import linalg_exact as X
from proofcheck.num import Enclosure, fraction_to_arb

from . import NotAnInstance, replayer, src

S = sympy.Symbol
F = sympy.Function


def _v(name, lo=0, hi=10):
    return Variable(name, st.floats(lo, hi, allow_nan=False, allow_infinity=False), domain=f"[{lo}, {hi}]",
                    lo=lo, hi=hi)


# ====================================================================== as printed
_d, _eta, _phi, _phit, _D0, _D1 = (_v(n) for n in ("d", "eta", "phi", "phi_t", "D0", "D1"))
D_, ETA, PHI, PHIT, D0, D1 = (v.symbol for v in (_d, _eta, _phi, _phit, _D0, _D1))
ALPHA = S("alpha", real=True)
#: the numbers printed in Theorem 2.3's step-size bound m_min/(2(m_max + 2 alpha)^2) and conclusion
THM23_CONSTANTS = [
    Constant("c_step", 2, "the first 2 of m_min / (2 (m_max + 2 alpha)^2)", positive=True),
    Constant("c_alpha", 2, "the 2 of 2 alpha", positive=True),
    Constant("c_rate", Fraction(1, 2), "the 1/2 of 1 - eta_t m_min(phi_t)/2", positive=True),
]
C_STEP, C_ALPHA, C_RATE = (c.symbol for c in THM23_CONSTANTS)

thm23 = Claim(
    id="park2019.thm2.3",
    title="one-neuron contraction with step size m_min/(2(m_max + 2 alpha)^2) (as printed)",
    source=src("Chapter 2, Theorem 2.3, p. 5"),
    statement=(r"m^{w,-w_*}_{max}(\phi) < d\phi,\ \|w_0-w_*\|<\|w_*\|,\ 0\le\eta_t\le\min_{0\le\phi\le\phi^t}"
               r"\frac{m_{min}(\phi)}{2(m_{max}(\phi)+2\alpha)^2} \Rightarrow \|w_{t+1}-w_*\|^2\le"
               r"(1-\eta_t m_{min}(\phi_t)/2)\|w_t-w_*\|^2"),
    variables=[_d, _eta, _phi, _phit, _D0, _D1],
    formula=[sympy.Lt(F("m_max_neg")(PHI), D_ * PHI),
             sympy.Le(ETA, F("m_min")(PHI) / (C_STEP * (F("m_max")(PHI) + C_ALPHA * ALPHA) ** 2))],
    conclusion=sympy.Le(D1**2, (1 - ETA * F("m_min")(PHIT) * C_RATE) * D0**2),
    constants=THM23_CONSTANTS,
    note="alpha appears in the step-size bound but is defined nowhere before Thm 2.3 (nor assumed: "
         "Assumption 3.3 comes in Chapter 3); the hypothesis' d is never used",
)

# ====================================================================== phi = 0 included
# At phi = 0 the hypothesis reads m0 < d * 0 with m0 = lambda_max of a PSD matrix (>= 0).
_m0 = _v("m0", 0, 10)
M0 = _m0.symbol
_mmin_v = _v("mmin_t", 0, 10)
thm23_closed = Claim(
    id="park2019.thm2.3@phi_range=closed",
    title="Thm 2.3 with phi ranging over Def. 2.2's closed [0, pi]: the strict hypothesis fails at phi = 0",
    source=src("Chapter 2, Def. 2.2 (phi in [0, pi]) and Theorem 2.3, pp. 4-5"),
    statement=r"m^{w,-w_*}_{max}(0) < d\cdot 0,\ d > 0 \Rightarrow \|w_{t+1}-w_*\|^2\le(1-\eta_t m_{min}(\phi_t)/2)\|w_t-w_*\|^2",
    variables=[_m0, _d, _eta, _mmin_v, _D0, _D1],
    hypotheses=[sympy.Ge(M0, 0), sympy.Gt(D_, 0), sympy.Lt(M0, D_ * 0)],
    conclusion=sympy.Le(D1**2, (1 - ETA * _mmin_v.symbol * C_RATE) * D0**2),
    constants=THM23_CONSTANTS[2:],
    note="m0 = m_max^{w,-w*}(0) = lambda_max(E[zz^T 1{w*^T z = 0}]) >= 0 for every distribution; "
         "the hypothesis at phi = 0 asks m0 < 0. The conclusion's quantities are left free: whatever "
         "they are, the theorem is empty if its hypothesis can never hold.",
)


# ====================================================================== one neuron, Gaussian input
# Closed forms for z ~ N(0, I_k), k >= 2 (FACTS.md; Tian 2017): with theta = angle(w, w*),
#   E grad l = (w - w*)/2 + (theta w* - |w*| sin(theta) w/|w|) / (2 pi),
#   lambda(R_{w,w*}) in {(pi - theta -+ sin theta)/(2 pi)} (and (pi - theta)/(2 pi) off the plane),
#   lambda_max(R_{w,-w*}) = (phi + sin phi)/(2 pi)  (the wedge of w and -w* has angle pi - phi).
# Rotation invariance: only the plane of (w, w*) matters, so k = 2 loses nothing.
def gaussian_m_min(phi: arb) -> arb:
    return (arb.pi() - phi - phi.sin()) / (2 * arb.pi())


def gaussian_m_max(phi: arb) -> arb:
    return (arb.pi() - phi + phi.sin()) / (2 * arb.pi())


def _norm(v) -> arb:
    return fraction_to_arb(X.dot(v, v)).sqrt()


def step_bound_lower(phi_hi: arb, numerator_shift: Fraction, denominator_shift: arb, pieces: int = 48) -> Fraction:
    """A rational lower bound of ``min_{0<=phi<=phi_hi} (m_min(phi) - a) / (2 (m_max(phi) + c)^2)``
    (Gaussian closed forms): the interval ``[0, upper(phi_hi)]`` is covered by balls and each enclosure's
    lower end is taken (a superset of the interval only lowers the bound)."""
    hi = float(phi_hi.upper()) if hasattr(phi_hi, "upper") else float(phi_hi)
    hi = max(hi, 0.0) * (1 + 1e-12) + 1e-15
    best = None
    a = fraction_to_arb(numerator_shift)
    for j in range(pieces):
        lo_j, hi_j = hi * j / pieces, hi * (j + 1) / pieces
        ball = arb((lo_j + hi_j) / 2, (hi_j - lo_j) / 2 * (1 + 1e-9))
        val = (gaussian_m_min(ball) - a) / (2 * (gaussian_m_max(ball) + denominator_shift) ** 2)
        low = Enclosure.of(val).lo
        best = low if best is None or low < best else best
    return best


def _shifts(alpha_coeff: int, m_ex: Fraction) -> tuple[Fraction, arb]:
    """(numerator shift 10 m_ex, denominator shift alpha_coeff alpha + 14 m_ex) of the step-size bound,
    with alpha = 1/pi (the least admissible value for the Gaussian: sup_phi (phi + sin phi)/(2 pi phi)
    = 1/pi, not attained)."""
    return 10 * m_ex, alpha_coeff / arb.pi() + 14 * fraction_to_arb(m_ex)


def _phi_t(dd: Fraction, ss: Fraction) -> arb:
    """phi^t = arcsin(sqrt(dd/ss)) = atan(sqrt(dd/(ss - dd))): finite balls even when dd/ss is near 1."""
    return (fraction_to_arb(dd) / fraction_to_arb(ss - dd)).sqrt().atan()


def _one_step_margin(w, ws, eta: Fraction, shift_num: Fraction) -> Enclosure:
    """rhs - lhs of the contraction after one population GD step from w (Gaussian closed form of
    E grad l), on Arb balls from the exact rationals w, w*, eta."""
    dvec = [a - b for a, b in zip(w, ws)]
    dd = X.dot(dvec, dvec)
    # angle via atan2(|cross|, dot) of exact rationals: finite even when w is parallel to w*
    cross = abs(w[0] * ws[1] - w[1] * ws[0])
    theta = arb.atan2(fraction_to_arb(cross), fraction_to_arb(X.dot(w, ws)))
    g = [fraction_to_arb(Fraction(1, 2) * (a - b)) + (theta * fraction_to_arb(b) - _norm(ws) * theta.sin()
                                                    * fraction_to_arb(a) / _norm(w)) / (2 * arb.pi())
         for a, b in zip(w, ws)]
    w1 = [fraction_to_arb(a) - fraction_to_arb(eta) * gi for a, gi in zip(w, g)]
    lhs = sum(((x - fraction_to_arb(b)) ** 2 for x, b in zip(w1, ws)), arb(0))
    rate = gaussian_m_min(theta) - fraction_to_arb(shift_num)
    rhs = (1 - fraction_to_arb(eta) * rate / 2) * fraction_to_arb(dd)
    return Enclosure.of(rhs - lhs)


def one_neuron_check(ctx, alpha_coeff: int, m_ex: Fraction, label: str) -> Outcome:
    """One population-GD step for one neuron with Gaussian input, at the largest step size the
    statement allows (certified from below), compared with the printed contraction (Arb).

    ``alpha_coeff``: 2 (Thm 2.3, step bound m_min/(2(m_max + 2 alpha)^2)) or 4 (Thm 3.4:
    (m_min - 10 m_ex)/(2(m_max + 14 m_ex + 4 alpha)^2)); alpha = 1/pi (see :func:`_shifts`)."""
    rng = ctx.rng
    shift_num, shift_den = _shifts(alpha_coeff, m_ex)
    tried = met = 0
    least = math.inf
    least_at = None
    points = []  # (|w_0 - w*|/|w*|, relative margin) for the report's plot
    for _ in range(ctx.examples(0.5)):
        tried += 1
        ws = [Fraction(int(rng.integers(-16, 17)), 8) for _ in range(2)]
        if not any(ws):
            continue
        u = [Fraction(int(rng.integers(-16, 17)), 8) for _ in range(2)]
        scale = Fraction(int(rng.integers(1, 33)), 32)
        w = [a + scale * b for a, b in zip(ws, u)]
        dvec = [a - b for a, b in zip(w, ws)]
        dd, ss = X.dot(dvec, dvec), X.dot(ws, ws)
        if not (0 < dd < ss) or not any(w):
            continue  # hypothesis |w_0 - w*| < |w*| (and an angle: w != 0, w != w*)
        met += 1
        eta = step_bound_lower(_phi_t(dd, ss), shift_num, shift_den)
        if eta <= 0:
            continue
        enc = _one_step_margin(w, ws, eta, shift_num)
        rel = enc.mid() / float(dd)
        if len(points) < 200:
            points.append((math.sqrt(float(dd) / float(ss)), rel))
        if rel < least:
            least, least_at = rel, {"w": [str(x) for x in w], "w_star": [str(x) for x in ws], "eta": str(eta)}
        if enc.definitely_negative():
            rec = ctx.record_counterexample({"w": w, "w_star": ws, "eta": eta}, enc.mid(),
                                            f"Arb ball arithmetic: margin in {enc}")
            return Outcome(Verdict.REFUTED, f"{label}: contraction fails at w = {w}, w* = {ws}, eta = {eta} "
                           f"(margin in {enc})", examples=tried, satisfied=met, margin=enc.mid(), counterexample=rec)
    if met == 0:
        return Outcome(Verdict.VACUOUS, f"no instance met |w_0 - w*| < |w*| in {tried}", examples=tried)
    return Outcome(Verdict.SURVIVED,
                   f"{label}: standard Gaussian input, {met} random teachers/initialisations with |w_0 - w*| < |w*|, "
                   "one population GD step at the largest allowed step size (an Arb-certified lower bound of the "
                   "min over [0, phi^t]); the contraction held in every case; least relative margin "
                   f"(rhs - lhs)/|w_0 - w*|^2 = {least:.3g}",
                   examples=tried, satisfied=met, margin=least,
                   details={"least_margin_at": least_at, "plots": [_plot(points, label)]})


def one_neuron_replay(alpha_coeff: int, m_ex: Fraction):
    """``Claim(replay=...)`` for :func:`one_neuron_check`: the stored (w, w*, eta) must meet the
    hypotheses (0 < |w - w*| < |w*|, w != 0, 0 <= eta <= the certified lower bound of the step-size
    bound) and the one-step margin must still be certified negative on Arb balls."""
    def verify(ctx, values, extra):
        w, ws, eta = X.fvec(values["w"]), X.fvec(values["w_star"]), Fraction(values["eta"])
        if len(w) != 2 or len(ws) != 2:
            raise NotAnInstance("w and w* must be planar")
        dvec = [a - b for a, b in zip(w, ws)]
        dd, ss = X.dot(dvec, dvec), X.dot(ws, ws)
        if not (0 < dd < ss) or not any(w):
            raise NotAnInstance("the hypothesis 0 < |w_0 - w*| < |w*| (with w_0 != 0) fails")
        shift_num, shift_den = _shifts(alpha_coeff, m_ex)
        bound = step_bound_lower(_phi_t(dd, ss), shift_num, shift_den)
        if not 0 <= eta <= bound:
            raise NotAnInstance(f"eta = {eta} is not in [0, {float(bound):.6g}] (certified step-size bound)")
        enc = _one_step_margin(w, ws, eta, shift_num)
        if enc.definitely_negative():
            return True, enc.mid(), f"Arb ball arithmetic: contraction margin in {enc}"
        return False, enc.mid(), f"Arb ball arithmetic: contraction margin in {enc}, not certified negative"
    return replayer(verify)


def _plot(points, label):
    points = sorted(points)
    return {"title": f"{label}: relative margin of the contraction after one step",
            "x_label": "|w_0 - w*| / |w*|  (= sin phi^t)", "y_label": "(rhs - lhs) / |w_0 - w*|^2",
            "log_x": False, "log_y": False,
            "series": [{"label": "Gaussian instances", "x": [p[0] for p in points], "y": [p[1] for p in points],
                        "lo": None, "hi": None}]}


thm23_read = Claim(
    id="park2019.thm2.3@alpha=d",
    title="Thm 2.3 with alpha read as d (phi in (0, pi]): checked for Gaussian input",
    source=src("Chapter 2, Theorem 2.3, p. 5"),
    statement=(r"0\le\eta_t\le\min_{0\le\phi\le\phi^t}\frac{m_{min}(\phi)}{2(m_{max}(\phi)+2d)^2} \Rightarrow "
               r"\|w_{t+1}-w_*\|^2\le(1-\eta_t m_{min}(\phi_t)/2)\|w_t-w_*\|^2"),
    check=lambda ctx: one_neuron_check(ctx, alpha_coeff=2, m_ex=Fraction(0), label="Thm 2.3 (alpha = d = 1/pi)"),
    replay=one_neuron_replay(alpha_coeff=2, m_ex=Fraction(0)),
    note="n = 1, z ~ N(0, I) (k = 2 suffices by rotation invariance), d = 1/pi: the Gaussian's "
         "m_max^{w,-w*}(phi) = (phi + sin phi)/(2 pi) < phi/pi for every phi > 0. Not a proof for all "
         "distributions: a search over Gaussian instances, each decided with Arb balls",
)
