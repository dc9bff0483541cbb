"""Speed of the du2019 dynamics against width, and the cost of one Lemma 2.2 failure-rate estimate.

Prints, in one run: GD steps/s and gradient-flow (Heun, two gradients per step) steps/s for widths
m = 10^3 .. 10^6 at n = 2 inputs in d = 2, each as a ratio to m = 10^3 and as neuron-steps per second
(flat = linear scaling); then the seconds of one Lemma 2.2 failure-rate estimate (200 initialisations at
the explicit width) relative to one GD step at that width; then, on one unit input, the exact limit of the
gradient flow (event-driven, :func:`one_input_final_h`: is the decay "for all t" met?) against the stepped
Heun flow run to t = 12 at step 1/4 (the old check's accuracy, a discretisation estimate only), as a speed
ratio for m = 10^2 .. 10^6, and the exact one-input GD (common shift) against plain GD for 256 steps.

    python benchmarks/bench_dynamics.py
"""
from __future__ import annotations

import math
import time

import numpy as np

from proofcheck.ml import datasets as ds
from lemmas.du2019 import dynamics as dy
from tests.ml import stepped as sf
from proofcheck.ml import gram


def _rate(fn, min_seconds=0.3):
    reps, start = 0, time.perf_counter()
    while True:
        fn()
        reps += 1
        el = time.perf_counter() - start
        if el >= min_seconds:
            return reps / el


def main() -> None:
    rng = np.random.default_rng(0)
    D = ds.orthonormal(2, y=[0.5, -0.5])
    rows = []
    for m in (10**3, 10**4, 10**5, 10**6):
        W, a = sf.init(rng, m, 2)
        gd = _rate(lambda: sf.gd(W, a, D.X, D.y, 0.1, 1))
        fl = _rate(lambda: sf.flow(W, a, D.X, D.y, 0.1, 0.1))
        rows.append((m, gd, fl))
    m0, gd0, fl0 = rows[0]
    print(f"{'width m':>9} {'GD steps/s':>11} {'ratio':>7} {'neuron-steps/s':>15} {'flow steps/s':>13} {'ratio':>7}")
    for m, gd, fl in rows:
        print(f"{m:>9} {gd:>11.1f} {gd / gd0:>7.3f} {gd * m:>15.3g} {fl:>13.1f} {fl / fl0:>7.3f}")

    # one Lemma 2.2 estimate at its explicit width (n = 2 orthonormal, delta = 0.1)
    lam0, delta = 0.5, 0.1
    m = math.ceil(256 * 4 * math.log(2 / delta) / lam0**2)
    Hinf = gram.h_inf(D.X)
    start = time.perf_counter()
    Hs = gram.h_of_weights(rng.standard_normal((200, m, D.X.shape[1])), D.X)  # 200 initialisations
    bad = (np.linalg.norm(Hs - Hinf, ord=2, axis=(1, 2)) > lam0 / 4) | (np.linalg.eigvalsh(Hs)[:, 0] < 0.75 * lam0)
    est = time.perf_counter() - start
    W, a = sf.init(rng, m, 2)
    step = 1 / _rate(lambda: sf.gd(W, a, D.X, D.y, 0.1, 1))
    print(f"\nLemma 2.2 estimate (n = 2, m = {m}, 200 initialisations, {int(bad.sum())} failures): "
          f"{est:.3f} s = {est / step:.1f} GD steps at that width")


    print(f"\n{'width m':>9} {'exact flow limit (s)':>21} {'stepped flow (s)':>17} {'speed ratio':>12} "
          f"{'one-input GD (s)':>17} {'plain GD (s)':>13} {'ratio':>7}")
    X, y = np.array([[1.0]]), np.array([0.3])
    for m in (10**2, 10**3, 10**4, 10**5, 10**6):
        s, a = rng.standard_normal(m), rng.integers(0, 2, m) * 2 - 1.0
        t0 = time.perf_counter()
        dy.one_input_final_h(s[None, :], a[None, :], 0.3)
        exact = time.perf_counter() - t0
        t0 = time.perf_counter()
        sf.flow(s[:, None], a, X, y, 12.0, 0.25)
        stepped = time.perf_counter() - t0
        t0 = time.perf_counter()
        dy.one_input_gd(s, a, 0.3, 0.125, 256)
        gd_fast = time.perf_counter() - t0
        t0 = time.perf_counter()
        sf.gd(s[:, None], a, X, y, 0.125, 256)
        gd_plain = time.perf_counter() - t0
        print(f"{m:>9} {exact:>21.4f} {stepped:>17.4f} {stepped / exact:>12.1f} {gd_fast:>17.4f} {gd_plain:>13.4f} "
              f"{gd_plain / gd_fast:>7.1f}")


if __name__ == "__main__":
    main()
