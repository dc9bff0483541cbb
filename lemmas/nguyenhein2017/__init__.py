r"""Q. Nguyen and M. Hein, *The Loss Surface of Deep and Wide Neural Networks*, ICML 2017
(arXiv:1704.08045), as presented in a set of reading notes (in Korean) that print the notation,
Assumption 3.2, Theorem 3.4 and the hypotheses of Theorem 3.8.

Setting (notes, "Notation"): ``N`` training points ``x_i ∈ R^d`` with targets ``y_i ∈ R^m``, a
fully connected network with ``L`` layers of widths ``n_1, ..., n_L``, weights ``W_k`` and biases
``b_k``,

.. math::

   f_0(x) = x,\quad f_k(x) = \sigma(g_k(x)),\quad g_k(x) = W_k^\top f_{k-1}(x) + b_k,

``F_k``/``G_k`` the ``N × n_k`` matrices of ``f_k``/``g_k`` over the data, and the objective

.. math::

   \Phi\big((W_k, b_k)_{k=1}^L\big) = \sum_{i=1}^{L} \sum_{j=1}^{m} \ell(f_{Lj}(x_i) - y_{ij}) \quad (1)

(printed with the sum over the *training points* running to ``L``, the number of layers).

Modules, one per numbered statement:

* :mod:`.eq_1` -- the objective (1) as printed;
* :mod:`.assumption_3_2` -- Assumption 3.2 and the notes' remarks on it (the L2 loss meets
  condition 3; linearly independent data forces ``N <= d + 1``);
* :mod:`.thm_3_4` -- Theorem 3.4 and its readings outside the assumptions (ReLU; a rank-deficient
  layer);
* :mod:`.thm_3_8` -- Theorem 3.8, of which the notes print only the hypotheses.

Errata of the notes
-------------------
* (1) sums ``i = 1..L``; the training points are ``i = 1..N`` (``eq1`` checks the printed form).
* The notes define ``f_k = σ(g_k)`` for every ``k``; the paper's output layer is linear
  (``f_L = g_L``), which is what the theorems are about. The networks here use a linear output.
* Theorem 3.8 breaks off after its hypotheses ("assume ``n_k >= N - 1`` for some ``k``"): the
  conclusion is not printed.
"""
from __future__ import annotations

from proofcheck import Definition, Source

DOCUMENT = "Nguyen & Hein (ICML 2017), reading notes"
CITATION = ("Q. Nguyen, M. Hein, The Loss Surface of Deep and Wide Neural Networks, ICML 2017 "
            "(arXiv:1704.08045); reading notes in Korean")


def src(location: str) -> Source:
    """A :class:`Source` in the notes."""
    return Source(DOCUMENT, location, CITATION)


DEFINITIONS = [
    Definition("Phi", 0, "the training objective (1): sum over points and outputs of l(f_Lj(x_i) - y_ij)",
               src("Notation, eq. (1)")),
    Definition("sigma", 1, "the activation function (C^1 in the notation; analytic under Assumption 3.2)",
               src("Notation")),
    Definition("ell", 1, "the loss l of one residual (C^2 under Assumption 3.2)", src("Notation; Assumption 3.2")),
    Definition("N", 0, "the number of training points", src("Notation")),
    Definition("d", 0, "the input dimension", src("Notation")),
]
