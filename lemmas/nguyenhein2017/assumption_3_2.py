r"""Assumption 3.2 and the notes' remarks on it.

Source: reading notes on Nguyen & Hein (ICML 2017), "Assumption 3.2" and the remarks after it:

1. the training inputs are distinct: :math:`x_i \ne x_j` for all :math:`i \ne j`;
2. :math:`\sigma` is analytic and strictly monotonically increasing, and bounded or growing no
   faster than a linear function;
3. :math:`\ell \in C^2(\mathbb R)` and :math:`\ell'(a) = 0` only where :math:`\ell` has its minimum.

Remarks printed after it: the L2 loss :math:`\ell(a) = a^2` meets condition 3; and, after
Theorem 3.4, "linearly independent training data means :math:`N \le d + 1`, a very strong
restriction".

The assumption itself is a set of definitions (a hypothesis of the theorems, encoded there); the
claims here are the remarks, each checkable on its own.

Errata
------
* The remark's ``d + 1`` is the count for inputs augmented by a constant 1 (biases); ``N``
  linearly independent vectors of :math:`\mathbb R^d` number at most ``d``. Both are encoded:
  the printed ``+ 1`` is the constant ``extra``.
"""
from __future__ import annotations

import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Condition, Constant, Variable
from proofcheck.ml.deep import exact_rank

from . import src

a = Variable("a", st.fractions(-8, 8, max_denominator=16), domain="R", meaning="a residual with l'(a) = 0")
b = Variable("b", st.fractions(-8, 8, max_denominator=16), domain="R", meaning="any other residual")
A, B = a.symbol, b.symbol

l2_loss = Claim(
    id="nguyenhein2017.assumption3.2.l2",
    title="the L2 loss l(a) = a^2 meets condition 3: l'(a) = 0 only at a minimum",
    source=src("Assumption 3.2, remark after it"),
    statement=r"\ell(a) = a^2:\ \ell'(a) = 0 \Rightarrow \ell(a) \le \ell(b)\ \forall b",
    variables=[a, b],
    # l'(a) = 2a = 0, written as (2a)^2 <= 0 so that it is a relation with a margin
    hypotheses=[sympy.Le((2 * A) ** 2, 0)],
    conclusion=sympy.Le(A**2, B**2),
)


@st.composite
def _data_matrices(draw):
    d = draw(st.integers(1, 3))
    N = draw(st.integers(1, d + 2))
    entry = st.fractions(-3, 3, max_denominator=4)
    return tuple(tuple(draw(entry) for _ in range(d)) for _ in range(N))


X = Variable("X", _data_matrices(), domain="N x d rational matrices, d <= 3, N <= d + 2",
             contains=lambda M: isinstance(M, tuple) and len(M) > 0 and all(len(r) == len(M[0]) for r in M),
             meaning="the training inputs as rows")


def _independent(env) -> bool:
    """The rows are linearly independent (exact rank = N)."""
    return exact_rank(env.X) == len(env.X)


EXTRA = Constant("extra", 1, "the printed + 1 in N <= d + 1", integer=True)


def _count_margin(env):
    """d + extra - N (>= 0: the remark's bound holds)."""
    return len(env.X[0]) + env.extra - len(env.X)


linear_independence = Claim(
    id="nguyenhein2017.assumption3.2.independent_count",
    title="linearly independent training data means N <= d + 1",
    source=src("remark after Theorem 3.4"),
    statement=r"x_1, \dots, x_N \in \mathbb R^d \text{ linearly independent} \Rightarrow N \le d + 1",
    variables=[X],
    constants=[EXTRA],
    hypotheses=[Condition("rows linearly independent (exact rank)", margin=_independent, rigorous=_independent)],
    conclusion=Condition("N <= d + extra", margin=_count_margin, rigorous=_count_margin),
    note="true, and loose: N <= d already (extra = 0); with extra = -1 it fails at N = d",
    cost=0.25,
)
