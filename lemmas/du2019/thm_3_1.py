r"""Theorem 3.1 of du2019: discrete gradient descent.

S. S. Du, X. Zhai, B. Poczos, A. Singh, *Gradient Descent Provably Optimizes Over-parameterized Neural
Networks*, ICLR 2019 (arXiv:1810.02054), Theorem 4.1 of the paper; as presented in Y. Miyazaki's slides
(2022), Theorem 3.1, p. 21.

Statement: under the assumptions of Theorem 2.1, with :math:`m=\Omega\big(\frac{n^6}{\lambda_0^4\delta^3}\big)`
and step size :math:`\eta=O\big(\frac{\lambda_0}{n^2}\big)`, with probability at least :math:`1-\delta`,
:math:`\|u(k)-y\|_2^2\le\big(1-\frac{\eta\lambda_0}2\big)^k\|u(0)-y\|_2^2` (first layer trained, eq. (2)).

Explicit constants: the width is Theorem 2.1's (``K (C^2+1) n^6/(c^2 lambda_0^4 delta^3)``, its named
constants). The slides omit the proof; the step is ``eta = eta_c lambda_0/n^2`` with ``eta_c = 1/4`` -- an
assumption of this encoding, not a printed value (``--set eta_c=...``). The printed :math:`\tfrac12` of the
rate is the constant ``half``.

How it is checked: the settings are datasets at Theorem 2.1's explicit proven width (one input, then n = 2
orthogonal; deep: n = 3 and drawn pairs), with ``describe`` facts (n, m, ``proven_width``). On one input,
gradient descent moves every active neuron by a common amount, so a run of ``k`` steps costs
``O(m log m + k log m)`` (:func:`lemmas.du2019.dynamics.one_input_gd`); a failing draw is re-run in Arb from the
exact rationals of its initialisation (:func:`lemmas.du2019.dynamics.one_input_gd_exact`). At :math:`n\ge2`
a streamed draw is decided for all ``k`` by the discrete near-init certificate (:func:`gd_decision`), else by
GD in Arb (:func:`proofcheck.ml.gd_exact.gd`).

Errata
------
* The printed exponent is a kappa-like glyph for :math:`k`.
* "for all k" is checked for :math:`k\le K_{\max}` with :math:`(1-\eta\lambda_0/2)^{K_{\max}}\le e^{-8}`: a
  failure there is a failure of the statement; beyond it the check says nothing.
"""
from __future__ import annotations

import math
from fractions import Fraction

import sympy

from proofcheck import Claim, Constant, Probabilistic
from proofcheck.ml.datasets import Dataset
from proofcheck.ml.du_strategies import lambda0_bounds
from .dynamics import StreamedInit, near_init_certificate, one_input_gd, one_input_gd_exact
from proofcheck.ml.gd_exact import gd
from proofcheck.model.num import NumericError, fraction_to_arb, to_fraction

from . import C_SMALL, DELTA_HALF, LABEL_BOUND, WIDTH_CONSTANTS, src
from .model import (LAM0, N_INPUTS, certain_failure, data_variable, data_witnesses, dataset_facts, draw_data_init,
                    exact_labels)

residual = sympy.Function("residual")
lambda_0, k, eta = sympy.Symbol("lambda_0"), sympy.Symbol("k"), sympy.Symbol("eta")
half_s = sympy.Symbol("half")


def step_and_horizon(env, n: int = N_INPUTS, lam0: Fraction = LAM0) -> tuple[Fraction, int]:
    """``eta = eta_c lambda_0/n^2`` (``lambda_0`` the certified lower end for n >= 2: a rational step, still
    ``O(lambda_0/n^2)``) and the number of steps ``K_max`` (bound down to about e^{-8}).

    A step with ``1 - eta lambda_0 half <= 0`` makes the printed bound at ``k = 1`` zero or negative:
    the statement is then false wherever ``u(1) != y``, and the check says so (a few steps suffice)."""
    eta_ = to_fraction(env.eta_c) * lam0 / n**2
    rate = to_fraction(env.half) * eta_ * lam0
    if not rate > 0:
        raise NumericError(f"eta lambda_0 half = {rate} must be positive")
    return eta_, min(4096, max(1, math.ceil(8 / float(rate))))


def _one_input_margin(env, inst, y: float, m_exact: bool):
    s, a = inst
    eta_, steps = step_and_horizon(env)
    if m_exact:
        r = one_input_gd_exact(s, a, Fraction(y), eta_, steps)
        r0sq = r[0] * r[0]
        factor = fraction_to_arb(1 - to_fraction(env.half) * eta_ * LAM0)
        if not r0sq > 0:
            raise NumericError("||y - u(0)|| is not certainly positive")
        worst = None
        for j in range(1, steps + 1):
            v = factor**j - r[j] * r[j] / r0sq
            worst = v if worst is None else worst.min(v)
        return worst
    r = one_input_gd(s, a, y, float(eta_), steps)
    r0sq = r[0] ** 2
    if r0sq == 0:
        return 1.0 if not any(r[1:]) else -1.0
    factor = 1 - float(to_fraction(env.half) * eta_ * LAM0)
    return float(min(factor**j - r[j] ** 2 / r0sq for j in range(1, steps + 1)))


#: the widest draw whose GD is run step by step in Arb when the certificate does not decide it
MAX_GD_WIDTH = 20_000
#: steps run in Arb beyond that width (a decay slower than the bound shows in the first steps)
FIRST_STEPS = 8


def gd_decision(env, init: StreamedInit, D: Dataset) -> tuple[float, object]:
    r"""``||y-u(k)||^2 <= (1 - half eta lambda_0)^k ||y-u(0)||^2`` for every ``k`` at ``n >= 2``, one draw.

    Certificate (the discrete form of Lemma 2.5's bootstrap, slides p. 21): with ``tau = half lambda_0^hi``,
    ``rho = sqrt(n)||y-u(0)||/(sqrt(m) tau)`` and ``F_i`` the neurons within ``rho`` of the boundary on ``x_i``,
    ``u(k+1) - u(k) = eta H(k) (y - u(k)) + e(k)`` with ``||e(k)|| <= eta eps ||y-u(k)||``,
    ``eps = sqrt(n) sqrt(sum_i F_i^2)/m`` (a neuron that flips between two steps moves by at most
    ``eta sqrt(n)||y-u(k)||/sqrt m``; relu is 1-Lipschitz). If ``L - eps >= tau`` (``L`` the near-init lower bound
    on ``lambda_min(H(k))``) and ``eta n <= 1`` (so ``||I - eta H|| <= 1 - eta lambda_min``), induction on ``k``
    gives ``||y-u(k+1)|| <= (1 - eta tau)||y-u(k)||`` and moves ``<= rho`` for every k, and
    ``(1 - eta tau)^2 <= 1 - eta tau = 1 - half eta lambda_0^hi``: the statement holds for all k.
    Otherwise GD is run in Arb for ``K_max`` steps (``FIRST_STEPS`` beyond ``MAX_GD_WIDTH``) (:func:`proofcheck.ml.gd_exact.gd`):
    a certain failure is a step whose residual exceeds ``(1 - half eta lambda_0^lo)^k ||y-u(0)||^2``, and
    ``K_max`` steps all certainly within the bound hold (the ``k <= K_max`` reading of the errata); anything
    else is undecided (NaN)."""
    lo, hi = lambda0_bounds(D)
    n, m = D.n, init.m
    eta_, steps = step_and_horizon(env, n, lo)
    half = to_fraction(env.half)
    tau = half * hi
    y = exact_labels(D)
    cert = near_init_certificate(init, D.X, D.X_exact, y, tau)
    if cert.flippable_each and eta_ * n <= 1:
        eps = Fraction(math.sqrt(n * sum(F * F for F in cert.flippable_each)) / m) * (1 + Fraction(1, 2**40))
        slack = cert.lam_lower - eps - tau
        if slack >= 0:
            return float(slack / tau), None
    # wider than MAX_GD_WIDTH: only the first FIRST_STEPS steps are run (a failure there is certain)
    W0, a = init.arrays()
    tr = gd(W0, a, D.X, y, eta_, steps if m <= MAX_GD_WIDTH else min(steps, FIRST_STEPS), arith="arb",
            X_exact=D.X_exact, final_weights=False)
    r0sq = tr.residual_sq[0]
    if not r0sq > 0:
        return math.nan, None
    factor = fraction_to_arb(1 - half * eta_ * lo)
    worst = None
    for j in range(1, len(tr.residual_sq)):
        v = factor**j - tr.residual_sq[j] / r0sq
        worst = v if worst is None else worst.min(v)
    if worst is not None and worst < 0:
        return float(worst.mid()), worst
    if m <= MAX_GD_WIDTH and tr.status == "complete" and worst is not None and worst >= 0:
        return float(worst.mid()), None  # every k <= K_max holds (the reading of "for all k", as at n = 1)
    return math.nan, None


def gd_event(env, inst) -> float:
    D: Dataset = env.data
    if D.n == 1:
        return _one_input_margin(env, inst, float(D.y[0]), m_exact=False)
    inst.decision = gd_decision(env, inst, D)
    return inst.decision[0]


def gd_event_exact(env, inst):
    D: Dataset = env.data
    if D.n == 1:
        return _one_input_margin(env, inst, float(D.y[0]), m_exact=True)
    return certain_failure(inst)


thm3_1 = Claim(
    id="du2019.thm3.1",
    title="GD with eta = O(lambda_0/n^2) at m = Omega(n^6/(lambda_0^4 delta^3)): ||u(k) - y||^2 <= (1 - eta lambda_0/2)^k ||u(0) - y||^2 w.p. 1 - delta",
    source=src("p. 21, Theorem 3.1"),
    statement=r"m=\Omega\Big(\frac{n^6}{\lambda_0^4\delta^3}\Big),\ \eta=O\Big(\frac{\lambda_0}{n^2}\Big)\Rightarrow\Pr\Big[\|u(k)-y\|_2^2\le\Big(1-\frac{\eta\lambda_0}2\Big)^k\|u(0)-y\|_2^2\Big]\ge1-\delta",
    variables=[data_variable()],
    witnesses=data_witnesses(),
    constants=[DELTA_HALF, C_SMALL, LABEL_BOUND, *WIDTH_CONSTANTS,
               Constant("half", Fraction(1, 2), "the 1/2 of (1 - eta lambda_0/2)^k", positive=True),
               Constant("eta_c", Fraction(1, 4), "assumed explicit O-constant of the step: eta = eta_c lambda_0/n^2 "
                                                 "(no proof printed; this encoding's value)", positive=True)],
    kind=Probabilistic(delta="delta", draw=draw_data_init, event=gd_event, event_exact=gd_event_exact,
                       settings=2, samples=16, describe=dataset_facts),
    uses=["du2019.thm2.1"],
    formula=[sympy.Le(residual(k), (1 - half_s * eta * lambda_0) ** k * residual(0))],
    note="Settings are datasets (one input, n = 2 orthogonal; deep: n = 3 and drawn n <= 2) at the explicit "
         "proven width of Theorem 2.1; eta = eta_c lambda_0/n^2. One input: k <= K_max with "
         "(1 - eta lambda_0/2)^K_max <= e^-8; n >= 2: all k by the certificate, else K_max steps in Arb.",
)
