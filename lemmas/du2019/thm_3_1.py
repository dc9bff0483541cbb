r"""Theorem 3.1 of du2019: discrete gradient descent.

S. S. Du, X. Zhai, B. Poczos, A. Singh, *Gradient Descent Provably Optimizes Over-parameterized Neural
Networks*, ICLR 2019 (arXiv:1810.02054), Theorem 4.1 of the paper; as presented in Y. Miyazaki's slides
(2022), Theorem 3.1, p. 21.

Statement: under the assumptions of Theorem 2.1, with :math:`m=\Omega\big(\frac{n^6}{\lambda_0^4\delta^3}\big)`
and step size :math:`\eta=O\big(\frac{\lambda_0}{n^2}\big)`, with probability at least :math:`1-\delta`,
:math:`\|u(k)-y\|_2^2\le\big(1-\frac{\eta\lambda_0}2\big)^k\|u(0)-y\|_2^2` (first layer trained, eq. (2)).

Explicit constants: the width is Theorem 2.1's (``K (C^2+1) n^6/(c^2 lambda_0^4 delta^3)``, its named
constants). The slides omit the proof; the step is ``eta = eta_c lambda_0/n^2`` with ``eta_c = 1/4`` -- an
assumption of this encoding, not a printed value (``--set eta_c=...``). The printed :math:`\tfrac12` of the
rate is the constant ``half``.

How it is checked: on ONE unit input (:math:`\lambda_0=\tfrac12`), gradient descent moves every active neuron
by a common amount, so a run of ``k`` steps costs ``O(m log m + k log m)``
(:func:`proofcheck.ml.dynamics.one_input_gd`); a failing draw is re-run in Arb from the exact rationals of
its initialisation (:func:`proofcheck.ml.dynamics.one_input_gd_exact`). The claim is declared: settings (the
label, the explicit width) drawn by the engine, initialisations drawn and counted by the engine.

Errata
------
* The printed exponent is a kappa-like glyph for :math:`k`.
* "for all k" is checked for :math:`k\le K_{\max}` with :math:`(1-\eta\lambda_0/2)^{K_{\max}}\le e^{-8}`: a
  failure there is a failure of the statement; beyond it the check says nothing.
"""
from __future__ import annotations

import math
from fractions import Fraction

import sympy

from proofcheck import Claim, Constant, Probabilistic
from proofcheck.ml.dynamics import one_input_gd, one_input_gd_exact
from proofcheck.num import NumericError, fraction_to_arb, to_fraction

from . import c_constant, delta_constant, label_bound, source
from .thm_2_1 import (LAM0, N_INPUTS, draw_init, label_variable, setting_hypotheses, width_constants, width_facts,
                      width_variable)

residual = sympy.Function("residual")
lambda_0, k, eta = sympy.Symbol("lambda_0"), sympy.Symbol("k"), sympy.Symbol("eta")
half_s = sympy.Symbol("half")


def step_and_horizon(env) -> tuple[Fraction, int]:
    """``eta = eta_c lambda_0/n^2`` and the number of steps ``K_max`` (bound down to about e^{-8})."""
    eta_ = to_fraction(env.eta_c) * LAM0 / N_INPUTS**2
    rate = to_fraction(env.half) * eta_ * LAM0
    if not 0 < rate < 1:
        raise NumericError(f"1 - eta lambda_0 half = {1 - rate} must lie in (0, 1)")
    return eta_, min(4096, max(1, math.ceil(8 / float(rate))))


def gd_event(env, inst) -> float:
    """``min_{1<=k<=K_max} [(1 - half eta lambda_0)^k ||y-u(0)||^2 - ||y-u(k)||^2] / ||y-u(0)||^2``."""
    s, a = inst
    eta_, steps = step_and_horizon(env)
    r = one_input_gd(s, a, float(env.y), float(eta_), steps)
    r0sq = r[0] ** 2
    if r0sq == 0:
        return 1.0 if not any(r[1:]) else -1.0
    factor = 1 - float(to_fraction(env.half) * eta_ * LAM0)
    kk = range(1, steps + 1)
    return float(min(factor**j - r[j] ** 2 / r0sq for j in kk))


def gd_event_exact(env, inst):
    s, a = inst
    eta_, steps = step_and_horizon(env)
    r = one_input_gd_exact(s, a, to_fraction(env.y), eta_, steps)
    r0sq = r[0] * r[0]
    factor = fraction_to_arb(1 - to_fraction(env.half) * eta_ * LAM0)
    if not r0sq > 0:
        raise NumericError("||y - u(0)|| is not certainly positive")
    worst = None
    for j in range(1, steps + 1):
        v = factor**j - r[j] * r[j] / r0sq
        worst = v if worst is None else worst.min(v)
    return worst


thm3_1 = Claim(
    id="du2019.thm3.1",
    title="GD with eta = O(lambda_0/n^2) at m = Omega(n^6/(lambda_0^4 delta^3)): ||u(k) - y||^2 <= (1 - eta lambda_0/2)^k ||u(0) - y||^2 w.p. 1 - delta",
    source=source("p. 21, Theorem 3.1"),
    statement=r"m=\Omega\Big(\frac{n^6}{\lambda_0^4\delta^3}\Big),\ \eta=O\Big(\frac{\lambda_0}{n^2}\Big)\Rightarrow\Pr\Big[\|u(k)-y\|_2^2\le\Big(1-\frac{\eta\lambda_0}2\Big)^k\|u(0)-y\|_2^2\Big]\ge1-\delta",
    variables=[label_variable(), width_variable()],
    hypotheses=setting_hypotheses(),
    constants=[delta_constant(Fraction(1, 2)), c_constant(), label_bound()] + width_constants()
              + [Constant("half", Fraction(1, 2), "the 1/2 of (1 - eta lambda_0/2)^k", positive=True),
                 Constant("eta_c", Fraction(1, 4), "assumed explicit O-constant of the step: eta = eta_c lambda_0/n^2 "
                                                   "(no proof printed)", positive=True)],
    kind=Probabilistic(delta="delta", draw=draw_init, event=gd_event, event_exact=gd_event_exact,
                       settings=4, samples=1000, describe=width_facts),
    uses=["du2019.thm2.1"],
    formula=[sympy.Le(residual(k), (1 - half_s * eta * lambda_0) ** k * residual(0))],
    note="One unit input (lambda_0 = 1/2); k <= K_max with (1 - eta lambda_0/2)^K_max <= e^-8.",
)
