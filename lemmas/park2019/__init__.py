r"""J. Park, *Input Distribution Analysis for Learning Two Layer Neural Network*, MSc thesis,
Department of Mathematical Sciences, Seoul National University, February 2019
(two text extractions of the thesis with different OCR errors were compared). Licence CC BY-NC-ND
2.0 KR: the text is cited, never modified.

It adapts S. S. Du, J. D. Lee, Y. Tian, *When is a convolutional filter easy to learn?*
(arXiv:1709.06129) to a teacher--student two-layer ReLU network

.. math::

    f(\mathbf W, z) = \tfrac1k \sum_{i=1}^{k} \sigma(w_i^\top z) \quad (2.1), \qquad
    \ell = \tfrac12 (f(\mathbf W, z) - f(\mathbf W_*, z))^2 \quad (2.2)

trained by population gradient descent (2.4). Modules, one per numbered statement:

* :mod:`.eq_2_1` -- the model's normalisation (printed ``1/k``, sum to ``k``) vs the appendix's ``1/n^2``;
* :mod:`.thm_2_3` -- Theorem 2.3 (``n = 1``);
* :mod:`.thm_3_4` -- Theorem 3.4, its appendix proof line by line (``s1`` .. ``s11``) and the
  induction remark (``induct``);
* :mod:`.thm_3_5` -- Theorem 3.5 and its proof (``s1`` .. ``s6``, ``same``).

Definitions (Def. 2.1, 2.2, 3.1, 3.2 and Assumption 3.3)
--------------------------------------------------------
``R(a, b) = {z : a^T z >= 0, b^T z >= 0}``;
``B_klm = (1/n^2) E[[z z^T 1{R(w_i, (-1)^k w_i*)} 1{R((-1)^l w_j, (-1)^m w_j*)}]_{ij}]``;
``m_min(phi)``, ``m_max(phi)``: the extreme ``lambda_min``/``lambda_max`` of ``B_000`` over the weights
with every ``angle(w_i, w_i*) = phi`` (for ``n = 1``, ``B_000 = R_{w,w*}``: Def. 2.2 and 3.2 agree).
``lambda_max``/``lambda_min`` are defined in the text (p. 4) as the largest/smallest *singular* values.

Assumption 3.3 gives two *constants*, ``m_ex`` (printed ``m^{ex}_{max}``) and ``alpha``.
``m_ex`` is registered as a paper-wide definition of arity 0 (so the lint catches it used as a
function of ``phi``). ``alpha`` is deliberately **not** a paper-wide definition: it exists only
under Assumption 3.3 (stated for the ``n``-neuron block matrix ``B_101`` in Chapter 3), so the
claims that assume 3.3 carry it as a constant, and Theorem 2.3 -- which uses ``alpha`` without
ever assuming 3.3 or defining it -- is linted as using an undefined symbol. ``L``/``L(phi)`` and
``L_ex`` are never defined in the thesis; no definition is registered for them.
"""
from __future__ import annotations

from fractions import Fraction

from proofcheck import Constant, Definition, Source

#: the document every park2019 claim cites (pages below are the thesis' printed page numbers)
DOCUMENT = "Park (2019), MSc thesis, Seoul National University"
CITATION = ("J. Park, Input Distribution Analysis for Learning Two Layer Neural Network, "
            "MSc thesis, Seoul National University, 2019")


def src(location: str) -> Source:
    """A :class:`Source` in the thesis: author, title, year and the place (chapter, page)."""
    return Source(DOCUMENT, location, CITATION)


DEFINITIONS = [
    Definition("R", 2, "region R(a, b) = {z : a^T z >= 0, b^T z >= 0} (Def. 2.1, eq. 2.5)",
               src("Def. 2.1, eq. (2.5), p. 4")),
    Definition("B", 3, "block matrix B_klm of Def. 3.1, eq. (3.1)", src("Def. 3.1, eq. (3.1), p. 6")),
    Definition("m_min", 1, "min over weights with every angle(w_i, w_i*) = phi of lambda_min(B_000) "
               "(Def. 2.2 for n = 1, Def. 3.2)", src("Def. 2.2, eq. (2.6), p. 4; Def. 3.2, eq. (3.2), p. 6")),
    Definition("m_max", 1, "max over the same set of lambda_max(B_000) (Def. 2.2, Def. 3.2)",
               src("Def. 2.2, eq. (2.6), p. 4; Def. 3.2, eq. (3.2), p. 6")),
    Definition("m_max_neg", 1, "m_max^{w,-w*}(phi) = max_{angle(w,w*)=phi} lambda_max(R_{w,-w*}), defined "
               "inline in Thm 2.3", src("Thm 2.3, p. 5")),
    Definition("m_ex", 0, "the positive constant m^{ex}_{max} of Assumption 3.3: lambda_max(B_klm) <= m_ex phi "
               "for klm in {100, 001, 010, 110}, every phi", src("Assumption 3.3, eq. (3.3), p. 6")),
]



#: the numbers printed in Thm 3.4's step-size bound and conclusion, and in the proof's last lines
THM34_CONSTANTS = [
    Constant("c_num", 10, "the 10 of m_min - 10 m_ex", positive=True),
    Constant("c_ex", 14, "the 14 of 14 L_ex (statement) and 14 m_ex (proof)", positive=True),
    Constant("c_alpha", 4, "the 4 of 4 alpha", positive=True),
    Constant("c_step", 2, "the 2 of 2 (L + 14 L_ex + 4 alpha)^2", positive=True),
    Constant("c_rate", Fraction(1, 2), "the 1/2 of 1 - eta (m_min - 10 m_ex)/2", positive=True),
]
