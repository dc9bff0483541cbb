r"""Theorem 3.1 of du2019: discrete gradient descent (slides ``001_d627599d6b7a6bd1.txt``, p. 21).

Statement: under the assumptions of Theorem 2.1, with :math:`m=\Omega\big(\frac{n^6}{\lambda_0^4\delta^3}\big)`
and step size :math:`\eta=O\big(\frac{\lambda_0}{n^2}\big)`, with probability at least :math:`1-\delta`,
:math:`\|u(k)-y\|_2^2\le\big(1-\frac{\eta\lambda_0}2\big)^k\|u(0)-y\|_2^2` (first layer trained, eq. (2)).

Explicit constants: the width is Theorem 2.1's (``K n^6/(lambda_0^4 delta^3)``). The slides omit the proof;
the step is taken as ``eta = eta_c lambda_0/n^2`` with ``eta_c = 1/4`` -- an assumption of this encoding, not
a printed value (override with ``--set eta_c=...``). The check also reports the largest multiple of that
step at which the printed rate still held (GD is computed exactly up to float rounding: no flow error).

Errata
------
* The printed exponent is a kappa-like glyph for :math:`k`.
"""
from __future__ import annotations

import numpy as np
import sympy

from proofcheck import Claim, Constant, Outcome, Probabilistic, Verdict
from proofcheck.ml import datasets as ds
from proofcheck.ml import dynamics as dy
from proofcheck.codec import decode
from proofcheck.probabilistic import (count_failures, rate_outcome, rate_plot,
                                     replay_chunk_instance, replay_rate)
from proofcheck.stats import RateEstimate

from . import c_constant, delta_constant, delta_of, label_bound, source
from .thm_2_1 import K_constant, orthonormal_exact, width

residual = sympy.Function("residual")
lambda_0, k, eta = sympy.Symbol("lambda_0"), sympy.Symbol("k"), sympy.Symbol("eta")


def gd_chunk(D, m: int, eta_: float, lam0: float, steps: int):
    """``run_chunk`` for :func:`proofcheck.probabilistic.count_failures`: ``b`` initialisations at width
    ``m``, each run of GD checked against ``(1 - eta lambda_0/2)^k ||y - u(0)||^2`` (relative 1e-12 slack);
    the result is (trajectory, largest residual/bound over k >= 1)."""
    def run(rng, b):
        W0, a0 = dy.init(rng, m, D.d, batch=b)
        traj = dy.gd(W0, a0, D.X, D.y, eta_, steps)
        rate = 1 - eta_ * lam0 / 2
        bound = rate ** traj.times[:, None] * traj.residual_sq[0]
        margin = bound - traj.residual_sq
        bad = np.any(margin < -1e-12 * (1 + traj.residual_sq[0]), axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            worst = float(np.nanmax(traj.residual_sq[1:] / bound[1:]))
        return bad, (traj, worst)
    return run


def _gd_failures(ctx, D, m, trials, eta_, lam0, steps):
    fails, failing, results = count_failures(ctx.rng, trials, max(1, 3_000_000 // (m * D.d)),
                                             gd_chunk(D, m, eta_, lam0, steps))
    worst = max([0.0] + [w for _, w in results])
    return fails, worst, results[0][0], failing


def _setting(ctx, n: int = 1):
    """Width, step and number of steps of the check, from the constants (lambda_0 = 1/2: orthonormal)."""
    K, delta, eta_c = float(ctx.constants["K"]), delta_of(ctx), float(ctx.constants["eta_c"])
    lam0 = 0.5
    eta_ = eta_c * lam0 / n**2
    return width(K, n, lam0, delta), eta_, lam0, int(np.ceil(8 / (eta_ * lam0 / 2)))  # bound down to ~e^{-8}


def replay(ctx, record):
    """Hypotheses re-checked (exactly orthonormal inputs, |y_i| <= C, the proven width and the assumed step
    under the current constants); each stored failing initialisation is regenerated from its generator
    state and its GD run re-checked; the failure rate's interval is recomputed from the stored counts."""
    v = decode(record.get("values", {}), exact=False)
    D, m, eta_stored = v["dataset"], v["m"], float(v["eta"])
    if D.X_exact is None or float(np.max(np.abs(D.y))) > float(ctx.constants["C"]):
        return False, None, f"{D.describe()}: no exact inputs, or a label above C"
    if not orthonormal_exact(D):
        return False, None, f"{D.describe()}: the inputs are not exactly orthonormal (H^inf = I/2)"
    need, eta_, lam0, steps = _setting(ctx, D.n)
    if m < need or eta_stored != eta_:
        return False, None, f"m = {m}, eta = {eta_stored}: not the proven width {need} and step {eta_}"
    run, cache = gd_chunk(D, m, eta_, lam0, steps), {}
    return replay_rate(ctx, record, delta_of(ctx), lambda inst: replay_chunk_instance(inst, run, cache))


def check(ctx):
    C = float(ctx.constants["C"])
    delta = delta_of(ctx)
    eta_c = float(ctx.constants["eta_c"])
    trials = ctx.trials(0.02, minimum=10)
    n = 1
    D = ds.orthonormal(n, C=C, y=ctx.rng.uniform(-C, C, n))
    m, eta_, lam0, steps = _setting(ctx, n)
    fails, rel, traj, failing = _gd_failures(ctx, D, m, trials, eta_, lam0, steps)
    est = RateEstimate.of(fails, trials, delta)
    # how far is the step size from necessary: multiply eta until the printed rate fails
    mults, ests = [1], [est]
    mult = 2
    while mult <= 64:
        e2 = eta_ * mult
        f2, _, _, _ = _gd_failures(ctx, D, max(1, m // 4), max(5, trials // 2), e2, lam0,
                                   max(20, int(8 / (e2 * lam0 / 2))))
        mults.append(mult), ests.append(RateEstimate.of(f2, max(5, trials // 2), delta))
        if ests[-1].rate > delta:
            break
        mult *= 2
    largest = max([mu for mu, e in zip(mults, ests) if e.rate <= delta], default=None)
    step = max(1, len(traj.times) // 100)
    plots = [{"title": "Theorem 3.1: residual vs (1 - eta lambda_0/2)^k bound", "x_label": "k", "y_label": "||y - u(k)||^2",
              "log_x": False, "log_y": True,
              "series": [{"label": "residual", "x": traj.times[::step].tolist(),
                          "y": traj.residual_sq[::step, 0].tolist(), "lo": None, "hi": None},
                         {"label": "bound", "x": traj.times[::step].tolist(),
                          "y": ((1 - eta_ * lam0 / 2) ** traj.times[::step] * traj.residual_sq[0, 0]).tolist(),
                          "lo": None, "hi": None}]},
             rate_plot("Theorem 3.1: failure rate vs step-size multiple (width m/4)", "eta / (eta_c lambda_0/n^2)",
                       mults, ests, delta)]
    notes = [f"eta = {eta_:.4g} ({eta_c} lambda_0/n^2), {steps} steps, m = {m}; largest ||y-u(k)||^2 / bound over k >= 1: {rel:.3g}",
             f"the printed rate still held (failure rate <= delta) up to {largest}x the assumed step (tested at m/4)",
             "n = 2 needs 64x the width and is not run at these budgets"]
    return rate_outcome(ctx, est.failures, est.trials, delta, f"gradient descent at the explicit width ({D.describe()})",
                        {"dataset": D, "m": m, "eta": eta_}, notes=notes, details={"plots": plots},
                        instances=failing)


thm3_1 = Claim(
    id="du2019.thm3.1",
    title="GD with eta = O(lambda_0/n^2) at m = Omega(n^6/(lambda_0^4 delta^3)): ||u(k) - y||^2 <= (1 - eta lambda_0/2)^k ||u(0) - y||^2 w.p. 1 - delta",
    source=source("p. 21, Theorem 3.1"),
    statement=r"m=\Omega\Big(\frac{n^6}{\lambda_0^4\delta^3}\Big),\ \eta=O\Big(\frac{\lambda_0}{n^2}\Big)\Rightarrow\Pr\Big[\|u(k)-y\|_2^2\le\Big(1-\frac{\eta\lambda_0}2\Big)^k\|u(0)-y\|_2^2\Big]\ge1-\delta",
    constants=[delta_constant(0.5), c_constant(), label_bound(), K_constant(),
               Constant("eta_c", 0.25, "assumed explicit O-constant of the step: eta = eta_c lambda_0/n^2 "
                                       "(no proof printed)", positive=True)],
    kind=Probabilistic(delta="delta"),
    uses=["du2019.thm2.1"],
    formula=[sympy.Le(residual(k), (1 - eta * lambda_0 / 2) ** k * residual(0))],
    check=check,
    replay=replay,
)
