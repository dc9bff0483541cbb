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
:math:`\frac{d}{dt}\log\|y-u\|^2=-2u'(q)`. A draw is good at once when :math:`2\min_{\text{path}}u'\ge\text{rate}\cdot\lambda_0`
(floats; the rate is then met at every instant). Otherwise the decay for all :math:`t` is decided in Arb
(:func:`proofcheck.ml.dynamics.one_input_both_layers_decay`): time along the path is integrated in closed
form, and :math:`g(t)=\log(\|r_0\|^2/\|r(t)\|^2)-\text{rate}\,\lambda_0t` is evaluated at its minima (the upward
crossings of :math:`2u'=\text{rate}\,\lambda_0`) and its limit at the root :math:`u=y`; a draw whose orderings or
signs Arb cannot decide is undecided (counted against the claim, reported), never good.

Errata
------
* :math:`m` appears on both sides of its own lower bound; the least solution is used.
"""
from __future__ import annotations

import math
from fractions import Fraction

import sympy

from proofcheck import Claim, Constant, Probabilistic
from proofcheck.ml.dynamics import one_input_both_layers, one_input_both_layers_decay
from proofcheck.num import NumericError, to_fraction

from . import c_constant, delta_constant, label_bound, source
from .thm_2_1 import (LAM0, delta_s, draw_init, label_variable, m_s, setting_hypotheses, width_constants,
                      width_expr, width_facts, width_variable)

residual = sympy.Function("residual")
lambda_0, t, rate_s = sympy.Symbol("lambda_0"), sympy.Symbol("t"), sympy.Symbol("rate", real=True)


def both_layers_event(env, inst) -> float:
    """``>= 0`` when the decay holds for all t: first the float sufficient test ``2 min_path u'(q) >= rate lambda_0``
    (then the rate is met at every instant), otherwise the Arb decision of
    :func:`proofcheck.ml.dynamics.one_input_both_layers_decay` (its least ``g``); NaN when Arb cannot decide."""
    s, a = inst
    lowest, _, r0 = one_input_both_layers(s, a, float(env.y))
    if r0 == 0:
        return 1.0
    quick = float(2 * lowest - float(env.rate) * float(LAM0))
    if quick >= 0:
        return quick
    try:
        g = one_input_both_layers_decay(s, a, to_fraction(env.y), to_fraction(env.rate) * LAM0)
    except NumericError:
        return math.nan
    if g >= 0:
        return float(g.mid())
    if g < 0:
        return min(float(g.mid()), -1e-300)
    return math.nan


def both_layers_event_exact(env, inst):
    """The decay for all t decided in Arb (:func:`proofcheck.ml.dynamics.one_input_both_layers_decay`): the least
    ``log(||r_0||^2/||r(t)||^2) - rate lambda_0 t`` over the path's minima, or -1 when the limit fails."""
    s, a = inst
    return one_input_both_layers_decay(s, a, to_fraction(env.y), to_fraction(env.rate) * LAM0)


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
