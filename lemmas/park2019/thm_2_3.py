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

from fractions import Fraction

import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Constant, Variable

from . import model as Q
from . import src

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
    reason=("At phi = 0 the hypothesis asks m_max(0) < 0, but m_max(0) is the largest eigenvalue of a "
            "second-moment matrix, never negative, so over the closed range the theorem is empty."),
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
# Closed forms for z ~ N(0, I_k), k >= 2 (Tian 2017), in :mod:`lemmas.park2019.model`: with
# theta = angle(w, w*), E grad l = (w - w*)/2 + (theta w* - |w*| sin(theta) w/|w|)/(2 pi),
# m_min(phi) = (pi - phi - sin phi)/(2 pi), m_max(phi) = (pi - phi + sin phi)/(2 pi), and
# lambda_max(R_{w,-w*}) = (phi + sin phi)/(2 pi) (the wedge of w and -w* has angle pi - phi).
# Rotation invariance: only the plane of (w, w*) matters, so k = 2 loses nothing.
W_VAR, WS_VAR, ETA_VAR = Q.one_neuron_variables()


_D_CONST = Constant("d", 1 / sympy.pi, "the d of the hypothesis, read as alpha: 1/pi, the least admissible for the "
                    "standard Gaussian (sup_phi (phi + sin phi)/(2 pi phi) = 1/pi, not attained)", positive=True)
_h23, _c23 = Q.one_neuron_gaussian_step(lambda env: (Fraction(0), Q.arb_of(env.c_alpha) * Q.arb_of(env.d)))

thm23_read = Claim(
    id="park2019.thm2.3@alpha=d",
    title="Thm 2.3 with alpha read as d (phi in (0, pi]): checked for Gaussian input",
    source=src("Chapter 2, Theorem 2.3, p. 5"),
    statement=(r"0\le\eta_t\le\min_{0\le\phi\le\phi^t}\frac{m_{min}(\phi)}{2(m_{max}(\phi)+2d)^2} \Rightarrow "
               r"\|w_{t+1}-w_*\|^2\le(1-\eta_t m_{min}(\phi_t)/2)\|w_t-w_*\|^2"),
    variables=[W_VAR, WS_VAR, ETA_VAR], hypotheses=_h23, conclusion=_c23, witnesses=Q.one_neuron_witnesses(),
    constants=THM23_CONSTANTS + [_D_CONST],
    cost=0.5,
    note="n = 1, z ~ N(0, I) (k = 2 suffices by rotation invariance), d = 1/pi: the Gaussian's "
         "m_max^{w,-w*}(phi) = (phi + sin phi)/(2 pi) < phi/pi for every phi > 0. Not a proof for all "
         "distributions: a search over Gaussian instances (w, w*, eta), each decided with Arb balls; m_min in the "
         "conclusion is read as m_min(angle(w_t, w*))",
)
