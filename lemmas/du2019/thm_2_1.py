r"""Theorem 2.1 of du2019 and its footnote.

S. S. Du, X. Zhai, B. Poczos, A. Singh, *Gradient Descent Provably Optimizes Over-parameterized Neural
Networks*, ICLR 2019 (arXiv:1810.02054), Theorem 3.2 of the paper; as presented in Y. Miyazaki's slides
(2022), Theorem 2.1 and footnote a, p. 8.

Theorem 2.1 (gradient flow): for unit inputs, :math:`|y_i|\le C`, :math:`\lambda_0=\lambda_{\min}(H^\infty)>0`,
:math:`w_r(0)\sim N(0,I)`, :math:`a_r\sim\mathrm{unif}\{-1,1\}`, and :math:`m=\Omega\big(\frac{n^6}{\lambda_0^4\delta^3}\big)`,
with probability at least :math:`1-\delta`, :math:`\|u(t)-y\|_2^2\le e^{-\lambda_0t}\|u(0)-y\|_2^2` for all :math:`t\ge0`.

Footnote a: :math:`\lambda_0>0` when no two inputs are parallel [Xie et al. 2017, Du et al. 2019].

Explicit width (the printed proof, p. 19): :math:`R'<R` with :math:`\|y-u(0)\|^2\le n(C^2+1)/\delta` (Markov on
the printed :math:`\mathbb E\|y-u(0)\|^2`) and :math:`R=c\delta\lambda_0/n^2` gives
:math:`m>K(C^2+1)n^{6}/(c^2\delta^{3}\lambda_0^{4})` with :math:`K=4` (the square of :math:`R'`'s 2) and
:math:`c=\sqrt{2\pi}/16` (Lemma 2.3). Every number is a named constant: ``K``, ``c``, ``C``, the exponents
``e_n = 6``, ``e_lam = 4``, ``e_delta = 3`` of the :math:`\Omega(\cdot)`, and the rate ``rate = 1`` of
:math:`e^{-\lambda_0t}`.

How it is checked: on ONE unit input (:math:`\lambda_0=H^\infty=\tfrac12` exactly) the flow is solved exactly
for all :math:`t\ge0` (:class:`proofcheck.ml.dynamics.OneInputFlow`): :math:`H(t)` is the fraction of active
neurons, non-increasing, so :math:`\|y-u(t)\|^2=e^{-2\int_0^tH}\|y-u(0)\|^2` and the conclusion for all
:math:`t` is exactly :math:`2H(\infty)\ge\text{rate}\cdot\lambda_0`. The claim is declared: its settings (the
label :math:`y`, the width at the explicit bound) are drawn by the engine; at each, the engine draws
initialisations and counts failures of that event (the float margin, re-decided exactly in rationals for
every failing draw) at a family-wise confidence. Two or more inputs need the width
:math:`\ge 64\times` larger (:math:`n^6`) and a general exact flow; they are not checked here.

Errata
------
* The proof combines three events, each of probability :math:`\ge1-\delta` (Lemma 2.2, Lemma 2.3, Markov on
  the initial residual), so it yields probability :math:`1-3\delta`; the check uses the printed :math:`\delta`.
* The :math:`\Omega(\cdot)` hides its constant; the check uses the one the printed proof yields.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Condition, Constant, Probabilistic, Variable
from proofcheck.ml import gram
from proofcheck.ml.datasets import Dataset
from proofcheck.ml.dynamics import OneInputFlow, one_input_final_h
from proofcheck.ml.du_strategies import datasets as du_datasets, is_setting_dataset
from proofcheck.num import BeyondReach, NumericError, arb_endpoints, arb_eval, to_fraction, to_sympy

from . import c_constant, delta_constant, label_bound, source

residual, lambda_min, H_inf = sympy.Function("residual"), sympy.Function("lambda_min"), sympy.Symbol("H_inf")
lambda_0, t = sympy.Symbol("lambda_0"), sympy.Symbol("t")
m_s, y_s = sympy.Symbol("m", integer=True), sympy.Symbol("y", real=True)
K_s, C_s, c_s, delta_s = (sympy.Symbol(k, real=True) for k in ("K", "C", "c", "delta"))
e_n_s, e_lam_s, e_delta_s, rate_s = (sympy.Symbol(k, real=True) for k in ("e_n", "e_lam", "e_delta", "rate"))

#: one unit input: H^inf = x^T x P[w^T x >= 0] = 1/2 exactly
LAM0 = Fraction(1, 2)
N_INPUTS = 1
#: the widest initialisation one draw generates (two float64 arrays of this length)
MAX_DRAWN_WIDTH = 20_000_000


# ---------------------------------------------------------------- the explicit width
def width_constants(printed_K=4) -> list[Constant]:
    return [Constant("K", printed_K, "the 4 = 2^2 of R' = 2 sqrt(n)||y-u(0)||/(sqrt(m) lambda_0) in R'^2 < R^2",
                     positive=True),
            Constant("e_n", 6, "exponent of n in the Omega(n^6/(lambda_0^4 delta^3)) width (no effect at the "
                                      "n = 1 checked here: 1^e_n = 1)", integer=True),
            Constant("e_lam", 4, "exponent of lambda_0 in the width", integer=True),
            Constant("e_delta", 3, "exponent of delta in the width", integer=True)]


def width_expr(n: int = N_INPUTS, lam0: Fraction = LAM0) -> sympy.Expr:
    """``K (C^2+1) n^e_n / (c^2 lambda_0^e_lam delta^e_delta)`` (sympy, for the hypothesis ``m >= ...``)."""
    return (K_s * (C_s**2 + 1) * sympy.Integer(n) ** e_n_s
            / (c_s**2 * sympy.Rational(lam0.numerator, lam0.denominator) ** e_lam_s * delta_s**e_delta_s))


def explicit_width(constants, n: int = N_INPUTS, lam0: Fraction = LAM0, log_factor: bool = False) -> int:
    """The least integer width meeting the explicit bound at the given constants (their exact values,
    ``ConstantValues.exact``; for an irrational bound, the least integer above its Arb upper end);
    ``log_factor``: the least ``m >= bound * log(m/delta)`` (Theorem 2.6)."""
    symbols = {K_s: constants["K"], C_s: constants["C"], c_s: constants["c"], delta_s: constants["delta"],
               e_n_s: constants["e_n"], e_lam_s: constants["e_lam"], e_delta_s: constants["e_delta"]}
    exact = width_expr(n, lam0).xreplace({s: to_sympy(v) for s, v in symbols.items()})
    base = to_fraction(exact) if exact.is_Rational else arb_endpoints(arb_eval(exact, {}, 128))[1]
    if not log_factor:
        return max(1, math.ceil(base))
    delta = to_sympy(constants["delta"])
    # a lower end of an irrational delta: log(m/delta) only grows, so the width stays on the safe side
    delta_q = to_fraction(delta) if delta.is_Rational else arb_endpoints(arb_eval(delta, {}, 128))[0]
    if base > Fraction(10) ** 300:  # beyond floats: the same fixed point with exact rationals and big-int logs
        return _log_width_exact(Fraction(base), delta_q)
    d = float(delta_q)
    m = max(float(base), math.e * d, 1.0)
    for _ in range(80):
        m = max(1.0, float(base) * math.log(max(m / d, math.e)))
    m = max(1, math.ceil(m * (1 + 1e-12)))
    while m < float(base) * math.log(max(m / d, math.e)):
        m += 1
    return m


def _log_width_exact(base: Fraction, delta: Fraction) -> int:
    """The least ``m >= base * log(m/delta)`` (up to a relative 1e-12 above it) for a ``base`` too
    large for a float: logs of big integers (``math.log`` takes them whole), products in rationals."""
    def log_ratio(m: Fraction) -> float:  # log(max(m/delta, e))
        r = m / delta
        return max(math.log(r.numerator) - math.log(r.denominator), 1.0)

    m = base
    for _ in range(80):
        m = base * Fraction(log_ratio(m))
    return math.ceil(m * Fraction(1 + 10**12, 10**12))


def width_variable(log_factor: bool = False) -> Variable:
    return Variable("m", lambda consts: st.just(explicit_width(consts, log_factor=log_factor)), integer=True, lo=1,
                    domain="the explicit proven width", meaning="width (number of hidden neurons)")


def label_variable() -> Variable:
    return Variable("y", lambda consts: st.fractions(-to_fraction(consts["C"]), to_fraction(consts["C"]),
                                                     max_denominator=64),
                    domain="[-C, C]", meaning="the label of the one unit input x = 1")


# ---------------------------------------------------------------- the random initialisation and the event
def draw_init(env, rng) -> tuple[np.ndarray, np.ndarray]:
    """``w_r(0)^T x ~ N(0, 1)`` (x a unit vector), ``a_r ~ unif{-1, 1}``."""
    m = int(env.m)
    if m > MAX_DRAWN_WIDTH:
        shown = f"{m}" if m < 10**30 else f"about 10^{len(str(m)) - 1}"
        raise BeyondReach(f"the explicit width m = {shown} is beyond the {MAX_DRAWN_WIDTH:.0e} neurons one draw may "
                          f"hold in memory here; choose a larger delta or a smaller width constant")
    return rng.standard_normal(m), rng.integers(0, 2, m).astype(np.float64) * 2 - 1


def decay_event(env, inst) -> float:
    """Margin of ``||y-u(t)||^2 <= exp(-rate lambda_0 t)||y-u(0)||^2 for all t``: ``2 H(inf) - rate lambda_0``."""
    s, a = inst
    h, r0, _ = one_input_final_h(s[None, :], a[None, :], float(env.y))
    if r0[0] == 0:
        return 1.0
    return float(2 * h[0] - float(env.rate) * float(LAM0))


def decay_event_exact(env, inst) -> Fraction:
    """The same margin decided exactly: the flow's final active set in Q(sqrt m)."""
    s, a = inst
    f = OneInputFlow([Fraction(float(v)) for v in s], [int(v) for v in a], to_fraction(env.y))
    if f.sign() == 0:
        return Fraction(1)
    return 2 * f.h_final() - to_fraction(env.rate) * LAM0


def setting_hypotheses(log_factor_expr=None) -> list:
    width = width_expr() if log_factor_expr is None else log_factor_expr
    return [Condition("|y| <= C", relation=sympy.Le(sympy.Abs(y_s), C_s)),
            Condition("m >= explicit width", relation=sympy.Ge(m_s, width))]


thm2_1 = Claim(
    id="du2019.thm2.1",
    title="Gradient flow: at m >= K (C^2+1) n^6/(c^2 lambda_0^4 delta^3), w.p. 1 - delta, ||u(t) - y||^2 <= exp(-lambda_0 t) ||u(0) - y||^2",
    source=source("p. 8, Theorem 2.1"),
    statement=r"m=\Omega\Big(\frac{n^6}{\lambda_0^4\delta^3}\Big)\Rightarrow\Pr\big[\forall t\ge0:\ \|u(t)-y\|_2^2\le e^{-\lambda_0t}\|u(0)-y\|_2^2\big]\ge1-\delta",
    variables=[label_variable(), width_variable()],
    hypotheses=setting_hypotheses(),
    constants=[delta_constant(Fraction(1, 2)), c_constant(), label_bound()] + width_constants()
              + [Constant("rate", 1, "the rate of exp(-lambda_0 t): 1 as printed", positive=True)],
    kind=Probabilistic(delta="delta", draw=draw_init, event=decay_event, event_exact=decay_event_exact,
                       settings=4, samples=1000),
    uses=["du2019.lemma2.2", "du2019.lemma2.3", "du2019.lemma2.4", "du2019.lemma2.5", "du2019.init"],
    formula=[sympy.Le(residual(t), sympy.exp(-rate_s * lambda_0 * t) * residual(0))],
    note="One unit input (lambda_0 = 1/2), the event for all t >= 0 decided exactly per initialisation; "
         "delta = 1/2 by default so that the explicit width is m = 41722.",
)


# ---------------------------------------------------------------- footnote
def _gram(D: Dataset):
    return D.gram_exact()


def non_parallel_margin(env) -> Fraction:
    """``1 - max_{i<j} |x_i^T x_j|`` (exact): > 0 iff no two inputs are parallel (or antiparallel)."""
    G = _gram(env.dataset)
    n = len(G)
    worst = max((abs(G[i][j]) for i in range(n) for j in range(i + 1, n)), default=Fraction(0))
    return 1 - worst


def lambda0_float(env) -> float:
    return float(gram.lambda0(env.dataset.X))


def lambda0_rigorous(env):
    """Rigorous enclosure of ``lambda_0 = lambda_min(H^inf)`` (Arb, from the exact Gram matrix)."""
    return gram.lambda0_enclosure(_gram(env.dataset))


footnote = Claim(
    id="du2019.footnote",
    title="lambda_0 > 0 when no two inputs are parallel",
    source=source("p. 8, footnote a"),
    statement=r"\forall i\ne j:\ x_i\nparallel x_j\ \Rightarrow\ \lambda_0=\lambda_{\min}(H^\infty)>0",
    variables=[Variable("dataset", du_datasets(n=st.integers(2, 5), non_parallel=False),
                        domain="exact rational unit inputs, n = 2..5",
                        contains=is_setting_dataset(non_parallel=False))],
    hypotheses=[Condition("no two inputs parallel: 1 - max |x_i^T x_j| > 0",
                          margin=lambda env: float(non_parallel_margin(env)), rigorous=non_parallel_margin,
                          strict=True)],
    conclusion=Condition("lambda_0 > 0", margin=lambda0_float, rigorous=lambda0_rigorous, strict=True),
    formula=[sympy.Gt(lambda_0, 0)],
    cost=1.0,
    note="Antiparallel inputs (x, -x) are excluded with the parallel ones, although H^inf stays definite for them.",
)
