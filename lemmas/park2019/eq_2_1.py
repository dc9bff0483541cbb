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
  (so the boundary issue of s1 plays no part): the engine searches exact instances (the strategy
  :func:`proofcheck.ml.strategies.networks`) and compares the exact population gradient of each
  model with the appendix's three-sum.
"""
from __future__ import annotations

from fractions import Fraction

from proofcheck import Claim
from proofcheck.ml.networks import gradient_three_sum_exact, population_gradient_exact
from proofcheck.ml.strategies import networks

from . import model as Q
from . import src


def model_gap(model: str, net) -> Fraction:
    """max entry of |gradient of the model - the appendix's (1/n^2) three-sum|, exactly.

    ``printed``: f = (1/k) sum_{i=1}^k sigma (needs k < n here); ``sum_to_n``: f = (1/k) sum_{i=1}^n
    sigma, the appendix-normalised gradient times (n/k)^2 (f and f* both scale by n/k, and so does
    df/dw_i); ``repaired``: f = (1/n) sum_{i=1}^n sigma."""
    dist, W, Ws = net.dist, net.W, net.W_star
    k, n = W.shape
    if model == "printed":
        G = population_gradient_exact(dist, W, Ws, reading="printed")
    elif model == "sum_to_n":
        G = population_gradient_exact(dist, W, Ws, reading="appendix") * Fraction(n * n, k * k)
    else:
        G = population_gradient_exact(dist, W, Ws, reading="appendix")
    return Q.max_abs(G - gradient_three_sum_exact(dist, W, Ws))


def _conclusion(model: str):
    return Q.exact_condition(f"the {model.replace('_', ' ')} model's gradient is the three-sum (minus the largest "
                             "entry of the difference)", lambda env: -model_gap(model, env.net))


#: eq. (2.1) sums w_1..w_k: only defined for k <= n; with k < n neurons k+1..n are not in the model
K_BELOW_N = Q.exact_condition("k < n (the printed sum runs to the input dimension k)",
                              lambda env: env.net.n - env.net.k, strict=True)
_NETS = Q.network_variable(networks(k=(2, 3), n=(1, 2, 3), angle="free", max_atoms=4))
#: the printed model needs k < n: planar inputs, three neurons
_NETS_K_BELOW_N = Q.network_variable(networks(k=2, n=3, angle="free", max_atoms=4))

eq21 = Claim(
    id="park2019.eq2.1",
    reason=("With the sum printed to the input dimension k, neurons k+1..n do not enter the model, so its gradient "
            "is not the one the appendix computes."),
    title="the printed model (1/k, sum to k) is the model whose gradient the appendix computes",
    source=src("Chapter 2, eq. (2.1), p. 3; Appendix 5.1, p. 11"),
    statement=r"f(\mathbf W,z)=\frac1k\sum_{i=1}^k\sigma(w_i^\top z)",
    variables=[_NETS_K_BELOW_N], hypotheses=[K_BELOW_N, Q.off_hyperplanes("both")], conclusion=_conclusion("printed"),
    cost=0.25,
    note="as printed the sum runs to the input dimension k: defined only for k <= n (checked with k < n, "
         "where neurons k+1..n do not enter the model, so their gradient is 0)",
)

eq21_n = Claim(
    id="park2019.eq2.1@sum_to_n",
    reason="With the sum to n but the printed 1/k the gradient carries 1/k^2, not the appendix's 1/n^2.",
    title="model (1/k) sum_{i=1}^n sigma(w_i^T z) vs the appendix's 1/n^2",
    source=src("Chapter 2, eq. (2.1), p. 3"),
    statement=r"f(\mathbf W,z)=\frac1k\sum_{i=1}^n\sigma(w_i^\top z)",
    variables=[_NETS], hypotheses=[Q.off_hyperplanes("both")], conclusion=_conclusion("sum_to_n"),
    cost=0.25,
    note="reading the upper limit as n but keeping the printed 1/k: the gradient carries 1/k^2, not 1/n^2",
)

eq21_rep = Claim(
    id="park2019.eq2.1:repaired",
    title="model (1/n) sum_{i=1}^n sigma(w_i^T z): its gradient is the appendix's three-sum",
    source=src("Chapter 2, eq. (2.1), p. 3"),
    statement=r"f(\mathbf W,z)=\frac1n\sum_{i=1}^n\sigma(w_i^\top z)",
    variables=[_NETS], hypotheses=[Q.off_hyperplanes("both")], conclusion=_conclusion("repaired"),
    cost=0.25,
    note="repair: average over the n neurons (what 'average pooling' and the appendix's 1/n^2 imply); for "
         "distributions with no mass on the hyperplanes w_j^T z = 0, w_j*^T z = 0 (see park2019.thm3.4.s1)",
    uses=["park2019.thm3.4.s1@no_boundary_mass"],
)
