r"""Lemma 2.5 of du2019 (slides ``001_d627599d6b7a6bd1.txt``, pp. 17--18).

Statement (p. 17): if :math:`R'<R` then for all :math:`t\ge0`: (1) :math:`\lambda_{\min}(H(t))\ge\lambda_0/2`,
(2) :math:`\|w_r(t)-w_r(0)\|_2\le R'` for all :math:`r`, (3) :math:`\|y-u(t)\|^2\le e^{-\lambda_0t}\|y-u(0)\|^2`,
with :math:`R=c\delta\lambda_0/n^2` (Lemma 2.3) and :math:`R'=2\sqrt n\|y-u(0)\|/(\sqrt m\lambda_0)` (Lemma 2.4).

The proof (p. 18) argues by contradiction from Lemmas 2.2 and 2.3, i.e. on the event that both hold
(probability :math:`\ge1-2\delta`, and only at Lemma 2.2's width).

Errata
------
* As printed the lemma is deterministic and has no width hypothesis: ``R' < R`` holds whenever the
  initial residual is small, e.g. labels close to :math:`u(0)`, even at tiny width, where
  :math:`\lambda_{\min}(H(0))` may be far below :math:`\lambda_0/2`. Encoded three ways:
  ``lemma2.5`` (as printed, for every initialisation), ``lemma2.5@whp`` (the event
  "R' < R and a conclusion fails" has probability at most :math:`\delta`, labels fixed first), and
  ``lemma2.5:repaired`` (adds Lemma 2.2's width, allows :math:`2\delta`).
* The contradiction step writes :math:`\|w_r(t_0)-w_r(0)\|_2^2\ge R` (a squared norm against a radius);
  the argument needs the unsquared norm.

The conclusions are "for all t >= 0"; simulated flows check them on a grid of ``[0, T]`` with
``exp(-lambda_0 T) = e^{-8}``, within the flow's discretisation error.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy

from proofcheck import Claim, Constant, Outcome, Probabilistic, Verdict
from proofcheck.ml import datasets as ds
from proofcheck.ml import dynamics as dy
from proofcheck.ml import gram
from proofcheck.ml.dynamics import ScalarFlow
from proofcheck.num import fraction_to_arb
from proofcheck.codec import decode
from proofcheck.probabilistic import (count_failures, rate_outcome, replay_chunk_instance,
                                     replay_rate)

from . import K_LEMMA22, c_constant, delta_constant, label_bound, radius_R, source, width_lemma22, delta_of

lambda_min, H, residual, move = (sympy.Function(k) for k in ("lambda_min", "H", "residual", "move"))
lambda_0, t = sympy.Symbol("lambda_0"), sympy.Symbol("t")
LAM0 = Fraction(1, 2)  # one unit input


def _R(ctx):
    return fraction_to_arb(Fraction(float(ctx.constants["c"]))) * fraction_to_arb(Fraction(delta_of(ctx))) \
        * fraction_to_arb(LAM0)


def _R_prime(f: ScalarFlow):
    return 2 * abs(f.r0()) / (fraction_to_arb(Fraction(f.m)).sqrt() * fraction_to_arb(LAM0))


def _first_conclusion_fails(f: ScalarFlow) -> bool:
    """lambda_min(H(0)) = #active/m < lambda_0/2 (exact): conclusion (1) fails at t = 0."""
    return f.h() < LAM0 / 2


def instance_fails(f: ScalarFlow, R) -> tuple[bool, str]:
    """One initialisation (exact): R' < R certainly, and conclusion (1) fails at t = 0."""
    if not (_R_prime(f) < R):
        return False, f"R' = {float(_R_prime(f).mid()):.4g} is not certainly below R = {float(R.mid()):.4g}"
    if not _first_conclusion_fails(f):
        return False, f"lambda_min(H(0)) = {f.h()} >= lambda_0/2 = 1/4"
    return True, f"R' < R and lambda_min(H(0)) = {f.h()} < 1/4"


def _flow_of(values, y) -> ScalarFlow:
    s = [Fraction(v) for v in np.asarray(values["s"]).ravel().tolist()]
    a = [int(v) for v in np.asarray(values["a"]).ravel().tolist()]
    if not s or len(a) != len(s) or any(v not in (-1, 1) for v in a):
        raise ValueError(f"s and a must be non-empty and of one length, a in {{-1, 1}} (got {len(s)}, {a})")
    return ScalarFlow(s, a, Fraction(y))


def replay_as_printed(ctx, record):
    v = decode(record.get("values", {}), exact=True)
    try:
        f = _flow_of(v, v["y"])
    except (KeyError, TypeError, ValueError) as exc:
        return False, None, f"not a one-input initialisation: {exc}"
    if abs(f.y) > Fraction(ctx.constants["C"]):
        return False, None, f"|y| = {abs(f.y)} exceeds C"
    fails, why = instance_fails(f, _R(ctx))
    return fails, float(f.h() - LAM0 / 2), f"exact rationals and Arb, m = {f.m}, y = {f.y}: {why}"


def check_as_printed(ctx):
    examples = satisfied = 0
    R = _R(ctx)
    C = float(ctx.constants["C"])
    for _ in range(ctx.examples(1.0)):
        m = int(ctx.rng.integers(1, 9))
        s = [Fraction(int(round(g * 1000)), 1000) for g in ctx.rng.standard_normal(m)]
        a = [int(v) for v in ctx.rng.integers(0, 2, m) * 2 - 1]
        u0 = sum(Fraction(a[r]) * s[r] for r in range(m) if s[r] >= 0)
        # labels near u(0): the sqrt(m) in u(0) is irrational, so take a rational y within 1e-4 of it
        y = Fraction(round(float(u0) / math.sqrt(m) * 10**4), 10**4) + Fraction(int(ctx.rng.integers(-5, 6)), 10**5)
        if abs(y) > C:
            continue
        f = ScalarFlow(s, a, y)
        examples += 1
        if not (_R_prime(f) < R):  # certain R' < R only
            continue
        satisfied += 1
        if instance_fails(f, R)[0]:
            rec = ctx.record_counterexample({"s": np.array(s, dtype=object), "a": np.array(a), "y": y},
                                            float(f.h() - LAM0 / 2), "exact rationals and Arb (R' < R)")
            return Outcome(Verdict.REFUTED,
                           f"one input x = 1, m = {m}, w_r(0)^T x = {[str(v) for v in s]}, a = {a}, y = {y}: "
                           f"R' = {float(_R_prime(f).mid()):.4g} < R = {float(R.mid()):.4g}, yet "
                           f"lambda_min(H(0)) = {f.h()} < lambda_0/2 = 1/4 (exact)",
                           examples=examples, satisfied=satisfied, margin=float(f.h() - LAM0 / 2),
                           counterexample=rec)
    return Outcome(Verdict.SURVIVED if satisfied else Verdict.VACUOUS,
                   f"{satisfied} of {examples} small initialisations met R' < R; none failed at t = 0",
                   examples=examples, satisfied=satisfied)


def check_whp(ctx):
    """Labels fixed before the initialisation (small: |y| = C/1000); P(R' < R and (1) fails at t = 0)."""
    delta = delta_of(ctx)
    R = _R(ctx)
    C = float(ctx.constants["C"])
    trials = ctx.trials(0.5)
    worst = None
    for m in (1, 2, 3, 4, 8):
        y = Fraction(C).limit_denominator(10**6) / 1000
        sat, failing = 0, []
        for _ in range(trials):
            s = [Fraction(float(g)) for g in ctx.rng.standard_normal(m)]
            a = [int(v) for v in ctx.rng.integers(0, 2, m) * 2 - 1]
            f = ScalarFlow(s, a, y)
            if _R_prime(f) < R:
                sat += 1
                if instance_fails(f, R)[0]:
                    failing.append({"s": np.array(s, dtype=object), "a": np.array(a)})
        if worst is None or len(failing) > len(worst[0]):
            worst = (failing, sat, m, y)
    failing, sat, m, y = worst
    return rate_outcome(ctx, len(failing), trials, delta,
                        f"one input, y = C/1000, m = {m}: {sat} of {trials} initialisations had R' < R; failures "
                        f"(R' < R and lambda_min(H(0)) < lambda_0/2, exact) counted over all {trials}",
                        {"m": m, "y": y}, satisfied=sat, instances=failing)


def replay_whp(ctx, record):
    """Counts re-tested with Clopper-Pearson; every stored initialisation re-decided exactly."""
    v = decode(record.get("values", {}), exact=True)
    m, y = v["m"], Fraction(v["y"])
    if abs(y) > Fraction(ctx.constants["C"]):
        return False, None, f"|y| = {abs(y)} exceeds C"
    R = _R(ctx)

    def verify(inst):
        try:
            f = _flow_of(inst, y)
        except (KeyError, TypeError, ValueError) as exc:
            return False, f"not a one-input initialisation: {exc}"
        if f.m != m:
            return False, f"width {f.m}, not m = {m}"
        return instance_fails(f, R)

    return replay_rate(ctx, record, delta_of(ctx), verify)


def _repaired_setting(ctx):
    """lambda_0, R, the width and the horizon of the repaired check, from the constants (one input)."""
    c, delta, K = float(ctx.constants["c"]), delta_of(ctx), float(ctx.constants["K"])
    lam0 = 0.5
    R = radius_R(1, lam0, delta, c)
    # wide enough that R' < R whenever ||y - u(0)|| < 1 (R' = 2 ||y - u(0)|| / (sqrt(m) lambda_0))
    m = max(width_lemma22(1, lam0, delta, K), math.ceil((2 / (lam0 * R)) ** 2))
    return lam0, R, m, 8 / lam0


def repaired_chunk(D, m: int, lam0: float, R: float, T: float):
    """``run_chunk`` for :func:`proofcheck.probabilistic.count_failures`: ``b`` initialisations at width
    ``m``; a trial fails iff R' < R and a conclusion fails on the simulated flow beyond its error."""
    def run(rng, b):
        W0, a0 = dy.init(rng, m, 1, batch=b)
        traj = dy.flow_with_error(W0, a0, D.X, D.y, T, 0.5, lam=True)
        r0 = np.sqrt(traj.residual_sq[0])
        Rp = 2 * r0 / (math.sqrt(m) * lam0)
        hyp = Rp < R * (1 - 1e-9)
        decay_bad, ratio = dy.decay_violations(traj, lam0)
        lam_bad = np.any(traj.lam_min < lam0 / 2 - 1e-9, axis=0)
        move_bad = np.any(traj.max_move - Rp[None, :] > traj.error_move + 1e-12, axis=0)
        return hyp & (decay_bad | lam_bad | move_bad), (traj, hyp, Rp, ratio)
    return run


def check_repaired(ctx):
    """At Lemma 2.2's width and in the R' < R regime (one input, wide), simulated flows."""
    C = float(ctx.constants["C"])
    delta = delta_of(ctx)
    K = float(ctx.constants["K"])
    lam0, R, m, T = _repaired_setting(ctx)
    trials = ctx.trials(0.05)
    D = ds.orthonormal(1, C=C, y=[ctx.rng.uniform(-C, C) * 0.5])
    fails, failing, results = count_failures(ctx.rng, trials, trials, repaired_chunk(D, m, lam0, R, T))
    ((traj, hyp, Rp, ratio),) = results
    notes = [f"flow: Heun step {traj.extra['step']}, T = {T}; max discretisation error estimate of "
             f"||y-u||^2: {np.max(traj.error_residual):.2g}",
             f"R = {R:.4g}; R' ranged over [{Rp.min():.4g}, {Rp.max():.4g}] at m = {m} "
             f"(Lemma 2.2's width is {width_lemma22(1, lam0, delta, K)})",
             f"largest (||y-u(t)||^2 + error) / exp(-lambda_0 t)||y-u(0)||^2: {np.max(ratio[hyp]) if hyp.any() else float('nan'):.3g}",
             f"least lambda_min(H(t)) seen: {traj.lam_min.min():.4f} (lambda_0/2 = {lam0 / 2}); "
             f"largest move/R': {np.max(traj.max_move / Rp[None, :]):.3g}"]
    k = int(np.argmax(hyp)) if hyp.any() else 0
    plot = {"title": "Lemma 2.5: residual vs exp(-lambda_0 t) bound (one trial)", "x_label": "t",
            "y_label": "||y - u(t)||^2", "log_x": False, "log_y": True,
            "series": [{"label": "residual", "x": traj.times[::2].tolist(), "y": traj.residual_sq[::2, k].tolist(),
                        "lo": None, "hi": None},
                       {"label": "exp(-lambda_0 t) ||y-u(0)||^2", "x": traj.times[::2].tolist(),
                        "y": (np.exp(-lam0 * traj.times[::2]) * traj.residual_sq[0, k]).tolist(),
                        "lo": None, "hi": None}]}
    return rate_outcome(ctx, fails, int(hyp.sum()), 2 * delta,
                        f"one input, m = {m}, {int(hyp.sum())} of {trials} initialisations met R' < R; "
                        f"failures among them (allowed 2 delta)", {"dataset": D, "m": m},
                        notes=notes, details={"plots": [plot]}, satisfied=int(hyp.sum()), instances=failing)


def replay_repaired(ctx, record):
    """Hypotheses re-checked (one unit input, |y| <= C, Lemma 2.2's width under the current constants);
    each stored failing initialisation is regenerated from its generator state and its flow re-checked
    (R' < R and a conclusion failing); the interval is recomputed from the stored counts (allowed 2 delta)."""
    v = decode(record.get("values", {}), exact=False)
    D, m = v["dataset"], v["m"]
    lam0, R, _, T = _repaired_setting(ctx)
    if D.n != 1 or D.X_exact is None or D.gram_exact()[0][0] != 1 or float(np.max(np.abs(D.y))) > float(ctx.constants["C"]):
        return False, None, f"{D.describe()}: not one exact unit input with |y| <= C"
    need = width_lemma22(1, lam0, delta_of(ctx), float(ctx.constants["K"]))
    if m < need:
        return False, None, f"m = {m} is below Lemma 2.2's width {need}"
    run, cache = repaired_chunk(D, m, lam0, R, T), {}
    return replay_rate(ctx, record, 2 * delta_of(ctx), lambda inst: replay_chunk_instance(inst, run, cache))


_constants = lambda delta=0.1: [delta_constant(delta), c_constant(), label_bound()]
_statement = (r"R'<R\Rightarrow\forall t\ge0:\ \lambda_{\min}(H(t))\ge\frac{\lambda_0}2,\ \|w_r(t)-w_r(0)\|\le R',"
              r"\ \|y-u(t)\|^2\le e^{-\lambda_0t}\|y-u(0)\|^2")
_formula = [sympy.Ge(lambda_min(H(t)), lambda_0 / 2), sympy.Le(residual(t), sympy.exp(-lambda_0 * t) * residual(0))]

lemma2_5 = Claim(
    id="du2019.lemma2.5",
    title="If R' < R then for all t >= 0: lambda_min(H(t)) >= lambda_0/2, ||w_r(t) - w_r(0)|| <= R', exponential decay",
    source=source("p. 17, Lemma 2.5"),
    statement=_statement,
    constants=_constants(),
    uses=["du2019.lemma2.3", "du2019.lemma2.4"],
    formula=_formula,
    check=check_as_printed,
    replay=replay_as_printed,
    note="As printed: for every initialisation (no probability, no width).",
)
lemma2_5_whp = Claim(
    id="du2019.lemma2.5@whp",
    title="With probability >= 1 - delta: R' < R implies the three conclusions",
    source=source("p. 17, Lemma 2.5 (probability implicit from Lemmas 2.2, 2.3)"),
    statement=r"\Pr\big[R'<R\wedge\neg(\text{conclusions})\big]\le\delta",
    constants=_constants(),
    kind=Probabilistic(delta="delta"),
    uses=["du2019.lemma2.3", "du2019.lemma2.4"],
    formula=_formula,
    check=check_whp,
    replay=replay_whp,
)
lemma2_5_repaired = Claim(
    id="du2019.lemma2.5:repaired",
    title="At Lemma 2.2's width, w.p. >= 1 - 2 delta: R' < R implies the three conclusions",
    source=source("p. 17, Lemma 2.5 with p. 11, Lemma 2.2"),
    statement=r"m\ge\frac{256n^2\log(n/\delta)}{\lambda_0^2}:\ \Pr\big[R'<R\wedge\neg(\text{conclusions})\big]\le2\delta",
    constants=_constants(0.25) + [Constant("K", K_LEMMA22, "Lemma 2.2's explicit width constant", positive=True)],
    kind=Probabilistic(delta="delta"),
    uses=["du2019.lemma2.2", "du2019.lemma2.3:repaired", "du2019.lemma2.4"],
    formula=_formula,
    check=check_repaired,
    replay=replay_repaired,
    note="Reached honestly at one input: R' < R needs m > 4 n^5 ||y-u(0)||^2/(c^2 delta^2 lambda_0^4).",
)
