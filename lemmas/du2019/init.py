r"""The initial residual of du2019 (Du, Zhai, Poczos, Singh, ICLR 2019; slides p. 19, first display).

As printed:

.. math:: \mathbb E\|y-u(0)\|_2^2=\sum_i\big(y_i^2+y_i\mathbb E[f(W(0),a,x_i)]+\mathbb E[f(W(0),a,x_i)^2]\big)
          =\sum_i(y_i^2+1)=O(n).

By linearity of expectation the statement is a sum of per-input identities
:math:`\mathbb E(y_i-u_i(0))^2=y_i^2+\kappa\,y_i\mathbb E[u_i(0)]+e_2` with the printed coefficient
:math:`\kappa=1` and the printed value :math:`e_2=1` (constants ``kappa`` and ``e2``); the left side is
computed here from the definitions (sympy integrates the Gaussian density), and the engine decides the
identity (z3) for every label :math:`|y_i|\le C`.

Errata
------
* With :math:`a_r\sim\mathrm{unif}\{-1,1\}` independent of :math:`w_r\sim N(0,I)` and :math:`\|x_i\|=1`,
  :math:`\mathbb E[u_i(0)]=0` and :math:`\mathbb E[u_i(0)^2]=\frac1m\sum_r\mathbb E[a_r^2]\,\mathbb E[\sigma(w_r^\top x_i)^2]=\mathbb E[\sigma(g)^2]=\frac12`,
  so the expectation is :math:`\sum_i(y_i^2+\frac12)`, not :math:`\sum_i(y_i^2+1)`. The middle expression
  also has :math:`+y_i\mathbb E f` for :math:`-2y_i\mathbb E f` (harmless: :math:`\mathbb E f=0`).
  ``init:repaired`` states :math:`\sum_i(y_i^2+\frac12)\le\sum_i(y_i^2+1)\le n(C^2+1)`, which is all the
  later Markov step uses.
"""
from __future__ import annotations

from fractions import Fraction

import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Constant, Variable

from . import LABEL_BOUND, src

E, residual = sympy.Function("E"), sympy.Function("residual")
n_s = sympy.Symbol("n")
y = sympy.Symbol("y", real=True)
C_s = sympy.Symbol("C", real=True)
e2, kappa, half, one = (sympy.Symbol(k, real=True) for k in ("e2", "kappa", "half", "one"))


def _moments():
    """``E[u_i(0)]`` and ``E[u_i(0)^2]`` for one unit input, from the definitions (p. 4 and p. 8):
    ``u_i = m^{-1/2} sum_r a_r sigma(w_r^T x_i)`` with independent ``a_r`` (+-1 equally likely) and
    ``w_r^T x_i ~ N(0, 1)``; sympy integrates the Gaussian density."""
    g = sympy.Symbol("g", real=True)
    density = sympy.exp(-g**2 / 2) / sympy.sqrt(2 * sympy.pi)
    E_sigma2 = sympy.integrate(g**2 * density, (g, 0, sympy.oo))  # sigma(g)^2 = g^2 on g >= 0
    E_sigma = sympy.integrate(g * density, (g, 0, sympy.oo))
    E_a, E_a2 = sympy.Rational(1, 2) - sympy.Rational(1, 2), sympy.Integer(1)
    m = sympy.Symbol("m", positive=True, integer=True)
    E_u = sympy.sqrt(m) * E_a * E_sigma
    # E u^2 = (1/m)(m E[a^2] E[sigma^2] + m(m - 1) E[a]^2 E[sigma]^2)
    E_u2 = sympy.simplify((m * E_a2 * E_sigma2 + m * (m - 1) * E_a**2 * E_sigma**2) / m)
    return sympy.simplify(E_u), E_u2


E_U, E_U2 = _moments()
#: E (y_i - u_i(0))^2 for one input, from the definitions
PER_INPUT = sympy.expand(y**2 - 2 * y * E_U + E_U2)

_label = Variable("y", lambda c: st.floats(-float(c["C"]), float(c["C"]), allow_nan=False),
                  domain="|y| <= C", meaning="one label y_i (the sum over i is linear)")

init = Claim(
    id="du2019.init",
    reason=("With w_r ~ N(0, I) and unit inputs E[u_i(0)^2] = E[ReLU(g)^2] = 1/2, so the expected squared residual "
            "is sum_i (y_i^2 + 1/2), not the printed sum_i (y_i^2 + 1)."),
    title="E||y - u(0)||^2 = sum_i (y_i^2 + 1) = O(n)",
    source=src("p. 19, first display"),
    statement=r"\mathbb E\|y-u(0)\|_2^2=\sum_{i=1}^n\big(y_i^2+y_i\mathbb E[f(W(0),a,x_i)]+\mathbb E[f(W(0),a,x_i)^2]\big)=\sum_{i=1}^n(y_i^2+1)=O(n)",
    variables=[_label],
    hypotheses=[sympy.Le(y**2, C_s**2)],
    conclusion=sympy.Le(sympy.Abs(PER_INPUT - (y**2 + kappa * y * E_U + e2)), 0),
    sides=(PER_INPUT, y**2 + kappa * y * E_U + e2),  # E(y_i - u_i(0))^2 and the printed y_i^2 + ... + 1
    constants=[LABEL_BOUND,
               Constant("e2", 1, "the printed E[f(W(0),a,x_i)^2] (the 1 of sum_i (y_i^2 + 1))"),
               Constant("kappa", 1, "the printed coefficient of y_i E[f(W(0),a,x_i)] (+1 as printed; the expansion has -2, "
                                       "and no value matters since E f = 0)")],
    formula=[sympy.Eq(E(residual(0)), n_s)],
    note="Per input, by linearity of expectation: E(y_i - u_i(0))^2 (computed from the definitions) "
         "against the printed y_i^2 + kappa y_i E f + e2; decided exactly for every |y_i| <= C.",
)
init_repaired = Claim(
    id="du2019.init:repaired",
    title="E||y - u(0)||^2 = sum_i (y_i^2 + 1/2) <= sum_i (y_i^2 + 1) <= n (C^2 + 1)",
    source=src("p. 19, first display"),
    statement=r"\mathbb E\|y-u(0)\|_2^2=\sum_{i=1}^n\big(y_i^2+\tfrac12\big)\le\sum_{i=1}^n(y_i^2+1)\le n(C^2+1)",
    variables=[_label],
    hypotheses=[sympy.Le(y**2, C_s**2)],
    # the three relations of the chain, per input: equality, then the two inequalities
    conclusion=sympy.Le(sympy.Max(sympy.Abs(PER_INPUT - (y**2 + half)), half - one, y**2 - C_s**2), 0),
    constants=[LABEL_BOUND,
               Constant("half", Fraction(1, 2), "E[sigma(g)^2] for g ~ N(0,1) (the repair)"),
               Constant("one", 1, "the printed 1 of sum_i (y_i^2 + 1)")],
    note="E[sigma(g)^2] = 1/2 for g ~ N(0,1), not 1; the O(n) bound used by Theorem 2.1 is unaffected.",
)
