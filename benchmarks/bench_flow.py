"""Event-driven exact gradient flow (proofcheck.ml.flow) against the stepped Heun flow (tests/du2019/stepped.py, the test oracle)
at EQUAL accuracy, as the width grows from 10^2 to 10^7.

For n = 2 and n = 3 and each width m (orthonormal inputs, labels (0.5, -0.5[, 0.25]), horizon T = 4): the
event-driven flow
(float fast path, and the Arb-certified one) gives ||y - u(T)||^2; the stepped flow is run with steps
h = 0.2, 0.1, 0.05, ... until its ||y - u(T)||^2 agrees with the exact value to a relative 1e-4 (the
accuracy the Theorem 2.1 check needs), and the seconds of that run are compared (ratio stepped / exact,
measured within this run). A stepped run predicted (from the timed cost of one step) to exceed BUDGET
seconds is skipped and reported as such, with the seconds it would need at the step that reached the
accuracy at the previous width (a prediction, marked ~): at m = 10^6 and 10^7 the stepped flow is not run.

    python benchmarks/bench_flow.py [largest width exponent, default 7]
"""
from __future__ import annotations

import math
import sys
import time

import numpy as np

from tests.ml import stepped as sf
from proofcheck.ml import flow as fl

BUDGET = 60.0  # seconds per stepped run
TOL = 1e-4


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main(top: int = 7) -> None:
    for n in (2, 3):
        run(n, top)


def run(n: int, top: int) -> None:
    rng = np.random.default_rng(0)
    X, y, T = np.eye(n), np.array([0.5, -0.5, 0.25][:n]), 4.0
    fl.exact_flow(*sf.init(rng, 10, n), X, y, T, rigorous=False)  # warm up (imports)
    print(f"n = {n}")
    print(f"{'width m':>9} {'events':>7} {'exact float s':>14} {'exact Arb s':>12} {'stepped h':>10} "
          f"{'stepped s':>10} {'ratio stepped/float':>20} {'ratio stepped/Arb':>18}")
    h_prev = 0.2
    for e in range(2, top + 1):
        m = 10**e
        W0, a = sf.init(rng, m, n)
        exf, t_float = _timed(lambda: fl.exact_flow(W0, a, X, y, T, rigorous=False))
        if m <= 10**6:
            exa, t_arb = _timed(lambda: fl.exact_flow(W0, a, X, y, T))
            ref = float(exa.residual_sq_ball(T).mid())
        else:
            t_arb, ref = float("nan"), exf.residual_sq(T)
        h, t_step, note = 0.2, float("nan"), ""
        # seconds per step: a 3-step run minus a 1-step run (both observe only the first and last state)
        one_step = max(_timed(lambda: sf.flow(W0, a, X, y, 0.6, 0.2, every=10**9))[1]
                       - _timed(lambda: sf.flow(W0, a, X, y, 0.2, 0.2, every=10**9))[1], 1e-9) / 2
        while True:
            steps = math.ceil(T / h)
            if steps * one_step > BUDGET:
                pred = math.ceil(T / h_prev) * one_step
                note = (f"skipped (h = {h:g} would need ~{steps * one_step:.0f} s); at the step h = {h_prev:g} that "
                        f"reached the accuracy at the previous width: ~{pred:.0f} s predicted from one timed step, "
                        f"ratio ~{pred / t_float:.0f} (float) / ~{pred / t_arb if t_arb == t_arb else float('nan'):.0f} (Arb)")
                break
            st, t_step = _timed(lambda: sf.flow(W0, a, X, y, T, h, every=10**9))
            if abs(st.residual_sq[-1] - ref) <= TOL * ref:
                h_prev = h
                break
            h /= 2
        if note:
            print(f"{m:>9} {len(exf.events):>7} {t_float:>14.3f} {t_arb:>12.3f} {'-':>10} {'-':>10} "
                  f"{'-':>20} {'-':>18}  stepped {note}")
        else:
            print(f"{m:>9} {len(exf.events):>7} {t_float:>14.3f} {t_arb:>12.3f} {h:>10.4g} {t_step:>10.3f} "
                  f"{t_step / t_float:>20.2f} {t_step / t_arb if t_arb == t_arb else float('nan'):>18.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
