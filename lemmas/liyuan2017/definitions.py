r"""The definitions of the slides' "Main: Preliminaries", each checked by a property it must have.

Source: slides on Li & Yuan (NeurIPS 2017), "Main: Preliminaries":

* One-point convexity: a function ``f`` is δ-one-point strongly convex in ``D`` w.r.t. ``x*`` if
  :math:`\forall x \in D,\ \langle -\nabla f(x), x^* x\rangle > \delta \|x^* x\|_2^2` (printed).
* Auxiliary function: :math:`f_A = \sum_i (\|e_i + w_i^*\|_2 - \|e_i - w_i\|_2)` (printed), and
  :math:`f_A(i) = f_A - (\|e_i + w_i^*\|_2 - \|e_i - w_i\|_2)`.
* Auxiliary matrix: :math:`A = (W^* + I)\overline{W^* + I}^\top - (W + I)\overline{W + I}^\top`.

Readings and what is checked
----------------------------
* ``def.one_point`` as printed: ``x* x`` juxtaposes two vectors, a product that is not defined:
  ill-formed. ``@difference`` reads ``x* − x`` and is checked on the model example
  :math:`f = \tfrac12\|x - x^*\|^2` with δ = ½: at ``x = x*`` both sides are 0, so the strict
  inequality fails -- as printed, no function is one-point strongly convex on a domain that
  contains ``x*``. ``:repaired`` asks it for ``x ≠ x*`` only.
* ``def.f_A``: a potential for Phase 1 must vanish at the optimum ``W = W*``; as printed
  (``e_i − w_i``) it does not, with ``@plus`` (``e_i + w_i``, Li & Yuan's) it does.
* ``def.A.trace``: :math:`\operatorname{tr} A = f_A` (the trace of :math:`v\,\overline v^\top` is
  :math:`\|v\|`), the link between the two auxiliary objects; it holds for the ``@plus`` reading only.
The checks use ``n = 2`` (4 + 4 real unknowns, unbounded), where z3 decides them.
"""
from __future__ import annotations

import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Constant, Variable

from . import src

_unit = st.fractions(-1, 1, max_denominator=8)


def _scalars(prefix: str, n: int = 2, meaning: str = "") -> list[Variable]:
    return [Variable(f"{prefix}{i}", _unit, domain="R", meaning=meaning) for i in range(n)]


# ---------------------------------------------------------------- one-point strong convexity
x = _scalars("x", meaning="the point x (n = 2)")
s = _scalars("xs", meaning="the point x* (n = 2)")
X = sympy.Matrix([v.symbol for v in x])
S = sympy.Matrix([v.symbol for v in s])
delta = Constant("delta", sympy.Rational(1, 2), "the convexity parameter checked on the model example", positive=True)
# model example f(x) = |x - x*|^2 / 2, so -grad f(x) = x* - x
_neg_grad = S - X
_diff_sq = ((S - X).T * (S - X))[0]

one_point_printed = Claim(
    id="liyuan2017.def.one_point",
    title="delta-one-point strong convexity as printed: <-grad f(x), x* x> > delta |x* x|^2",
    source=src("Main: Preliminaries, one-point convexity"),
    statement=r"\forall x\in D:\ \langle -\nabla f(x), x^* x\rangle > \delta \|x^* x\|_2^2",
    variables=x + s,
    constants=[delta],
    # the juxtaposition x* x of two vectors is not a defined operation: an undefined symbol, on purpose
    formula=[sympy.Gt(sympy.Symbol("x_star_x"), 0)],
    conclusion=sympy.Gt(_diff_sq, 0),
    note="the printed x* x (two vectors side by side) has no meaning; see @difference",
)

one_point_difference = Claim(
    id="liyuan2017.def.one_point@difference",
    reason=("At x = x* both sides of the delta-one-point strong convexity inequality are 0, where the definition "
            "asks for a strict inequality."),
    title="read with x* - x, the model example |x - x*|^2/2 is delta-one-point strongly convex (delta = 1/2)",
    source=src("Main: Preliminaries, one-point convexity"),
    statement=r"f = \tfrac12\|x-x^*\|^2:\ \forall x:\ \langle -\nabla f(x), x^* - x\rangle > \delta \|x^* - x\|_2^2",
    variables=x + s,
    constants=[delta],
    conclusion=sympy.Gt((_neg_grad.T * (S - X))[0], delta.symbol * _diff_sq),
    note="reading x* x as x* - x (the minus sign lost in extraction)",
)

one_point_repaired = Claim(
    id="liyuan2017.def.one_point:repaired",
    title="for x != x*, the model example is delta-one-point strongly convex (delta = 1/2)",
    source=src("Main: Preliminaries, one-point convexity"),
    statement=r"f = \tfrac12\|x-x^*\|^2:\ \forall x \ne x^*:\ \langle -\nabla f(x), x^* - x\rangle > \delta \|x^* - x\|_2^2",
    variables=x + s,
    constants=[delta],
    hypotheses=[sympy.Gt(_diff_sq, 0)],
    conclusion=sympy.Gt((_neg_grad.T * (S - X))[0], delta.symbol * _diff_sq),
    note="the strict inequality cannot hold at x = x*, where both sides vanish: the domain must exclude x*",
)


# ---------------------------------------------------------------- f_A and A (n = 2)
w = [_scalars(f"w{j}_", meaning=f"column w_{j}") for j in range(2)]        # W = (w_0, w_1), columns
ws = [_scalars(f"ws{j}_", meaning=f"column w*_{j}") for j in range(2)]
E = sympy.eye(2)


def _col(vs) -> sympy.Matrix:
    return sympy.Matrix([v.symbol for v in vs])


def _norm(v: sympy.Matrix) -> sympy.Expr:
    return sympy.sqrt((v.T * v)[0])


def _f_A(W_cols, Ws_cols, sign: int) -> sympy.Expr:
    """sum_i (|e_i + w_i*| - |e_i + sign w_i|)."""
    return sum(_norm(E[:, i] + Ws_cols[i]) - _norm(E[:, i] + sign * W_cols[i]) for i in range(2))


Wc, Wsc = [_col(c) for c in w], [_col(c) for c in ws]
_at_optimum = {a.symbol: b.symbol for ca, cb in zip(w, ws) for a, b in zip(ca, cb)}  # W := W*

f_A_printed = Claim(
    id="liyuan2017.def.f_A",
    reason=("As printed with |e_i - w_i|, f_A = sum_i (|e_i + w_i*| - |e_i - w_i|) does not vanish at W = W* (the "
            "minus sign is an extraction error for +), so it cannot be a potential that decreases to O(gamma)."),
    title="the auxiliary function as printed (|e_i - w_i|) vanishes at the optimum W = W*",
    source=src("Main: Preliminaries, auxiliary function"),
    statement=r"f_A = \sum_i (\|e_i + w_i^*\|_2 - \|e_i - w_i\|_2) = 0 \text{ at } W = W^*",
    variables=ws[0] + ws[1],
    conclusion=sympy.Le(_f_A(Wc, Wsc, -1).subs(_at_optimum) ** 2, 0),
    sides=(_f_A(Wc, Wsc, -1).subs(_at_optimum), sympy.Integer(0)),  # f_A at W = W*, and 0
    note="a Phase 1 potential that decreases to O(gamma) must vanish at W*",
)

f_A_plus = Claim(
    id="liyuan2017.def.f_A@plus",
    title="read as Li & Yuan's |e_i + w_i|, the auxiliary function vanishes at W = W*",
    source=src("Main: Preliminaries, auxiliary function"),
    statement=r"f_A = \sum_i (\|e_i + w_i^*\|_2 - \|e_i + w_i\|_2) = 0 \text{ at } W = W^*",
    variables=ws[0] + ws[1],
    conclusion=sympy.Le(_f_A(Wc, Wsc, +1).subs(_at_optimum) ** 2, 0, evaluate=False),
    note="the minus sign in |e_i - w_i| is an extraction error for +",
)


def _trace_A(W_cols, Ws_cols) -> sympy.Expr:
    """tr[(W* + I) colnorm(W* + I)^T - (W + I) colnorm(W + I)^T], the columns written out."""
    total = sympy.Integer(0)
    for i in range(2):
        for v, sgn in ((E[:, i] + Ws_cols[i], 1), (E[:, i] + W_cols[i], -1)):
            total += sgn * ((v.T * v)[0] / _norm(v))
    return total


A_trace = Claim(
    id="liyuan2017.def.A.trace",
    reason=("tr((v) colnorm(v)^T) = |v| makes tr A the sum of |e_i + w_i*| - |e_i + w_i|, which differs from the "
            "printed f_A with |e_i - w_i| (a sign lost in extraction; the @plus reading is proved)."),
    title="tr A equals the auxiliary function as printed",
    source=src("Main: Preliminaries, auxiliary matrix"),
    statement=r"\operatorname{tr}\big((W^*+I)\overline{W^*+I}^\top - (W+I)\overline{W+I}^\top\big) = f_A",
    variables=w[0] + w[1] + ws[0] + ws[1],
    conclusion=sympy.Le((_trace_A(Wc, Wsc) - _f_A(Wc, Wsc, -1)) ** 2, 0),
    sides=(_trace_A(Wc, Wsc), _f_A(Wc, Wsc, -1)),  # tr A and f_A as printed
    note="tr(v colnorm(v)^T) = |v|: the matrix A and the function f_A are two views of one potential",
)

A_trace_plus = Claim(
    id="liyuan2017.def.A.trace@plus",
    title="tr A equals the auxiliary function read with |e_i + w_i|",
    source=src("Main: Preliminaries, auxiliary matrix"),
    statement=r"\operatorname{tr} A = \sum_i (\|e_i + w_i^*\|_2 - \|e_i + w_i\|_2)",
    variables=w[0] + w[1] + ws[0] + ws[1],
    conclusion=sympy.Le((_trace_A(Wc, Wsc) - _f_A(Wc, Wsc, +1)) ** 2, 0, evaluate=False),
    note="with the + reading of f_A",
)


# ---------------------------------------------------------------- f_A(i) and A(i)
def _f_A_without(W_cols, Ws_cols, i: int, sign: int) -> sympy.Expr:
    """f_A(i) = f_A - (|e_i + w_i*| - |e_i + sign w_i|), as printed."""
    return _f_A(W_cols, Ws_cols, sign) - (_norm(E[:, i] + Ws_cols[i]) - _norm(E[:, i] + sign * W_cols[i]))


f_A_i = Claim(
    id="liyuan2017.def.f_A_i",
    title="f_A(i) leaves out exactly the i-th term: it does not depend on w_i (i = 1)",
    source=src("Main: Preliminaries, auxiliary function"),
    statement=r"f_A(i) = f_A - (\|e_i + w_i^*\|_2 - \|e_i - w_i\|_2) \text{ is free of } w_i",
    variables=w[0] + w[1] + ws[0] + ws[1],
    # d f_A(0) / d w_0 = 0, component by component, as one sum of squares
    conclusion=sympy.Le(sum(sympy.diff(_f_A_without(Wc, Wsc, 0, -1), v.symbol) ** 2 for v in w[0]), 0,
                        evaluate=False),
    note="a consistency check of the definition (the term removed is the one that holds w_i)",
)


def _trace_A_without(W_cols, Ws_cols, i: int) -> sympy.Expr:
    total = _trace_A(W_cols, Ws_cols)
    for v, sgn in ((E[:, i] + Ws_cols[i], 1), (E[:, i] + W_cols[i], -1)):
        total -= sgn * ((v.T * v)[0] / _norm(v))
    return total


A_i_trace = Claim(
    id="liyuan2017.def.A_i.trace@plus",
    title="tr A(i) = f_A(i) (both without the i-th column; f_A read with |e_i + w_i|)",
    source=src("Main: Preliminaries, auxiliary matrix"),
    statement=r"\operatorname{tr} A(i) = f_A(i)",
    variables=w[0] + w[1] + ws[0] + ws[1],
    conclusion=sympy.Le((_trace_A_without(Wc, Wsc, 0) - _f_A_without(Wc, Wsc, 0, +1)) ** 2, 0, evaluate=False),
    note="A(i) removes the i-th column's outer products, as f_A(i) removes the i-th term",
)
