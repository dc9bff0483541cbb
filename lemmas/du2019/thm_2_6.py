r"""Theorem 2.6 of du2019: gradient flow training both layers.

S. S. Du, X. Zhai, B. Poczos, A. Singh, *Gradient Descent Provably Optimizes Over-parameterized Neural
Networks*, ICLR 2019 (arXiv:1810.02054), Theorem 3.4 of the paper (appendix); as presented in Y. Miyazaki's
slides (2022), Theorem 2.6, p. 20.

Statement: under the assumptions of Theorem 2.1, with :math:`m=\Omega\big(\frac{n^6\log(m/\delta)}{\lambda_0^4\delta^3}\big)`,
:math:`w_r(0)\sim N(0,I)`, :math:`a_r(0)\sim\mathrm{unif}\{-1,1\}`, and the flow
:math:`\dot w_r=-\partial L/\partial w_r`, :math:`\dot a_r=-\partial L/\partial a_r`, with probability at least
:math:`1-\delta`: :math:`\|u(t)-y\|_2^2\le e^{-\lambda_0t}\|u(0)-y\|_2^2`.

Explicit constant: the slides omit the proof; the check uses Theorem 2.1's explicit width (its named
constants ``K``, ``c``, ``C``, ``e_n``, ``e_lam``, ``e_delta``) times the extra :math:`\log(m/\delta)`
(the least such ``m``).

How it is checked: on ONE unit input (:math:`\lambda_0=\tfrac12`) the two-layer flow reduces to its path
:math:`q=\int r\,dt` (:func:`proofcheck.ml.dynamics.one_input_both_layers`): each active neuron turns
hyperbolically in :math:`(s_r, a_r)`, :math:`u(q)` is closed form between deactivations and
:math:`\frac{d}{dt}\log\|y-u\|^2=-2u'(q)`. A draw is good when :math:`2\min_{\text{path}}u'\ge\text{rate}\cdot\lambda_0`
(sufficient: the decay then holds for all :math:`t`); it certainly fails when
:math:`2u'(0)<\text{rate}\cdot\lambda_0` (the decay fails for small :math:`t`; :math:`u'(0)=\frac1m\sum_{s_r\ge0}(a_r^2+s_r^2)`
is decided in exact rationals). Draws in between count against the claim's upper bound only, so they can
make it ``inconclusive``, never ``refuted``.

Errata
------
* :math:`m` appears on both sides of its own lower bound; the least solution is used.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy

from proofcheck import Claim, Constant, Probabilistic
from proofcheck.ml.dynamics import float_sum_enclosure, one_input_both_layers
from proofcheck.num import Enclosure, NumericError, to_fraction

from . import c_constant, delta_constant, label_bound, source
from .thm_2_1 import (LAM0, delta_s, draw_init, label_variable, m_s, setting_hypotheses, width_constants,
                      width_expr, width_facts, width_variable)

residual = sympy.Function("residual")
lambda_0, t, rate_s = sympy.Symbol("lambda_0"), sympy.Symbol("t"), sympy.Symbol("rate", real=True)


def both_layers_event(env, inst) -> float:
    """``2 min_path u'(q) - rate lambda_0`` (>= 0: the decay holds for all t)."""
    s, a = inst
    lowest, _, r0 = one_input_both_layers(s, a, float(env.y))
    if r0 == 0:
        return 1.0
    return float(2 * lowest - float(env.rate) * float(LAM0))


def both_layers_event_exact(env, inst) -> Enclosure:
    """Certain failure: ``2 u'(0) - rate lambda_0 < 0`` (``u'(0) = (1/m) sum_{s_r >= 0} (a_r^2 + s_r^2)``, its float
    sum enclosed rigorously); otherwise undecided (raises: the draw counts against the upper bound only)."""
    s, a = inst
    m = len(s)
    act = s >= 0
    # a_r^2 = 1 exactly; s_r^2 is rounded once (relative error <= 2^-53): enclose each square, then the sum
    sq = np.asarray(s[act], float) ** 2
    lo, hi = float_sum_enclosure(sq)
    u = Fraction(1, 2**53)
    lo, hi = lo * (1 - u) if lo > 0 else lo * (1 + u), hi * (1 + u)
    count = int(act.sum())
    rate_lam = to_fraction(env.rate) * LAM0
    enc = Enclosure(2 * (count + lo) / m - rate_lam, 2 * (count + hi) / m - rate_lam)
    if enc.definitely_negative(False):
        return enc
    raise NumericError("the decay holds at t = 0; the exact path minimum is not computed")


thm2_6 = Claim(
    id="du2019.thm2.6",
    title="Both layers trained: at m >= K (C^2+1) n^6 log(m/delta)/(c^2 lambda_0^4 delta^3), w.p. 1 - delta, exponential decay at rate lambda_0",
    source=source("p. 20, Theorem 2.6"),
    statement=r"m=\Omega\Big(\frac{n^6\log(m/\delta)}{\lambda_0^4\delta^3}\Big)\Rightarrow\Pr\big[\|u(t)-y\|_2^2\le e^{-\lambda_0t}\|u(0)-y\|_2^2\big]\ge1-\delta",
    variables=[label_variable(), width_variable(log_factor=True)],
    hypotheses=setting_hypotheses(width_expr() * sympy.log(m_s / delta_s)),
    constants=[delta_constant(Fraction(1, 2)), c_constant(), label_bound()] + width_constants()
              + [Constant("rate", 1, "the rate of exp(-lambda_0 t): 1 as printed", positive=True)],
    kind=Probabilistic(delta="delta", draw=draw_init, event=both_layers_event, event_exact=both_layers_event_exact,
                       settings=2, samples=600,
                       describe=lambda values, constants: width_facts(values, constants, log_factor=True)),
    uses=["du2019.thm2.1"],
    formula=[sympy.Le(residual(t), sympy.exp(-rate_s * lambda_0 * t) * residual(0))],
    note="No proof is printed; the explicit width borrows Theorem 2.1's constant times log(m/delta). One unit input.",
)
