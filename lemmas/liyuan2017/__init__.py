r"""Y. Li and Y. Yuan, *Convergence Analysis of Two-layer Neural Networks with ReLU Activation*,
NeurIPS 2017, as presented in the slides of S. Jiang, Y. Wang and Z. Xiao, *About SGD Convergence
Analysis of 2 layer NN with Non-linear Activation* (12 December 2018).

Setting (slides, "Problem Formulation"): input :math:`x \in \mathbb R^n \sim \mathcal N(0, I)`,
weights :math:`W = (w_1, \dots, w_n) \in \mathbb R^{n\times n}`, a teacher :math:`W^*`, an identity
mapping and a ReLU (the slides also name PReLU):

.. math::

   f_W(x) = \|\sigma((I + W)^\top x)\|_1,\qquad L(W) = \mathbb E_x \tfrac12 (f_W(x) - f_{W^*}(x))^2 .

(The slides' formula for the objective is an image that did not survive extraction; this is Li &
Yuan's eq. (1), the network the slides' "Network Architecture" figure and notation describe.)

Modules, one per statement of the slides:

* :mod:`.definitions` -- δ-one-point strong convexity; the auxiliary function :math:`f_A` and
  matrix :math:`A`;
* :mod:`.phase2` -- Phase 2: for small :math:`\|W\|_2, \|W^*\|_2 \le \gamma` the loss is
  δ-one-point strongly convex around :math:`W^*` (ReLU and PReLU);
* :mod:`.phase1` -- Phase 1 (:math:`f_A` decreases until it is :math:`O(\gamma)`) and "no way back"
  from Phase 2, in explicit-constant forms stated there;
* :mod:`.main` -- the informal main theorem, with the constants it needs named.

Every quantity is computed from the Gaussian closed forms of :mod:`lemmas.liyuan2017.model`
(degree-1 arc-cosine kernel), in floats for the search and on Arb balls for re-verification.

Errata of the extraction
------------------------
* Definition of one-point convexity: ``⟨−∇f(x), x* x⟩ > δ‖x* x‖²`` -- the minus signs of
  ``x* − x`` are lost.
* Auxiliary function: ``‖e_i − w_i‖`` where Li & Yuan's potential has ``‖e_i + w_i‖``.
* The matrix ``A`` uses an overline for column normalisation (``\overline{v} = v/‖v‖``).
"""
from __future__ import annotations

from proofcheck import Definition, Source

DOCUMENT = "Li & Yuan (NeurIPS 2017), slides"
CITATION = ("Y. Li, Y. Yuan, Convergence Analysis of Two-layer Neural Networks with ReLU Activation, "
            "NeurIPS 2017; slides by S. Jiang, Y. Wang, Z. Xiao, About SGD Convergence Analysis of 2 layer "
            "NN with Non-linear Activation, 12 Dec 2018")


def src(location: str) -> Source:
    """A :class:`Source` in the slides (the slide's title)."""
    return Source(DOCUMENT, location, CITATION)


DEFINITIONS = [
    Definition("L", 1, "the population loss L(W) = E (f_W(x) - f_W*(x))^2 / 2 under x ~ N(0, I)",
               src("Problem Formulation: Objective Function")),
    Definition("f_A", 0, "the auxiliary function sum_i (|e_i + w_i*| - |e_i + w_i|) (printed with e_i - w_i)",
               src("Main: Preliminaries")),
    Definition("A", 0, "the auxiliary matrix (W*+I) colnorm(W*+I)^T - (W+I) colnorm(W+I)^T",
               src("Main: Preliminaries")),
]
