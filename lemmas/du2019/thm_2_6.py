r"""Theorem 2.6 of du2019: gradient flow training both layers (slides ``001_d627599d6b7a6bd1.txt``, p. 20).

Statement: under the assumptions of Theorem 2.1, with :math:`m=\Omega\big(\frac{n^6\log(m/\delta)}{\lambda_0^4\delta^3}\big)`,
:math:`w_r(0)\sim N(0,I)`, :math:`a_r(0)\sim\mathrm{unif}\{-1,1\}`, and the flow
:math:`\dot w_r=-\partial L/\partial w_r`, :math:`\dot a_r=-\partial L/\partial a_r`, with probability at least
:math:`1-\delta`: :math:`\|u(t)-y\|_2^2\le e^{-\lambda_0t}\|u(0)-y\|_2^2`.

Explicit constant: the slides omit the proof ("証明略"); the check uses Theorem 2.1's constant
``K = 4 (C^2+1)/c^2`` times the extra ``log(m/delta)`` (the least ``m`` with
``m >= K n^6 log(m/delta)/(lambda_0^4 delta^3)``). Override with ``--set K=...``.

Errata
------
* :math:`m` appears on both sides of its own lower bound; the least solution is used.
"""
from __future__ import annotations

import sympy

from proofcheck import Claim, Probabilistic

from . import c_constant, delta_constant, label_bound, source
from .thm_2_1 import K_constant, flow_theorem_check, flow_theorem_replay

residual = sympy.Function("residual")
lambda_0, t = sympy.Symbol("lambda_0"), sympy.Symbol("t")

thm2_6 = Claim(
    id="du2019.thm2.6",
    title="Both layers trained: at m >= K n^6 log(m/delta)/(lambda_0^4 delta^3), w.p. 1 - delta, exponential decay at rate lambda_0",
    source=source("p. 20, Theorem 2.6"),
    statement=r"m=\Omega\Big(\frac{n^6\log(m/\delta)}{\lambda_0^4\delta^3}\Big)\Rightarrow\Pr\big[\|u(t)-y\|_2^2\le e^{-\lambda_0t}\|u(0)-y\|_2^2\big]\ge1-\delta",
    constants=[delta_constant(0.5), c_constant(), label_bound(), K_constant()],
    kind=Probabilistic(delta="delta"),
    uses=["du2019.thm2.1"],
    formula=[sympy.Le(residual(t), sympy.exp(-lambda_0 * t) * residual(0))],
    check=flow_theorem_check(True, True, 0.005, "Theorem 2.6 (both layers)", h=1.0),
    replay=flow_theorem_replay(True, True, h=1.0),
    cost=5.0,
    note="No proof is printed; the explicit width borrows Theorem 2.1's constant (see the module docstring).",
)
