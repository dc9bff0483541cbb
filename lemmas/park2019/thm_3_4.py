r"""Theorem 3.4 of Park (2019) and its proof (Appendix 5.1), line by line.

Source: J. Park, *Input Distribution Analysis for Learning Two Layer Neural Network*, MSc thesis,
Seoul National University, 2019,
Chapter 3, Theorem 3.4, p. 7; proof in Appendix 5.1, pp. 11--14.

Statement as printed:

.. math::

    \|W^0 - W_*\| < \|W_*\|,\quad \phi^t = \arcsin\frac{\|W^t - W_*\|}{\|W_*\|},\quad
    \eta_t \le \min_{0\le\phi\le\phi^t} \frac{m_{min}(\phi) - 10 m^{ex}_{max}}{2(L(\phi) + 14 L_{ex} + 4\alpha)^2}
    \;\Longrightarrow\;
    \|W^{t+1} - W_*\|^2 \le \|W^t - W_*\|^2\Big(1 - \frac{\eta_t (m_{min} - 10 m^{ex}_{max})}{2}\Big)

Proof lines (ids ``park2019.thm3.4.s1`` .. ``s11``; ``d = W - W_*``, norms of vectors are Euclidean,
of matrices the operator norm):

* s1  ``E[grad_{w_i} l] = (1/n^2) sum_j E[zz^T 1{R(w_i,w_i*)R(w_j,w_j*) + R(w_i,-w_i*)R(w_j,w_j*)}](w_j - w_j*) + ...``
* s2  ``sum_i E<grad_{w_i} l, w_i - w_i*> = d^T(B000+B100)d + d^T(B001+B101)W + d^T(B010+B110)(-W*)``
* s3  ``>= m_min |d|^2 + d^T B100 (-W*) + d^T B001 W + d^T (B010+B110)(-W*)`` ("remove positive terms")
* s4  ``>= m_min|d|^2 - |W*||d||B100| - |W||d||B001| - |W*||d|(|B010| + |B110|)`` ("use norm")
* s5  ``|d| <= |W*|  =>  |W| <= 2|W*|``
* s6  ``>= m_min|d|^2 - 5 |W*||d| m_ex phi`` (Assumption 3.3)
* s7  ``phi <= 2 sin phi`` for ``0 <= phi <= 2/pi``
* s8  ``sin phi = |d|/|W*|``, hence ``>= |d|^2 (m_min - 10 m_ex)``
* s9  ``(sum_i |E grad_{w_i} l|^2)^{1/2} <= |d| (L + 4 alpha + 14 m_ex)``
* s10 ``|W^{t+1} - W*|^2 <= |d|^2 (1 - eta(m_min - 10 m_ex) + eta^2 (L + 4 alpha + 14 m_ex))``
* s11 for eta as in the statement, ``1 - eta a + eta^2 b <= 1 - eta a / 2``

and ``induct``: "If this theorem satisfies, then we can use it inductively for all t" (p. 13).

Errata
------
* ``L(phi)`` and ``L_ex`` are never defined (``L`` appears in the proof only as a bound of
  ``|B000|``; the text after the theorem says "smaller L"). Readings: ``L`` = ``max |B_000|`` over the
  configurations at angle ``phi`` (= ``m_max(phi)`` under the singular-value reading), and
  ``L_ex = m_ex`` (the proof's last lines use ``14 m_ex`` where the statement has ``14 L_ex``).
* The conclusion prints ``m_min`` without an argument while Def. 3.2 makes it a function of
  ``phi`` (which ``phi``: ``phi^t``? the angle at time ``t``?).
* ``phi`` is used for two things: the angle ``angle(w_i, w_i*)`` that Def. 3.2 and Assumption 3.3
  require to be *the same for every i*, and ``phi^t = arcsin(|d|/|W*|)``; s8 identifies them
  (``sin phi = |d|/|W*|``), which is false in general -- only ``sin phi <= |d|/|W*|`` holds.
* s10 prints ``eta^2 (L + 4alpha + 14m_ex)``; expanding ``|d - eta g|^2`` gives
  ``eta^2 |g|^2 <= eta^2 (L + 4alpha + 14 m_ex)^2 |d|^2`` (the bound of s9 squared). The step-size
  bound of the statement has the square, s11 then needs it.
* ``lambda_max`` is defined (p. 4) as the largest singular value (= operator norm), which is what
  s6 needs; under an eigenvalue reading s6 does not follow.
"""
from __future__ import annotations

import math

import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Constant, Variable

from . import THM34_CONSTANTS, src

S = sympy.Symbol
F = sympy.Function


def _real(name, lo=-10, hi=10, meaning=""):
    """A real scalar variable on ``[lo, hi]`` (bounds also used by z3 and by the Arb layer)."""
    return Variable(name, st.floats(lo, hi, allow_nan=False, allow_infinity=False), domain=f"[{lo}, {hi}]",
                    lo=lo, hi=hi, meaning=meaning)


def _nonneg(name, hi=10, meaning=""):
    return _real(name, 0, hi, meaning)


# ====================================================================== s5
# Only span{W, W*} matters and norms are rotation invariant, so it is enough to take coordinates
# (w1, w2) of W and (s1, s2) of W* in an orthonormal basis of that plane: every pair of vectors in
# any R^{kn} has such coordinates with the same three inner products.  Squared norms keep the
# statement polynomial (for nonnegative norms, |a| <= |b| iff |a|^2 <= |b|^2).
_w1, _w2, _s1, _s2 = (_real(n) for n in ("w1", "w2", "s1", "s2"))
W1, W2, S1, S2 = (v.symbol for v in (_w1, _w2, _s1, _s2))
#: the 2 of |W| <= 2|W*| (s5), used again by s6 and s9
C_W = Constant("c_W", 2, "the 2 of |W| <= 2|W*| (s5)", positive=True)
CW = C_W.symbol

s5 = Claim(
    id="park2019.thm3.4.s5",
    title="|W - W*| <= |W*| implies |W| <= 2|W*|",
    source=src("Appendix 5.1, p. 13 ('Therefore, |W_vec| <= 2|W_vec,*|')"),
    statement=r"\|W - W_*\|_2 \le \|W_*\|_2 \;\Rightarrow\; \|W\|_2 \le 2\|W_*\|_2",
    variables=[_w1, _w2, _s1, _s2],
    hypotheses=[sympy.Le((W1 - S1) ** 2 + (W2 - S2) ** 2, S1**2 + S2**2)],
    conclusion=sympy.Le(W1**2 + W2**2, CW**2 * (S1**2 + S2**2)),
    constants=[C_W],
    note="encoded in the plane span{W, W*} with squared norms (rotation invariance); the triangle "
         "inequality |W| <= |W - W*| + |W*| is what the step uses",
)

# ====================================================================== s6
_b100, _b001, _b010, _b110 = (_nonneg(n, 5, f"|B_{n[1:]}|_oper") for n in ("b100", "b001", "b010", "b110"))
_D = _nonneg("D", 10, "|W - W*|")
_Sn = _nonneg("Sn", 10, "|W*|")
_m = _nonneg("m_ex", 5, "Assumption 3.3's constant")
_phi_pi = Variable("phi", st.floats(0, math.pi), domain="[0, pi]", lo=0, hi=sympy.pi, meaning="angle(w_i, w_i*)")
B100, B001, B010, B110, D, SN, MEX, PHI = (v.symbol for v in (_b100, _b001, _b010, _b110, _D, _Sn, _m, _phi_pi))
C_5 = Constant("c5", 5, "the 5 of -5 |W*||d| m_ex phi (s6)", positive=True)

s6 = Claim(
    id="park2019.thm3.4.s6",
    title="replacing the operator norms by m_ex phi (Assumption 3.3) gives the factor 5",
    source=src("Appendix 5.1, p. 13 ('By assumption, operation norm of B can be replaced.')"),
    statement=(r"-\|W_*\|\|d\|(\|B_{100}\| + 2\|B_{001}\| + \|B_{010}\| + \|B_{110}\|) "
               r"\ge -5\|W_*\|\|d\| m^{ex}_{max}\phi"),
    variables=[_b100, _b001, _b010, _b110, _D, _Sn, _m, _phi_pi],
    hypotheses=[sympy.Le(b, MEX * PHI) for b in (B100, B001, B010, B110)],
    conclusion=sympy.Ge(-SN * D * (B100 + CW * B001 + B010 + B110), -C_5.symbol * SN * D * MEX * PHI),
    constants=[C_W, C_5],
    uses=["park2019.thm3.4.s5"],
    note="reading lambda_max = largest singular value (as defined on p. 4), so Assumption 3.3 bounds "
         "the operator norms |B_klm| <= m_ex phi; the coefficients 1 + 2 + 1 + 1 = 5 (the 2 from s5)",
)

# ====================================================================== s7
# The printed range [0, 2/pi] and the factor 2 are constants: phi ranges over [0, pi] and the
# hypothesis phi <= r (folded into the domain by the interval layer) carries the printed end.
_phi7 = Variable("phi", st.floats(0, math.pi), domain="[0, pi]", lo=0, hi=sympy.pi)
P7 = _phi7.symbol
C_SIN = Constant("c_sin", 2, "the 2 of phi <= 2 sin phi (s7)", positive=True)
R_2PI = Constant("r", 2 / sympy.pi, "the printed end 2/pi of the range 0 <= phi <= 2/pi (s7)", positive=True)
R_PI2 = Constant("r", sympy.pi / 2, "the end pi/2 of the range the proof needs", positive=True)

s7 = Claim(
    id="park2019.thm3.4.s7",
    title="phi <= 2 sin(phi) on [0, 2/pi]",
    source=src("Appendix 5.1, p. 13 ('Since phi <= 2 sin phi for 0 <= phi <= 2/pi')"),
    statement=r"\phi \le 2\sin\phi \quad (0 \le \phi \le 2/\pi)",
    variables=[_phi7],
    hypotheses=[sympy.Le(P7, R_2PI.symbol)],
    conclusion=sympy.Le(P7, C_SIN.symbol * sympy.sin(P7)),
    constants=[C_SIN, R_2PI],
)

s7_wide = Claim(
    id="park2019.thm3.4.s7@phi_le_pi_over_2",
    title="phi <= 2 sin(phi) on [0, pi/2], the range the proof applies it to",
    source=src("Appendix 5.1, p. 13"),
    statement=r"\phi \le 2\sin\phi \quad (0 \le \phi \le \pi/2)",
    variables=[_phi7],
    hypotheses=[sympy.Le(P7, R_PI2.symbol)],
    conclusion=sympy.Le(P7, C_SIN.symbol * sympy.sin(P7)),
    constants=[C_SIN, R_PI2],
    note="the proof uses the bound at the angle of the current weights, which can be as large as "
         "phi^t = arcsin(|d|/|W*|) < pi/2 -- outside the printed range [0, 2/pi]; this reading checks "
         "the range actually needed",
)

# ====================================================================== s8
# One neuron in the plane of w, w*: w* = (1, 0) and w = (x, y) with y >= 0 (rotation, reflection and
# joint scaling leave both sides unchanged).  sin(phi) = y / |w|.  The equality of two nonnegative
# numbers is the equality of their squares; (u - v)^2 <= 0 keeps the printed "=" polynomial.
# A refutation for n = 1 refutes the statement for arbitrary n (n = 1 is an instance).
_x8 = _real("x", -2, 2, "first coordinate of w (w* = (1, 0))")
_y8 = _real("y", 0, 2, "second coordinate of w, >= 0")
X8, Y8 = _x8.symbol, _y8.symbol
_sin2 = Y8**2  # sin^2(phi) * |w|^2
_ratio2 = (X8 - 1) ** 2 + Y8**2  # |w - w*|^2 / |w*|^2
_w2 = X8**2 + Y8**2
_s8_hyps = [sympy.Gt(_w2, 0), sympy.Lt(_ratio2, 1)]
# the sides as printed: sin(phi) = y/|w| and |w - w*|/|w*| (the encoding squares and clears |w|^2)
_s8_sides = (Y8 / sympy.sqrt(_w2), sympy.sqrt(_ratio2))

s8 = Claim(
    id="park2019.thm3.4.s8",
    reason=("sin(phi) and |W - W*|/|W*| are not equal: scaling w changes the right side but not the angle phi (the "
            "repair is the inequality sin(phi) <= |W - W*|/|W*|)."),
    title="sin(phi) = |W - W*| / |W*| (printed as an equality)",
    source=src("Appendix 5.1, p. 13 ('sin phi = |W_vec - W_vec,*| / |W_vec,*|')"),
    statement=r"\sin\phi = \|W - W_*\| / \|W_*\|",
    variables=[_x8, _y8],
    hypotheses=_s8_hyps,
    conclusion=sympy.Le((_sin2 - _ratio2 * _w2) ** 2, 0),
    sides=_s8_sides,
    note="n = 1, w* = (1, 0), w = (x, y): sin^2 phi = y^2/|w|^2 and (|w - w*|/|w*|)^2 = (x-1)^2 + y^2; "
         "the printed equality says y^2 = ((x-1)^2 + y^2)(x^2 + y^2), encoded as the square of the "
         "difference <= 0. Scaling w changes the right side but not phi.",
)

s8_repaired = Claim(
    id="park2019.thm3.4.s8:repaired",
    title="sin(phi) <= |w - w*| / |w*| for one neuron (what the step needs, neuron by neuron)",
    source=src("Appendix 5.1, p. 13"),
    statement=r"\sin\phi \le \|w - w_*\| / \|w_*\| \quad (\text{one neuron; the step sums it over } i)",
    variables=[_x8, _y8],
    hypotheses=_s8_hyps,
    conclusion=sympy.Le(_sin2, _ratio2 * _w2),
    sides=_s8_sides,
    note="repair, encoded and proved for one neuron: the distance from w* to the ray of w is "
         "|w*| sin(phi) <= |w - w*| when phi <= pi/2 (which |w - w*| < |w*| forces). The n-neuron line "
         "(summing |w_i - w_i*|^2 >= sin^2(phi) |w_i*|^2 over neurons at one common angle phi gives "
         "|W - W*| >= sin(phi) |W*|; then -10 |W*||d| m_ex sin(phi) >= -10 |d|^2 m_ex, the 'hence' of s8) is "
         "park2019.thm3.4.s8.n_neurons:repaired (searched, n >= 2) and .n_neurons.plane:repaired (z3, n <= 4)",
)

# ====================================================================== s9
_b = {n: _nonneg(n, 5, f"|B_{n[1:]}|_oper") for n in ("b000", "b100", "b001", "b101", "b010", "b110")}
_N = _nonneg("Wn", 20, "|W|")
_L = _nonneg("L", 5, "bound of |B_000| (reading L = max |B_000|)")
_al = _nonneg("alpha", 5, "Assumption 3.3's alpha")
Bs = {n: v.symbol for n, v in _b.items()}
WN, LL, AL = _N.symbol, _L.symbol, _al.symbol
C_SIN9 = Constant("c_sin", 2, "the 2 of phi <= 2 sin phi (s7), giving phi |W*| <= 2 |d|", positive=True)
C_A4 = Constant("c_alpha", 4, "the 4 of 4 alpha (s9)", positive=True)
C_M14 = Constant("c_mex", 14, "the 14 of 14 m_ex (s9)", positive=True)

s9_chain = Claim(
    id="park2019.thm3.4.s9.chain",
    title="s9's second inequality: the sum of norms <= |W - W*| (L + 4 alpha + 14 m_ex)",
    source=src("Appendix 5.1, pp. 13-14 ('In the same way, ...')"),
    statement=(r"\Big(\sum_i\|E\nabla_{w_i}\ell\|^2\Big)^{1/2} \le \|B_{000}\|\|d\| + \|B_{100}\|\|d\| "
               r"+ \|B_{001}\|\|W\| + \|B_{101}\|\|W\| + \|B_{010}\|\|W_*\| + \|B_{110}\|\|W_*\| "
               r"\le \|d\|(L + 4\alpha + 14 m^{ex}_{max})"),
    variables=list(_b.values()) + [_D, _Sn, _N, _phi_pi, _m, _al, _L],
    hypotheses=[sympy.Le(Bs["b000"], LL)]
    + [sympy.Le(Bs[n], MEX * PHI) for n in ("b100", "b001", "b010", "b110")]
    + [sympy.Le(Bs["b101"], AL * PHI), sympy.Le(WN, CW * SN), sympy.Le(D, SN), sympy.Le(PHI * SN, C_SIN9.symbol * D)],
    conclusion=sympy.Le(Bs["b000"] * D + Bs["b100"] * D + Bs["b001"] * WN + Bs["b101"] * WN
                        + Bs["b010"] * SN + Bs["b110"] * SN, D * (LL + C_A4.symbol * AL + C_M14.symbol * MEX)),
    constants=[C_W, C_SIN9, C_A4, C_M14],
    uses=["park2019.thm3.4.s5", "park2019.thm3.4.s7@phi_le_pi_over_2", "park2019.thm3.4.s8:repaired",
          "park2019.thm3.4.s8.n_neurons:repaired"],
    note="the second half of s9 (the first, gradient norm <= the sum of norms, is park2019.thm3.4.s9 itself, "
         "searched over exact networks): the scalar chain from the sum of norms to the final bound, "
         "with |B_klm| <= m_ex phi, |B_101| <= alpha phi (Assumption 3.3, singular values), |W| <= 2|W*| "
         "(s5), |d| <= |W*| and phi |W*| <= 2 |d| (s7 with the repaired s8)",
)

# ====================================================================== s10
# |W^{t+1} - W*|^2 = |d - eta g|^2 with g the stacked population gradient. Only the Gram matrix of
# (d, g) matters: Dd = |d|^2, t = <g, d>, G = |g|^2, realisable by vectors iff Dd, G >= 0 and
# t^2 <= Dd G. From s8: t >= a Dd (a = m_min - 10 m_ex); from s9: |g| <= b |d|, i.e. G <= b^2 Dd.
_Dd = _nonneg("Dd", 10, "|d|^2")
_t = _real("t", -50, 50, "<g, d>")
_G = _nonneg("G", 100, "|g|^2")
_a = _nonneg("a", 5, "m_min - 10 m_ex")
_bb = _nonneg("b", 5, "L + 4 alpha + 14 m_ex")
_eta = _nonneg("eta", 10, "step size")
DD, TT, GG, AA, BB, ETA = (v.symbol for v in (_Dd, _t, _G, _a, _bb, _eta))
_s10_vars = [_Dd, _t, _G, _a, _bb, _eta]
_s10_hyps = [sympy.Gt(DD, 0), sympy.Le(TT**2, DD * GG), sympy.Ge(TT, AA * DD), sympy.Le(GG, BB**2 * DD),
             sympy.Gt(AA, 0)]
_lhs10 = DD - 2 * ETA * TT + ETA**2 * GG
#: the exponent of b = (L + 4 alpha + 14 m_ex) in eta^2 b: printed without one (1); expanding the
#: square gives 2 (the repair)
P_PRINTED = Constant("p", 1, "the power of (L + 4 alpha + 14 m_ex) in the eta^2 term, as printed", positive=True,
                     integer=True)
P_REPAIRED = Constant("p", 2, "the power of (L + 4 alpha + 14 m_ex) in the eta^2 term, repaired", positive=True,
                      integer=True)
C_STEP10 = Constant("c_step", 2, "the 2 of the step-size bound eta <= a / (2 b^2) (Thm 3.4)", positive=True)
PP = P_PRINTED.symbol

s10 = Claim(
    id="park2019.thm3.4.s10",
    reason=("Expanding |d - eta g|^2 = |d|^2 - 2 eta <g, d> + eta^2 |g|^2 with |g|^2 <= b^2 |d|^2 (s9) gives the "
            "factor eta^2 b^2, not the printed eta^2 b: the bound fails when b > 1 and eta is not small (b = 2, "
            "eta = 1)."),
    title="|W^{t+1} - W*|^2 <= |d|^2 (1 - eta a + eta^2 b) (b not squared, as printed)",
    source=src("Appendix 5.1, p. 14 (last display, first line: 'If eta_t is small enough')"),
    statement=r"\|W^{t+1}-W_*\|^2 \le \|W^t-W_*\|^2\,(1 - \eta(m_{min}-10m^{ex}_{max}) + \eta^2(L+4\alpha+14m^{ex}_{max}))",
    variables=_s10_vars,
    hypotheses=_s10_hyps,
    conclusion=sympy.Le(_lhs10, DD * (1 - ETA * AA + ETA**2 * BB**PP)),
    constants=[P_PRINTED],
    uses=["park2019.thm3.4.s8", "park2019.thm3.4.s9"],
    note="'eta small enough' is not quantified, so every eta >= 0 is read as allowed; Gram-matrix "
         "encoding: Dd = |d|^2, t = <g,d> >= a Dd (s8), G = |g|^2 <= b^2 Dd (s9), t^2 <= Dd G",
)

s10_range = Claim(
    id="park2019.thm3.4.s10@eta_in_theorem_range",
    title="s10 for the step sizes the theorem allows (eta <= a / (2 b^2), L_ex = m_ex)",
    source=src("Appendix 5.1, p. 14"),
    statement=r"\eta \le \frac{a}{2b^2} \Rightarrow \|d - \eta g\|^2 \le \|d\|^2(1 - \eta a + \eta^2 b)",
    variables=_s10_vars,
    hypotheses=_s10_hyps + [sympy.Gt(BB, 0), sympy.Le(ETA, AA / (C_STEP10.symbol * BB**2))],
    conclusion=sympy.Le(_lhs10, DD * (1 - ETA * AA + ETA**2 * BB**PP)),
    constants=[P_PRINTED, C_STEP10],
    uses=["park2019.thm3.4.s8", "park2019.thm3.4.s9"],
    note="'small enough' read as the statement's bound; with L_ex = m_ex its denominator "
         "(L + 14 L_ex + 4 alpha) is the b of s9",
)

s10_repaired = Claim(
    id="park2019.thm3.4.s10:repaired",
    title="|W^{t+1} - W*|^2 <= |d|^2 (1 - eta a + eta^2 b^2)",
    source=src("Appendix 5.1, p. 14"),
    statement=r"\|W^{t+1}-W_*\|^2 \le \|W^t-W_*\|^2\,(1 - \eta a + \eta^2 b^2)",
    variables=_s10_vars,
    hypotheses=_s10_hyps,
    conclusion=sympy.Le(_lhs10, DD * (1 - ETA * AA + ETA**2 * BB**PP)),
    constants=[P_REPAIRED],
    uses=["park2019.thm3.4.s8:repaired", "park2019.thm3.4.s9"],
    note="repair: expanding |d - eta g|^2 = |d|^2 - 2 eta <g,d> + eta^2 |g|^2 and |g| <= b|d| gives "
         "eta^2 b^2 |d|^2 (the printed eta^2 b drops the square); -2 eta a <= -eta a since eta a >= 0",
)

# ====================================================================== s11
_mmin = _nonneg("m_min", 5, "m_min at the current angle")
_mex = Variable("m_ex", st.floats(0, 1), domain="(0, 1]", lo=0, hi=1, meaning="Assumption 3.3's constant")
_L11 = _nonneg("L", 5, "L (reading: max |B_000|)")
_al11 = Variable("alpha", st.floats(0, 1), domain="(0, 1]", lo=0, hi=1)
_eta11 = _nonneg("eta", 10, "step size")
MMIN, MEX11, L11, AL11, ETA11 = (v.symbol for v in (_mmin, _mex, _L11, _al11, _eta11))
C_NUM, C_EX, C_AL, C_STEP, C_RATE = (c.symbol for c in THM34_CONSTANTS)
_A11 = MMIN - C_NUM * MEX11
_B11 = L11 + C_AL * AL11 + C_EX * MEX11
_C11 = L11 + C_EX * MEX11 + C_AL * AL11  # statement's denominator with L_ex read as m_ex
_s11_vars = [_mmin, _mex, _L11, _al11, _eta11]
_s11_hyps = [sympy.Gt(MEX11, 0), sympy.Gt(AL11, 0), sympy.Ge(L11, MMIN), sympy.Gt(_A11, 0), sympy.Gt(ETA11, 0),
             sympy.Le(ETA11, _A11 / (C_STEP * _C11**2))]

s11 = Claim(
    id="park2019.thm3.4.s11",
    title="1 - eta a + eta^2 b <= 1 - eta a/2 for eta as in the statement (as printed, with L_ex)",
    source=src("Appendix 5.1, p. 14 (last line)"),
    statement=r"\eta \le \frac{m_{min}-10m^{ex}_{max}}{2(L+14L_{ex}+4\alpha)^2} \Rightarrow "
              r"1-\eta(m_{min}-10m^{ex}_{max})+\eta^2(L+4\alpha+14m^{ex}_{max}) \le 1-\frac{\eta(m_{min}-10m^{ex}_{max})}{2}",
    variables=_s11_vars,
    hypotheses=_s11_hyps[:-1] + [sympy.Le(ETA11, _A11 / (C_STEP * (L11 + C_EX * S("L_ex", real=True) + C_AL * AL11) ** 2))],
    conclusion=sympy.Le(1 - ETA11 * _A11 + ETA11**2 * _B11, 1 - ETA11 * _A11 * C_RATE),
    constants=THM34_CONSTANTS,
    uses=["park2019.thm3.4.s10"],
)

s11_read = Claim(
    id="park2019.thm3.4.s11@L_ex=m_ex",
    reason=("With b = L + 4 alpha + 14 m_ex not squared, eta <= a/(2 b^2) gives only eta b <= a/(2b), not the "
            "needed eta b <= a/2: false whenever b < 1."),
    title="s11 with L_ex read as m_ex (b = L + 4alpha + 14m_ex not squared, as printed)",
    source=src("Appendix 5.1, p. 14 (last line)"),
    statement=r"\eta \le \frac{a}{2c^2} \Rightarrow 1 - \eta a + \eta^2 b \le 1 - \eta a/2,\ "
              r"a = m_{min}-10m_{ex},\ b = c = L+4\alpha+14m_{ex}",
    variables=_s11_vars,
    hypotheses=_s11_hyps,
    conclusion=sympy.Le(1 - ETA11 * _A11 + ETA11**2 * _B11, 1 - ETA11 * _A11 * C_RATE),
    constants=THM34_CONSTANTS,
    uses=["park2019.thm3.4.s10"],
    note="with b = c the claim is eta b <= a/2, but eta <= a/(2b^2) only gives eta b <= a/(2b): "
         "false whenever b < 1 (the usual case: b bounds norms of second-moment matrices scaled by 1/n^2)",
)

s11_repaired = Claim(
    id="park2019.thm3.4.s11@L_ex=m_ex:repaired",
    title="1 - eta a + eta^2 b^2 <= 1 - eta a/2 for eta <= a/(2 b^2) (s10 repaired)",
    source=src("Appendix 5.1, p. 14 (last line)"),
    statement=r"\eta \le \frac{a}{2b^2} \Rightarrow 1 - \eta a + \eta^2 b^2 \le 1 - \eta a/2",
    variables=_s11_vars,
    hypotheses=_s11_hyps,
    conclusion=sympy.Le(1 - ETA11 * _A11 + ETA11**2 * _B11**2, 1 - ETA11 * _A11 * C_RATE),
    constants=THM34_CONSTANTS,
    uses=["park2019.thm3.4.s10:repaired"],
    note="repair: with the square that expanding |d - eta g|^2 produces (s10:repaired), the "
         "statement's step bound eta <= a/(2b^2) is exactly what makes eta^2 b^2 <= eta a/2",
)


# ====================================================================== the statement
_eta_s = _nonneg("eta", 10, "step size")
_D0s, _D1s = _nonneg("D0", 10, "|W^t - W*|"), _nonneg("D1", 10, "|W^{t+1} - W*|")
_phis = _phi_pi
_als = Variable("alpha", st.floats(0, 5), domain="(0, 5]", lo=0, hi=5, meaning="Assumption 3.3's alpha")
ETAS, D0S, D1S, ALS = (v.symbol for v in (_eta_s, _D0s, _D1s, _als))
MEX_DEF = S("m_ex", real=True)  # the paper's definition (Assumption 3.3), arity 0

thm34 = Claim(
    id="park2019.thm3.4",
    title="population GD contracts |W - W*| for eta below the printed bound (as printed)",
    source=src("Chapter 3, Theorem 3.4, p. 7; restated in Appendix 5.1, p. 11"),
    statement=(r"\eta_t \le \min_{0\le\phi\le\phi^t}\frac{m_{min}(\phi)-10m^{ex}_{max}}{2(L(\phi)+14L_{ex}+4\alpha)^2}"
               r"\Rightarrow \|W^{t+1}-W_*\|^2 \le \|W^t-W_*\|^2\big(1-\tfrac{\eta_t(m_{min}-10m^{ex}_{max})}{2}\big)"),
    variables=[_eta_s, _D0s, _D1s, _phis, _als],
    formula=[sympy.Le(ETAS, (F("m_min")(PHI) - C_NUM * MEX_DEF)
                      / (C_STEP * (F("L")(PHI) + C_EX * S("L_ex", real=True) + C_AL * ALS) ** 2))],
    conclusion=sympy.Le(D1S**2, D0S**2 * (1 - ETAS * (S("m_min", real=True) - C_NUM * MEX_DEF) * C_RATE)),
    constants=THM34_CONSTANTS,
    note="L(phi) and L_ex are defined nowhere; the conclusion uses m_min without the argument Def. 3.2 gives it",
)

# ---------------------------------------------------------------------- s8 when the angles differ
# Reading "phi = the largest angle" (Def. 3.2 and Assumption 3.3 demand equal angles; after one GD
# step they differ, see park2019.thm3.4.induct). Two neurons in orthogonal planes of R^4 reduce to:
# neuron 1 with w1* = (1, 0), w1 = (x, y); neuron 2 exact, w2 = w2*, |w2*|^2 = q. Then the largest
# angle is phi_1 and |W - W*|^2 = (x-1)^2 + y^2, |W*|^2 = 1 + q.
_q8 = _nonneg("q", 100, "|w_2*|^2 (neuron 2 exact: w_2 = w_2*)")
Q8 = _q8.symbol
s8_max = Claim(
    id="park2019.thm3.4.s8@phi=max_angle:repaired",
    reason=("With unequal angles, the largest angle may belong to a neuron with a small target, which contributes "
            "little to |W - W*|, so sin(phi_max) can exceed |W - W*|/|W*|."),
    title="sin(phi) <= |W - W*|/|W*| with phi the largest of unequal angles",
    source=src("Appendix 5.1, p. 13"),
    statement=r"\sin\max_i\angle(w_i,w_{i*}) \le \|W - W_*\| / \|W_*\|",
    variables=[_x8, _y8, _q8],
    hypotheses=[sympy.Gt(_w2, 0), sympy.Lt(_ratio2, 1 + Q8)],
    conclusion=sympy.Le(_sin2 * (1 + Q8), _ratio2 * _w2),
    sides=(Y8 / sympy.sqrt(_w2), sympy.sqrt(_ratio2 / (1 + Q8))),
    note="the repaired s8 holds for one common angle; if the angles differ (as they do after a GD step), "
         "phi read as the largest angle breaks it: a neuron with a small target can have a large angle "
         "while contributing little to |W - W*|",
)
