r"""Equation (2.1) of Park (2019): the model, as printed, vs the model the appendix differentiates.

Source: J. Park, *Input Distribution Analysis for Learning Two Layer Neural Network*, MSc thesis,
Seoul National University, 2019, Chapter 2, eq. (2.1), p. 3; Appendix 5.1, p. 11 (both text
extractions print the same ``1/k`` and ``sum_{i=1}^k``).

.. math::  f(\mathbf W, z) = \frac1k\sum_{i=1}^{k}\sigma(w_i^\top z) \qquad (2.1)

with ``z in R^k`` and ``W = (w_1, ..., w_n)``. The appendix's gradient (Theorem 3.4, s1) carries the
factor ``1/n^2`` and sums over all ``n`` neurons, i.e. it differentiates
``f = (1/n) sum_{i=1}^n sigma(w_i^T z)``.

Errata
------
* The normalisation ``1/k`` and the upper limit ``k`` (the *input* dimension) should be the number
  of neurons ``n``: as printed the model is undefined for ``k > n`` and ignores ``w_{k+1}..w_n`` for
  ``k < n``. Readings: ``@sum_to_n`` keeps ``1/k`` but sums all ``n`` neurons (gradient factor
  ``1/k^2``); ``:repaired`` uses ``1/n`` and ``sum_{i=1}^n``.
* Checked on finite rational atoms with no mass on the hyperplanes ``w_j^T z = 0``, ``w_j*^T z = 0``
  (so the boundary issue of s1 plays no part): the exact population gradient of each model is
  compared with the appendix's three-sum.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from proofcheck import Claim, Outcome, Verdict
from proofcheck.ml import linalg_exact as X
from proofcheck.ml.distributions import FiniteAtoms
from proofcheck.ml.networks import gradient_three_sum_exact, population_gradient_exact

from . import NotAnInstance, replayer, src


def _grad_printed_sum_to_n(dist, W, Ws) -> np.ndarray:
    """Exact gradient of f = (1/k) sum_{i=1}^n sigma(w_i^T z): the appendix-normalised model's
    gradient times (n/k)^2 (f and f* both scale by n/k, and so does df/dw_i)."""
    k, n = W.shape
    return population_gradient_exact(dist, W, Ws, reading="appendix") * Fraction(n * n, k * k)


def _normals(W, Ws) -> list[list]:
    """The hyperplanes w_j*^T z = 0 and w_j^T z = 0 the atoms must avoid."""
    n = W.shape[1]
    return [list(Ws[:, j]) for j in range(n)] + [list(W[:, j]) for j in range(n)]


def _gap(model: str, dist, W, Ws) -> tuple[Fraction, np.ndarray, np.ndarray]:
    """(max entry of |model gradient - appendix three-sum|, the gradient, the three-sum), exactly."""
    if model == "printed":
        G = population_gradient_exact(dist, W, Ws, reading="printed")
    elif model == "sum_to_n":
        G = _grad_printed_sum_to_n(dist, W, Ws)
    else:
        G = population_gradient_exact(dist, W, Ws, reading="appendix")
    G3 = gradient_three_sum_exact(dist, W, Ws)
    gap = max(abs(Fraction(v)) for v in np.asarray(G - G3, dtype=object).ravel())
    return gap, G, G3


def _replay(model: str):
    def verify(ctx, values, extra):
        dist = values["dist"]
        W, Ws = np.asarray(values["W"], dtype=object), np.asarray(values["W_star"], dtype=object)
        if W.ndim != 2 or W.shape != Ws.shape or W.shape[0] != dist.dim:
            raise NotAnInstance(f"W {W.shape}, W* {Ws.shape} and atoms in R^{dist.dim} do not match")
        k, n = W.shape
        if model == "printed" and not k < n:
            raise NotAnInstance(f"the printed model needs k < n (here k = {k}, n = {n})")
        if not X.off_hyperplanes(dist.atoms_q, _normals(W, Ws)):
            raise NotAnInstance("an atom lies on a hyperplane w_j^T z = 0 or w_j*^T z = 0")
        gap = _gap(model, dist, W, Ws)[0]
        if gap == 0:
            return False, 0.0, "exact rational arithmetic: the gradient equals the three-sum at the stored instance"
        return True, -float(gap), f"exact rational arithmetic: the gradient differs from the three-sum by {gap} (max entry)"
    return replayer(verify)


def _check(model: str):
    def check(ctx) -> Outcome:
        rng = ctx.rng
        tried = 0
        for _ in range(ctx.examples(0.3)):
            k = int(rng.choice([2, 3]))
            n = int(rng.choice([nn for nn in (1, 2, 3, 4) if (model == "repaired" or nn != k)
                                and (model != "printed" or nn > k)]))
            Ws, W = X.random_teacher(rng, k, n), X.random_teacher(rng, k, n)
            atoms, weights = X.random_atoms(rng, k, int(rng.integers(2, 7)))
            if not X.off_hyperplanes(atoms, _normals(W, Ws)):
                continue
            dist = FiniteAtoms(atoms, weights)
            tried += 1
            gap, G, G3 = _gap(model, dist, W, Ws)
            if gap != 0:
                rec = ctx.record_counterexample({"dist": dist, "W": W, "W_star": Ws}, -float(gap),
                                                "exact rational arithmetic", extra={"gradient": G, "three_sum": G3})
                return Outcome(Verdict.REFUTED,
                               f"k = {k}, n = {n}: the gradient of the {model.replace('_', ' ')} model differs from the "
                               f"appendix's (1/n^2) three-sum by {gap} (max entry, exact atoms off all boundaries)",
                               examples=tried, satisfied=tried, margin=-float(gap), counterexample=rec)
        if model == "repaired":
            from .thm_3_4_gradient import _prove_pointwise

            proofs = _prove_pointwise(ctx)
            if proofs is not None:
                return Outcome(Verdict.PROVED,
                               "with f = (1/n) sum sigma, grad_{w_i} l = (1/n^2) sum_j (sigma(a_j) - sigma(b_j)) 1{a_i > 0} z "
                               "pointwise, and the two indicator identities (z3, as for park2019.thm3.4.s1@no_boundary_mass) "
                               "turn it into the three-sum off the hyperplanes; exact cross-check in "
                               f"{tried} finite-atom instances", examples=tried, satisfied=tried, margin=0.0, notes=proofs)
        return Outcome(Verdict.SURVIVED, f"gradient equals the appendix's three-sum exactly in {tried} instances "
                       "(k in {2, 3}, n <= 4, atoms off the boundary hyperplanes)", examples=tried, satisfied=tried,
                       margin=0.0)
    return check


eq21 = Claim(
    id="park2019.eq2.1",
    title="the printed model (1/k, sum to k) is the model whose gradient the appendix computes",
    source=src("Chapter 2, eq. (2.1), p. 3; Appendix 5.1, p. 11"),
    statement=r"f(\mathbf W,z)=\frac1k\sum_{i=1}^k\sigma(w_i^\top z)",
    check=_check("printed"),
    replay=_replay("printed"),
    note="as printed the sum runs to the input dimension k: defined only for k <= n (checked with k < n, "
         "where neurons k+1..n do not enter the model, so their gradient is 0)",
)

eq21_n = Claim(
    id="park2019.eq2.1@sum_to_n",
    title="model (1/k) sum_{i=1}^n sigma(w_i^T z) vs the appendix's 1/n^2",
    source=src("Chapter 2, eq. (2.1), p. 3"),
    statement=r"f(\mathbf W,z)=\frac1k\sum_{i=1}^n\sigma(w_i^\top z)",
    check=_check("sum_to_n"),
    replay=_replay("sum_to_n"),
    note="reading the upper limit as n but keeping the printed 1/k: the gradient carries 1/k^2, not 1/n^2",
)

eq21_rep = Claim(
    id="park2019.eq2.1:repaired",
    title="model (1/n) sum_{i=1}^n sigma(w_i^T z): its gradient is the appendix's three-sum",
    source=src("Chapter 2, eq. (2.1), p. 3"),
    statement=r"f(\mathbf W,z)=\frac1n\sum_{i=1}^n\sigma(w_i^\top z)",
    check=_check("repaired"),
    replay=_replay("repaired"),
    note="repair: average over the n neurons (what 'average pooling' and the appendix's 1/n^2 imply); for "
         "distributions with no mass on the hyperplanes w_j^T z = 0, w_j*^T z = 0 (see park2019.thm3.4.s1)",
    uses=["park2019.thm3.4.s1@no_boundary_mass"],
)
