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

How it is checked: the settings are datasets (exact rational unit inputs, pairwise non-parallel, labels
:math:`|y_i|\le C`; :math:`\lambda_0` enclosed in Arb from the exact :math:`H^\infty`), each at ITS explicit proven
width :math:`m` (the :math:`n^6` and :math:`\lambda_0^4` included, at the certified lower end of :math:`\lambda_0`); the
``describe`` facts of every setting (n, m, ``proven_width``, the enclosure of :math:`\lambda_0`) are in the
result. The first settings are one input (m = 41,722) and n = 2 orthogonal inputs
(:math:`\lambda_0=\tfrac12`, m = 2,670,177); ``--budget deep`` adds three orthonormal inputs (m about 3.0e7), a tilted pair and drawn
datasets with n <= 2 and :math:`\lambda_0\ge7/20` (the floor keeps the proven width within
``MAX_STREAMED_WIDTH``). At each setting the engine draws initialisations and counts failures of the event at
a family-wise confidence (sequential: a setting far from delta stops at its first look).

* one input: the flow is solved exactly for all :math:`t\ge0` (:class:`lemmas.du2019.dynamics.OneInputFlow`):
  :math:`H(t)` is the fraction of active neurons, non-increasing, so the conclusion for all :math:`t` is exactly
  :math:`2H(\infty)\ge\text{rate}\cdot\lambda_0`;
* :math:`n\ge2`: a streamed draw (chunks of :math:`2^{20}` neurons) is decided by the near-init certificate
  (:func:`lemmas.du2019.dynamics.near_init_certificate`, Lemma 2.5's bootstrap made rigorous per draw), else by
  the certified event-driven flow (:func:`proofcheck.ml.flow.exact_flow_forever`); a sliding or unresolved
  trajectory is an undecided draw, counted against the claim and reported, never holding.

Errata
------
* The proof combines three events, each of probability :math:`\ge1-\delta` (Lemma 2.2, Lemma 2.3, Markov on
  the initial residual), so it yields probability :math:`1-3\delta`; the check uses the printed :math:`\delta`.
* The :math:`\Omega(\cdot)` hides its constant; the check uses the one the printed proof yields.
"""
from __future__ import annotations

import math
from fractions import Fraction

import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Condition, Probabilistic, Variable
from proofcheck.ml import gram
from proofcheck.ml.datasets import Dataset
from .dynamics import OneInputFlow, StreamedInit, near_init_certificate, one_input_final_h
from proofcheck.ml.du_strategies import datasets as du_datasets, is_setting_dataset, lambda0_bounds
from proofcheck.model.num import to_fraction

from . import C_SMALL, DELTA_HALF, LABEL_BOUND, RATE, WIDTH_CONSTANTS, src
from .model import (LAM0, MAX_FLOW_WIDTH, certain_failure, data_variable, data_witnesses, dataset_facts,
                    decay_failure, decay_holds_forever, draw_data_init, exact_labels, integrated_flow)

residual, lambda_min, H_inf = sympy.Function("residual"), sympy.Function("lambda_min"), sympy.Symbol("H_inf")
lambda_0, t = sympy.Symbol("lambda_0"), sympy.Symbol("t")
rate_s = sympy.Symbol("rate", real=True)


def flow_decay_decision(init: StreamedInit, D: Dataset, rate: Fraction) -> tuple[float, Fraction | None]:
    """``||y-u(t)||^2 <= exp(-rate lambda_0 t)||y-u(0)||^2`` for all ``t >= 0`` for one draw at ``n >= 2``:

    1. the near-init certificate (:func:`lemmas.du2019.dynamics.near_init_certificate`) with
       ``mu = rate lambda_0^hi / 2``: when it holds, ``lambda_min(H(t)) >= mu`` for all t and
       ``d/dt ||y-u||^2 <= -2 mu ||y-u||^2`` gives the decay (holds);
    2. otherwise the certified event-driven flow (:func:`proofcheck.ml.flow.exact_flow_forever`): the decay
       fails when ``sup e^{rate lambda_0^lo t}||y-u(t)||^2/||y-u(0)||^2 > 1`` on the integrated range, and
       holds when the flow is certified to have no later activation change and the sup is 1 for all t.

    Returns ``(float margin, certified failing margin or None)``; a draw neither decides (a sliding or
    unresolved trajectory, or wider than ``MAX_FLOW_WIDTH``) has margin NaN: undecided, never holding."""
    lo, hi = lambda0_bounds(D)
    cert = near_init_certificate(init, D.X, D.X_exact, exact_labels(D), rate * hi / 2)
    if cert.certified:
        return cert.margin(), None
    if init.m > MAX_FLOW_WIDTH:
        return math.nan, None
    tr, forever = integrated_flow(init, D)
    failed = decay_failure(tr, rate * lo)
    if failed is not None:
        return float(failed), failed
    return (0.0, None) if decay_holds_forever(tr, forever, rate * hi) else (math.nan, None)


def data_decay_event(env, inst) -> float:
    """One input: ``2 H(inf) - rate lambda_0`` (floats; the decay for all t iff >= 0); n >= 2:
    :func:`flow_decay_decision`."""
    D: Dataset = env.data
    if D.n == 1:
        s, a = inst
        h, r0, _ = one_input_final_h(s[None, :], a[None, :], float(D.y[0]))
        return 1.0 if r0[0] == 0 else float(2 * h[0] - float(env.rate) * float(LAM0))
    inst.decision = flow_decay_decision(inst, D, to_fraction(env.rate))
    return inst.decision[0]


def data_decay_event_exact(env, inst):
    """One input: the same margin exactly (the flow's final active set in Q(sqrt m)); n >= 2: the cached
    certified failure."""
    D: Dataset = env.data
    if D.n == 1:
        s, a = inst
        f = OneInputFlow([Fraction(float(v)) for v in s], [int(v) for v in a], Fraction(float(D.y[0])))
        return Fraction(1) if f.sign() == 0 else 2 * f.h_final() - to_fraction(env.rate) * LAM0
    return certain_failure(inst)


thm2_1 = Claim(
    id="du2019.thm2.1",
    title="Gradient flow: at m >= K (C^2+1) n^6/(c^2 lambda_0^4 delta^3), w.p. 1 - delta, ||u(t) - y||^2 <= exp(-lambda_0 t) ||u(0) - y||^2",
    source=src("p. 8, Theorem 2.1"),
    statement=r"m=\Omega\Big(\frac{n^6}{\lambda_0^4\delta^3}\Big)\Rightarrow\Pr\big[\forall t\ge0:\ \|u(t)-y\|_2^2\le e^{-\lambda_0t}\|u(0)-y\|_2^2\big]\ge1-\delta",
    variables=[data_variable()],
    witnesses=data_witnesses(),
    constants=[DELTA_HALF, C_SMALL, LABEL_BOUND, *WIDTH_CONSTANTS,
               RATE],
    kind=Probabilistic(delta="delta", draw=draw_data_init, event=data_decay_event, event_exact=data_decay_event_exact,
                       settings=2, samples=16, describe=dataset_facts),
    uses=["du2019.lemma2.2", "du2019.lemma2.3", "du2019.lemma2.4", "du2019.lemma2.5", "du2019.init"],
    formula=[sympy.Le(residual(t), sympy.exp(-rate_s * lambda_0 * t) * residual(0))],
    note="Each setting is a dataset (one input, then n = 2 orthogonal inputs; deep: n = 3 and drawn n <= 2 "
         "with lambda_0 >= 7/20) at ITS explicit proven width m (n^6 and lambda_0^4 included; facts per setting); "
         "delta = 1/2. n >= 2: each draw decided by the near-init certificate, else the certified exact flow "
         "(undecided draws counted against the claim and reported).",
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
    source=src("p. 8, footnote a"),
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
