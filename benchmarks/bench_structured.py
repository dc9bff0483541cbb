"""Structured search vs the old hand-written loops: instances per second, as ratios in one run.

Before, park2019's s1 (the population gradient equals the appendix's three-sum) was a procedure that
drew exact instances with numpy (``random_teacher`` / ``random_atoms``, now below) and compared the
two sides in a loop. Now it is a declared claim: the engine draws :class:`Network` instances from the
Hypothesis strategy, evaluates the same exact margin and re-verifies. Both are timed here on the same
margin (``lemmas.park2019.thm_3_4_gradient.s1_gap``) with no atom forced on a boundary, so the ratio
is the price of the strategy, targeting and bookkeeping per instance. Both are timed in CPU seconds of
this process (``time.process_time``), which the other processes of a shared machine disturb less than
the wall clock; still only the ratio, measured in one run, is meaningful. An instance of the structured
search is an example drawn, whether or not it meets the claim's hypotheses (the old loop redrew such
instances before counting); the line says how many met them.

Run: ``PYTHONPATH=. python benchmarks/bench_structured.py``
"""
from __future__ import annotations

import os
import time
from fractions import Fraction
from typing import Sequence

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from lemmas.park2019.thm_3_4_gradient import s1_gap, s1_generic  # noqa: E402
from proofcheck.decide.context import BUDGETS, Context  # noqa: E402
from proofcheck.ml import linalg_exact as X  # noqa: E402
from proofcheck.ml.distributions import FiniteAtoms  # noqa: E402
from proofcheck.ml.strategies import Network, TeacherStudent  # noqa: E402


# The former procedure's instance generators (no claim uses them any more; kept here for the comparison).
def random_rational(rng: np.random.Generator, lo: float = -2, hi: float = 2, denominator: int = 8) -> Fraction:
    return Fraction(int(rng.integers(int(lo * denominator), int(hi * denominator) + 1)), denominator)


def random_teacher(rng: np.random.Generator, k: int, n: int, denominator: int = 8) -> np.ndarray:
    """A ``k x n`` object array of nonzero rational columns."""
    out = np.empty((k, n), dtype=object)
    for i in range(n):
        while True:
            col = [random_rational(rng, -2, 2, denominator) for _ in range(k)]
            if any(col):
                break
        out[:, i] = col
    return out


def random_atoms(rng: np.random.Generator, k: int, m: int, on_hyperplanes: Sequence[Sequence[Fraction]] = (),
                 denominator: int = 8) -> tuple[list[list[Fraction]], list[Fraction]]:
    """``m`` random nonzero rational atoms in ``R^k`` with positive rational weights, plus one atom on
    each hyperplane ``a^T z = 0`` of ``on_hyperplanes`` (a random multiple of a perpendicular)."""
    atoms, weights = [], []
    for _ in range(m):
        while True:
            a = [random_rational(rng, -2, 2, denominator) for _ in range(k)]
            if any(a):
                break
        atoms.append(a)
        weights.append(Fraction(int(rng.integers(1, 5)), 4))
    for normal in on_hyperplanes:
        p = X.perpendicular(X.fvec(normal))
        sc = Fraction(int(rng.integers(1, 4))) * (1 if rng.random() < 0.5 else -1)
        atoms.append([sc * x for x in p])
        weights.append(Fraction(int(rng.integers(1, 5)), 4))
    return atoms, weights


def off_hyperplanes(atoms: Sequence[Sequence[Fraction]], normals: Sequence[Sequence[Fraction]]) -> bool:
    """True when no atom lies on any hyperplane ``a^T z = 0``."""
    nq = [X.fvec(a) for a in normals]
    return all(X.dot(a, x) != 0 for x in atoms for a in nq)


def old_loop(n_instances: int, seed: int = 0) -> tuple[int, float]:
    """The former procedure's loop: random exact instances, atoms redrawn off the hyperplanes."""
    rng = np.random.default_rng(seed)
    done, t = 0, time.process_time()
    while done < n_instances:
        n, k = int(rng.choice([1, 2, 3])), int(rng.choice([2, 3]))
        Ws, W = random_teacher(rng, k, n), random_teacher(rng, k, n)
        atoms, weights = random_atoms(rng, k, int(rng.integers(1, 5)))
        if not off_hyperplanes(atoms, [list(Ws[:, j]) for j in range(n)] + [list(W[:, j]) for j in range(n)]):
            continue
        s1_gap(Network(FiniteAtoms(atoms, weights), TeacherStudent(W, Ws)))
        done += 1
    return done, time.process_time() - t


def structured(n_instances: int, seed: int = 0) -> tuple[int, int, float]:
    """The engine's search over the declared claim (same margin, plus hypotheses and targeting):
    examples drawn, examples that met the hypotheses (margin evaluated), CPU seconds."""
    ctx = Context(s1_generic, s1_generic.constant_defaults(), BUDGETS["deep"], seed)
    t = time.process_time()
    rep = ctx.search(max_examples=n_instances, polish=False)
    return rep.examples, rep.satisfied, time.process_time() - t


def main() -> None:
    n = 300
    a, ta = old_loop(n)
    b, met, tb = structured(n)
    ra, rb = a / ta, b / tb
    print("park2019.thm3.4.s1@no_boundary_mass: exact instances per CPU second")
    print(f"  old numpy loop       {ra:8.1f} /s  ({a} instances)")
    print(f"  structured search    {rb:8.1f} /s  ({b} instances, hypotheses checked, targets steered; "
          f"{met} met the hypotheses)")
    print(f"  ratio structured / old = {rb / ra:.2f}")


if __name__ == "__main__":
    main()
