"""Cost of ONE du2019 draw at n >= 2 inputs as the width grows (10^4 ... 10^7), for n = 2 and n = 3.

Per width m and input count n (orthonormal inputs, labels (1, -1/2[, 1/4])), one initialisation is drawn
and decided the way the Theorem 2.1 check decides it:

* ``certificate``: the streamed near-init certificate (``dynamics.near_init_certificate``: one pass over
  chunks of 2^20 neurons, O(m n d) numpy, no sort);
* ``exact flow``: the Arb-certified event-driven flow to a horizon it certifies as final
  (``flow.exact_flow_forever``; neurons with the same pattern share one curve, so after an O(m) pass the
  work is per activation change, about sqrt(m) of them), up to m = 10^6 at n = 3 and 10^7 at n = 2
  where it fits the machine.

Printed: seconds, microseconds per neuron and the ratio of each to its m = 10^4 cost per neuron (a ratio
near 1 means the cost per draw grows linearly with m, the cost of generating the weights), all measured
within this run.

    python benchmarks/bench_du_draws.py
"""
from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from lemmas.du2019 import dynamics as dy
from proofcheck.ml import flow as fl


def _timed(fn):
    start = time.process_time()
    out = fn()
    return out, time.process_time() - start


def main() -> None:
    print(f"{'n':>2} {'width m':>9} {'cert s':>8} {'us/neuron':>10} {'ratio':>6} {'flow s':>8} {'events':>7} "
          f"{'us/neuron':>10} {'ratio':>6}")
    for n in (2, 3):
        X_exact = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
        X = np.eye(n)
        y = [Fraction(1), Fraction(-1, 2), Fraction(1, 4)][:n]
        base_c = base_f = None
        for e in range(4, 8):
            m = 10**e
            init = dy.StreamedInit(e, m, n)
            cert, t_c = _timed(lambda: dy.near_init_certificate(init, X, X_exact, y, Fraction(1, 4)))
            per_c = t_c / m * 1e6
            base_c = base_c or per_c
            line = f"{n:>2} {m:>9} {t_c:>8.3f} {per_c:>10.3f} {per_c / base_c:>6.2f}"
            if m <= (10**7 if n == 2 else 10**6):
                W0, a = init.arrays()
                (tr, ok, _), t_f = _timed(lambda: fl.exact_flow_forever(W0, a, X, y, 8.0, X_exact=X_exact))
                per_f = t_f / m * 1e6
                base_f = base_f or per_f
                line += f" {t_f:>8.3f} {len(tr.events):>7} {per_f:>10.3f} {per_f / base_f:>6.2f}"
                del W0, a, tr
            else:
                line += f" {'(not run)':>8}"
            print(line + f"   certified: {cert.certified}", flush=True)


if __name__ == "__main__":
    main()
