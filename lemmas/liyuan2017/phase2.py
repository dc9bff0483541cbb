r"""Phase 2: near a small teacher the loss is δ-one-point strongly convex around it.

Source: slides on Li & Yuan (NeurIPS 2017), "Main: Overview of Proof for Phase 2":

    Goal: Prove that :math:`\exists\gamma`, with a small enough :math:`f_A`, s.t. :math:`L(W)` is
    δ one point strongly convex, i.e.
    :math:`\langle -\nabla L(W), W^* - W\rangle = \sum_{j=1}^d \langle -\nabla L(W)_j, w_j^* - w_j\rangle
    > \delta \|W^* - W\|_F^2`,

with :math:`\|W\|_2, \|W^*\|_2 \le \gamma` from the main theorem. The slides name no constants;
the explicit form checked here names them: ``gamma`` (the radius of both weights in the spectral
norm) and ``delta``. Their values (γ = 1/10, δ = 1/20) are this encoding's, not the source's;
``proofcheck frontier liyuan2017.phase2 gamma`` finds how far γ can grow at this δ (and likewise
for δ). The strict inequality is asked for ``W ≠ W*`` only (see ``def.one_point:repaired``).

Everything is exact for ``n <= 3`` with the Gaussian closed form of the gradient
(:func:`lemmas.liyuan2017.model.population_gradient`): floats for the search, Arb balls to
re-verify. Near ``W = W* = 0`` the Hessian of ``L`` has smallest eigenvalue ``(π − 2)/(4π) ≈
0.0908`` (``n = 2, 3, 4``), so no δ above that can hold for small γ.

The ``@prelu`` reading uses the PReLU :math:`\sigma_a(t) = \max(t, 0) - a\max(-t, 0)` the slides
name, with slope ``a = 1/4`` (a constant of this encoding).
"""
from __future__ import annotations

from fractions import Fraction

from proofcheck import Claim, Condition, Constant, Variable
from proofcheck.ml.spectral import frobenius_sq
from proofcheck.model.num import ARB

from . import src
from .model import (in_spectral_ball, one_point_convexity_margin,
                                            teacher_student_in_ball)

GAMMA = Constant("gamma", Fraction(1, 10), "radius: |W|_2, |W*|_2 <= gamma (explicit constant of this encoding)",
                 positive=True)
DELTA = Constant("delta", Fraction(1, 20), "one-point strong convexity parameter (explicit constant of this encoding)",
                 positive=True)
SLOPE = Constant("a", Fraction(1, 4), "PReLU slope on the negative side (explicit constant of this encoding)")


def _pair(constants):
    return teacher_student_in_ball(constants["gamma"])


pair = Variable("pair", _pair, domain="(W, W*) rational n x n, n in {1, 2, 3}, both with |.|_2 <= gamma",
                contains=lambda v: isinstance(v, tuple) and len(v) == 2, meaning="the student W and the teacher W*")


def _in_ball(which: int) -> Condition:
    return in_spectral_ball("W" if which == 0 else "W*", lambda e: e.pair[which])


def _apart(env):
    W, Ws = env.pair
    return frobenius_sq([[b - a for a, b in zip(ra, rb)] for ra, rb in zip(W, Ws)])


def _convexity(prelu: bool):
    def margin(env) -> float:
        W, Ws = env.pair
        a = float(env.a) if prelu else 0
        return float(one_point_convexity_margin([[float(x) for x in r] for r in W], [[float(x) for x in r] for r in Ws],
                                                float(env.delta), a=a))

    def exact(env):
        W, Ws = env.pair
        a = ARB.const(env.a) if prelu else 0
        return one_point_convexity_margin(W, Ws, ARB.const(env.delta), num=ARB, a=a)

    return Condition("<-grad L(W), W* - W> > delta |W* - W|_F^2", margin=margin, rigorous=exact, strict=True)


HYPOTHESES = [_in_ball(0), _in_ball(1),
              Condition("W != W*", margin=lambda e: float(_apart(e)), rigorous=_apart, strict=True)]
STATEMENT = (r"\|W\|_2, \|W^*\|_2 \le \gamma,\ W \ne W^* \Rightarrow "
             r"\langle -\nabla L(W), W^* - W\rangle > \delta \|W^* - W\|_F^2")

phase2 = Claim(
    id="liyuan2017.phase2",
    title="for |W|_2, |W*|_2 <= gamma the loss is delta-one-point strongly convex around W* (ReLU)",
    source=src("Main: Overview of Proof for Phase 2"),
    statement=STATEMENT,
    variables=[pair],
    constants=[GAMMA, DELTA],
    hypotheses=HYPOTHESES,
    conclusion=_convexity(prelu=False),
    note="explicit-constant form: gamma and delta are named by this encoding (the slides give none)",
    cost=0.25,
)

phase2_prelu = Claim(
    id="liyuan2017.phase2@prelu",
    title="Phase 2 with the PReLU activation the slides mention (slope a = 1/4)",
    source=src("Problem Formulation: Network Architecture (PReLU); Main: Phase 2"),
    statement=STATEMENT + r"\quad(\sigma(t) = \max(t,0) - a\max(-t,0))",
    variables=[pair],
    constants=[GAMMA, DELTA, SLOPE],
    hypotheses=HYPOTHESES,
    conclusion=_convexity(prelu=True),
    note="the PReLU reading of the architecture slide",
    cost=0.25,
)
