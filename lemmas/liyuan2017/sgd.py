r"""Phase 1, "no way back" and the main theorem for *sampled* SGD, as probabilistic claims.

Source: slides on Li & Yuan (NeurIPS 2017), "Main Theorem (informal)" and "Main: Overview of Proof
for Phase 1". The slides analyse SGD with inputs ``x ~ N(0, I)``; :mod:`.phase1` and :mod:`.main`
check the expectation of an SGD step (population gradient descent). Here each step uses a
minibatch of ``B`` inputs drawn from ``N(0, I)``,

.. math:: W' = W - \frac{\eta}{B}\sum_{b=1}^B (f_W(x_b) - f_{W^*}(x_b))\, x_b\, 1\{(I+W)^\top x_b > 0\}^\top,

and each statement is read as holding *with probability >= 1 - delta over the minibatches*.
Readings (``@sgd``), with constants of this encoding, none printed by the slides: ``B`` = 64,
``delta`` = 1/10, family-wise confidence 0.99 over the settings compared; ``gamma``, ``C``,
``eta``, ``eps``, ``K`` as in :mod:`.phase1` and :mod:`.main`.

* ``phase1@sgd``: in Phase 1 (``f_A(W) > C gamma``) one SGD step decreases ``f_A``;
* ``no_way_back@sgd``: from Phase 2 (``f_A(W) <= C gamma``) one SGD step stays in Phase 2;
* ``main@sgd``: SGD from ``W_0 = 0`` reaches ``|W_T - W*|_F <= eps`` in
  ``T = ceil(K log(1/eps)/eta)`` steps.

The engine draws the settings ``(W, W*)`` (resp. ``W*``), samples minibatches with its own seeded
generator and decides each setting by Clopper-Pearson bounds (``proofcheck.decide.probability``). One-step
failures are re-checked in Arb (the drawn inputs taken as the rationals the floats store); a
``T``-step run's margin within rounding of 0 counts as undecided, never as a failure.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from proofcheck import Claim, Constant
from proofcheck.model.claim import Probabilistic, Witness
from proofcheck.model.num import ARB, FLOAT

from . import src
from .main import EPS, GAMMA as GAMMA_MAIN, ETA as ETA_MAIN, K, steps, teacher
from .phase1 import C, ETA, GAMMA, in_phase1, in_phase2, pair
from .model import auxiliary_f_A, in_spectral_ball, sgd_distance_sq_batch, sgd_step

BATCH = Constant("B", 64, "minibatch size of each SGD step (explicit constant of this encoding)", positive=True,
                 integer=True)
DELTA = Constant("delta", Fraction(1, 10), "failure probability allowed over the minibatches (explicit constant "
                 "of this encoding)", positive=True, below=1)
CONFIDENCE = 0.99
#: a T-step run's float margin this close to 0 (relative to eps^2) is undecided, not a failure
ROUNDING = 1e-9


def _minibatch(env, rng):
    n = len(env.pair[0])
    return rng.standard_normal((int(env.B), n))


def _one_step(margin):
    """A one-step event written once over a numeric back-end, as (float event, exact event):
    ``margin(env, f_A_before, f_A_after, num)`` with ``f_A`` of W and of the stepped W' (floats and
    numpy, or Arb balls with the drawn inputs taken as the rationals the floats store)."""
    def on(num):
        def event(env, X):
            if num is FLOAT:
                W, Ws = (np.array(M, dtype=float) for M in env.pair)
                W1, Ws1 = sgd_step(W, Ws, X, float(env.eta)), Ws
            else:
                W, Ws = env.pair
                W1, Ws1 = sgd_step(W, Ws, X, env.eta, num=num), [[num.const(x) for x in r] for r in Ws]
            value = margin(env, lambda: auxiliary_f_A(W, Ws, num), auxiliary_f_A(W1, Ws1, num), num)
            return float(value) if num is FLOAT else value
        return event
    return on(FLOAT), on(ARB)


#: f_A(W) - f_A(W'): one step decreases f_A (Phase 1)
F_A_DROP = _one_step(lambda env, before, after, num: before() - after)
#: C gamma - f_A(W'): one step stays in Phase 2
STAYS = _one_step(lambda env, before, after, num: num.const(env.C) * num.const(env.gamma) - after)


def _diag(n: int, v: Fraction) -> tuple:
    return tuple(tuple(v if i == j else Fraction(0) for j in range(n)) for i in range(n))


def _phase1_witnesses() -> list:
    """Settings deep in Phase 1 (the slice f_A > C gamma of the ball is thin, and the search of
    settings rarely meets it): W = -gamma I, W* = gamma I gives f_A = 2 n gamma; W = 0, W* = gamma I
    gives n gamma (> C gamma for n >= 2). At other constants they are checked like any setting."""
    g = Fraction(GAMMA.value)
    out = [Witness({"pair": (_diag(n, -g), _diag(n, g))}, f"W = -gamma I, W* = gamma I (n = {n}): f_A = 2 n gamma")
           for n in (1, 2, 3)]
    out.append(Witness({"pair": (_diag(3, Fraction(0)), _diag(3, g))}, "W = 0, W* = gamma I (n = 3): f_A = 3 gamma"))
    return out


def _phase2_witnesses() -> list:
    """Phase 2 settings away from W = W*: W = gamma I ahead of W* = 0 (f_A = -n gamma), and
    W = 0, W* = gamma (n = 1, f_A = gamma = C gamma on the boundary)."""
    g = Fraction(GAMMA.value)
    out = [Witness({"pair": (_diag(n, g), _diag(n, Fraction(0)))}, f"W = gamma I, W* = 0 (n = {n}): f_A = -n gamma")
           for n in (2, 3)]
    out.append(Witness({"pair": (_diag(1, Fraction(0)), _diag(1, g))}, "W = 0, W* = gamma (n = 1): f_A = C gamma"))
    return out


def _teacher_witnesses() -> list:
    """Teachers on the sphere of the ball, W* = gamma I (n = 2, 3): the farthest from W_0 = 0."""
    g = Fraction(GAMMA_MAIN.value)
    return [Witness({"teacher": _diag(n, g)}, f"W* = gamma I (n = {n})") for n in (2, 3)]


_NOTE = ("a reading: the slides' SGD statement with probability >= 1 - delta over the minibatches; B = 64, "
         "delta = 1/10 and the confidence 0.99 are this encoding's choices, not printed in the source")


def _sgd_reading(population: str, title: str, location: str, statement: str, constants: list, cost: float,
                 more_note: str = "", **claim) -> Claim:
    """The ``@sgd`` reading of a population claim: the same statement with probability >= 1 - delta over
    the minibatches (B and delta this encoding's constants); ``claim`` holds the variables, hypotheses,
    witnesses and ``kind`` events."""
    events = {k: claim.pop(k) for k in ("draw", "event", "event_exact", "batch", "settings") if k in claim}
    return Claim(id=f"{population}@sgd", title=title, source=src(location), statement=statement,
                 constants=constants + [BATCH, DELTA], conclusion=None,
                 kind=Probabilistic(delta="delta", confidence=CONFIDENCE, samples=400, **events),
                 note=f"{_NOTE}; the population form is {population}{more_note}", cost=cost, **claim)


BALLS = [in_spectral_ball("W", lambda e: e.pair[0]), in_spectral_ball("W*", lambda e: e.pair[1])]

phase1_sgd = _sgd_reading(
    "liyuan2017.phase1",
    "in Phase 1 one SGD step (minibatch of B Gaussian inputs) decreases f_A with probability >= 1 - delta",
    "Main: Overview of Proof for Phase 1",
    r"\|W\|_2, \|W^*\|_2 \le \gamma,\ f_A(W) > C\gamma \Rightarrow "
    r"\Pr_{x_1..x_B}[f_A(W - \eta\hat\nabla L(W)) < f_A(W)] \ge 1 - \delta",
    [GAMMA, C, ETA], cost=1.0, variables=[pair], hypotheses=BALLS + [in_phase1], witnesses=_phase1_witnesses(),
    draw=_minibatch, event=F_A_DROP[0], event_exact=F_A_DROP[1], settings=6)

no_way_back_sgd = _sgd_reading(
    "liyuan2017.no_way_back",
    "from Phase 2 one SGD step stays in Phase 2 with probability >= 1 - delta",
    "Main: Overview of Proof for Phase 1, item 2",
    r"\|W\|_2, \|W^*\|_2 \le \gamma,\ f_A(W) \le C\gamma \Rightarrow "
    r"\Pr_{x_1..x_B}[f_A(W - \eta\hat\nabla L(W)) \le C\gamma] \ge 1 - \delta",
    [GAMMA, C, ETA], cost=0.5, variables=[pair], hypotheses=BALLS + [in_phase2], witnesses=_phase2_witnesses(),
    draw=_minibatch, event=STAYS[0], event_exact=STAYS[1], settings=5)


def _converged_batch(env, rng, count):
    """eps^2 - |W_T - W*|_F^2 of ``count`` SGD runs from W_0 = 0; NaN (undecided) within rounding of 0."""
    Ws = np.array(env.teacher, dtype=float)
    d = sgd_distance_sq_batch(np.zeros_like(Ws), Ws, float(env.eta), steps(env), int(env.B), count, rng)
    eps2 = float(env.eps) ** 2
    m = eps2 - d
    return np.where(np.abs(m) <= ROUNDING * eps2, np.nan, m)


main_sgd = _sgd_reading(
    "liyuan2017.main",
    "SGD from W_0 = 0 (minibatches of B Gaussian inputs) reaches |W_T - W*|_F <= eps in "
    "T = ceil(K log(1/eps)/eta) steps with probability >= 1 - delta",
    "Main Theorem (informal)",
    r"\|W^*\|_2 \le \gamma,\ W_0 = 0 \Rightarrow \Pr[\|W_T - W^*\|_F \le \varepsilon] \ge 1 - \delta,\ "
    r"T = \lceil K\log(1/\varepsilon)/\eta\rceil",
    [GAMMA_MAIN, ETA_MAIN, EPS, K], cost=1.0,
    more_note=". A run's margin within 1e-9 eps^2 of 0 is counted undecided (floats over T steps), never as a failure",
    variables=[teacher], hypotheses=[in_spectral_ball("W*", lambda e: e.teacher)], witnesses=_teacher_witnesses(),
    batch=_converged_batch, settings=4)
