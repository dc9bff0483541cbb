r"""Lemma 2.4 of du2019 and its proof (slides ``001_d627599d6b7a6bd1.txt``, pp. 15--16).

Statement (p. 15): if :math:`\lambda_{\min}(H(s))\ge\lambda_0/2` for :math:`0\le s\le t`, then
:math:`\|y-u(t)\|_2^2\le e^{-\lambda_0t}\|y-u(0)\|_2^2` and, for every :math:`r`,
:math:`\|w_r(t)-w_r(0)\|_2\le\frac{2\sqrt n\|y-u(0)\|_2}{\sqrt m\lambda_0}=:R'`.

Proof as printed:

* (s1) :math:`\frac{d}{dt}\|y-u(t)\|^2=-2(y-u)^\top H(t)(y-u)\le-\lambda_0\|y-u\|^2` (p. 15);
* (s2) :math:`\|\frac{d}{ds}w_r(s)\|\le\frac{\sqrt n}{\sqrt m}\|y-u(s)\|\le\frac{\sqrt n}{\sqrt m}e^{-\lambda_0s}\|y-u(0)\|` (p. 16);
* (s3) :math:`\|w_r(t)-w_r(0)\|\le\int_0^t\|\frac{d}{ds}w_r\|ds\le\frac{\sqrt n\|y-u(0)\|}{\sqrt m\lambda_0}` (p. 16).

Errata
------
* s2: from (s1), :math:`\|y-u(s)\|^2\le e^{-\lambda_0s}\|y-u(0)\|^2`, so :math:`\|y-u(s)\|\le e^{-\lambda_0s/2}\|y-u(0)\|`;
  the printed exponent drops the 1/2 (``s2:repaired`` restores it). Integrating the repaired bound gives
  the statement's :math:`R'` with its factor 2; the printed (s3) has no 2 and is false.

How it is checked: the hypothesis is about a trajectory, so the checks search trajectories. For one
input (``n = 1``) the flow is solved exactly while no activation changes
(:class:`proofcheck.ml.dynamics.ScalarFlow`: ``H = #active/m`` is then constant, so the hypothesis is
``#active/m >= lambda_0/2`` on all of ``[0, t]``); every margin is an Arb ball, so a refutation is
rigorous. Two-input trajectories (exact frozen-pattern flow in floats, patterns checked on a grid) add
evidence but never refute.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy
from flint import arb

from proofcheck import Claim, Outcome, Verdict
from proofcheck.ml import datasets as ds
from proofcheck.ml import dynamics as dy
from proofcheck.ml import gram
from proofcheck.ml.dynamics import ScalarFlow
from proofcheck.codec import decode
from proofcheck.num import fraction_to_arb

from . import source

residual, move, lambda_min, H = (sympy.Function(k) for k in ("residual", "move", "lambda_min", "H"))
lambda_0 = sympy.Symbol("lambda_0")
t, m_s, n_s = sympy.Symbol("t", nonnegative=True), sympy.Symbol("m", positive=True), sympy.Symbol("n", positive=True)

TIMES = [Fraction(k, 4) for k in (1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128)]
LAM0_N1 = Fraction(1, 2)  # one unit input: H^inf = (1/2)


# ---------------------------------------------------------------- margins (n = 1, Arb)
def _sqrt(x):
    return fraction_to_arb(Fraction(x)).sqrt() if not isinstance(x, arb) else x.sqrt()


def m_lemma(f: ScalarFlow, tt: Fraction) -> arb:
    lam0 = fraction_to_arb(LAM0_N1)
    r0 = f.r0()
    bound = (-(lam0 * fraction_to_arb(tt))).exp() * r0 * r0
    Rp = 2 * abs(r0) / (_sqrt(f.m) * lam0)
    if not (abs(r0) > 0):
        return arb(0)
    # relative margins (same sign as the absolute ones): 1 - residual/bound, 1 - move/R'
    return (1 - f.residual(tt) ** 2 / bound).min(1 - f.move(tt) / Rp)


def m_s1(f: ScalarFlow, tt: Fraction) -> arb:
    """-2 r^T H r <= -lambda_0 ||r||^2, i.e. (2h - lambda_0) r(t)^2 >= 0 (the derivative identity is
    exact here: d/dt r0^2 e^{-2ht} = -2h r(t)^2)."""
    r = f.residual(tt)
    return (2 * fraction_to_arb(f.h()) - fraction_to_arb(LAM0_N1)) * r * r


def _speed_bound(f: ScalarFlow, tt: Fraction, half: bool) -> arb:
    lam0 = fraction_to_arb(LAM0_N1)
    rate = lam0 / 2 if half else lam0
    return abs(f.r0()) * (-(rate * fraction_to_arb(tt))).exp() / _sqrt(f.m)


def _relative(bound: arb, value: arb) -> arb:
    """``1 - value/bound`` (same sign as ``bound - value`` for a positive bound; 0 when the bound is 0)."""
    return 1 - value / bound if bound > 0 else bound - value


def m_s2(f, tt):
    return _relative(_speed_bound(f, tt, half=False), f.speed(tt))


def m_s2_repaired(f, tt):
    return _relative(_speed_bound(f, tt, half=True), f.speed(tt))


def m_s3(f, tt):
    return _relative(abs(f.r0()) / (_sqrt(f.m) * fraction_to_arb(LAM0_N1)), f.move(tt))


# ---------------------------------------------------------------- margins (n >= 2, float, frozen patterns)
def _float_quantities(D, W0, a, tt):
    m = W0.shape[0]
    r0 = D.y - dy.predictions(W0, a, D.X)
    r_t, W_t, same = dy.frozen_flow(W0, a, D.X, D.y, tt)
    S = gram.activations(W0, D.X).astype(float)
    speed = float(np.max(np.linalg.norm((S * r_t[None, :]) @ D.X, axis=1)) / math.sqrt(m))
    mv = float(np.max(np.linalg.norm(W_t - W0, axis=1)))
    return r0, r_t, speed, mv


def f_lemma(D, lam0, W0, a, tt):
    r0, r_t, _, mv = _float_quantities(D, W0, a, tt)
    Rp = 2 * math.sqrt(D.n) * np.linalg.norm(r0) / (math.sqrt(W0.shape[0]) * lam0)
    return min(math.exp(-lam0 * tt) * (r0 @ r0) - r_t @ r_t, Rp - mv)


def f_s1(D, lam0, W0, a, tt):
    _, r_t, _, _ = _float_quantities(D, W0, a, tt)
    Hm = gram.h_of_weights(W0, D.X)
    return 2 * r_t @ Hm @ r_t - lam0 * (r_t @ r_t)


def _f_speed(half):
    def fn(D, lam0, W0, a, tt):
        r0, _, speed, _ = _float_quantities(D, W0, a, tt)
        rate = lam0 / 2 if half else lam0
        return math.sqrt(D.n) / math.sqrt(W0.shape[0]) * math.exp(-rate * tt) * np.linalg.norm(r0) - speed
    return fn


def f_s3(D, lam0, W0, a, tt):
    r0, _, _, mv = _float_quantities(D, W0, a, tt)
    return math.sqrt(D.n) * np.linalg.norm(r0) / (math.sqrt(W0.shape[0]) * lam0) - mv


# ---------------------------------------------------------------- the search
def _random_scalar_flow(rng, C=1.0) -> ScalarFlow:
    m = int(rng.integers(1, 9))
    s = [Fraction(int(round(g * 1000)), 1000) for g in rng.standard_normal(m)]
    a = [int(v) for v in rng.integers(0, 2, m) * 2 - 1]
    y = Fraction(int(round(rng.uniform(-C, C) * 1000)), 1000)
    return ScalarFlow(s, a, y)


def _frozen_on_grid(D, W0, a, tt, points=24):
    S0 = gram.activations(W0, D.X)
    for tau in np.linspace(0, tt, points)[1:]:
        _, W_t, _ = dy.frozen_flow(W0, a, D.X, D.y, float(tau))
        if not np.array_equal(gram.activations(W_t, D.X), S0):
            return False
    return True


def verify_flow(f: ScalarFlow, tt: Fraction, margin_n1):
    """One one-input trajectory point decided rigorously: (hypothesis certainly met on [0, tt], the
    claim's margin as an Arb ball or None). The hypothesis lambda_min(H(s)) = #active/m >= lambda_0/2
    on [0, tt] is checked with certainly frozen activations, so H(s) = H(0) there."""
    if f.h() < LAM0_N1 / 2 or not f.frozen_until(tt):
        return False, None
    return True, margin_n1(f, tt)


def _flow_of(values) -> tuple[ScalarFlow, Fraction]:
    s = [Fraction(v) for v in np.asarray(values["s"]).ravel().tolist()]
    a = [int(v) for v in np.asarray(values["a"]).ravel().tolist()]
    if not s or len(a) != len(s) or any(v not in (-1, 1) for v in a):
        raise ValueError(f"s and a must be non-empty and of one length, a in {{-1, 1}} (got {len(s)}, {a})")
    return ScalarFlow(s, a, Fraction(values["y"])), Fraction(values["t"])


def make_replay(margin_n1, what):
    def replay(ctx, record):
        v = decode(record.get("values", {}), exact=True)
        try:
            f, tt = _flow_of(v)
        except (KeyError, TypeError, ValueError) as exc:
            return False, None, f"not a one-input trajectory point: {exc}"
        if tt < 0:
            return False, None, f"t = {tt} < 0"
        hyp, mg = verify_flow(f, tt, margin_n1)
        if not hyp:
            return False, None, (f"the hypothesis is not certain: H = {f.h()} vs lambda_0/2 = 1/4, or an "
                                 f"activation may change on [0, {tt}]")
        how = (f"{what}: exact one-input flow (m = {f.m}, H = {f.h()}, t = {tt}), frozen activations certified; "
               f"margin {mg} (Arb)")
        return bool(mg < 0), float(mg.mid()), how
    return replay


def make_check(margin_n1, margin_float, what):
    def check(ctx):
        examples = satisfied = 0
        best = None  # (margin upper float, flow, t)
        for _ in range(ctx.examples(0.5, minimum=30)):
            f = _random_scalar_flow(ctx.rng, float(ctx.constants.get("C", 1.0)))
            examples += 1
            # hypothesis: lambda_min(H(s)) = #active/m >= lambda_0/2 on [0, t] (frozen patterns)
            if f.h() < LAM0_N1 / 2:
                continue
            for tt in TIMES:
                hyp, mg = verify_flow(f, tt, margin_n1)
                if not hyp:
                    break
                satisfied += 1
                if mg < 0:
                    rec = ctx.record_counterexample(
                        {"s": np.array(f.s, dtype=object), "a": np.array(f.a), "y": f.y, "t": tt},
                        float(mg.mid()), "exact flow of one input with frozen activations, Arb ball arithmetic",
                        extra={"H": f.h()})
                    return Outcome(
                        Verdict.REFUTED,
                        f"{what}: one input, m = {f.m}, w_r(0)^T x = {[str(v) for v in f.s]}, a = {f.a}, y = {f.y}; "
                        f"H(s) = {f.h()} >= lambda_0/2 = 1/4 on [0, {tt}] (no activation changes, certified), "
                        f"and at t = {tt} the margin is {float(mg.mid()):.6g} < 0 (Arb: {mg})",
                        examples=examples, satisfied=satisfied, margin=float(mg.mid()), counterexample=rec)
                up = float(mg.upper())
                if best is None or up < best[0]:
                    best = (up, f, tt)
        # two inputs: float evidence only
        fl_best, fl_count = None, 0
        for _ in range(ctx.examples(0.2, minimum=20)):
            D = ds.make(ctx.rng, 2, 2, "random")
            lam0 = gram.lambda0(D.X)
            W0, a = dy.init(ctx.rng, int(ctx.rng.integers(2, 40)), 2)
            if gram.lambda_min(gram.h_of_weights(W0, D.X)) < lam0 / 2:
                continue
            for tt in (0.5, 2.0, 8.0):
                if not _frozen_on_grid(D, W0, a, tt):
                    break
                fl_count += 1
                mg = margin_float(D, lam0, W0, a, tt)
                if fl_best is None or mg < fl_best:
                    fl_best = mg
        notes = [f"two-input frozen-pattern trajectories (float, grid-checked patterns): {fl_count} points, "
                 f"least margin {fl_best:.3g}" if fl_best is not None else "no two-input trajectory met the hypothesis"]
        if fl_best is not None and fl_best < -1e-9:
            notes.append("a two-input float margin is negative: a lead, not a refutation (no rigorous replay)")
        if satisfied == 0:
            return Outcome(Verdict.VACUOUS, "no trajectory met the hypothesis", examples=examples, notes=notes)
        up, f, tt = best
        return Outcome(Verdict.SURVIVED,
                       f"{what}: no violation at {satisfied} (trajectory, t) points of {examples} one-input "
                       f"trajectories meeting the hypothesis (exact, Arb); least (relative) margin upper bound {up:.3g} "
                       f"(m = {f.m}, H = {f.h()}, t = {tt})",
                       examples=examples, satisfied=satisfied, margin=up, notes=notes)
    return check


_hyp = r"\lambda_{\min}(H(s))\ge\lambda_0/2\ (0\le s\le t)"

lemma2_4 = Claim(
    id="du2019.lemma2.4",
    title="lambda_min(H(s)) >= lambda_0/2 on [0, t] implies exponential decay and ||w_r(t) - w_r(0)|| <= R'",
    source=source("p. 15, Lemma 2.4"),
    statement=_hyp + r"\Rightarrow\|y-u(t)\|^2\le e^{-\lambda_0t}\|y-u(0)\|^2,\ \|w_r(t)-w_r(0)\|\le\frac{2\sqrt n\|y-u(0)\|}{\sqrt m\lambda_0}",
    uses=["du2019.lemma2.4.s1", "du2019.lemma2.4.s2:repaired"],
    formula=[sympy.Le(residual(t), sympy.exp(-lambda_0 * t) * residual(0)),
             sympy.Le(move(t), 2 * sympy.sqrt(n_s) * sympy.sqrt(residual(0)) / (sympy.sqrt(m_s) * lambda_0))],
    check=make_check(m_lemma, f_lemma, "Lemma 2.4"),
    replay=make_replay(m_lemma, "Lemma 2.4"),
)
lemma2_4_s1 = Claim(
    id="du2019.lemma2.4.s1",
    title="d/dt ||y - u||^2 = -2 (y-u)^T H (y-u) <= -lambda_0 ||y - u||^2",
    source=source("p. 15, last display"),
    statement=r"\frac{d}{dt}\|y-u(t)\|^2=-2(y-u)^\top H(t)(y-u)\le-\lambda_0\|y-u(t)\|^2",
    check=make_check(m_s1, f_s1, "s1"),
    replay=make_replay(m_s1, "s1"),
)
lemma2_4_s2 = Claim(
    id="du2019.lemma2.4.s2",
    title="||dw_r/ds|| <= (sqrt n/sqrt m) ||y - u(s)|| <= (sqrt n/sqrt m) exp(-lambda_0 s) ||y - u(0)||",
    source=source("p. 16, first display"),
    statement=r"\Big\|\frac{d}{ds}w_r(s)\Big\|\le\frac{\sqrt n}{\sqrt m}\|y-u(s)\|\le\frac{\sqrt n}{\sqrt m}e^{-\lambda_0s}\|y-u(0)\|",
    uses=["du2019.lemma2.4.s1"],
    check=make_check(m_s2, _f_speed(False), "s2 as printed"),
    replay=make_replay(m_s2, "s2 as printed"),
)
lemma2_4_s2_repaired = Claim(
    id="du2019.lemma2.4.s2:repaired",
    title="||dw_r/ds|| <= (sqrt n/sqrt m) exp(-lambda_0 s/2) ||y - u(0)||",
    source=source("p. 16, first display"),
    statement=r"\Big\|\frac{d}{ds}w_r(s)\Big\|\le\frac{\sqrt n}{\sqrt m}e^{-\lambda_0s/2}\|y-u(0)\|",
    uses=["du2019.lemma2.4.s1"],
    check=make_check(m_s2_repaired, _f_speed(True), "s2 with exp(-lambda_0 s/2)"),
    replay=make_replay(m_s2_repaired, "s2 with exp(-lambda_0 s/2)"),
    note="s1 bounds the squared residual by exp(-lambda_0 s), so the residual itself decays like exp(-lambda_0 s/2).",
)
lemma2_4_s3 = Claim(
    id="du2019.lemma2.4.s3",
    title="||w_r(t) - w_r(0)|| <= sqrt(n) ||y - u(0)|| / (sqrt(m) lambda_0)",
    source=source("p. 16, second display"),
    statement=r"\|w_r(t)-w_r(0)\|\le\int_0^t\Big\|\frac{d}{ds}w_r(s)\Big\|ds\le\frac{\sqrt n\|y-u(0)\|}{\sqrt m\lambda_0}",
    uses=["du2019.lemma2.4.s2"],
    check=make_check(m_s3, f_s3, "s3 as printed"),
    replay=make_replay(m_s3, "s3 as printed"),
    note="Printed without the factor 2 that the statement's R' carries.",
)
