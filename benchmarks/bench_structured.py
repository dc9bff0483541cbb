"""Structured search vs the old hand-written loops: instances per second, as ratios in one run.

Before, park2019's s1 (the population gradient equals the appendix's three-sum) was a procedure that
drew exact instances with numpy (``linalg_exact.random_teacher`` / ``random_atoms``) and compared the
two sides in a loop. Now it is a declared claim: the engine draws :class:`Network` instances from the
Hypothesis strategy, evaluates the same exact margin and re-verifies. Both are timed here on the same
margin (``lemmas.park2019.thm_3_4_gradient.s1_gap``) with no atom forced on a boundary, so the ratio
is the price of the strategy, targeting and bookkeeping per instance. Timings on a shared machine
fluctuate; only the ratio, measured in one run, is meaningful.

Run: ``PYTHONPATH=. python benchmarks/bench_structured.py``
"""
from __future__ import annotations

import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from lemmas.park2019.thm_3_4_gradient import s1_gap, s1_generic  # noqa: E402
from proofcheck.model.context import BUDGETS, Context  # noqa: E402
from proofcheck.ml import linalg_exact as X  # noqa: E402
from proofcheck.ml.distributions import FiniteAtoms  # noqa: E402
from proofcheck.ml.strategies import Network, TeacherStudent  # noqa: E402


def old_loop(n_instances: int, seed: int = 0) -> tuple[int, float]:
    """The former procedure's loop: random exact instances, atoms redrawn off the hyperplanes."""
    rng = np.random.default_rng(seed)
    done, t = 0, time.perf_counter()
    while done < n_instances:
        n, k = int(rng.choice([1, 2, 3])), int(rng.choice([2, 3]))
        Ws, W = X.random_teacher(rng, k, n), X.random_teacher(rng, k, n)
        atoms, weights = X.random_atoms(rng, k, int(rng.integers(1, 5)))
        if not X.off_hyperplanes(atoms, [list(Ws[:, j]) for j in range(n)] + [list(W[:, j]) for j in range(n)]):
            continue
        s1_gap(Network(FiniteAtoms(atoms, weights), TeacherStudent(W, Ws)))
        done += 1
    return done, time.perf_counter() - t


def structured(n_instances: int, seed: int = 0) -> tuple[int, float]:
    """The engine's search over the declared claim (same margin, plus hypotheses and targeting)."""
    ctx = Context(s1_generic, s1_generic.constant_defaults(), BUDGETS["deep"], seed)
    t = time.perf_counter()
    rep = ctx.search(max_examples=n_instances, polish=False)
    return rep.examples, time.perf_counter() - t


def main() -> None:
    n = 300
    a, ta = old_loop(n)
    b, tb = structured(n)
    ra, rb = a / ta, b / tb
    print("park2019.thm3.4.s1@no_boundary_mass: exact instances per second")
    print(f"  old numpy loop       {ra:8.1f} /s  ({a} instances)")
    print(f"  structured search    {rb:8.1f} /s  ({b} instances, hypotheses checked, targets steered)")
    print(f"  ratio structured / old = {rb / ra:.2f}")


if __name__ == "__main__":
    main()
