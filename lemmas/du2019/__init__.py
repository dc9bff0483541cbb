r"""du2019 -- S. S. Du, X. Zhai, B. Poczos, A. Singh, *Gradient Descent Provably Optimizes
Over-parameterized Neural Networks*, ICLR 2019 (arXiv:1810.02054), as presented in the slides by Y. Miyazaki
(University of Tokyo, November 28, 2022; the slides' numbering: Theorem 2.1, Lemmas 2.2--2.5,
Theorem 2.6, Theorem 3.1; pages are the slides' pages).

Setting (slides p. 4, 8, 10): data :math:`(x_i, y_i)_{i\le n}`, :math:`\|x_i\|=1`, :math:`|y_i|\le C`;
:math:`f(W,a,x)=\frac{1}{\sqrt m}\sum_r a_r\sigma(w_r^\top x)`, :math:`L=\sum_i\frac12(f(x_i)-y_i)^2`,
:math:`w_r(0)\sim N(0,I)`, :math:`a_r\sim\mathrm{unif}\{-1,1\}`;
:math:`H_{ij}(t)=\frac1m x_i^\top x_j\sum_r 1\{x_i^\top w_r(t)\ge0, x_j^\top w_r(t)\ge0\}`,
:math:`H^\infty=\mathbb E H(0)`, :math:`\lambda_0=\lambda_{\min}(H^\infty)`.

Explicit constants. The slides write :math:`\Omega(\cdot)`, :math:`O(\cdot)` and "a small constant c";
each claim names the constant its printed proof yields:

* Lemma 2.2: :math:`16n^2\log(n/\delta)/m\le(\lambda_0/4)^2` gives :math:`m\ge 256\,n^2\log(n/\delta)/\lambda_0^2`.
* Lemma 2.3: the Markov step needs :math:`4n^2R/(\sqrt{2\pi}\delta)\le\lambda_0/4` with
  :math:`R=c\delta\lambda_0/n^2`, i.e. :math:`c\le\sqrt{2\pi}/16`.
* Theorem 2.1: :math:`R'<R` with :math:`\|y-u(0)\|^2\le n(C^2+1)/\delta` (Markov on the printed
  :math:`\mathbb E\|y-u(0)\|^2=\sum(y_i^2+1)`) gives :math:`m > 4(C^2+1)n^6/(c^2\delta^3\lambda_0^4)`.
"""
from __future__ import annotations

import math
from fractions import Fraction

import sympy

from proofcheck import Constant, Definition, Source

DOCUMENT = "Du, Zhai, Poczos, Singh 2019 (slides by Miyazaki 2022)"
CITATION = ("S. S. Du, X. Zhai, B. Poczos, A. Singh, Gradient Descent Provably Optimizes Over-parameterized "
            "Neural Networks, ICLR 2019 (arXiv:1810.02054); slides by Y. Miyazaki (2022)")


def src(location: str) -> Source:
    """A :class:`Source` in the slides (page, equation)."""
    return Source(DOCUMENT, location, CITATION)


# ---------------------------------------------------------------- the named constants the claims share
# The slides print "with probability at least 1 - delta" for any delta, |y_i| <= C, "a small constant c" and
# Omega(.) widths, with no values: the values below are this encoding's and say so; the printed numbers of
# the proofs' displays carry the printed value.
_DELTA = "failure probability delta of the statement (this encoding's value; the slides state it for every delta)"
DELTA_TENTH = Constant("delta", Fraction(1, 10), _DELTA, positive=True, below=1)
DELTA_QUARTER = Constant("delta", Fraction(1, 4), _DELTA, positive=True, below=1)
DELTA_HALF = Constant("delta", Fraction(1, 2), _DELTA, positive=True, below=1)
#: Lemma 2.3's c that its Markov step yields (slides p. 14): 4 c lambda_0/sqrt(2 pi) <= lambda_0/4
C_SMALL = Constant("c", math.sqrt(2 * math.pi) / 16, "Lemma 2.3's 'small constant c' (this encoding's value, the "
                   "slides print none): the largest its Markov step allows, sqrt(2 pi)/16", positive=True)
LABEL_BOUND = Constant("C", 1.0, "label bound |y_i| <= C (this encoding's value; the slides print none)", positive=True)
#: Lemma 2.2's width m >= K n^2 log(n/delta)/lambda_0^2 (see the module docstring)
K_LEMMA22 = Constant("K", 256, "Lemma 2.2's explicit width constant (this encoding's, for the slides' Omega): (s3) "
                     "<= (lambda_0/4)^2 iff m >= 256 n^2 log(n/delta)/lambda_0^2", positive=True)
#: Theorem 2.1's width m > K (C^2+1) n^e_n/(c^2 lambda_0^e_lam delta^e_delta) (see the module docstring)
WIDTH_CONSTANTS = [
    Constant("K", 4, "the 4 = 2^2 of R' = 2 sqrt(n)||y-u(0)||/(sqrt(m) lambda_0) in R'^2 < R^2 (this encoding's "
             "explicit width, for the slides' Omega)", positive=True),
    Constant("e_n", 6, "exponent of n in the Omega(n^6/(lambda_0^4 delta^3)) width", integer=True),
    Constant("e_lam", 4, "exponent of lambda_0 in the width", integer=True),
    Constant("e_delta", 3, "exponent of delta in the width", integer=True),
]
#: the rate of an exponential decay exp(-rate lambda_0 t)
RATE = Constant("rate", 1, "the rate of the printed exponential exp(-lambda_0 t): 1", positive=True)
LAM_FRAC = Constant("lam_frac", Fraction(1, 2), "the 1/2 of the hypothesis lambda_min(H(s)) >= lambda_0/2", positive=True)
R_FACTOR = Constant("R_factor", 2, "the 2 of R' = 2 sqrt(n) ||y-u(0)||/(sqrt(m) lambda_0)", positive=True)


def width_lemma22(n: int, lam0: float, delta: float, K: float = K_LEMMA22.value, a: float = 2, b: float = 2) -> int:
    """Lemma 2.2's width in explicit form: ``m >= K n^a log(n/delta) / lambda_0^b`` (K = 256, a = b = 2)."""
    return max(1, math.ceil(K * n**a * max(math.log(n / delta), 0.0) / lam0**b))


# ---------------------------------------------------------------- the paper's symbols (for the lint)
lambda_0 = Definition("lambda_0", 0, "least eigenvalue of H^inf", src("p. 8"))
H_inf = Definition("H_inf", 0, "infinite-width Gram matrix E_w[x_i^T x_j 1{w^T x_i >= 0, w^T x_j >= 0}]",
                   src("p. 8"))
H = Definition("H", 1, "Gram matrix H(t) of the activation patterns at time t", src("p. 10, eq. (6)"))
u = Definition("u", 1, "prediction vector u(t) = (f(W(t), a, x_i))_i", src("p. 8"))
residual = Definition("residual", 1, "||y - u(t)||_2^2 (the slides' ||u(t) - y||_2^2)", src("p. 8, eq. (4)"))
lambda_min = Definition("lambda_min", 1, "least eigenvalue of a symmetric matrix", src("p. 6"))
move = Definition("move", 1, "max_r ||w_r(t) - w_r(0)||_2", src("p. 15"))
norm2 = Definition("norm2", 1, "spectral norm", src("p. 12"))
normF = Definition("normF", 1, "Frobenius norm", src("p. 6"))
P = Definition("P", 1, "probability of an event", src("p. 13"))
E = Definition("E", 1, "expectation", src("p. 13"))

t_sym = sympy.Symbol("t", real=True)
n = Definition("n", 0, "number of training points", src("p. 4"))
m = Definition("m", 0, "width: number of hidden neurons", src("p. 4"))
t = Definition("t", 0, "time of the gradient flow", src("p. 7, eq. (3)"))
k = Definition("k", 0, "iteration of gradient descent", src("p. 21"))
eta = Definition("eta", 0, "step size of gradient descent", src("p. 4, eq. (2)"))
y = Definition("y", 0, "label vector", src("p. 4"))

