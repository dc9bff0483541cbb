"""H(0) at the proven width of Lemma 2.2: drawn through its exact law versus neuron by neuron.

Lemma 2.2's H(0) depends on the initialisation only through the counts of the neurons' activation
patterns (multinomial over the 2^n orthants, closed-form probabilities for n <= 3), so
``sample_h0_by_law`` (below; Lemma 2.2's claims draw the counts the same way) draws it at a cost independent of the width, where drawing every neuron costs
O(m d). Prints, in one run, draws per second of both at n = 3 inputs for widths m = 10^3 .. 10^6 and
their ratio (how many times faster the law is at equal numbers of draws).

    python benchmarks/bench_h0_law.py
"""
from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from proofcheck.ml import du_strategies as dst
from proofcheck.ml import gram


def sample_h0_by_law(rng: np.random.Generator, G: np.ndarray, m: int, count: int) -> np.ndarray:
    """``count`` independent draws of ``H(0)`` at width ``m`` (``n <= 3``): the neurons' activation
    patterns are i.i.d. over the ``2^n`` orthants, so their counts are multinomial and ``H(0)`` depends
    on the counts only; the cost does not grow with ``m``."""
    G = np.asarray(G, dtype=float)
    counts = rng.multinomial(int(m), gram.orthant_probabilities(G), size=count)  # (count, 2^n)
    both = np.einsum("ck,kij->cij", counts.astype(float), gram.pattern_both(G.shape[0]))
    return G * both / m


def rate(fn, min_seconds: float = 0.3) -> float:
    """Calls per second of ``fn`` (repeated for at least ``min_seconds``)."""
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return calls / elapsed


def main() -> None:
    q = Fraction
    D = dst.dataset_of([[1, 0, 0], [q(3, 5), q(4, 5), 0], [0, q(3, 5), q(4, 5)]], [0, 0, 0])
    G = np.array(D.gram_exact(), dtype=float)
    rng = np.random.default_rng(0)
    print(f"{'m':>9} {'law draws/s':>13} {'neuron draws/s':>15} {'ratio':>9}")
    for m in (10**3, 10**4, 10**5, 10**6):
        law = rate(lambda: sample_h0_by_law(rng, G, m, 1))
        direct = rate(lambda: gram.h_of_weights(rng.standard_normal((m, D.d)), D.X))
        print(f"{m:>9} {law:>13.1f} {direct:>15.1f} {law / direct:>9.1f}")


if __name__ == "__main__":
    main()
