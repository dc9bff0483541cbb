r"""The informal main theorem, with the constants it needs named.

Source: slides on Li & Yuan (NeurIPS 2017), "Main Theorem (informal)":

    While :math:`x \sim \mathcal N(0, I)`, :math:`\|W\|_2` and :math:`\|W^*\|` are both bounded with
    some small constant, SGD with small learning rate and initial :math:`W_0` (random/zero/standard
    all work) will converge to :math:`W^*` within polynomial number of steps, in two phase.

Explicit form checked (constants of this encoding, none printed): population gradient descent
(the expected SGD step, Gaussian closed-form gradient) with step ``eta`` = 1/10 from ``W_0 = 0``
("zero" initialisation), for every teacher with :math:`\|W^*\|_2 \le \gamma = 1/10`, reaches
:math:`\|W_T - W^*\|_F \le \varepsilon = 1/100` after
:math:`T = \lceil K \log(1/\varepsilon) / \eta \rceil` steps with ``K`` = 10 (a polynomial -- here
logarithmic -- number of steps). ``@random_init`` starts from any ``W_0`` in the same ball.
``proofcheck frontier liyuan2017.main K`` shows the smallest ``K`` that works.
"""
from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import strategies as st

from proofcheck import Claim, Condition, Constant, Variable
from proofcheck.model.num import ARB, FLOAT

from . import src
from .model import gd_distance_sq, in_spectral_ball, teacher_student_in_ball, weights_in_ball

GAMMA = Constant("gamma", Fraction(1, 10), "|W*|_2 <= gamma (and |W_0|_2 for @random_init)", positive=True)
ETA = Constant("eta", Fraction(1, 10), "step size", positive=True)
EPS = Constant("eps", Fraction(1, 100), "target accuracy |W_T - W*|_F <= eps", positive=True)
K = Constant("K", 10, "steps T = ceil(K log(1/eps) / eta)", positive=True)


def steps(env) -> int:
    return math.ceil(float(env.K) * math.log(1 / float(env.eps)) / float(env.eta))


def _run(W0, Ws, env, rigorous: bool):
    """|W_T - W*|_F^2 after T population GD steps (floats, or Arb balls)."""
    return gd_distance_sq(W0, Ws, env.eta, steps(env), num=ARB if rigorous else FLOAT)


def _converged(start):
    def margin(env) -> float:
        W0, Ws = start(env)
        return float(env.eps) ** 2 - _run(W0, Ws, env, False)

    def exact(env):
        W0, Ws = start(env)
        return ARB.const(env.eps) ** 2 - _run(W0, Ws, env, True)

    return Condition("|W_T - W*|_F <= eps", margin=margin, rigorous=exact)


def _zero_start(env):
    Ws = env.teacher
    return [[0] * len(Ws) for _ in Ws], Ws


teacher = Variable("teacher", lambda c: st.sampled_from([1, 2, 3]).flatmap(lambda d: weights_in_ball(d, c["gamma"])),
                   domain="W* rational n x n, n in {1, 2, 3}, |W*|_2 <= gamma",
                   contains=lambda v: isinstance(v, tuple), meaning="the teacher W*")
pair = Variable("pair", lambda c: teacher_student_in_ball(c["gamma"]),
                domain="(W_0, W*) rational n x n, n in {1, 2, 3}, both with |.|_2 <= gamma",
                contains=lambda v: isinstance(v, tuple) and len(v) == 2, meaning="the start W_0 and the teacher W*")

main = Claim(
    id="liyuan2017.main",
    title="population GD from W_0 = 0 reaches |W - W*|_F <= eps in T = ceil(K log(1/eps)/eta) steps",
    source=src("Main Theorem (informal)"),
    statement=r"\|W^*\|_2 \le \gamma,\ W_0 = 0 \Rightarrow \|W_T - W^*\|_F \le \varepsilon,\ "
              r"T = \lceil K\log(1/\varepsilon)/\eta\rceil",
    variables=[teacher],
    constants=[GAMMA, ETA, EPS, K],
    hypotheses=[in_spectral_ball("W*", lambda e: e.teacher)],
    conclusion=_converged(_zero_start),
    note="explicit-constant form for population GD; every constant is this encoding's (the slides are informal)",
    cost=0.1,
)

main_random = Claim(
    id="liyuan2017.main@random_init",
    title="the same from any W_0 with |W_0|_2 <= gamma",
    source=src("Main Theorem (informal): 'random/zero/standard all work'"),
    statement=r"\|W_0\|_2, \|W^*\|_2 \le \gamma \Rightarrow \|W_T - W^*\|_F \le \varepsilon",
    variables=[pair],
    constants=[GAMMA, ETA, EPS, K],
    hypotheses=[in_spectral_ball(nm, lambda e, i=i: e.pair[i]) for i, nm in ((0, "W_0"), (1, "W*"))],
    conclusion=_converged(lambda e: e.pair),
    note="random or standard initialisation inside the same ball",
    cost=0.1,
)
