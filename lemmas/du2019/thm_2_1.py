r"""Theorem 2.1 of du2019 and its footnote (slides ``001_d627599d6b7a6bd1.txt``, p. 8).

Theorem 2.1 (gradient flow): for unit inputs, :math:`|y_i|\le C`, :math:`\lambda_0=\lambda_{\min}(H^\infty)>0`,
:math:`w_r(0)\sim N(0,I)`, :math:`a_r\sim\mathrm{unif}\{-1,1\}`, and :math:`m=\Omega\big(\frac{n^6}{\lambda_0^4\delta^3}\big)`,
with probability at least :math:`1-\delta`, :math:`\|u(t)-y\|_2^2\le e^{-\lambda_0t}\|u(0)-y\|_2^2` for all :math:`t\ge0`.

Footnote a: :math:`\lambda_0>0` when no two inputs are parallel [Xie et al. 2017, Du et al. 2019].

Explicit constant (the printed proof, p. 19): :math:`R'<R` with :math:`\|y-u(0)\|^2\le n(C^2+1)/\delta` (Markov on
the printed :math:`\mathbb E\|y-u(0)\|^2`) and :math:`R=c\delta\lambda_0/n^2`, :math:`c=\sqrt{2\pi}/16`, gives
:math:`m>4(C^2+1)n^6/(c^2\delta^3\lambda_0^4)` (``K = 4(C^2+1)/c^2 ~ 326`` for ``C = 1``).

Errata
------
* The proof combines three events, each of probability :math:`\ge1-\delta` (Lemma 2.2, Lemma 2.3, Markov on
  the initial residual), so it yields probability :math:`1-3\delta`; the check uses the printed :math:`\delta`.
* "for all t >= 0" is checked on ``[0, T]`` with ``exp(-lambda_0 T) = e^{-6}``; a flow violation counts only
  beyond the flow's discretisation error (steps ``h`` vs ``h/2``).
"""
from __future__ import annotations

import math

import numpy as np
import sympy

from proofcheck import Claim, Constant, Outcome, Probabilistic, Verdict
from proofcheck.ml import datasets as ds
from proofcheck.ml import dynamics as dy
from proofcheck.ml import gram
from proofcheck.codec import decode
from proofcheck.probabilistic import (count_failures, rate_outcome, rate_plot,
                                     replay_chunk_instance, replay_rate, smallest_passing)
from proofcheck.stats import RateEstimate

from . import C_LEMMA23, c_constant, delta_constant, label_bound, source, delta_of

residual, lambda_min = sympy.Function("residual"), sympy.Function("lambda_min")
lambda_0, t, m_s, n_s, delta_s = (sympy.Symbol(k) for k in ("lambda_0", "t", "m", "n", "delta"))


def width(K: float, n: int, lam0: float, delta: float, log_factor: bool = False) -> int:
    """``K n^6/(lambda_0^4 delta^3)`` (times ``log(m/delta)`` for Theorem 2.6: the least m solving it)."""
    base = K * n**6 / (lam0**4 * delta**3)
    if not log_factor:
        return math.ceil(base)
    # the least m >= 1 with m >= base * log(m / delta): iterate from a point where the log is >= 1
    m = max(base, math.e * delta, 1.0)
    for _ in range(60):
        m = max(1.0, base * math.log(max(m / delta, math.e)))
    return max(1, math.ceil(m))


def residual_plot(traj, lam0, k=0):
    step = max(1, len(traj.times) // 100)
    x = traj.times[::step].tolist()
    r = traj.residual_sq[::step, k]
    err = traj.error_residual[::step, k]
    return {"title": "residual vs exp(-lambda_0 t) bound (one initialisation)", "x_label": "t",
            "y_label": "||y - u(t)||^2", "log_x": False, "log_y": True,
            "series": [{"label": "||y - u(t)||^2 (band: discretisation error)", "x": x, "y": r.tolist(),
                        "lo": np.maximum(r - err, 1e-2 * r).tolist(), "hi": (r + err).tolist()},  # log axis: clip at r/100
                       {"label": "exp(-lambda_0 t) ||y - u(0)||^2", "x": x,
                        "y": (np.exp(-lam0 * traj.times[::step]) * traj.residual_sq[0, k]).tolist(),
                        "lo": None, "hi": None}]}


LAM0_ORTHONORMAL = 0.5  # orthonormal inputs: H^inf = I/2 exactly


def decay_chunk(D, m: int, lam0: float, T: float, h: float, both: bool):
    """``run_chunk`` for :func:`proofcheck.probabilistic.count_failures`: ``b`` initialisations at width
    ``m``, each flow checked for ``||y - u(t)||^2 <= exp(-lambda_0 t)||y - u(0)||^2`` on ``[0, T]``
    beyond its discretisation error (:func:`proofcheck.ml.dynamics.decay_violations`)."""
    def run(rng, b):
        W0, a0 = dy.init(rng, m, D.d, batch=b)
        traj = dy.flow_with_error(W0, a0, D.X, D.y, T, h, both=both)
        bad, rel = dy.decay_violations(traj, lam0)
        traj.extra["worst_ratio"] = rel
        return bad, traj
    return run


def _per_chunk(m: int, d: int) -> int:
    return max(1, 3_000_000 // max(1, m * d))


def orthonormal_exact(D) -> bool:
    """Exactly orthonormal inputs (exact Gram matrix = I), where H^inf = I/2 and lambda_0 = 1/2 exactly
    (H^inf_ij = x_i^T x_j (pi - arccos x_i^T x_j)/(2 pi))."""
    if D.X_exact is None:
        return False
    G = D.gram_exact()
    return all(G[i][j] == (1 if i == j else 0) for i in range(D.n) for j in range(D.n))


def flow_theorem_replay(both: bool, log_factor: bool, h: float = 0.5):
    """The dataset must meet the check's setting (exactly orthonormal inputs, so lambda_0 = 1/2; |y_i| <= C),
    the width must be the proven one under the current constants; each stored failing initialisation is
    regenerated from its generator state and its flow re-checked."""
    def replay(ctx, record):
        C, K, delta = float(ctx.constants["C"]), float(ctx.constants["K"]), delta_of(ctx)
        v = decode(record.get("values", {}), exact=False)
        D, m = v["dataset"], v["m"]
        lam0 = LAM0_ORTHONORMAL
        if D.X_exact is None or float(np.max(np.abs(D.y))) > C:
            return False, None, f"{D.describe()}: no exact inputs, or a label above C"
        if not orthonormal_exact(D):
            return False, None, f"{D.describe()}: the inputs are not exactly orthonormal (H^inf = I/2)"
        need = width(K, D.n, lam0, delta, log_factor)
        if m < need:
            return False, None, f"m = {m} is below the proven width {need}"
        run, cache = decay_chunk(D, m, lam0, 6 / lam0, h, both), {}
        return replay_rate(ctx, record, delta, lambda inst: replay_chunk_instance(inst, run, cache))
    return replay


def flow_theorem_check(both: bool, log_factor: bool, trial_scale: float, what: str, h: float = 0.5):
    """Theorem 2.1 / 2.6: failure rate of the exponential decay at the explicit width, plus a width sweep."""
    def check(ctx):
        c, C = (float(ctx.constants[k]) for k in ("c", "C"))
        delta = delta_of(ctx)
        K = float(ctx.constants["K"])
        cap = {"quick": 6e5, "default": 6e5}.get(ctx.budget.name, 3e6)
        trials = ctx.trials(trial_scale, minimum=5)
        notes, plots, ran = [], [], None
        for n in (1, 2):
            D = ds.orthonormal(n, C=C, y=ctx.rng.uniform(-C, C, n))
            lam0 = LAM0_ORTHONORMAL
            m = width(K, n, lam0, delta, log_factor)
            if m > cap:
                note = f"n = {n} (orthonormal): proven width m = {m} is above this budget's cap {cap:.0f}; not run"
                if ctx.budget.name != "quick":
                    # informational only (below the proven width): where does the conclusion start to hold?
                    widths, ests, w = [], [], 10_000
                    while w >= 10:
                        tr = max(5, trials // 4)
                        f_w, _, _ = count_failures(ctx.rng, tr, _per_chunk(w, D.d), decay_chunk(D, w, 0.5, 6 / 0.5, h, both))
                        widths.append(w), ests.append(RateEstimate.of(f_w, tr, delta))
                        w //= 10
                    small = smallest_passing(widths, ests, delta)
                    note += (f"; below it (informational): failure rate <= delta observed from m = {small} up to "
                             f"{widths[0]} ({m / small:.3g}x below the proven width)" if small else
                             f"; below it (informational): failure rate > delta at every width tried up to {widths[0]}")
                    plots.append(rate_plot(f"{what}: failure rate vs width below the proven width (n = {n})",
                                           "width m", widths[::-1], ests[::-1], delta))
                notes.append(note)
                continue
            T = 6 / lam0
            # very wide runs (deep budget): bound the total work by ~5e7 neuron-trials
            trials = max(5, min(trials, int(5e7 // (m * n))))
            fails, failing, trajs = count_failures(ctx.rng, trials, _per_chunk(m, D.d),
                                                   decay_chunk(D, m, lam0, T, h, both))
            traj = trajs[0]
            est = RateEstimate.of(fails, trials, delta)
            plots.append(residual_plot(traj, lam0))
            notes.append(f"flow: Heun, step {traj.extra['step']} (error estimate: run at {h}), horizon T = {T}; "
                         f"largest error estimate of ||y-u||^2 relative to ||y-u(0)||^2: "
                         f"{np.max(traj.error_residual / traj.residual_sq[0]):.2g}; largest "
                         f"(||y-u(t)||^2 + error) / bound over t > 0: {np.max(traj.extra['worst_ratio']):.3g} "
                         f"(first {traj.residual_sq.shape[1]} trials)")
            # how far is the width from necessary?
            widths, ests = [], []
            w = m // 8
            while w >= 1:
                sweep_trials = max(5, trials // 2)
                f_w, _, _ = count_failures(ctx.rng, sweep_trials, _per_chunk(w, D.d),
                                           decay_chunk(D, w, lam0, T, h, both))
                widths.append(w)
                ests.append(RateEstimate.of(f_w, sweep_trials, delta))
                w //= 8
            widths, ests = [m] + widths, [est] + ests
            small = smallest_passing(widths, ests, delta)
            notes.append(f"n = {n}: at the proven width m = {m}: {est.describe()}; failure rate <= delta observed "
                         f"down to m = {small}"
                         + (f" ({m / small:.3g}x smaller)" if small else ""))
            plots.append(rate_plot(f"{what}: failure rate vs width (n = {n})", "width m", widths[::-1], ests[::-1], delta))
            ran = (est, D, m, failing) if ran is None or est.lo > ran[0].lo else ran
        if ran is None:
            return Outcome(Verdict.VACUOUS, "no dataset's proven width fits this budget", notes=notes)
        est, D, m, failing = ran
        return rate_outcome(ctx, est.failures, est.trials, delta,
                            f"{what} at the explicit width m = {m} ({D.describe()})", {"dataset": D, "m": m},
                            notes=notes, details={"plots": plots[:4]}, instances=failing)
    return check


def K_constant():
    return Constant("K", 4 * (1 + 1) / C_LEMMA23**2,
                    "explicit Omega constant 4 (C^2 + 1)/c^2 from R' < R and Markov (C = 1, c = sqrt(2 pi)/16)",
                    positive=True)


thm2_1 = Claim(
    id="du2019.thm2.1",
    title="Gradient flow: at m >= K n^6/(lambda_0^4 delta^3), w.p. 1 - delta, ||u(t) - y||^2 <= exp(-lambda_0 t) ||u(0) - y||^2",
    source=source("p. 8, Theorem 2.1"),
    statement=r"m=\Omega\Big(\frac{n^6}{\lambda_0^4\delta^3}\Big)\Rightarrow\Pr\big[\forall t\ge0:\ \|u(t)-y\|_2^2\le e^{-\lambda_0t}\|u(0)-y\|_2^2\big]\ge1-\delta",
    constants=[delta_constant(0.5), c_constant(), label_bound(), K_constant()],
    kind=Probabilistic(delta="delta"),
    uses=["du2019.lemma2.2", "du2019.lemma2.3", "du2019.lemma2.4", "du2019.lemma2.5", "du2019.init"],
    formula=[sympy.Le(residual(t), sympy.exp(-lambda_0 * t) * residual(0))],
    check=flow_theorem_check(False, False, 0.05, "Theorem 2.1"),
    replay=flow_theorem_replay(False, False),
    note="delta = 0.5 by default so that the explicit width is reachable (n = 1: m ~ 4.2e4; n = 2 needs 64x more).",
)


# ---------------------------------------------------------------- footnote
def footnote_instance(D):
    """One dataset decided exactly: None if two inputs are parallel or antiparallel (outside the
    hypothesis, exact Gram entries), else the certified enclosure ``(lo, hi)`` of lambda_0 (Arb)."""
    G = D.gram_exact()
    if any(abs(G[i][j]) == 1 for i in range(D.n) for j in range(i + 1, D.n)):
        return None
    return gram.lambda0_enclosure(G)


def replay_footnote(ctx, record):
    D = decode(record.get("values", {}), exact=False).get("dataset")
    if D is None or D.X_exact is None:
        return False, None, "the record holds no dataset with exact inputs"
    enc = footnote_instance(D)
    if enc is None:
        return False, None, f"{D.describe()} has two parallel inputs: outside the hypothesis"
    lo, hi = enc
    how = f"{D.describe()}: lambda_0 in [{float(lo):.6g}, {float(hi):.6g}] (Arb, exact Gram matrix)"
    return bool(hi <= 0), float(hi), how


def check_footnote(ctx):
    """lambda_0 > 0 for non-parallel inputs: Arb-certified per dataset, searched towards parallel inputs."""
    examples = certified = 0
    least = None
    xs, ys = [], []
    for _ in range(ctx.examples(0.5, minimum=20)):
        n = int(ctx.rng.integers(2, 6))
        d = int(ctx.rng.integers(2, 4))
        kind = str(ctx.rng.choice(["parallel", "clustered", "antipodal", "random"]))
        spread = float(10 ** ctx.rng.uniform(-4, -0.5))
        D = ds.make(ctx.rng, n, d, kind, spread=spread)
        enc = footnote_instance(D)
        if enc is None:
            continue  # two parallel (or antiparallel) inputs: outside the hypothesis
        examples += 1
        lo, hi = enc
        if hi <= 0:
            rec = ctx.record_counterexample({"dataset": D}, float(hi), "Arb: Rayleigh quotient <= 0")
            return Outcome(Verdict.REFUTED, f"lambda_0 <= {float(hi):.3g} for {D.describe()}",
                           examples=examples, satisfied=examples, margin=float(hi), counterexample=rec)
        if lo > 0:
            certified += 1
        xs.append(D.min_angle()), ys.append(float(lo) if lo > 0 else float(hi))
        if least is None or hi < least[0]:
            least = (hi, lo, D)
    hi, lo, D = least
    order = np.argsort(xs)[:200]
    plot = {"title": "lambda_0 vs least angle between inputs", "x_label": "least angle (rad)", "y_label": "lambda_0",
            "log_x": True, "log_y": True,
            "series": [{"label": "certified lower bound", "x": [xs[i] for i in order], "y": [ys[i] for i in order],
                        "lo": None, "hi": None}]}
    return Outcome(Verdict.SURVIVED,
                   f"{examples} datasets without parallel inputs (n = 2..5, d = 2..3, down to {np.degrees(min(xs)):.2g} deg "
                   f"apart); lambda_0 > 0 certified (Arb Cholesky of H^inf - mu I) for {certified}; least: "
                   f"{D.describe()}, lambda_0 in [{float(lo):.3g}, {float(hi):.3g}]. A certificate per dataset is "
                   "not a proof for all datasets.",
                   examples=examples, satisfied=examples, margin=float(lo), details={"plots": [plot]})


footnote = Claim(
    id="du2019.footnote",
    title="lambda_0 > 0 when no two inputs are parallel",
    source=source("p. 8, footnote a"),
    statement=r"\forall i\ne j:\ x_i\nparallel x_j\ \Rightarrow\ \lambda_0=\lambda_{\min}(H^\infty)>0",
    formula=[sympy.Gt(lambda_0, 0)],
    check=check_footnote,
    replay=replay_footnote,
    note="Antiparallel inputs (x, -x) are excluded with the parallel ones, although H^inf stays definite for them.",
)
