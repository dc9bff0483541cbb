r"""Lemma 2.5 of du2019.

S. S. Du, X. Zhai, B. Poczos, A. Singh, *Gradient Descent Provably Optimizes Over-parameterized Neural
Networks*, ICLR 2019 (arXiv:1810.02054), Lemma 3.4 of the paper; as presented in Y. Miyazaki's slides
(2022), Lemma 2.5, pp. 17--18.

Statement (p. 17): if :math:`R'<R` then for all :math:`t\ge0`: (1) :math:`\lambda_{\min}(H(t))\ge\lambda_0/2`,
(2) :math:`\|w_r(t)-w_r(0)\|_2\le R'` for all :math:`r`, (3) :math:`\|y-u(t)\|^2\le e^{-\lambda_0t}\|y-u(0)\|^2`,
with :math:`R=c\delta\lambda_0/n^2` (Lemma 2.3) and :math:`R'=2\sqrt n\|y-u(0)\|/(\sqrt m\lambda_0)` (Lemma 2.4).

The proof (p. 18) argues by contradiction from Lemmas 2.2 and 2.3, i.e. on the event that both hold
(probability :math:`\ge1-2\delta`, and only at Lemma 2.2's width).

Named constants: ``c`` and ``delta`` of :math:`R`, the 2 of :math:`R'` (``R_factor``), the :math:`\tfrac12` of
(1) (``lam_frac``), the rate of (3) (``rate``); the repair adds Lemma 2.2's width constant ``K`` (256) and
the 2 of :math:`2\delta` (``two``).

Errata
------
* As printed the lemma is deterministic and has no width hypothesis: ``R' < R`` holds whenever the
  initial residual is small, e.g. labels close to :math:`u(0)`, even at tiny width, where
  :math:`\lambda_{\min}(H(0))` may be far below :math:`\lambda_0/2`. Encoded three ways:
  ``lemma2.5`` (as printed, for every initialisation and time), ``lemma2.5@whp`` (the event
  "R' < R and a conclusion fails" has probability at most :math:`\delta`, labels fixed first), and
  ``lemma2.5:repaired`` (adds Lemma 2.2's width, allows :math:`2\delta`).
* The contradiction step writes :math:`\|w_r(t_0)-w_r(0)\|_2^2\ge R` (a squared norm against a radius);
  the argument needs the unsquared norm.

How it is checked: on ONE unit input (:math:`\lambda_0=\tfrac12`, :math:`n=1`) with the exact event-driven flow
(:class:`proofcheck.ml.dynamics.OneInputFlow`). For all :math:`t` at once: :math:`H` is non-increasing, so (1)
and (3) hold for all :math:`t` iff :math:`H(\infty)\ge\lambda_0/2` and :math:`2H(\infty)\ge\lambda_0`, and (2) iff the
limit of the travel is at most :math:`R'`.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy
from flint import arb
from hypothesis import strategies as st

from proofcheck import Claim, Condition, Constant, Probabilistic, Variable
from proofcheck.ml.dynamics import OneInputFlow, one_input_final_h, one_input_flows
from proofcheck.num import fraction_to_arb, to_fraction

from . import c_constant, delta_constant, label_bound, source
from .lemma_2_4 import arb_condition, lam_frac, rate
from .thm_2_1 import draw_init, label_variable

lambda_min, H, residual, move = (sympy.Function(k) for k in ("lambda_min", "H", "residual", "move"))
lambda_0, t = sympy.Symbol("lambda_0"), sympy.Symbol("t")
m_s, delta_s, K_s, C_s = (sympy.Symbol(k, real=True) for k in ("m", "delta", "K", "C"))
m_int = sympy.Symbol("m", integer=True)

LAM0 = Fraction(1, 2)  # one unit input: H^inf = 1/2
N_INPUTS = 1


def _f(env, name) -> Fraction:
    return to_fraction(env[name])


def radius_R(env) -> arb:
    """``R = c delta lambda_0 / n^2`` (Lemma 2.3)."""
    return fraction_to_arb(_f(env, "c") * _f(env, "delta") * LAM0 / N_INPUTS**2)


def radius_R_prime(env, f: OneInputFlow) -> arb:
    """``R' = R_factor sqrt(n) ||y - u(0)|| / (sqrt(m) lambda_0)`` (Lemma 2.4)."""
    return fraction_to_arb(_f(env, "R_factor")) * arb(N_INPUTS).sqrt() * abs(f.r0()) / (f.sqrt_m() * fraction_to_arb(LAM0))


def conclusions_for_all_t(env, f: OneInputFlow) -> arb:
    """min of the three conclusions' margins over all t >= 0 (exact limits of the flow)."""
    h = f.h_final()
    one = fraction_to_arb(h - _f(env, "lam_frac") * LAM0)
    two = radius_R_prime(env, f) - f.move_final()
    three = fraction_to_arb(2 * h - _f(env, "rate") * LAM0) if f.sign() != 0 else arb(0)
    return one.min(two).min(three)


# ---------------------------------------------------------------- as printed (every initialisation, every t)
def printed_hypothesis(env) -> arb:
    return radius_R(env) - radius_R_prime(env, env.init)


def printed_conclusion(env) -> arb:
    """The three conclusions at the time ``t``."""
    f: OneInputFlow = env.init
    tt = to_fraction(env.t)
    one = fraction_to_arb(f.h_min(tt) - _f(env, "lam_frac") * LAM0)  # H(t) (1 x 1, non-increasing)
    two = radius_R_prime(env, f) - f.move(tt)
    r0, rt = f.r0(), f.residual_abs(tt)
    bound = (-(fraction_to_arb(_f(env, "rate") * LAM0 * tt))).exp() * r0 * r0
    three = bound - rt * rt
    return one.min(two).min(three)


def _constants(delta):
    return [delta_constant(delta), c_constant(), lam_frac(), rate(),
            Constant("R_factor", 2, "the 2 of R' = 2 sqrt(n) ||y-u(0)||/(sqrt(m) lambda_0)", positive=True)]


_statement = (r"R'<R\Rightarrow\forall t\ge0:\ \lambda_{\min}(H(t))\ge\frac{\lambda_0}2,\ \|w_r(t)-w_r(0)\|\le R',"
              r"\ \|y-u(t)\|^2\le e^{-\lambda_0t}\|y-u(0)\|^2")
_formula = [sympy.Ge(lambda_min(H(t)), sympy.Symbol("lam_frac") * lambda_0),
            sympy.Le(residual(t), sympy.exp(-sympy.Symbol("rate") * lambda_0 * t) * residual(0))]

lemma2_5 = Claim(
    id="du2019.lemma2.5",
    title="If R' < R then for all t >= 0: lambda_min(H(t)) >= lambda_0/2, ||w_r(t) - w_r(0)|| <= R', exponential decay",
    source=source("p. 17, Lemma 2.5"),
    statement=_statement,
    variables=[Variable("init", one_input_flows(label=1),
                        domain="one unit input: w_r(0)^T x rational, a_r in {-1, 1}, y rational",
                        contains=lambda v: isinstance(v, OneInputFlow)),
               Variable("t", st.integers(0, 512).map(lambda k: Fraction(k, 8)), domain="[0, 64]", lo=0, hi=64)],
    hypotheses=[arb_condition("R' < R", printed_hypothesis, strict=True)],
    conclusion=arb_condition("(1), (2), (3) at t", printed_conclusion),
    constants=_constants(Fraction(1, 10)),
    uses=["du2019.lemma2.3", "du2019.lemma2.4"],
    formula=_formula,
    cost=2.0,
    note="As printed: for every initialisation (no probability, no width).",
)


# ---------------------------------------------------------------- with probability (labels fixed first)
def _good_event(env, inst, exact: bool):
    """Margin of NOT(R' < R and a conclusion fails for some t): max(R' - R, conclusions)."""
    s, a = inst
    if exact:
        f = OneInputFlow([Fraction(float(v)) for v in s], [int(v) for v in a], to_fraction(env.y))
        return (radius_R_prime(env, f) - radius_R(env)).max(conclusions_for_all_t(env, f))
    h, r0, moved = one_input_final_h(s[None, :], a[None, :], float(env.y))
    m = s.shape[0]
    Rp = float(env.R_factor) * np.sqrt(N_INPUTS) * abs(r0[0]) / (np.sqrt(m) * float(LAM0))
    R = float(env.c) * float(env.delta) * float(LAM0) / N_INPUTS**2
    conc = min(h[0] - float(env.lam_frac) * float(LAM0), Rp - moved[0],
               2 * h[0] - float(env.rate) * float(LAM0) if r0[0] != 0 else 0.0)
    return float(max(Rp - R, conc))


def good_event(env, inst) -> float:
    return _good_event(env, inst, exact=False)


def good_event_exact(env, inst):
    return _good_event(env, inst, exact=True)


def lemma22_facts(values, constants) -> dict:
    """``describe`` hook: n = 1, the width m, and whether m reaches Lemma 2.2's width (the width the proof
    runs at: ``256 n^2 log(n/delta)/lambda_0^2`` with the printed 256)."""
    m = int(values["m"])
    return {"n": N_INPUTS, "m": m, "proven_width": m >= _width22({**dict(constants), "K": 256})}


def _width_variable(strategy) -> Variable:
    return Variable("m", strategy, integer=True, lo=1, domain="width m >= 1", meaning="width")


lemma2_5_whp = Claim(
    id="du2019.lemma2.5@whp",
    title="With probability >= 1 - delta: R' < R implies the three conclusions",
    source=source("p. 17, Lemma 2.5 (probability implicit from Lemmas 2.2, 2.3)"),
    statement=r"\Pr\big[R'<R\wedge\neg(\text{conclusions})\big]\le\delta",
    variables=[label_variable(), _width_variable(st.integers(1, 64))],
    hypotheses=[Condition("|y| <= C", relation=sympy.Le(sympy.Abs(sympy.Symbol("y", real=True)), C_s))],
    constants=_constants(Fraction(1, 10)) + [label_bound()],
    kind=Probabilistic(delta="delta", draw=draw_init, event=good_event, event_exact=good_event_exact,
                       settings=8, samples=1000, describe=lemma22_facts),
    uses=["du2019.lemma2.3", "du2019.lemma2.4"],
    formula=_formula,
    note="One unit input; the label and the width are the settings, the initialisation is random.",
)


def width_lemma22_expr():
    """Lemma 2.2's explicit width ``K n^2 log(n/delta)/lambda_0^2`` at n = 1 (sympy)."""
    return K_s * sympy.Integer(N_INPUTS) ** 2 * sympy.log(sympy.Integer(N_INPUTS) / delta_s) / sympy.Rational(1, 4)


def _width22(consts) -> int:
    import math

    K, d = float(to_fraction(consts["K"])), float(to_fraction(consts["delta"]))
    return max(1, math.ceil(K * N_INPUTS**2 * max(math.log(N_INPUTS / d), 0.0) / float(LAM0) ** 2 * (1 + 1e-12)))


lemma2_5_repaired = Claim(
    id="du2019.lemma2.5:repaired",
    title="At Lemma 2.2's width, w.p. >= 1 - 2 delta: R' < R implies the three conclusions",
    source=source("p. 17, Lemma 2.5 with p. 11, Lemma 2.2"),
    statement=r"m\ge\frac{256n^2\log(n/\delta)}{\lambda_0^2}:\ \Pr\big[R'<R\wedge\neg(\text{conclusions})\big]\le2\delta",
    variables=[label_variable(), _width_variable(lambda consts: st.sampled_from([_width22(consts), 2 * _width22(consts)]))],
    hypotheses=[Condition("|y| <= C", relation=sympy.Le(sympy.Abs(sympy.Symbol("y", real=True)), C_s)),
                Condition("m >= Lemma 2.2's width", relation=sympy.Ge(m_int, width_lemma22_expr()))],
    constants=_constants(Fraction(1, 4)) + [label_bound(),
                                            Constant("K", 256, "Lemma 2.2's explicit width constant", positive=True),
                                            Constant("two", 2, "the 2 of the probability 1 - 2 delta", positive=True)],
    kind=Probabilistic(delta=sympy.Min(1, sympy.Symbol("two", real=True) * delta_s), draw=draw_init, event=good_event,
                       event_exact=good_event_exact, settings=4, samples=1000, describe=lemma22_facts),
    uses=["du2019.lemma2.2", "du2019.lemma2.3:repaired", "du2019.lemma2.4"],
    formula=_formula,
    note="At Lemma 2.2's width (one unit input), the failure event allowed 2 delta (the proof's two events).",
)
