"""Speed of the geometry layer, as ratios measured in one run (one core).

1. Exact Gaussian cone moments vs Monte Carlo at equal accuracy: the Monte Carlo cost per sample
   and its per-entry standard deviation are measured; the samples needed for a given half-width
   (3.29 standard errors) follow, and so does the time.
2. Vectorised batch evaluation of all eight block matrices ``B_klm`` vs one configuration at a
   time (``block_matrix`` per configuration and per ``klm``; for Gaussian k >= 3, n >= 2 that call
   already vectorises over the n^2 blocks), in configurations per second, for n <= 4, k <= 4.
   Timings on a shared machine fluctuate; the ratios are measured in the same run.

Run: ``python benchmarks/bench_geometry.py``
"""
from __future__ import annotations

import math
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from proofcheck.ml.distributions import FiniteAtoms, StandardGaussian  # noqa: E402
from proofcheck.ml.geometry import gaussian_cone  # noqa: E402
from proofcheck.ml.networks import KLM_ALL, batch_block_matrices, block_matrix  # noqa: E402


def timed(fn, repeat=1):
    t = time.perf_counter()
    for _ in range(repeat):
        out = fn()
    return (time.perf_counter() - t) / repeat, out


def exact_vs_mc():
    rng = np.random.default_rng(0)
    print("1. Gaussian cone second moments: exact reduction vs Monte Carlo at equal accuracy")
    print(f"   {'k':>2} {'r':>2} {'exact s':>10} {'exact err':>10} {'MC s/sample':>12} "
          f"{'MC s @1e-3':>11} {'ratio @1e-3':>12} {'ratio @exact err':>17}")
    for k, r in [(2, 2), (3, 2), (3, 3), (3, 4), (4, 4)]:
        A = rng.standard_normal((r, k))
        t_ex, (_, _, _, err) = timed(lambda: gaussian_cone(A), repeat=20)
        n = 200_000
        X = rng.standard_normal((n, k))

        def mc():
            ind = np.all(X @ A.T >= 0, axis=1)
            prods = np.einsum("ni,nj->nij", X, X) * ind[:, None, None]
            return prods.mean(axis=0), prods.reshape(n, -1).std(axis=0).max()

        t_mc, (_, sd) = timed(mc, repeat=3)
        per = t_mc / n
        need = lambda h: (3.29 * sd / h) ** 2
        t_1e3 = per * need(1e-3)
        t_err = per * need(max(err, 1e-16))
        print(f"   {k:>2} {r:>2} {t_ex:>10.2e} {err:>10.1e} {per:>12.2e} {t_1e3:>11.2e} "
              f"{t_1e3 / t_ex:>12.1f} {t_err / t_ex:>17.1e}")


def batch_vs_loop():
    rng = np.random.default_rng(1)
    print("\n2. All eight B_klm: vectorised batch vs one configuration at a time (configurations/s)")
    print(f"   {'distribution':<22} {'k':>2} {'n':>2} {'batch/s':>10} {'loop/s':>10} {'ratio':>8}")
    atoms = FiniteAtoms(rng.integers(-5, 6, (20, 4)).tolist())
    atoms2 = FiniteAtoms(rng.integers(-5, 6, (20, 2)).tolist())
    cases = [(StandardGaussian(2), "Gaussian", 2, 1), (StandardGaussian(2), "Gaussian", 2, 4),
             (StandardGaussian(4), "Gaussian", 4, 1), (StandardGaussian(3), "Gaussian", 3, 2), (StandardGaussian(3), "Gaussian", 3, 4), (StandardGaussian(4), "Gaussian", 4, 2), (StandardGaussian(4), "Gaussian", 4, 4),
             (atoms2, "20 atoms", 2, 4), (atoms, "20 atoms", 4, 1), (atoms, "20 atoms", 4, 4)]
    for dist, name, k, n in cases:
        N = 20_000 if (k == 2 or n == 1 or isinstance(dist, FiniteAtoms)) else 1000
        Ws, Wss = rng.standard_normal((N, k, n)), rng.standard_normal((N, k, n))
        t_b, _ = timed(lambda: batch_block_matrices(dist, Ws, Wss))
        m = 20 if (k >= 3 and n >= 2 and not isinstance(dist, FiniteAtoms)) else 200
        t_l, _ = timed(lambda: [block_matrix(dist, Ws[t], Wss[t], *klm) for t in range(m) for klm in KLM_ALL])
        rb, rl = N / t_b, m / t_l
        print(f"   {name:<22} {k:>2} {n:>2} {rb:>10.0f} {rl:>10.0f} {rb / rl:>8.1f}")


if __name__ == "__main__":
    exact_vs_mc()
    batch_vs_loop()
