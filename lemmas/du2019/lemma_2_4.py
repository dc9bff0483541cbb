r"""Lemma 2.4 of du2019 and its proof.

S. S. Du, X. Zhai, B. Poczos, A. Singh, *Gradient Descent Provably Optimizes Over-parameterized Neural
Networks*, ICLR 2019 (arXiv:1810.02054), Lemma 3.3 of the paper; as presented in Y. Miyazaki's slides
(2022), Lemma 2.4, pp. 15--16.

Statement (p. 15): if :math:`\lambda_{\min}(H(s))\ge\lambda_0/2` for :math:`0\le s\le t`, then
:math:`\|y-u(t)\|_2^2\le e^{-\lambda_0t}\|y-u(0)\|_2^2` and, for every :math:`r`,
:math:`\|w_r(t)-w_r(0)\|_2\le\frac{2\sqrt n\|y-u(0)\|_2}{\sqrt m\lambda_0}=:R'`.

Proof as printed:

* (s1) :math:`\frac{d}{dt}\|y-u(t)\|^2=-2(y-u)^\top H(t)(y-u)\le-\lambda_0\|y-u\|^2` (p. 15);
* (s2) :math:`\|\frac{d}{ds}w_r(s)\|\le\frac{\sqrt n}{\sqrt m}\|y-u(s)\|\le\frac{\sqrt n}{\sqrt m}e^{-\lambda_0s}\|y-u(0)\|` (p. 16);
* (s3) :math:`\|w_r(t)-w_r(0)\|\le\int_0^t\|\frac{d}{ds}w_r\|ds\le\frac{\sqrt n\|y-u(0)\|}{\sqrt m\lambda_0}` (p. 16).

Every printed number is a named constant: the :math:`\tfrac12` of the hypothesis ``lam_frac``, the rate
of the exponentials ``rate`` (1 as printed: :math:`e^{-1\cdot\lambda_0t}`), the :math:`2` of :math:`R'`
``R_factor``, the :math:`-2` of (s1) ``two`` and its :math:`\lambda_0` coefficient ``coef``, the factor of
(s3) ``factor`` (1 as printed).

Errata
------
* s2: from (s1), :math:`\|y-u(s)\|^2\le e^{-\lambda_0s}\|y-u(0)\|^2`, so :math:`\|y-u(s)\|\le e^{-\lambda_0s/2}\|y-u(0)\|`;
  the printed exponent drops the 1/2 (``s2:repaired`` has ``rate = 1/2``). Integrating the repaired bound
  gives the statement's :math:`R'` with its factor 2; the printed (s3) has no 2 and is false.

How it is checked: the hypothesis is about a trajectory, so the claims quantify over trajectories. On one
unit input the gradient flow is solved exactly for all :math:`t\ge0` with its activation changes
(:class:`lemmas.du2019.dynamics.OneInputFlow`: :math:`H(s)` is the fraction of active neurons, non-increasing
in :math:`s`; between changes the residual decays as :math:`e^{-Hs}`), so the variables are an
initialisation (pre-activations, output signs, a label) and a time, searched by Hypothesis; every margin
is an Arb ball and :math:`\lambda_0=H^\infty=\tfrac12` exactly for one unit input
(:math:`H^\infty_{11}=\|x\|^2\Pr[w^\top x\ge0]`).
"""
from __future__ import annotations

from fractions import Fraction

import sympy
from flint import arb
from hypothesis import strategies as st

from proofcheck import Claim, Constant, Variable
from proofcheck.ml.du_strategies import FlowCase, flow_cases
from .dynamics import OneInputFlow, one_input_flows
from proofcheck.model.num import ARB, NumericError, to_fraction

from . import LAM_FRAC, R_FACTOR, RATE, src
from .model import arb_condition

residual, move, lambda_min, H = (sympy.Function(k) for k in ("residual", "move", "lambda_min", "H"))
lambda_0 = sympy.Symbol("lambda_0")
t_s, m_s, n_s = sympy.Symbol("t", real=True), sympy.Symbol("m"), sympy.Symbol("n")

#: one unit input: H^inf = x^T x P[w^T x >= 0] = 1/2 (the least eigenvalue lambda_0 of a 1 x 1 matrix)
LAM0 = Fraction(1, 2)
N_INPUTS = 1


# ---------------------------------------------------------------- variables
def _init_variable() -> Variable:
    return Variable("init", one_input_flows(), domain="one unit input: w_r(0)^T x rational, a_r in {-1, 1}, y rational",
                    contains=lambda v: isinstance(v, OneInputFlow), meaning="initialisation and label")


def _time_variable(name: str = "t") -> Variable:
    return Variable(name, st.integers(0, 512).map(lambda k: Fraction(k, 8)), domain="[0, 64]", lo=0, hi=64,
                    meaning="time of the gradient flow")


def _c(env, name) -> arb:
    """A constant as a ball through the trust layer's Arb view (``--set rate=sqrt(2)`` is enclosed too)."""
    return ARB.const(env[name])


_q = ARB.const  # an exact rational (or ball) as a ball


# ---------------------------------------------------------------- margins as Arb balls
def _relative(bound: arb, value: arb) -> arb:
    """``1 - value/bound`` (same sign as ``bound - value`` for a positive bound); ``bound - value`` when the
    bound may be 0 (then both sides are 0 for these trajectories)."""
    return 1 - value / bound if bound > 0 else bound - value


def _trajectory(env):
    """The certified flow of an n >= 2 case, with t inside its certified range (else the example is skipped)."""
    case: FlowCase = env.init
    tr = case.flow()
    tt = to_fraction(env.t)
    if tt > Fraction(tr.t_end):
        raise NumericError(f"t = {float(tt):g} lies beyond the certified end {tr.t_end:g} of the flow ({tr.status})")
    lo, hi = case.lambda0()
    return case, tr, tt, ARB.const(lo).union(ARB.const(hi))


def hypothesis_margin(env) -> arb:
    """``min_{0<=s<=t} lambda_min(H(s)) - lam_frac lambda_0`` (one input: exact, H is non-increasing; n >= 2: the
    certified flow's pieces, lambda_0 enclosed from the exact H^inf)."""
    if isinstance(env.init, FlowCase):
        _, tr, tt, lam0 = _trajectory(env)
        return tr.lam_min_ball_upto(tt) - _c(env, "lam_frac") * lam0
    f: OneInputFlow = env.init
    return _q(f.h_min(to_fraction(env.t)) - to_fraction(env.lam_frac) * LAM0)


def _exp_bound(env, tt) -> arb:
    return (-(_c(env, "rate") * _q(LAM0) * _q(tt))).exp()


def lemma_margin(env) -> arb:
    if isinstance(env.init, FlowCase):
        case, tr, tt, lam0 = _trajectory(env)
        r0sq, rtsq = tr.residual_sq_ball(0), tr.residual_sq_ball(tt)
        bound = (-(_c(env, "rate") * lam0 * _q(tt))).exp() * r0sq
        R_prime = (_c(env, "R_factor") * arb(case.n).sqrt() * r0sq.sqrt() / (arb(case.m).sqrt() * lam0))
        return _relative(bound, rtsq).min(_relative(R_prime, tr.max_move_ball(tt)))
    f: OneInputFlow = env.init
    tt = to_fraction(env.t)
    r0, rt = f.r0(), f.residual_abs(tt)
    decay = _relative(_exp_bound(env, tt) * r0 * r0, rt * rt)
    R_prime = _c(env, "R_factor") * arb(N_INPUTS).sqrt() * abs(r0) / (f.sqrt_m() * _q(LAM0))
    return decay.min(_relative(R_prime, f.move(tt)))


def s1_margin(env) -> arb:
    """d/dt ||y-u||^2 = -two (y-u)^T H (y-u) (identity) and -two r^T H r <= -coef lambda_0 ||r||^2."""
    f: OneInputFlow = env.init
    tt = to_fraction(env.t)
    r = f.residual_abs(tt)
    rHr = _q(f.h_min(tt)) * r * r  # H(t) = H_11(t) = #active(t)/m, 1 x 1
    identity = -abs(f.residual_derivative(tt) + _c(env, "two") * rHr)
    inequality = (_c(env, "two") * rHr - _c(env, "coef") * _q(LAM0) * r * r)
    scale = r * r
    if scale > 0:
        inequality = inequality / scale
        identity = identity / scale
    return identity.min(inequality)


def s2_margin(env) -> arb:
    """||dw_r/ds|| <= sqrt(n/m) ||y-u(s)|| <= sqrt(n/m) exp(-rate lambda_0 s) ||y-u(0)||."""
    f: OneInputFlow = env.init
    tt = to_fraction(env.t)
    coefficient = arb(N_INPUTS).sqrt() / f.sqrt_m()
    rt = f.residual_abs(tt)
    first = _relative(coefficient * rt, f.speed(tt))
    second = _relative(coefficient * _exp_bound(env, tt) * abs(f.r0()), coefficient * rt)
    return first.min(second)


def s3_margin(env) -> arb:
    """||w_r(t)-w_r(0)|| <= int_0^t ||dw_r/ds|| ds <= factor sqrt(n) ||y-u(0)||/(sqrt(m) lambda_0)."""
    f: OneInputFlow = env.init
    tt = to_fraction(env.t)
    path = f.path_length(tt)
    first = _relative(path, f.move(tt)) if path > 0 else path - f.move(tt)
    bound = _c(env, "factor") * arb(N_INPUTS).sqrt() * abs(f.r0()) / (f.sqrt_m() * _q(LAM0))
    return first.min(_relative(bound, path))


_hyp = r"\lambda_{\min}(H(s))\ge\lambda_0/2\ (0\le s\le t)"
_hyp_condition = lambda: arb_condition("lambda_min(H(s)) >= lam_frac lambda_0 on [0, t]", hypothesis_margin)
lam_frac_s, rate_s, R_factor_s = sympy.Symbol("lam_frac"), sympy.Symbol("rate"), sympy.Symbol("R_factor")
_hyp_formula = sympy.Ge(lambda_min(H(t_s)), lam_frac_s * lambda_0)


def _trajectories_variable() -> Variable:
    """One input (exact) or n = 2, 3 inputs (the certified flow), widths up to 64, near-parallel pairs included."""
    return Variable("init", st.one_of(one_input_flows(), flow_cases()),
                    domain="one unit input (exact), or n = 2, 3 exact unit inputs (lambda_0 >= 1/1000), m <= 64",
                    contains=lambda v: isinstance(v, (OneInputFlow, FlowCase)),
                    meaning="initialisation, data and labels")


def _claim(id, title, location, statement, conclusion, constants, formula, uses=(), note="", reason="", multi=False):
    return Claim(id=id, title=title, source=src(location), statement=statement,
                 variables=[_trajectories_variable() if multi else _init_variable(), _time_variable()],
                 hypotheses=[_hyp_condition()],
                 conclusion=conclusion, constants=[LAM_FRAC, *constants], uses=uses,
                 # a certified n >= 2 flow costs about twice a one-input one: half the examples keep the claim's share
                 formula=[_hyp_formula] + formula, cost=1.0 if multi else 2.0, note=note, reason=reason)


lemma2_4 = _claim(
    "du2019.lemma2.4",
    "lambda_min(H(s)) >= lambda_0/2 on [0, t] implies exponential decay and ||w_r(t) - w_r(0)|| <= R'",
    "p. 15, Lemma 2.4",
    _hyp + r"\Rightarrow\|y-u(t)\|^2\le e^{-\lambda_0t}\|y-u(0)\|^2,\ \|w_r(t)-w_r(0)\|\le\frac{2\sqrt n\|y-u(0)\|}{\sqrt m\lambda_0}",
    arb_condition("decay and ||w_r(t) - w_r(0)|| <= R'", lemma_margin),
    [RATE, R_FACTOR],
    [sympy.Le(residual(t_s), sympy.exp(-rate_s * lambda_0 * t_s) * residual(0)),
     sympy.Le(move(t_s), R_factor_s * sympy.sqrt(n_s) * sympy.sqrt(residual(0)) / (sympy.sqrt(m_s) * lambda_0))],
    uses=["du2019.lemma2.4.s1", "du2019.lemma2.4.s2:repaired"],
    note="Trajectories on one input (exact) and on n = 2, 3 inputs (the Arb-certified event-driven flow, "
         "near-parallel pairs down to lambda_0 = 1/1000, widths up to 64); the proof's lines s1-s3 on one input.",
    multi=True,
)
lemma2_4_s1 = _claim(
    "du2019.lemma2.4.s1",
    "d/dt ||y - u||^2 = -2 (y-u)^T H (y-u) <= -lambda_0 ||y - u||^2",
    "p. 15, last display",
    r"\frac{d}{dt}\|y-u(t)\|^2=-2(y-u)^\top H(t)(y-u)\le-\lambda_0\|y-u(t)\|^2",
    arb_condition("d/dt ||y-u||^2 = -two r^T H r <= -coef lambda_0 ||r||^2", s1_margin),
    [Constant("two", 2, "the 2 of -2 (y-u)^T H (y-u)", positive=True),
     Constant("coef", 1, "the coefficient of -lambda_0 ||y-u||^2 (1 as printed)", positive=True)],
    [sympy.Le(-sympy.Symbol("two") * lambda_min(H(t_s)) * residual(t_s),
              -sympy.Symbol("coef") * lambda_0 * residual(t_s))],
)
_s2_statement = r"\Big\|\frac{d}{ds}w_r(s)\Big\|\le\frac{\sqrt n}{\sqrt m}\|y-u(s)\|\le\frac{\sqrt n}{\sqrt m}e^{-%s\lambda_0s}\|y-u(0)\|"
RATE_HALF = Constant("rate", Fraction(1, 2), "the rate of the repaired exponential exp(-lambda_0 s/2): 1/2",
                     positive=True)
_s2_formula = [sympy.Le(sympy.sqrt(residual(t_s)), sympy.exp(-rate_s * lambda_0 * t_s) * sympy.sqrt(residual(0)))]
lemma2_4_s2 = _claim(
    "du2019.lemma2.4.s2",
    "||dw_r/ds|| <= (sqrt n/sqrt m) ||y - u(s)|| <= (sqrt n/sqrt m) exp(-lambda_0 s) ||y - u(0)||",
    "p. 16, first display",
    _s2_statement % "",
    arb_condition("||dw_r/ds|| <= sqrt(n/m) ||y-u(s)|| <= sqrt(n/m) exp(-rate lambda_0 s) ||y-u(0)||", s2_margin),
    [RATE], _s2_formula, uses=["du2019.lemma2.4.s1"],
    reason="s1 bounds the squared residual by exp(-lambda_0 s) ||y - u(0)||^2, so the residual decays only like "
           "exp(-lambda_0 s/2), not the printed exp(-lambda_0 s).",
)
lemma2_4_s2_repaired = _claim(
    "du2019.lemma2.4.s2:repaired",
    "||dw_r/ds|| <= (sqrt n/sqrt m) exp(-lambda_0 s/2) ||y - u(0)||",
    "p. 16, first display",
    _s2_statement % r"\frac12",
    arb_condition("||dw_r/ds|| <= sqrt(n/m) ||y-u(s)|| <= sqrt(n/m) exp(-rate lambda_0 s) ||y-u(0)||", s2_margin),
    [RATE_HALF], _s2_formula,
    uses=["du2019.lemma2.4.s1"],
    note="s1 bounds the squared residual by exp(-lambda_0 s), so the residual itself decays like exp(-lambda_0 s/2): "
         "the printed line with rate = 1/2.",
)
lemma2_4_s3 = _claim(
    "du2019.lemma2.4.s3",
    "||w_r(t) - w_r(0)|| <= sqrt(n) ||y - u(0)|| / (sqrt(m) lambda_0)",
    "p. 16, second display",
    r"\|w_r(t)-w_r(0)\|\le\int_0^t\Big\|\frac{d}{ds}w_r(s)\Big\|ds\le\frac{\sqrt n\|y-u(0)\|}{\sqrt m\lambda_0}",
    arb_condition("||w_r(t)-w_r(0)|| <= int ||dw_r/ds|| <= factor sqrt(n) ||y-u(0)||/(sqrt(m) lambda_0)", s3_margin),
    [Constant("factor", 1, "the factor of the printed bound (1; the statement's R' has 2)", positive=True)],
    [sympy.Le(move(t_s), sympy.Symbol("factor") * sympy.sqrt(n_s) * sympy.sqrt(residual(0)) / (sympy.sqrt(m_s) * lambda_0))],
    uses=["du2019.lemma2.4.s2"],
    note="Printed without the factor 2 that the statement's R' carries.",
    reason="Integrating the residual's decay exp(-lambda_0 s/2) gives 2 sqrt(n) ||y - u(0)||/(sqrt(m) lambda_0); "
           "the printed bound drops the factor 2 that the statement's R' carries.",
)
