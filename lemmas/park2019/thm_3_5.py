r"""Theorem 3.5 of Park (2019) and its proof, line by line.

Source: J. Park, *Input Distribution Analysis for Learning Two Layer Neural Network*, MSc thesis,
Seoul National University, 2019, Chapter 3, Theorem 3.5, p. 7; proof p. 8 (both text extractions
print the same lines).

Statement as printed: *Suppose Z has unit norm. phi is angle between w_i, w_i*. Assume that there
exists beta such that for all i* ``P[R(w_i, -w_i*)], P[R(-w_i, w_i*)] <= beta phi`` *then we have*
``m^{ex}_{max} <= beta phi``.

Proof (for ``B_001``; unit ``x = [x_1, ..., x_n]``):

.. math::

   x^\top B_{001} x &= \tfrac1{n^2}\sum E[x_i^\top ZZ^\top x_j R(w_i,w_{i*})R(w_j,-w_{j*})]      && (s1)\\
   &\le \tfrac1{n^2}\sum \|x_i\|\|x_j\| E[R(w_i,w_{i*})R(w_j,-w_{j*})]                         && (s2: \|Z\|=1)\\
   &\le \tfrac1{n^2}\sum \tfrac12(\|x_i\|^2+\|x_j\|^2) E[R(w_i,w_{i*})R(w_j,-w_{j*})]         && (s3: AM-GM)\\
   &\le \tfrac1{n^2}\sum \tfrac12(\|x_i\|^2+\|x_j\|^2) E[R(w_j,-w_{j*})]                      && (s4: drop an indicator)\\
   &\le \tfrac1{n^2}\sum \tfrac12(\|x_i\|^2+\|x_j\|^2)\beta\phi                               && (s5)\\
   &= \beta\phi/n                                                                              && (s6)

"For B_100, B_010, B_110, the same as above." (``same``)

Errata
------
* ``m_ex`` is the *constant* of Assumption 3.3 (one number for every ``phi``), but the conclusion
  compares it with ``beta phi`` for the ``phi`` of the configuration at hand -- it uses ``m_ex`` as a
  function of ``phi``. What the proof bounds is ``lambda_max(B_klm)``, the left side of (3.3) (reading
  ``@function``); with ``m_ex`` the constant (reading ``@constant``) the conclusion fails: a small ``phi``
  makes ``beta phi`` as small as the wedge probabilities while ``m_ex`` stays fixed.
* ``lambda_max`` is the largest *singular* value (p. 4). The proof bounds the quadratic form
  ``x^T B x`` -- that bounds ``lambda_max`` of the symmetric part only; ``B_001`` is not symmetric and
  ``sigma_max(B_001)`` can exceed every ``x^T B_001 x`` (reading ``s1@singular``). The same chain with
  two unit vectors ``x, y`` (``x^T B y``) does give ``sigma_max <= beta phi / n``; the quadratic form alone
  gives only the numerical radius, hence ``sigma_max <= 2 beta phi / n``.
* The proof shows ``beta phi / n``, stronger than the stated ``beta phi``.
"""
from __future__ import annotations

import math
from fractions import Fraction

import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Constant, Variable
from proofcheck.model.claim import Family
from proofcheck.ml import linalg_exact as X
from proofcheck.ml import spectral as SP
from proofcheck.ml.networks import block_matrix_exact
from proofcheck.ml.strategies import networks, rational_vectors, rotation_parameter
from proofcheck.model.num import Enclosure, fraction_to_arb

from . import model as Q
from . import src

S = sympy.Symbol
F = sympy.Function
EX_KLM = Q.EX_KLM


def _v(name, lo=0, hi=10):
    return Variable(name, st.floats(lo, hi, allow_nan=False, allow_infinity=False), domain=f"[{lo}, {hi}]",
                    lo=lo, hi=hi)


# ---------------------------------------------------------------------- exact unit-norm instances
def _unit_nets(n=(2, 3), t=None):
    """Unit-norm rational atoms (k = 2), a rational teacher, an exactly-equal-angle student."""
    return Q.network_variable(networks(k=2, n=n, angle="equal", dist="unit", t=t), equal_angle=True,
                              meaning="Thm 3.5's setting: |Z| = 1, every angle(w_i, w_i*) = phi")


def _unit(env) -> Fraction:
    """Hypothesis |Z| = 1 exactly for every atom (1 if so, -1 otherwise)."""
    return Fraction(1) if env.net.dist.is_unit_norm() else Fraction(-1)


UNIT = Q.exact_condition("every atom has unit norm (|Z| = 1)", _unit)

_x = Variable("x", rational_vectors(6, nonzero=False),
              domain="Q^6 (the first 2n entries are x = [x_1, ..., x_n], x_i in R^2)",
              contains=lambda v: len(v) == 6)


def _x_of(env) -> list[Fraction]:
    return [Fraction(v) for v in env.x[: 2 * env.net.n]]


# ====================================================================== statement
_beta, _phi = _v("beta"), Variable("phi", st.floats(0, math.pi), domain="[0, pi]", lo=0, hi=sympy.pi)
BETA, PHI = _beta.symbol, _phi.symbol

thm35 = Claim(
    id="park2019.thm3.5",
    title="wedge probabilities <= beta phi imply m_ex <= beta phi (as printed)",
    source=src("Chapter 3, Theorem 3.5, p. 7"),
    statement=r"P[R(w_i,-w_{i*})], P[R(-w_i,w_{i*})] \le \beta\phi\ \forall i \Rightarrow m^{ex}_{max} \le \beta\phi",
    variables=[_beta, _phi],
    conclusion=sympy.Le(F("m_ex")(PHI), BETA * PHI),
    note="phi is 'the angle between w_i, w_i*' of the configuration at hand, so the conclusion makes "
         "m_ex depend on phi; Assumption 3.3 defines m_ex as one positive constant",
)


def constant_margin(net) -> Enclosure:
    """beta phi - L with beta phi the largest wedge probability (the least admissible beta) and L a
    certified lower bound of the constant m_ex (exact configurations at the grid's best angle)."""
    bphi = Q.wedge_prob_max(net.dist, net.W, net.W_star)
    _, phi = Q.m_ex_lower_float(net.dist, net.W_star.astype(float))
    return Enclosure.of(fraction_to_arb(bphi) - Q.m_ex_lower_exact(net.dist, net.W_star, phi))


thm35_const = Claim(
    id="park2019.thm3.5@constant",
    reason=("m_ex is one constant for every phi, but the conclusion compares it with beta phi for the phi at hand: "
            "a small phi makes beta phi as small as the wedge probabilities while m_ex stays fixed."),
    title="Thm 3.5 with m_ex the constant of Assumption 3.3",
    source=src("Chapter 3, Theorem 3.5, p. 7"),
    statement=r"P[R(w_i,-w_{i*})], P[R(-w_i,w_{i*})] \le \beta\phi\ \forall i \Rightarrow m_{ex} \le \beta\phi",
    variables=[_unit_nets(t=rotation_parameter(Fraction(5, 16), Fraction(1, 16), 16))],
    hypotheses=[UNIT],
    conclusion=Q.exact_condition("beta phi - (certified lower bound of m_ex)", lambda env: constant_margin(env.net)),
    cost=0.1,
    note="m_ex = the least constant with max_{klm} lambda_max(B_klm) <= m_ex phi for every phi; the conclusion "
         "is encoded through a certified LOWER bound of m_ex (one exact configuration per sign pattern at one "
         "angle), which the statement implies: refuting it refutes the statement. beta = the least admissible "
         "for the configuration at hand (its largest wedge probability / phi); angles 2 atan t, t <= 5/16",
)


def function_margin(net) -> Enclosure:
    """beta(phi) phi - max_{klm, configs at phi} sigma_max(B_klm), enclosed (beta(phi) phi: the largest
    wedge probability over every configuration at the angle, so the hypothesis holds for all of them)."""
    t = Q.rotation_parameter_of(net.W, net.W_star)
    bphi, s_lo, s_hi = Fraction(0), Fraction(0), Fraction(0)
    for W in Q.configs_at(net.W_star, t):
        bphi = max(bphi, Q.wedge_prob_max(net.dist, W, net.W_star))
        for klm in EX_KLM:
            lo, hi = SP.sigma_sq_bounds(block_matrix_exact(net.dist, W, net.W_star, *klm))
            s_lo, s_hi = max(s_lo, lo), max(s_hi, hi)
    b = fraction_to_arb(bphi)
    return Enclosure(Enclosure.of(b - fraction_to_arb(s_hi).sqrt()).lo, Enclosure.of(b - fraction_to_arb(s_lo).sqrt()).hi)


thm35_fun = Claim(
    id="park2019.thm3.5@function",
    title="Thm 3.5 with m_ex read as the left side of (3.3): max lambda_max(B_klm) <= beta phi",
    source=src("Chapter 3, Theorem 3.5, p. 7"),
    statement=r"\max_{klm}\max_{\angle w_i,w_{i*}=\phi}\lambda_{max}(B_{klm}) \le \beta\phi",
    variables=[_unit_nets()], hypotheses=[UNIT],
    conclusion=Q.exact_condition("beta phi - max sigma_max(B_klm) over the configurations at phi",
                                 lambda env: function_margin(env.net)),
    cost=0.1,
    note="lambda_max as the largest singular value (p. 4), enclosed between an exact test vector and the "
         "Frobenius norm; k = 2, all 2^n configurations at the angle",
)


# ====================================================================== proof lines
def _line_values(dist, W, Ws, x):
    """Exact values of the proof's lines for B_001 at one configuration and vector x."""
    n = W.shape[1]
    xs = [x[2 * i:2 * i + 2] for i in range(n)]
    cols = [X.fvec(W[:, i]) for i in range(n)]
    scol = [X.fvec(Ws[:, i]) for i in range(n)]

    def inR(a, b, z):
        return X.dot(a, z) >= 0 and X.dot(b, z) >= 0

    direct = Fraction(0)
    pij = [[Fraction(0)] * n for _ in range(n)]
    for z, p in zip(dist.atoms_q, dist.weights_q):
        for j in range(n):
            rj = inR(cols[j], [-v for v in scol[j]], z)
            for i in range(n):
                if inR(cols[i], scol[i], z) and rj:
                    pij[i][j] += p
                    direct += p * X.dot(xs[i], z) * X.dot(z, xs[j])
    sq = [X.dot(v, v) for v in xs]
    return direct / (n * n), pij, sq


def s1_gap(env) -> Fraction:
    """-|x^T B001 x (Def. 3.1's block matrix) - the proof's double sum|, exactly."""
    net, x = env.net, _x_of(env)
    lhs = X.quad(x, block_matrix_exact(net.dist, net.W, net.W_star, 0, 0, 1))
    return -abs(lhs - _line_values(net.dist, net.W, net.W_star, x)[0])


def s2_margin(env) -> Enclosure:
    """line 2 - line 1 on Arb balls (exact sums, the norms |x_i| as balls)."""
    net, x = env.net, _x_of(env)
    n = net.n
    direct, pij, sq = _line_values(net.dist, net.W, net.W_star, x)
    norms = [fraction_to_arb(s).sqrt() for s in sq]
    rhs = sum((norms[i] * norms[j] * fraction_to_arb(pij[i][j]) for i in range(n) for j in range(n)),
              fraction_to_arb(Fraction(0))) / (n * n)
    return Enclosure.of(rhs - fraction_to_arb(direct))


def singular_margin(env) -> Enclosure:
    """max_x x^T B001 x / |x|^2 - sigma_max(B001), enclosed (LDL^T-certified upper end of the first,
    exact test vectors and Frobenius for the second)."""
    B = block_matrix_exact(env.net.dist, env.net.W, env.net.W_star, 0, 0, 1)
    c_hi, c_lo = SP.sym_upper_certified([B]), SP.sym_lam_max_lower(B)
    lo_sq, hi_sq = SP.sigma_sq_bounds(B)
    lo = Enclosure.of(fraction_to_arb(c_lo) - fraction_to_arb(hi_sq).sqrt()).lo
    hi = Enclosure.of(fraction_to_arb(c_hi) - fraction_to_arb(lo_sq).sqrt()).hi
    return Enclosure(min(lo, hi), hi)


_a, _b, _p, _q, _c, _bp = (_v(nm) for nm in ("a", "b", "p", "q", "c", "bphi"))
#: the 1/2 of (|x_i|^2 + |x_j|^2)/2 (AM-GM, lines 3-6 of the proof)
HALF = Constant("half", Fraction(1, 2), "the 1/2 of (|x_i|^2 + |x_j|^2)/2", positive=True)
A_, B_, P_, Q_, C_, BP_ = (v.symbol for v in (_a, _b, _p, _q, _c, _bp))
_NET = _unit_nets()

# line 6: a double sum over a symbolic number n of neurons, of the family |x_i|^2
_n = Variable("n", st.integers(1, 8), domain="n >= 1 neurons", lo=1, integer=True, meaning="the number of neurons")
SQ_NORM = Family("sq", "|x_i|^2, the squared norm of the i-th block of x", lo=0)
_i, _j, _k = (sympy.Symbol(k, integer=True) for k in "ijk")
S6_LHS = sympy.Sum(HALF.symbol * (SQ_NORM.function(_i) + SQ_NORM.function(_j)) * BP_, (_j, 1, _n.symbol),
                   (_i, 1, _n.symbol)) / _n.symbol ** 2
S6_RHS = BP_ / _n.symbol * sympy.Sum(SQ_NORM.function(_k), (_k, 1, _n.symbol))

CLAIMS = [
    Claim(id="park2019.thm3.5.s1", title="x^T B001 x = (1/n^2) sum E[x_i^T Z Z^T x_j R(w_i,w_i*) R(w_j,-w_j*)]",
          source=src("Theorem 3.5 proof, p. 8, line 1"),
          statement=r"x^\top B_{001}x = \tfrac1{n^2}\sum E[x_i^\top ZZ^\top x_j R(w_i,w_{i*})R(w_j,-w_{j*})]",
          variables=[_NET, _x], conclusion=Q.exact_condition("x^T B001 x = the double sum (minus |difference|)", s1_gap),
          cost=0.25, note="Def. 3.1's block layout, exact atoms"),
    Claim(id="park2019.thm3.5.s1@singular",
          reason=("The quadratic form x^T B x sees only the symmetric part of B, so its maximum over unit x bounds "
                  "the largest eigenvalue of that part, not the largest singular value of a non-symmetric B001."),
          title="bounding x^T B001 x over unit x bounds lambda_max(B001) read as the largest singular value",
          source=src("Theorem 3.5 proof, p. 8, line 1; lambda_max defined as a singular value, p. 4"),
          statement=r"\sigma_{max}(B_{001}) \le \max_{\|x\|=1} x^\top B_{001} x",
          variables=[_NET], hypotheses=[UNIT],
          conclusion=Q.exact_condition("max_x x^T B001 x/|x|^2 - sigma_max(B001)", singular_margin),
          cost=0.25,
          note="the quadratic form sees only the symmetric part; the repair is the same chain for x^T B y "
               "with two unit vectors (it gives sigma_max <= beta phi / n; see park2019.thm3.5@function)"),
    Claim(id="park2019.thm3.5.s2", title="<= (1/n^2) sum |x_i||x_j| E[R R] (|Z| = 1)",
          source=src("Theorem 3.5 proof, p. 8, line 2"),
          statement=r"\le \tfrac1{n^2}\sum\|x_i\|\|x_j\|E[R(w_i,w_{i*})R(w_j,-w_{j*})]",
          variables=[_NET, _x], hypotheses=[UNIT],
          conclusion=Q.exact_condition("line 2 - line 1 (Arb)", s2_margin), cost=0.25,
          uses=["park2019.thm3.5.s1"]),
    Claim(id="park2019.thm3.5.s3", title="AM-GM: a b P <= (a^2 + b^2) P / 2",
          source=src("Theorem 3.5 proof, p. 8, line 3"),
          statement=r"\|x_i\|\|x_j\|E[\cdot] \le \tfrac12(\|x_i\|^2+\|x_j\|^2)E[\cdot]",
          variables=[_a, _b, _p], hypotheses=[sympy.Ge(P_, 0)],
          conclusion=sympy.Le(A_ * B_ * P_, (A_**2 + B_**2) * P_ * HALF.symbol), uses=["park2019.thm3.5.s2"],
          constants=[HALF],
          note="termwise; a sum of termwise inequalities is the line"),
    Claim(id="park2019.thm3.5.s4", title="dropping R(w_i, w_i*): c P(A and B) <= c P(B) for c >= 0",
          source=src("Theorem 3.5 proof, p. 8, line 4"),
          statement=r"\tfrac12(\|x_i\|^2+\|x_j\|^2)E[R(w_i,w_{i*})R(w_j,-w_{j*})] \le \tfrac12(\|x_i\|^2+\|x_j\|^2)E[R(w_j,-w_{j*})]",
          variables=[_c, _p, _q], hypotheses=[sympy.Ge(C_, 0), sympy.Ge(P_, 0), sympy.Le(P_, Q_)],
          conclusion=sympy.Le(C_ * P_, C_ * Q_), uses=["park2019.thm3.5.s3"],
          note="p = E[1_A 1_B] <= q = E[1_B] (monotonicity of probability), c = (|x_i|^2+|x_j|^2)/2"),
    Claim(id="park2019.thm3.5.s5", title="E[R(w_j, -w_j*)] <= beta phi (the hypothesis), termwise",
          source=src("Theorem 3.5 proof, p. 8, line 5"),
          statement=r"\le \tfrac1{n^2}\sum\tfrac12(\|x_i\|^2+\|x_j\|^2)\beta\phi",
          variables=[_c, _q, _bp], hypotheses=[sympy.Ge(C_, 0), sympy.Le(Q_, BP_)],
          conclusion=sympy.Le(C_ * Q_, C_ * BP_), uses=["park2019.thm3.5.s4"]),
    Claim(id="park2019.thm3.5.s6", title="(1/n^2) sum_{i,j} (|x_i|^2 + |x_j|^2)/2 beta phi = beta phi / n",
          source=src("Theorem 3.5 proof, p. 8, last line"),
          statement=r"\tfrac1{n^2}\sum_{i,j}\tfrac12(\|x_i\|^2+\|x_j\|^2)\beta\phi = \beta\phi/n",
          variables=[_n, _bp], families=[SQ_NORM], constants=[HALF],
          # an equality a = b as (a - b)^2 <= 0; the right side beta phi / n with |x|^2 = sum_k |x_k|^2 kept
          # as a factor (it is 1 for the unit x of the proof)
          conclusion=sympy.Le((S6_LHS - S6_RHS) ** 2, 0), sides=(S6_LHS, S6_RHS),
          uses=["park2019.thm3.5.s5"],
          note="decided for every n >= 1 and every |x_1|^2, ..., |x_n|^2: the right side is beta phi / n times "
               "|x|^2 = sum_k |x_k|^2, which is 1 for the proof's unit x"),
]


SAME_KLM = [(1, 0, 0), (0, 1, 0), (1, 1, 0)]


def same_margin(env) -> Enclosure:
    """beta phi / n - lambda_max(sym B_klm), enclosed (LDL^T-certified upper end, exact Rayleigh lower end)."""
    net = env.net
    bound = Q.wedge_prob_max(net.dist, net.W, net.W_star) / net.n
    B = block_matrix_exact(net.dist, net.W, net.W_star, *SAME_KLM[int(env.klm)])
    return Enclosure(bound - SP.sym_upper_certified([B]), bound - SP.sym_lam_max_lower(B))


same = Claim(
    id="park2019.thm3.5.same",
    title="'For B_100, B_010, B_110, the same as above'",
    source=src("Theorem 3.5 proof, p. 8, after the display"),
    statement=r"x^\top B_{klm} x \le \beta\phi/n,\ klm \in \{100, 010, 110\}",
    variables=[_NET, Variable("klm", st.integers(0, 2), domain="{0, 1, 2}: B_100, B_010, B_110", lo=0, hi=2,
                              integer=True)],
    hypotheses=[UNIT],
    conclusion=Q.exact_condition("beta phi / n - max_x x^T B x / |x|^2", same_margin),
    uses=["park2019.thm3.5.s6"],
    cost=0.25,
    note="B_100 drops R(w_j, w_j*) and keeps P[R(w_i,-w_i*)]; B_010 and B_110 keep P[R(-w_j, w_j*)] -- both "
         "covered by the hypothesis. Checked as the proof states it (quadratic form).",
)
