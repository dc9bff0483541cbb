r"""Theorem 3.8, as far as the notes print it.

Source: reading notes on Nguyen & Hein (ICML 2017), "Theorem 3.8":

    Under Assumption 3.2, assume :math:`n_k \ge N - 1` for some :math:`k \in [L-1]`.

and the notes end there: the theorem's conclusion (which critical points are global minima, and
under which further conditions on the layers after ``k``) is not printed. The statement is
encoded as printed, so its conclusion is a symbol the notes never define: the lint reports it
``ill-formed``, which is the finding -- a reader of the notes cannot know what Theorem 3.8 claims.
"""
from __future__ import annotations

import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Variable
from proofcheck.model.claim import NotPrinted

from . import src

n_k = Variable("n_k", st.integers(1, 8), integer=True, lo=1, hi=8, meaning="the width of layer k")
N = Variable("N_points", st.integers(1, 8), integer=True, lo=1, hi=8, meaning="the number of training points")

thm3_8 = Claim(
    id="nguyenhein2017.thm3.8",
    title="some layer with n_k >= N - 1 implies ... (the notes print no conclusion)",
    source=src("Theorem 3.8"),
    statement=r"\text{Assumption 3.2},\ n_k \ge N - 1 \text{ for some } k \in [L-1] \Rightarrow\ ?",
    variables=[n_k, N],
    hypotheses=[sympy.Ge(n_k.symbol, N.symbol - 1)],
    conclusion=NotPrinted("the notes break off after the hypotheses"),
    note="the notes break off after the hypotheses",
)
