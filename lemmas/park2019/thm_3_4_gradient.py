r"""Theorem 3.4, Appendix 5.1: the gradient lines of the proof (s1--s4) and the induction remark.

Source: J. Park, *Input Distribution Analysis for Learning Two Layer Neural Network*, MSc thesis,
Seoul National University, 2019, Appendix 5.1 "Proof of Theorem 3.4", pp. 11--13 (both text
extractions print the same lines).

* s1 (first display): with the appendix's normalisation (model ``(1/n) sum_i sigma(w_i^T z)``)

  .. math::

     E\nabla_{w_i}\ell = \frac1{n^2}\sum_j E[zz^\top 1\{R(w_i,w_{i*})R(w_j,w_{j*}) + R(w_i,-w_{i*})R(w_j,w_{j*})\}](w_j-w_{j*})
       + \frac1{n^2}\sum_j E[zz^\top 1\{R(w_i,w_{i*})R(w_j,-w_{j*}) + R(w_i,-w_{i*})R(w_j,-w_{j*})\}]\,w_j
       + \frac1{n^2}\sum_j E[zz^\top 1\{R(w_i,w_{i*})R(-w_j,w_{j*}) + R(w_i,-w_{i*})R(-w_j,w_{j*})\}](-w_{j*})

* s2: ``sum_i E<grad_{w_i} l, w_i - w_i*>`` written as the double sum of the same indicators equals
  ``d^T(B000+B100)d + d^T(B001+B101)W + d^T(B010+B110)(-W*)``, ``d = W - W*``;
* s3: "Use definitions of m_min and remove positive terms": the last expression is
  ``>= m_min |d|^2 + d^T B100 (-W*) + d^T B001 W + d^T (B010+B110)(-W*)``;
* s4: "Now use norm": each bilinear term ``x^T B y >= -|x||y||B|_oper``;
* induct (p. 13): "If this theorem satisfies, then we can use it inductively for all t."

Errata
------
* Def. 2.1 closes the regions (``>= 0``). The three-sum splits ``sigma(a) - sigma(b)`` as
  ``1{a>=0,b>=0}(a-b) + 1{a>=0,b<=0} a + 1{a<=0,b>=0}(-b)`` and ``1{a>=0}`` as
  ``1{a>=0,b>=0} + 1{a>=0,b<=0}``: both count a point with ``b = w_j*^T z = 0`` twice. For a
  distribution with mass on such a hyperplane (any atom there) s1 is false; with no mass on the
  hyperplanes ``w_j^T z = 0``, ``w_j*^T z = 0`` it holds (reading ``@no_boundary_mass``: the two
  pointwise identities are claims of their own, proved by z3; integrating them is the step the
  engine cannot check, so the reading is searched over exact atoms and ``survives``).
* s3 drops ``d^T B100 W`` and ``d^T B101 W``; both are ``>= 0`` because ``(w_i - w_i*)^T z >= 0`` on
  ``R(w_i, -w_i*)`` and ``w_j^T z >= 0`` on ``R(w_j, +-w_j*)``.
* Def. 3.2's ``m_min(phi)`` is a minimum over weights whose angles to their targets are *all* equal
  to ``phi``; s3 needs the current weights to be such a configuration, and the induction needs the
  next iterate to be one again. One population-GD step generally makes the angles unequal.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Variable
from proofcheck.ml import linalg_exact as X
from proofcheck.ml import spectral as SP
from proofcheck.ml.networks import (block_matrix_exact, gd_step_exact, gradient_three_sum_exact,
                                    population_gradient_exact, vec)
from proofcheck.ml.strategies import Network, networks, rationals
from proofcheck.model.num import Enclosure, fraction_to_arb

from . import model as Q
from . import src

KLM = [(0, 0, 0), (1, 0, 0), (0, 0, 1), (1, 0, 1), (0, 1, 0), (1, 1, 0)]


# ---------------------------------------------------------------------- s1, pointwise (z3)
# At a point z with a = w^T z != 0 and b = w*^T z != 0 the indicator 1{x >= 0} equals
# (x + |x|)/(2|x|) and 1{x <= 0} equals (|x| - x)/(2|x|), so the two scalar identities behind s1 are
# polynomial-with-absolute-values statements z3 decides. They are homogeneous (degree 1 and 0), so a
# bounded box loses nothing.
def _ind(x):
    return (x + sympy.Abs(x)) / (2 * sympy.Abs(x))


def _nind(x):
    return (sympy.Abs(x) - x) / (2 * sympy.Abs(x))


_a = Variable("a", st.floats(-10, 10), lo=-10, hi=10, meaning="w_j^T z")
_b = Variable("b", st.floats(-10, 10), lo=-10, hi=10, meaning="w_j*^T z")
_A, _B = _a.symbol, _b.symbol
pointwise_split = Claim(
    id="park2019.thm3.4.s1.pointwise_split", title="sigma(a) - sigma(b) splits over the three regions (a, b != 0)",
    source=src("Appendix 5.1, p. 11"),
    statement=r"\sigma(a)-\sigma(b) = 1_{a,b\ge0}(a-b)+1_{a\ge0\ge b}a-1_{b\ge0\ge a}b",
    variables=[_a, _b], hypotheses=[sympy.Gt(_A**2, 0), sympy.Gt(_B**2, 0)],
    conclusion=sympy.Le((sympy.Max(_A, 0) - sympy.Max(_B, 0) - _ind(_A) * _ind(_B) * (_A - _B)
                         - _ind(_A) * _nind(_B) * _A + _nind(_A) * _ind(_B) * _B) ** 2, 0),
    note="the pointwise identity behind s1 at points off the hyperplanes (the first step of its proof)")
pointwise_outer = Claim(
    id="park2019.thm3.4.s1.pointwise_outer", title="1{a >= 0} = 1{a >= 0, b >= 0} + 1{a >= 0, b <= 0} (a, b != 0)",
    source=src("Appendix 5.1, p. 11"), statement=r"1_{a\ge0} = 1_{a,b\ge0}+1_{a\ge0\ge b}",
    variables=[_a, _b], hypotheses=[sympy.Gt(_A**2, 0), sympy.Gt(_B**2, 0)],
    conclusion=sympy.Le((_ind(_A) * _ind(_B) + _ind(_A) * _nind(_B) - _ind(_A)) ** 2, 0),
    note="the outer indicator of s1 split over the sign of w_i*^T z, off the hyperplanes")

_ai, _bi, _aj = (Variable(nm, st.floats(-10, 10), lo=-10, hi=10, meaning=m) for nm, m in
                 (("ai", "w_i^T z"), ("bi", "w_i*^T z"), ("aj", "w_j^T z")))
#: s3's dropped terms, pointwise: on R(w_i, -w_i*) (a_i >= 0 >= b_i) and R(w_j, +-w_j*) (a_j >= 0)
#: the integrand of d^T B_1l0.. W, (w_i - w_i*)^T z z^T w_j = (a_i - b_i) a_j, is >= 0.
dropped_pointwise = Claim(
    id="park2019.thm3.4.s3.dropped_pointwise", title="(a_i - b_i) a_j >= 0 when a_i >= 0 >= b_i and a_j >= 0",
    source=src("Appendix 5.1, p. 12"),
    statement=r"(w_i-w_{i*})^\top z\, z^\top w_j \ge 0 \text{ on } R(w_i,-w_{i*})\cap R(w_j,\pm w_{j*})",
    variables=[_ai, _bi, _aj],
    hypotheses=[sympy.Ge(_ai.symbol, 0), sympy.Le(_bi.symbol, 0), sympy.Ge(_aj.symbol, 0)],
    conclusion=sympy.Ge((_ai.symbol - _bi.symbol) * _aj.symbol, 0),
    note="the integrand of the terms s3 removes as positive, on the regions where it is integrated")


# ---------------------------------------------------------------------- the network variable
net_variable = Q.network_variable
_FREE = net_variable(networks(k=(2, 3), n=(1, 2, 3), angle="free", boundary=True, max_atoms=4))
_EQUAL = net_variable(networks(k=(2, 3), n=(1, 2, 3), angle="equal", boundary=True, max_atoms=4), equal_angle=True)

#: no atom on a student hyperplane w_j^T z = 0 (the ReLU derivative at 0 is a convention, not s1's business)
OFF_STUDENT = Q.off_hyperplanes("W")
OFF_ALL = Q.off_hyperplanes("both")


# ---------------------------------------------------------------------- s1
def s1_gap(net: Network) -> Fraction:
    """max entry of |E grad l - the three-sum|, exactly, atom by atom."""
    direct = population_gradient_exact(net.dist, net.W, net.W_star, reading="appendix")
    return Q.max_abs(direct - gradient_three_sum_exact(net.dist, net.W, net.W_star))


S1_EQUAL = Q.exact_condition("E grad l equals the three-sum (minus the largest entry of the difference)",
                             lambda env: -s1_gap(env.net))

_S1_STATEMENT = (r"E\nabla_{w_i}\ell = \tfrac1{n^2}\sum_j E[zz^\top 1\{R(w_i,w_{i*})R(w_j,w_{j*}) + "
                 r"R(w_i,-w_{i*})R(w_j,w_{j*})\}](w_j-w_{j*}) + \dots")

s1 = Claim(
    id="park2019.thm3.4.s1",
    reason=("With closed regions an input on a teacher's hyperplane is counted in two regions, so the three-sum "
            "formula double-counts its mass and is not the population gradient."),
    title="population gradient = the three-sum over R(w_i, +-w_i*) ∩ R(+-w_j, +-w_j*) (closed regions)",
    source=src("Appendix 5.1, p. 11 (first display of the proof)"),
    statement=_S1_STATEMENT,
    variables=[_FREE], hypotheses=[OFF_STUDENT], conclusion=S1_EQUAL,
    cost=0.25,
    note="any input distribution (the thesis assumes none beyond boundedness), regions closed as in "
         "Def. 2.1; model normalised by 1/n (the appendix's 1/n^2). Searched over exact finite atoms "
         "(k in {2, 3}, n <= 3), some placed on the teacher's hyperplanes by the strategy.",
)

s1_generic = Claim(
    id="park2019.thm3.4.s1@no_boundary_mass",
    title="s1 for distributions with no mass on the hyperplanes w_j^T z = 0, w_j*^T z = 0",
    source=src("Appendix 5.1, p. 11"),
    statement=_S1_STATEMENT,
    variables=[_FREE], hypotheses=[OFF_ALL], conclusion=S1_EQUAL,
    uses=["park2019.thm3.4.s1.pointwise_split", "park2019.thm3.4.s1.pointwise_outer"],
    cost=0.25,
    note="reading: regions differ from their interiors by null sets (e.g. any distribution with a "
         "density). Proof sketch: the two pointwise identities (claims of their own, z3) integrated "
         "over the distribution; the integration is not an engine certificate, so the reading is "
         "searched over exact atoms off the hyperplanes",
)


# ---------------------------------------------------------------------- s2
def _printed_double_sum(dist, W, Ws) -> Fraction:
    """s2's middle display computed directly from the indicators, atom by atom (independent of
    the block-matrix code): (1/n^2) sum_a p_a sum_{i,j} (d_i^T z)[...](z^T v_j)."""
    k, n = W.shape
    cols = [X.fvec(W[:, i]) for i in range(n)]
    scol = [X.fvec(Ws[:, i]) for i in range(n)]
    total = Fraction(0)

    def R(a, b, z):
        return X.dot(a, z) >= 0 and X.dot(b, z) >= 0

    neg = lambda v: [-x for x in v]  # noqa: E731
    for z, p in zip(dist.atoms_q, dist.weights_q):
        for i in range(n):
            di_z = X.dot(cols[i], z) - X.dot(scol[i], z)
            outer = int(R(cols[i], scol[i], z))  # R(w_i, w_i*)
            outer_neg = int(R(cols[i], neg(scol[i]), z))  # R(w_i, -w_i*)
            for j in range(n):
                wz, sz = X.dot(cols[j], z), X.dot(scol[j], z)
                s = Fraction(0)
                s += (outer + outer_neg) * int(R(cols[j], scol[j], z)) * (wz - sz)
                s += (outer + outer_neg) * int(R(cols[j], neg(scol[j]), z)) * wz
                s += (outer + outer_neg) * int(R(neg(cols[j]), scol[j], z)) * (-sz)
                total += p * di_z * s
    return total / (n * n)


def _b_form(dist, W, Ws) -> Fraction:
    B = {klm: block_matrix_exact(dist, W, Ws, *klm) for klm in KLM}
    w, ws = vec(W), vec(Ws)
    d = w - ws
    return (X.quad(d, B[0, 0, 0] + B[1, 0, 0]) + X.quad(d, B[0, 0, 1] + B[1, 0, 1], w)
            + X.quad(d, B[0, 1, 0] + B[1, 1, 0], -ws))


s2 = Claim(
    id="park2019.thm3.4.s2",
    title="sum_i E<grad_i, w_i - w_i*> as the block form (B000+B100), (B001+B101), (B010+B110)",
    source=src("Appendix 5.1, pp. 11-12 (second and third displays)"),
    statement=(r"\sum_i E\langle\nabla_{w_i}\ell, w_i-w_{i*}\rangle = (W-W_*)^\top(B_{000}+B_{100})(W-W_*) "
               r"+ (W-W_*)^\top(B_{001}+B_{101})W + (W-W_*)^\top(B_{010}+B_{110})(-W_*)"),
    variables=[_FREE],
    conclusion=Q.exact_condition("double sum = block form (minus |difference|)",
                                 lambda env: -abs(_printed_double_sum(env.net.dist, env.net.W, env.net.W_star)
                                                  - _b_form(env.net.dist, env.net.W, env.net.W_star))),
    uses=["park2019.thm3.4.s1"],
    cost=0.25,
    note="checked as the step it is: the printed double sum of indicators (given s1) equals the block "
         "form of Def. 3.1 -- the indicator/index bookkeeping, computed independently on both sides",
)


# ---------------------------------------------------------------------- s3, s4
def _blocks(net: Network) -> dict:
    return {klm: block_matrix_exact(net.dist, net.W, net.W_star, *klm) for klm in KLM}


def dropped_terms(net: Network) -> Fraction:
    """The smaller of s3's removed terms d^T B100 W and d^T B101 W, exactly."""
    B = _blocks(net)
    w, ws = vec(net.W), vec(net.W_star)
    d = w - ws
    return min(X.quad(d, B[1, 0, 0], w), X.quad(d, B[1, 0, 1], w))


s3 = Claim(
    id="park2019.thm3.4.s3",
    title="'use m_min and remove positive terms' (drops d^T B100 W and d^T B101 W)",
    source=src("Appendix 5.1, p. 12 ('Use definitions of m_min and remove positive terms')"),
    statement=(r"\ge \|W-W_*\|^2 m_{min} + (W-W_*)^\top B_{100}(-W_*) + (W-W_*)^\top B_{001}W "
               r"+ (W-W_*)^\top(B_{010}+B_{110})(-W_*)"),
    variables=[_EQUAL],
    conclusion=Q.exact_condition("the removed terms d^T B100 W, d^T B101 W are >= 0 (the smaller)",
                                 lambda env: dropped_terms(env.net)),
    uses=["park2019.thm3.4.s2", "park2019.thm3.4.s3.dropped_pointwise"],
    cost=0.25,
    note="line 2 - line 3 = [d^T B000 d - m_min |d|^2] + d^T B100 W + d^T B101 W (algebra); the bracket is "
         ">= 0 by Def. 3.2 (m_min(phi) <= lambda_min(B000) on the equal-angle set, Rayleigh). Encoded: the "
         "removed terms are positive, at exactly-equal-angle configurations (k in {2, 3}); their integrand "
         "is >= 0 pointwise (park2019.thm3.4.s3.dropped_pointwise)",
)


def _cs_enclosure(x, M, y) -> Enclosure:
    """x^T M y + |x||y| sigma_max(M), enclosed: sigma_max between a test vector and Frobenius."""
    q = fraction_to_arb(X.quad(list(x), M, list(y)))
    nxy = (fraction_to_arb(X.dot(list(x), list(x))) * fraction_to_arb(X.dot(list(y), list(y)))).sqrt()
    lo_sq, hi_sq = SP.sigma_sq_bounds(M)
    lo, hi = Enclosure.of(q + nxy * fraction_to_arb(lo_sq).sqrt()), Enclosure.of(q + nxy * fraction_to_arb(hi_sq).sqrt())
    return Enclosure(lo.lo, hi.hi)


def cauchy_schwarz_margin(net: Network) -> Enclosure:
    B = _blocks(net)
    w, ws = vec(net.W), vec(net.W_star)
    d = w - ws
    encs = [_cs_enclosure(x, M, y) for x, M, y in
            [(d, B[1, 0, 0], -ws), (d, B[0, 0, 1], w), (d, B[0, 1, 0], -ws), (d, B[1, 1, 0], -ws)]]
    return Enclosure(min(e.lo for e in encs), min(e.hi for e in encs))


s4 = Claim(
    id="park2019.thm3.4.s4",
    title="'use norm': x^T B y >= -|x||y||B|_oper for the four remaining terms",
    source=src("Appendix 5.1, p. 13 ('Now use norm.')"),
    statement=(r"\ge \|W-W_*\|^2 m_{min} - \|W_*\|\|W-W_*\|\|B_{100}\| - \|W\|\|W-W_*\|\|B_{001}\| "
               r"- \|W_*\|\|W-W_*\|(\|B_{010}\| + \|B_{110}\|)"),
    variables=[_EQUAL],
    conclusion=Q.exact_condition("x^T B y + |x||y||B|_oper >= 0 (the least of the four terms)",
                                 lambda env: cauchy_schwarz_margin(env.net)),
    uses=["park2019.thm3.4.s3"],
    cost=0.25,
    note="Cauchy-Schwarz with the operator norm, on the exact block matrices (|B|_oper enclosed between "
         "an exact test vector and the Frobenius norm)",
)


# ---------------------------------------------------------------------- s9, first inequality
def gradient_norm_margin(net: Network) -> Enclosure:
    """sum of |B_klm|_oper |x| (the printed first bound of s9) - |E grad_W l| (stacked over i), enclosed:
    |B|_oper between an exact test vector and the Frobenius norm, the norms as Arb balls."""
    B = _blocks(net)
    w, ws = vec(net.W), vec(net.W_star)
    d = w - ws
    G = population_gradient_exact(net.dist, net.W, net.W_star, reading="appendix")
    lhs = fraction_to_arb(sum((Fraction(g) ** 2 for g in np.asarray(G, dtype=object).ravel()), Fraction(0))).sqrt()

    def norm(v):
        return fraction_to_arb(X.dot(list(v), list(v))).sqrt()

    lo = hi = fraction_to_arb(Fraction(0))
    for klm, x in [((0, 0, 0), d), ((1, 0, 0), d), ((0, 0, 1), w), ((1, 0, 1), w), ((0, 1, 0), ws), ((1, 1, 0), ws)]:
        s_lo, s_hi = SP.sigma_sq_bounds(B[klm])
        lo += fraction_to_arb(s_lo).sqrt() * norm(x)
        hi += fraction_to_arb(s_hi).sqrt() * norm(x)
    return Enclosure(Enclosure.of(lo - lhs).lo, Enclosure.of(hi - lhs).hi)


s9 = Claim(
    id="park2019.thm3.4.s9",
    title="gradient norm <= |W - W*| (L + 4 alpha + 14 m_ex)",
    source=src("Appendix 5.1, pp. 13-14 ('In the same way, ...')"),
    statement=(r"\Big(\sum_i\|E\nabla_{w_i}\ell\|^2\Big)^{1/2} \le \|B_{000}\|\|d\| + \|B_{100}\|\|d\| "
               r"+ \|B_{001}\|\|W\| + \|B_{101}\|\|W\| + \|B_{010}\|\|W_*\| + \|B_{110}\|\|W_*\| "
               r"\le \|d\|(L + 4\alpha + 14 m^{ex}_{max})"),
    variables=[_FREE], hypotheses=[OFF_ALL],
    conclusion=Q.exact_condition("sum of |B_klm||x| - |E grad l| (first inequality)",
                                 lambda env: gradient_norm_margin(env.net)),
    uses=["park2019.thm3.4.s1@no_boundary_mass", "park2019.thm3.4.s9.chain"],
    cost=0.25,
    note="two halves: the first inequality (the triangle inequality on s1's three-sum, with operator norms) is "
         "searched here over exact networks with no mass on the hyperplanes (where s1 holds); the second, from "
         "the sum of norms to |d|(L + 4 alpha + 14 m_ex), is park2019.thm3.4.s9.chain (z3). The whole line is "
         "not proved: its first half is searched, not certified",
)


# ---------------------------------------------------------------------- induction
def angle_spread_after_step(net: Network, eta: Fraction) -> Fraction:
    """max - min of the signed cos^2 angle(w_i^{t+1}, w_i*) after one exact population GD step."""
    W1 = gd_step_exact(net.dist, net.W, net.W_star, eta, reading="appendix")
    c2 = [X.cos_sq_angle(X.fvec(W1[:, i]), X.fvec(net.W_star[:, i])) for i in range(net.n)]
    return max(c2) - min(c2)


def _closer_than_target(env) -> Fraction:
    d = list(vec(env.net.W) - vec(env.net.W_star))
    s = list(vec(env.net.W_star))
    return X.dot(s, s) - X.dot(d, d)


_eta = Variable("eta", rationals(Fraction(1, 1000), 1, 1000),
                domain="(0, 1]", lo=0, hi=1, meaning="step size (any eta > 0: 'small enough')")
induct = Claim(
    id="park2019.thm3.4.induct",
    reason=("One gradient step does not keep the angles angle(w_i, w_i*) equal, so the one-step bound's hypotheses "
            "need not hold again at t + 1."),
    title="the one-step bound can be applied inductively (its hypotheses hold again at t+1)",
    source=src("Appendix 5.1, p. 13 ('If this theorem satisfies, then we can use it inductively for all t.')"),
    statement=r"\text{hypotheses at } t \Rightarrow \text{hypotheses at } t+1",
    variables=[net_variable(networks(k=(2, 3), n=(2, 3), angle="equal", max_atoms=4), equal_angle=True), _eta],
    hypotheses=[Q.exact_condition("|W - W*| < |W*| at time t", _closer_than_target, strict=True), OFF_ALL,
                Q.exact_condition("eta > 0", lambda env: env.eta, strict=True)],
    conclusion=Q.exact_condition("the angles stay equal after one GD step (minus the spread of cos^2)",
                                 lambda env: -angle_spread_after_step(env.net, env.eta)),
    uses=["park2019.thm3.4.s3"],
    cost=1.0,
    note="reading of Def. 3.2 / Assumption 3.3: the quantities are defined on configurations whose angles "
         "angle(w_i, w_i*) are all equal to phi, so the iterate must stay such a configuration. Any step "
         "eta in (0, 1] (for n >= 2 the statement's own step-size bound is not known to be positive, see "
         "park2019.thm3.4@L=m_max.L_ex=m_ex). Exact atoms, exact GD step.",
)


# ---------------------------------------------------------------------- s6 under the eigenvalue reading
S6_KLM = [(1, 0, 0), (0, 0, 1), (0, 1, 0), (1, 1, 0)]


def eigen_reading_margin(net: Network, j: int) -> Enclosure:
    """max_{configs at the angle} lambda_max(sym B) - |B|_oper at this configuration (B = B_klm, klm the
    j-th of Assumption 3.3's four), enclosed: certified upper bound of the eigenvalues (LDL^T), exact
    test vectors below, Frobenius above."""
    klm = S6_KLM[j]
    t = Q.rotation_parameter_of(net.W, net.W_star)
    Bs = [block_matrix_exact(net.dist, C, net.W_star, *klm) for C in Q.configs_at(net.W_star, t)]
    c_hi = SP.sym_upper_certified(Bs)
    c_lo = max(SP.sym_lam_max_lower(B) for B in Bs)
    B = block_matrix_exact(net.dist, net.W, net.W_star, *klm)
    lo_sq, hi_sq = SP.sigma_sq_bounds(B)
    lo = Enclosure.of(fraction_to_arb(c_lo) - fraction_to_arb(hi_sq).sqrt()).lo
    hi = Enclosure.of(fraction_to_arb(c_hi) - fraction_to_arb(lo_sq).sqrt()).hi
    return Enclosure(min(lo, hi), hi)


_planar_equal = net_variable(networks(k=2, n=(1, 2, 3), angle="equal"), equal_angle=True)
_klm = Variable("klm", st.integers(0, 3), domain="{0, 1, 2, 3}: B_100, B_001, B_010, B_110", lo=0, hi=3,
                integer=True)
s6_eigen = Claim(
    id="park2019.thm3.4.s6@lambda=eigen",
    reason=("B_klm (klm != 000, 101) is not symmetric, so its operator norm is a singular value and can exceed its "
            "largest eigenvalue."),
    title="s6 if Assumption 3.3's lambda_max were an eigenvalue: |B_klm|_oper <= max eigenvalue at phi",
    source=src("Appendix 5.1, p. 13; Assumption 3.3, p. 6; lambda_max defined on p. 4"),
    statement=r"\|B_{klm}\|_{oper} \le \max_{\forall i,\angle w_i,w_{i*}=\phi}\lambda_{max}(B_{klm})",
    variables=[_planar_equal, _klm],
    conclusion=Q.exact_condition("max eigenvalue (real part) at phi - |B_klm|_oper", lambda env: eigen_reading_margin(
        env.net, int(env.klm))),
    uses=["park2019.thm3.4.s5"],
    cost=0.6,
    note="the text defines lambda_max as the largest singular value (then s6 is park2019.thm3.4.s6, proved); "
         "this reading shows the step needs that definition: B_klm (klm != 000, 101) is not symmetric. "
         "k = 2: the configurations at angle phi are the 2^n sign patterns (the regions ignore norms)",
)
