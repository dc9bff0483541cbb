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
from proofcheck.model.num import ARB

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


def _step_float(env, X):
    W, Ws = (np.array(M, dtype=float) for M in env.pair)
    return sgd_step(W, Ws, X, float(env.eta)), W, Ws


def _f_A_drop(env, X) -> float:
    W1, W, Ws = _step_float(env, X)
    return float(auxiliary_f_A(W, Ws) - auxiliary_f_A(W1, Ws))


def _f_A_drop_exact(env, X):
    W, Ws = env.pair
    W1 = sgd_step(W, Ws, X, env.eta, num=ARB)
    return auxiliary_f_A(W, Ws, ARB) - auxiliary_f_A(W1, [[ARB.const(x) for x in r] for r in Ws], ARB)


def _stays(env, X) -> float:
    W1, _, Ws = _step_float(env, X)
    return float(env.C) * float(env.gamma) - float(auxiliary_f_A(W1, Ws))


def _stays_exact(env, X):
    W, Ws = env.pair
    W1 = sgd_step(W, Ws, X, env.eta, num=ARB)
    return ARB.const(env.C) * ARB.const(env.gamma) - auxiliary_f_A(W1, [[ARB.const(x) for x in r] for r in Ws], ARB)


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

phase1_sgd = Claim(
    id="liyuan2017.phase1@sgd",
    title="in Phase 1 one SGD step (minibatch of B Gaussian inputs) decreases f_A with probability >= 1 - delta",
    source=src("Main: Overview of Proof for Phase 1"),
    statement=r"\|W\|_2, \|W^*\|_2 \le \gamma,\ f_A(W) > C\gamma \Rightarrow "
              r"\Pr_{x_1..x_B}[f_A(W - \eta\hat\nabla L(W)) < f_A(W)] \ge 1 - \delta",
    variables=[pair],
    constants=[GAMMA, C, ETA, BATCH, DELTA],
    hypotheses=[in_spectral_ball("W", lambda e: e.pair[0]), in_spectral_ball("W*", lambda e: e.pair[1]), in_phase1],
    conclusion=None,
    witnesses=_phase1_witnesses(),
    kind=Probabilistic(delta="delta", confidence=CONFIDENCE, draw=_minibatch, event=_f_A_drop,
                       event_exact=_f_A_drop_exact, settings=6, samples=400),
    note=_NOTE + "; the population form is liyuan2017.phase1",
    cost=1.0,
)

no_way_back_sgd = Claim(
    id="liyuan2017.no_way_back@sgd",
    title="from Phase 2 one SGD step stays in Phase 2 with probability >= 1 - delta",
    source=src("Main: Overview of Proof for Phase 1, item 2"),
    statement=r"\|W\|_2, \|W^*\|_2 \le \gamma,\ f_A(W) \le C\gamma \Rightarrow "
              r"\Pr_{x_1..x_B}[f_A(W - \eta\hat\nabla L(W)) \le C\gamma] \ge 1 - \delta",
    variables=[pair],
    constants=[GAMMA, C, ETA, BATCH, DELTA],
    hypotheses=[in_spectral_ball("W", lambda e: e.pair[0]), in_spectral_ball("W*", lambda e: e.pair[1]), in_phase2],
    conclusion=None,
    witnesses=_phase2_witnesses(),
    kind=Probabilistic(delta="delta", confidence=CONFIDENCE, draw=_minibatch, event=_stays,
                       event_exact=_stays_exact, settings=5, samples=400),
    note=_NOTE + "; the population form is liyuan2017.no_way_back",
    cost=0.5,
)


def _converged_batch(env, rng, count):
    """eps^2 - |W_T - W*|_F^2 of ``count`` SGD runs from W_0 = 0; NaN (undecided) within rounding of 0."""
    Ws = np.array(env.teacher, dtype=float)
    d = sgd_distance_sq_batch(np.zeros_like(Ws), Ws, float(env.eta), steps(env), int(env.B), count, rng)
    eps2 = float(env.eps) ** 2
    m = eps2 - d
    return np.where(np.abs(m) <= ROUNDING * eps2, np.nan, m)


main_sgd = Claim(
    id="liyuan2017.main@sgd",
    title="SGD from W_0 = 0 (minibatches of B Gaussian inputs) reaches |W_T - W*|_F <= eps in "
          "T = ceil(K log(1/eps)/eta) steps with probability >= 1 - delta",
    source=src("Main Theorem (informal)"),
    statement=r"\|W^*\|_2 \le \gamma,\ W_0 = 0 \Rightarrow \Pr[\|W_T - W^*\|_F \le \varepsilon] \ge 1 - \delta,\ "
              r"T = \lceil K\log(1/\varepsilon)/\eta\rceil",
    variables=[teacher],
    constants=[GAMMA_MAIN, ETA_MAIN, EPS, K, BATCH, DELTA],
    hypotheses=[in_spectral_ball("W*", lambda e: e.teacher)],
    conclusion=None,
    witnesses=_teacher_witnesses(),
    kind=Probabilistic(delta="delta", confidence=CONFIDENCE, batch=_converged_batch, settings=4, samples=400),
    note=_NOTE + "; the population form is liyuan2017.main. A run's margin within 1e-9 eps^2 of 0 is counted "
                 "undecided (floats over T steps), never as a failure",
    cost=1.0,
)
