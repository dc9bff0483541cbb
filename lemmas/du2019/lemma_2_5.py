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

How it is checked. ``lemma2.5`` (as printed): on ONE unit input (:math:`\lambda_0=\tfrac12`) with the exact
event-driven flow (:class:`lemmas.du2019.dynamics.OneInputFlow`); :math:`H` is non-increasing, so (1) and (3)
hold for all :math:`t` iff :math:`H(\infty)\ge\lambda_0/2` and :math:`2H(\infty)\ge\lambda_0`, and (2) iff the limit
of the travel is at most :math:`R'`. ``@whp`` and ``:repaired``: the settings are datasets (n = 2 orthogonal
and one input first, then drawn; ``:repaired`` at each dataset's own Lemma 2.2 width, so n = 3 too), with
``describe`` facts (n, m, ``proven_width``); a draw at :math:`n\ge2` is decided by :math:`R'\ge R` (enclosed),
the near-init certificate, or the certified flow (:func:`multi_good_decision`); undecided draws count
against the claim.
"""
from __future__ import annotations

import math

from fractions import Fraction

import numpy as np
import sympy
from flint import arb
from hypothesis import strategies as st

from proofcheck import Claim, Constant, Probabilistic, Variable
from proofcheck.model.claim import Witness
from proofcheck.ml.datasets import Dataset
from proofcheck.ml.du_strategies import lambda0_bounds
from .dynamics import (OneInputFlow, StreamedInit, near_init_certificate, one_input_final_h,
                                    one_input_flows)
from proofcheck.model.num import NumericError, arb_endpoints, fraction_to_arb, to_fraction

from . import C_SMALL, DELTA_QUARTER, DELTA_TENTH, K_LEMMA22, LABEL_BOUND, LAM_FRAC, R_FACTOR, RATE, src
from .model import (LAM0, MAX_FLOW_WIDTH, N_INPUTS, arb_condition, certain_failure, data_variable, data_witnesses,
                    decay_failure, exact_labels, integrated_flow)

lambda_min, H, residual, move = (sympy.Function(k) for k in ("lambda_min", "H", "residual", "move"))
lambda_0, t = sympy.Symbol("lambda_0"), sympy.Symbol("t")
delta_s = sympy.Symbol("delta", real=True)


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


def _constants(delta: Constant) -> list[Constant]:
    return [delta, C_SMALL, LAM_FRAC, RATE, R_FACTOR]


_statement = (r"R'<R\Rightarrow\forall t\ge0:\ \lambda_{\min}(H(t))\ge\frac{\lambda_0}2,\ \|w_r(t)-w_r(0)\|\le R',"
              r"\ \|y-u(t)\|^2\le e^{-\lambda_0t}\|y-u(0)\|^2")
_formula = [sympy.Ge(lambda_min(H(t)), sympy.Symbol("lam_frac") * lambda_0),
            sympy.Le(residual(t), sympy.exp(-sympy.Symbol("rate") * lambda_0 * t) * residual(0))]

lemma2_5 = Claim(
    id="du2019.lemma2.5",
    reason=("As printed the lemma is deterministic with no width hypothesis: R' < R holds whenever the initial "
            "residual is small, even at width 1, where lambda_min(H(0)) can be far below lambda_0/2."),
    title="If R' < R then for all t >= 0: lambda_min(H(t)) >= lambda_0/2, ||w_r(t) - w_r(0)|| <= R', exponential decay",
    source=src("p. 17, Lemma 2.5"),
    statement=_statement,
    variables=[Variable("init", one_input_flows(label=1),
                        domain="one unit input: w_r(0)^T x rational, a_r in {-1, 1}, y rational",
                        contains=lambda v: isinstance(v, OneInputFlow)),
               Variable("t", st.integers(0, 512).map(lambda k: Fraction(k, 8)), domain="[0, 64]", lo=0, hi=64)],
    hypotheses=[arb_condition("R' < R", printed_hypothesis, strict=True)],
    conclusion=arb_condition("(1), (2), (3) at t", printed_conclusion),
    constants=_constants(DELTA_TENTH),
    uses=["du2019.lemma2.3", "du2019.lemma2.4"],
    formula=_formula,
    cost=2.0,
    note="As printed: for every initialisation (no probability, no width).",
)


# ---------------------------------------------------------------- with probability (labels fixed first)
def _good_event(env, inst, y: Fraction, exact: bool):
    """One input: margin of NOT(R' < R and a conclusion fails for some t): max(R' - R, conclusions)."""
    s, a = inst
    if exact:
        f = OneInputFlow([Fraction(float(v)) for v in s], [int(v) for v in a], y)
        return (radius_R_prime(env, f) - radius_R(env)).max(conclusions_for_all_t(env, f))
    h, r0, moved = one_input_final_h(s[None, :], a[None, :], float(y))
    m = s.shape[0]
    Rp = float(env.R_factor) * np.sqrt(N_INPUTS) * abs(r0[0]) / (np.sqrt(m) * float(LAM0))
    R = float(env.c) * float(env.delta) * float(LAM0) / N_INPUTS**2
    conc = min(h[0] - float(env.lam_frac) * float(LAM0), Rp - moved[0],
               2 * h[0] - float(env.rate) * float(LAM0) if r0[0] != 0 else 0.0)
    return float(max(Rp - R, conc))


def multi_good_decision(env, init: StreamedInit, D: Dataset) -> tuple[float, Fraction | None]:
    """n >= 2 inputs: NOT(R' < R and a conclusion fails for some t >= 0), decided for one draw.

    * good when ``R'`` is certainly at least ``R`` (``R' = R_factor sqrt(n)||y-u(0)||/(sqrt(m) lambda_0)``,
      ``R = c delta lambda_0/n^2``, each side with the safe end of the enclosures of ``||y-u(0)||`` and lambda_0);
    * good when the near-init certificate holds with ``mu = max(lam_frac, rate/2, 1/R_factor) lambda_0^hi``: then
      ``lambda_min(H(t)) >= mu`` for all t gives (1), the decay at rate ``2 mu`` gives (3), and every neuron moves
      at most ``sqrt(n)||y-u(0)||/(sqrt(m) mu) <= R'`` gives (2);
    * otherwise the certified flow: a certain failure needs ``R' < R`` certainly and (3), (2) or (1) certainly
      failing on the integrated range; anything else is undecided (NaN), never good."""
    n, m = D.n, init.m
    lo, hi = lambda0_bounds(D)
    y = exact_labels(D)
    R_factor, lam_frac_, rate_ = _f(env, "R_factor"), _f(env, "lam_frac"), _f(env, "rate")
    mu = max(lam_frac_, rate_ / 2, 1 / R_factor) * hi
    cert = near_init_certificate(init, D.X, D.X_exact, y, mu)
    scale = float(R_factor) * math.sqrt(n) / math.sqrt(m)
    Rp_lo = scale * cert.residual_lower / float(hi) * (1 - 2.0**-40)
    Rp_hi = scale * cert.residual_upper / float(lo) * (1 + 2.0**-40)
    R_lo = float(_f(env, "c") * _f(env, "delta") * lo / n**2) * (1 - 2.0**-40)
    R_hi = float(_f(env, "c") * _f(env, "delta") * hi / n**2) * (1 + 2.0**-40)
    if Rp_lo >= R_hi:
        return (Rp_lo - R_hi) / R_hi, None
    if cert.certified:
        return cert.margin(), None
    if m > MAX_FLOW_WIDTH or not Rp_hi < R_lo:
        return math.nan, None
    tr, _ = integrated_flow(init, D)
    failed = decay_failure(tr, rate_ * lo)
    if failed is not None:
        return float(failed), failed
    # (2): a neuron certainly farther than R' from its start at the end of the integrated range
    try:
        moved_lo = float(arb_endpoints(tr.max_move_ball(tr.t_end))[0])
    except NumericError:
        moved_lo = 0.0
    if moved_lo > Rp_hi * (1 + 2.0**-30):
        gap = Fraction(Rp_hi) - Fraction(moved_lo)
        return float(gap), gap
    # (1): a piece of positive length before t_end whose lambda_min(H) is certainly below lam_frac lambda_0
    ends = [p.t0 for p in tr.pieces[1:]] + [tr.t_end]
    for p, end in zip(tr.pieces, ends):
        if end > p.t0 and p.lam_min_enclosure()[1] < lam_frac_ * lo:
            gap = p.lam_min_enclosure()[1] - lam_frac_ * lo
            return float(gap), gap
    return math.nan, None


def _draw(env, rng):
    """One initialisation of the setting's width: two arrays for one input, streamed for n >= 2."""
    D: Dataset = env.data
    m = int(env.m) if "m" in env.as_dict() else lemma22_width(env, D)
    if D.n == 1:
        return rng.standard_normal(m), rng.integers(0, 2, m).astype(np.float64) * 2 - 1
    return StreamedInit(int(rng.integers(0, 2**63 - 1)), m, D.d)


def good_event(env, inst) -> float:
    D: Dataset = env.data
    if D.n == 1:
        return _good_event(env, inst, Fraction(float(D.y[0])), exact=False)
    inst.decision = multi_good_decision(env, inst, D)
    return inst.decision[0]


def good_event_exact(env, inst):
    D: Dataset = env.data
    if D.n == 1:
        return _good_event(env, inst, Fraction(float(D.y[0])), exact=True)
    return certain_failure(inst)


def lemma22_width(constants, D: Dataset) -> int:
    """Lemma 2.2's explicit width ``K n^2 log(n/delta)/lambda_0^2`` at the dataset (the certified lower end of
    lambda_0: the safe side)."""
    K, d = float(to_fraction(constants["K"])), float(to_fraction(constants["delta"]))
    lam = float(lambda0_bounds(D)[0])
    return max(1, math.ceil(K * D.n**2 * max(math.log(D.n / d), 0.0) / lam**2 * (1 + 1e-12)))


def whp_facts(values, constants) -> dict:
    """``describe`` hook of @whp: n, m, lambda_0; the lemma has no width, so m is compared with Lemma 2.2's
    width (printed K = 256), the width its proof runs at."""
    D = values["data"]
    m = int(values["m"])
    lo, hi = lambda0_bounds(D)
    return {"n": D.n, "d": D.d, "m": m, "proven_width": m >= lemma22_width({**dict(constants), "K": 256}, D),
            "lambda_0": [float(lo), float(hi)]}


def repaired_facts(values, constants) -> dict:
    D = values["data"]
    m = lemma22_width(constants, D)
    lo, hi = lambda0_bounds(D)
    return {"n": D.n, "d": D.d, "m": m, "proven_width": m >= lemma22_width({**dict(constants), "K": 256}, D),
            "lambda_0": [float(lo), float(hi)]}


def _width_variable(strategy) -> Variable:
    return Variable("m", strategy, integer=True, lo=1, domain="width m >= 1", meaning="width")


lemma2_5_whp = Claim(
    id="du2019.lemma2.5@whp",
    reason=("Even read with probability 1 - delta, R' < R does not force lambda_min(H(t)) >= lambda_0/2 at small "
            "width: the proof needs Lemma 2.2's width, which the statement omits."),
    title="With probability >= 1 - delta: R' < R implies the three conclusions",
    source=src("p. 17, Lemma 2.5 (probability implicit from Lemmas 2.2, 2.3)"),
    statement=r"\Pr\big[R'<R\wedge\neg(\text{conclusions})\big]\le\delta",
    variables=[data_variable(), _width_variable(st.integers(1, 64))],
    witnesses=[Witness({"data": w.values["data"], "m": 8}, w.why + ", width 8") for w in data_witnesses()[:2]],
    constants=[*_constants(DELTA_TENTH), LABEL_BOUND],
    kind=Probabilistic(delta="delta", draw=_draw, event=good_event, event_exact=good_event_exact,
                       settings=8, samples=1000, describe=whp_facts),
    uses=["du2019.lemma2.3", "du2019.lemma2.4"],
    formula=_formula,
    note="Settings: a dataset (one input and n = 2 orthogonal first, then drawn n <= 2) and a width m <= 64 "
         "(the lemma states none); the labels are fixed before the initialisation is drawn.",
)


lemma2_5_repaired = Claim(
    id="du2019.lemma2.5:repaired",
    title="At Lemma 2.2's width, w.p. >= 1 - 2 delta: R' < R implies the three conclusions",
    source=src("p. 17, Lemma 2.5 with p. 11, Lemma 2.2"),
    statement=r"m\ge\frac{256n^2\log(n/\delta)}{\lambda_0^2}:\ \Pr\big[R'<R\wedge\neg(\text{conclusions})\big]\le2\delta",
    variables=[data_variable()],
    witnesses=data_witnesses(),
    constants=[*_constants(DELTA_QUARTER), LABEL_BOUND, K_LEMMA22,
               Constant("two", 2, "the 2 of the probability 1 - 2 delta", positive=True)],
    kind=Probabilistic(delta=sympy.Min(1, sympy.Symbol("two", real=True) * delta_s), draw=_draw, event=good_event,
                       event_exact=good_event_exact, settings=4, samples=100, describe=repaired_facts),
    uses=["du2019.lemma2.2", "du2019.lemma2.3:repaired", "du2019.lemma2.4"],
    formula=_formula,
    note="Each setting a dataset at ITS Lemma 2.2 width (n^2 and lambda_0^2 included; one input, n = 2 orthogonal, "
         "n = 3 orthonormal, a tilted pair); "
         "the failure event allowed 2 delta (the proof's two events).",
)
