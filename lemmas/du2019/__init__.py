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

import sympy

from proofcheck import Constant, Definition, Source

DOCUMENT = "Du, Zhai, Poczos, Singh 2019 (slides by Miyazaki 2022)"
CITATION = ("S. S. Du, X. Zhai, B. Poczos, A. Singh, Gradient Descent Provably Optimizes Over-parameterized "
            "Neural Networks, ICLR 2019 (arXiv:1810.02054); slides by Y. Miyazaki (2022)")


def src(location: str) -> Source:
    """A :class:`Source` in the slides (page, equation)."""
    return Source(DOCUMENT, location, CITATION)


#: the same as :func:`src` (the name lemma_2_4, lemma_2_5, thm_2_1, thm_2_6 and thm_3_1 still import)
source = src


# The constant c of Lemma 2.3 that its Markov step yields (slides p. 14): 4 c lambda_0/sqrt(2 pi) <= lambda_0/4.
C_LEMMA23 = math.sqrt(2 * math.pi) / 16
K_LEMMA22 = 256


def delta_constant(value: float = 0.5) -> Constant:
    return Constant("delta", value, "failure probability delta of the statement", positive=True, below=1)


def c_constant() -> Constant:
    return Constant("c", C_LEMMA23, "Lemma 2.3's 'small constant c': the largest its Markov step allows, "
                                    "sqrt(2 pi)/16", positive=True)


def label_bound() -> Constant:
    return Constant("C", 1.0, "label bound |y_i| <= C", positive=True)


def width_lemma22(n: int, lam0: float, delta: float, K: float = K_LEMMA22, a: float = 2, b: float = 2) -> int:
    """Lemma 2.2's width in explicit form: ``m >= K n^a log(n/delta) / lambda_0^b`` (K = 256, a = b = 2)."""
    return max(1, math.ceil(K * n**a * max(math.log(n / delta), 0.0) / lam0**b))


def width_thm21(n: int, lam0: float, delta: float, c: float, C: float) -> int:
    """Theorem 2.1's width from R' < R (see the module docstring): ``4 (C^2+1) n^6 / (c^2 delta^3 lambda_0^4)``."""
    return math.ceil(4 * (C * C + 1) * n**6 / (c * c * delta**3 * lam0**4))


def radius_R(n: int, lam0: float, delta: float, c: float) -> float:
    """Lemma 2.3's radius ``R = c delta lambda_0 / n^2``."""
    return c * delta * lam0 / n**2


def radius_R_prime(n: int, m: int, residual_norm, lam0: float):
    """Lemma 2.4's radius ``R' = 2 sqrt(n) ||y - u(0)|| / (sqrt(m) lambda_0)``."""
    return 2 * math.sqrt(n) * residual_norm / (math.sqrt(m) * lam0)


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


def delta_of(ctx) -> float:
    """The claim's delta, which must lie in (0, 1) (a one-line error otherwise)."""
    from proofcheck.model.num import NumericError

    d = ctx.constant_values.floats["delta"]
    if not 0 < d < 1:
        raise NumericError(f"delta = {d} must lie strictly between 0 and 1")
    return d
