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
:math:`q=\int r\,dt` (:func:`lemmas.du2019.dynamics.one_input_both_layers`): each active neuron turns
hyperbolically in :math:`(s_r, a_r)`, :math:`u(q)` is closed form between deactivations and
:math:`\frac{d}{dt}\log\|y-u\|^2=-2u'(q)`. A draw is good at once when :math:`2\min_{\text{path}}u'\ge\text{rate}\cdot\lambda_0`
(floats; the rate is then met at every instant). Otherwise the decay for all :math:`t` is decided in Arb
(:func:`lemmas.du2019.dynamics.one_input_both_layers_decay`): time along the path is integrated in closed
form, and :math:`g(t)=\log(\|r_0\|^2/\|r(t)\|^2)-\text{rate}\,\lambda_0t` is evaluated at its minima (the upward
crossings of :math:`2u'=\text{rate}\,\lambda_0`) and its limit at the root :math:`u=y`; a draw whose orderings or
signs Arb cannot decide is undecided (counted against the claim, reported), never good.

At :math:`n\ge2` (orthogonal pair, deep: three orthonormal inputs) a streamed draw is good when the both-layer
near-init certificate holds (:func:`lemmas.du2019.dynamics.near_init_certificate` with ``both_layers``: the
output weights move by at most :math:`R_a<1`, the kernel stays above :math:`\text{rate}\cdot\lambda_0/2`), and
certainly failing when :math:`2r^\top(H_w+H_a)r<\text{rate}\,\lambda_0\|r\|^2` at :math:`t=0`
(:func:`lemmas.du2019.model.both_layers_start_failure`); otherwise undecided. The default budget draws the
orthogonal pair at :math:`m=2\cdot10^5`, below its proven width (about 4.9e7, reached at ``--budget deep``): the facts
say so, and a failure there would be undecided, never a counterexample.

Errata
------
* :math:`m` appears on both sides of its own lower bound; the least solution is used.
"""
from __future__ import annotations

import math
from fractions import Fraction

import sympy

from proofcheck import Claim, Probabilistic
from proofcheck.model.claim import Witness
from proofcheck.ml.datasets import Dataset
from proofcheck.ml.du_strategies import dataset_of, lambda0_bounds
from .dynamics import StreamedInit, near_init_certificate, one_input_both_layers, one_input_both_layers_decay
from proofcheck.model.num import NumericError, to_fraction

from . import C_SMALL, DELTA_HALF, LABEL_BOUND, RATE, WIDTH_CONSTANTS, src
from .model import (LAM0, MAX_STREAMED_WIDTH, below_width, both_layers_start_failure, certain_failure, data_variable,
                    data_witnesses, dataset_facts, draw_data_init, exact_labels, width_cap_variable)

residual = sympy.Function("residual")
lambda_0, t, rate_s = sympy.Symbol("lambda_0"), sympy.Symbol("t"), sympy.Symbol("rate", real=True)


def both_layers_event(env, inst) -> float:
    """``>= 0`` when the decay holds for all t. One input: first the float sufficient test
    ``2 min_path u'(q) >= rate lambda_0`` (then the rate is met at every instant), otherwise the Arb decision of
    :func:`lemmas.du2019.dynamics.one_input_both_layers_decay` (its least ``g``). ``n >= 2``:
    :func:`multi_decision`. NaN when neither decides (undecided: counted against the claim, never good)."""
    D: Dataset = env.data
    if D.n >= 2:
        inst.decision = multi_decision(env, inst, D)
        return inst.decision[0]
    s, a = inst
    y = float(D.y[0])
    lowest, _, r0 = one_input_both_layers(s, a, y)
    if r0 == 0:
        return 1.0
    quick = float(2 * lowest - float(env.rate) * float(LAM0))
    if quick >= 0:
        return quick
    try:
        g = _decide(s, a, Fraction(y), to_fraction(env.rate) * LAM0)
    except NumericError:
        return math.nan
    if g >= 0:
        return float(g.mid())
    if g < 0:
        return min(float(g.mid()), -1e-300)
    return math.nan


def multi_decision(env, init: StreamedInit, D: Dataset) -> tuple[float, object]:
    """One draw at ``n >= 2``, both layers trained: good when the both-layer near-init certificate
    (:func:`lemmas.du2019.dynamics.near_init_certificate` with ``both_layers``, ``mu = rate lambda_0^hi/2``) holds;
    certainly failing when the decay already fails right after ``t = 0``
    (:func:`lemmas.du2019.model.both_layers_start_failure`) at a setting drawn at the explicit width; else
    undecided (NaN). Below the explicit width (a width cap) no failure counts: the statement is not about it."""
    lo, hi = lambda0_bounds(D)
    c = to_fraction(env.rate)
    cert = near_init_certificate(init, D.X, D.X_exact, exact_labels(D), c * hi / 2, both_layers=True)
    if cert.certified:
        return cert.margin(), None
    failed = None if below_width(env) else both_layers_start_failure(init, D, c * lo)
    return (math.nan, None) if failed is None else (float(failed.mid()), failed)


def both_layers_event_exact(env, inst):
    """One input: the decay for all t decided in Arb (:func:`lemmas.du2019.dynamics.one_input_both_layers_decay`):
    the least ``log(||r_0||^2/||r(t)||^2) - rate lambda_0 t`` over the path's minima, or -1 when the limit fails.
    ``n >= 2``: the certain failure :func:`multi_decision` cached on the draw (else undecided)."""
    D: Dataset = env.data
    if D.n >= 2:
        return certain_failure(inst)
    s, a = inst
    return _decide(s, a, Fraction(float(D.y[0])), to_fraction(env.rate) * LAM0)


# the engine re-checks a failing draw right after its float margin: the last decision, with the arrays it
# was for (held, so their identity cannot pass to a later draw's arrays)
_last: list = [None, None, None, None, None]


def _decide(s, a, y: Fraction, c: Fraction):
    """:func:`one_input_both_layers_decay`, computed once per draw (the same arrays, label and rate)."""
    if not (_last[0] is s and _last[1] is a and _last[2] == y and _last[3] == c):
        _last[:] = [None, None, None, None, None]
        ball = one_input_both_layers_decay(s, a, y, c)
        _last[:] = [s, a, y, c, ball]
    return _last[4]


#: the width the default budget affords at n = 2: a draw costs about 0.05 s there, what the one-input setting with
#: label -1 it replaces at the default budget cost (the both-layer certificate holds with a margin of about 0.35);
#: the proven width of the orthogonal pair, about 4.9e7, costs about 5 s per draw and is reached at --budget deep
AFFORDABLE_WIDTH = 2 * 10**5


def _witnesses() -> list[Witness]:
    """One input (label 3/4); n = 2 orthogonal at ``AFFORDABLE_WIDTH`` (default); then (deep) one input with label
    -1, the orthogonal pair at its proven width of about 4.9e7, and three orthonormal inputs at 10^7 (their
    explicit width, about 5e8, is beyond one draw)."""
    one, two, three = (w.values["data"] for w in data_witnesses()[:3])
    other = dataset_of([[Fraction(1)]], [Fraction(-1)], 1)

    def at(data, cap, why):
        return Witness({"data": data, "m_cap": cap}, why)
    return [at(one, MAX_STREAMED_WIDTH, "one unit input (lambda_0 = 1/2)"),
            at(two, AFFORDABLE_WIDTH, "two orthogonal inputs at m = 2e5, below the proven width"),
            at(other, MAX_STREAMED_WIDTH, "one unit input, label -1"),
            at(two, MAX_STREAMED_WIDTH, "two orthogonal inputs at the proven width (about 4.9e7)"),
            at(three, 10**7, "three orthonormal inputs at m = 10^7, below the proven width")]


thm2_6 = Claim(
    id="du2019.thm2.6",
    title="Both layers trained: at m >= K (C^2+1) n^6 log(m/delta)/(c^2 lambda_0^4 delta^3), w.p. 1 - delta, exponential decay at rate lambda_0",
    source=src("p. 20, Theorem 2.6"),
    statement=r"m=\Omega\Big(\frac{n^6\log(m/\delta)}{\lambda_0^4\delta^3}\Big)\Rightarrow\Pr\big[\|u(t)-y\|_2^2\le e^{-\lambda_0t}\|u(0)-y\|_2^2\big]\ge1-\delta",
    variables=[data_variable((1,)), width_cap_variable()],
    witnesses=_witnesses(),
    constants=[DELTA_HALF, C_SMALL, LABEL_BOUND, *WIDTH_CONSTANTS,
               RATE],
    kind=Probabilistic(delta="delta", draw=lambda env, rng: draw_data_init(env, rng, log_factor=True),
                       event=both_layers_event, event_exact=both_layers_event_exact, settings=2, samples=240,
                       describe=lambda values, constants: dataset_facts(values, constants, log_factor=True)),
    uses=["du2019.thm2.1"],
    formula=[sympy.Le(residual(t), sympy.exp(-rate_s * lambda_0 * t) * residual(0))],
    note="No proof is printed; the explicit width borrows Theorem 2.1's constant times log(m/delta). Default "
         "settings: one input (m = 582,798, every draw decided in Arb) and n = 2 orthogonal inputs at m = 2e5, "
         "below their proven width of about 4.9e7 (each draw decided by the both-layer near-init certificate; a "
         "failure there would be undecided, never a counterexample). --budget deep adds the proven width at n = 2 "
         "and n = 3 at m = 10^7 (its explicit width, about 5e8, is beyond one draw).",
)
