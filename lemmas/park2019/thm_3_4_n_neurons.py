r"""The n-neuron line of s8 and the wedge step of Theorem 3.4's vacuity certificate, as claims.

Source: J. Park, *Input Distribution Analysis for Learning Two Layer Neural Network*, MSc thesis,
Seoul National University, 2019, Appendix 5.1, p. 13 (s8), and Definition 3.1/Assumption 3.3, p. 7
(the matrices ``B_klm`` behind the certificate of :mod:`.thm_3_4_readings`).

s8 for n neurons
----------------
The proof prints ``sin phi = |W - W*| / |W*|`` with ``phi`` the angle that Def. 3.2 and Assumption 3.3
make *common* to every neuron (``angle(w_i, w_i*) = phi`` for all ``i``). What the step needs is
``sin phi |W*| <= |W - W*|``: the sum over ``i`` of the one-neuron inequality
``sin^2 phi |w_i*|^2 <= |w_i - w_i*|^2`` (``park2019.thm3.4.s8:repaired``), since
``|W - W*|^2 = sum_i |w_i - w_i*|^2`` and ``|W*|^2 = sum_i |w_i*|^2`` for the stacked vectors.

* ``park2019.thm3.4.s8.n_neurons:repaired`` searches exact teacher--student pairs with ``n >= 2``
  neurons in ``R^k`` (``k <= 4``) at one common rational angle (``proofcheck.ml.strategies``), every
  margin an exact rational;
* ``park2019.thm3.4.s8.n_neurons.plane:repaired`` is the same line for up to four neurons in
  coordinates: neuron ``i`` is ``w_i* = r_i e``, ``w_i = s_i (cos phi e + sin phi e')`` in a plane of
  its own (only ``|w_i|, |w_i*|`` and the common angle enter either side), ``(x, y) = (cos phi, sin phi)``.
  Both sides are homogeneous of degree 2 in ``(r, s)``, so ``r_i, s_i in [0, 1]`` covers every
  scale; a neuron with ``r_i = s_i = 0`` is absent, so ``n <= 4`` is covered; z3 decides it.

The wedge step of the Gaussian/sphere certificate
-------------------------------------------------
The certificate bounds ``n^2 m_ex`` from below by the moment of a thin wedge of angle
``phi_0 = 2 atan t_0``, which needs: for any two teacher neurons ``i != j`` there are rotations
``w_j = R(+-phi_0) w_j*`` and ``w_i = R(+-phi_0) w_i*`` in the plane of ``w_i*, w_j*`` (any plane
containing them if parallel) such that one of the wedges ``R(w_j, -w_j*)`` (a block of ``B_001``) or
``R(-w_j, w_j*)`` (a block of ``B_010``) lies inside ``R(w_i, w_i*)``. Then that block of ``n^2 B`` is
the wedge's moment (the regions are cylinders over the plane). In coordinates ``w_j* = (1, 0)`` and
``w_i* = (x, y)`` (any unit vector), the four wedges have edge vectors

* ``R(w_j, -w_j*)``, ``w_j = R(+phi_0) w_j*``: ``(0, 1), (-s_0, c_0)``; with ``R(-phi_0)``: ``(0, -1), (-s_0, -c_0)``;
* ``R(-w_j, w_j*)``, ``w_j = R(+phi_0) w_j*``: ``(0, -1), (s_0, -c_0)``; with ``R(-phi_0)``: ``(0, 1), (s_0, c_0)``

(``c_0 = cos phi_0``, ``s_0 = sin phi_0``), and a wedge (a convex cone, ``phi_0 < pi``) lies in the
half-plane ``{a^T z >= 0}`` iff both edges do. ``park2019.thm3.4.wedge`` states: for every unit
``(x, y)``, the largest over the 4 wedges and the 2 rotations of ``w_i`` of the least of the four
inner products (edges against ``w_i*`` and ``w_i``) is ``>= 0`` -- a polynomial statement z3 decides
(homogeneous of degree 1 in ``(x, y)``, so the box ``[-1, 1]^2`` minus the origin covers every direction).
The wedge's moment itself is enclosed in Arb inside the certificate (FACTS.md's wedge moment).
"""
from __future__ import annotations

from fractions import Fraction

import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Constant, Variable
from proofcheck.ml import linalg_exact as X
from proofcheck.ml.strategies import TeacherStudent, teacher_students

from . import model as Q
from . import src

# ====================================================================== s8, n neurons, exact search
_NS, _KS = (2, 3, 4, 5, 6), (2, 3, 4)
_PAIR = Variable(
    "ts", teacher_students(k=_KS, n=_NS, angle="equal"),
    domain=f"teacher W* and student W in R^(k x n), k in {_KS}, n in {_NS}, every angle(w_i, w_i*) equal, "
           "rational",
    contains=lambda v: isinstance(v, TeacherStudent) and v.n >= 2 and v.equal_angles(),
    meaning="a teacher-student pair with one common angle phi = angle(w_i, w_i*)")


def _sq_norms(ts) -> tuple[Fraction, Fraction]:
    """(|W - W*|^2, |W*|^2) of the stacked vectors, exactly."""
    d = [a - b for a, b in zip(ts.W.ravel(), ts.W_star.ravel())]
    s = list(ts.W_star.ravel())
    return X.dot(d, d), X.dot(s, s)


def _inside(env) -> Fraction:
    dd, ss = _sq_norms(env.ts)
    return ss - dd


def _n_neuron_margin(env) -> Fraction:
    """|W - W*|^2 - sin^2(phi) |W*|^2 with sin^2 phi = 1 - cos^2 phi of the common angle."""
    dd, ss = _sq_norms(env.ts)
    sin_sq = 1 - abs(env.ts.cos_sq_angles()[0])
    return dd - sin_sq * ss


s8_n = Claim(
    id="park2019.thm3.4.s8.n_neurons:repaired",
    title="sin(phi) <= |W - W*| / |W*| for n >= 2 neurons at one common angle phi (s8 summed over i)",
    source=src("Appendix 5.1, p. 13"),
    statement=r"\angle(w_i, w_{i*}) = \phi\ \forall i \Rightarrow \sin\phi\,\|W_{vec,*}\| \le \|W_{vec} - W_{vec,*}\|",
    variables=[_PAIR],
    hypotheses=[Q.exact_condition("|W - W*| < |W*|", _inside, strict=True)],
    conclusion=Q.exact_condition("sin^2(phi) |W*|^2 <= |W - W*|^2", _n_neuron_margin),
    uses=["park2019.thm3.4.s8:repaired", "park2019.thm3.4.s8.n_neurons.plane:repaired"],
    cost=0.2,
    note="repair of s8's '=' for n neurons (the sum over i of the one-neuron inequality); searched over exact "
         "teacher-student pairs, every margin exact; the plane form proves it for n <= 4",
)

# ====================================================================== s8, n <= 4, plane coordinates (z3)
_N_PLANE = 4


def _unit(name, meaning):
    return Variable(name, st.floats(-1, 1, allow_nan=False), domain="[-1, 1]", lo=-1, hi=1, meaning=meaning)


def _scale(name, meaning):
    return Variable(name, st.floats(0, 1, allow_nan=False), domain="[0, 1]", lo=0, hi=1, meaning=meaning)


_cx, _cy = _unit("x", "cos(phi), phi the common angle"), _unit("y", "sin(phi) (>= 0)")
_rs = [_scale(f"r{i}", f"|w_{i}*|") for i in range(1, _N_PLANE + 1)]
_ss = [_scale(f"s{i}", f"|w_{i}|") for i in range(1, _N_PLANE + 1)]
CX, CY = _cx.symbol, _cy.symbol
_R, _S = [v.symbol for v in _rs], [v.symbol for v in _ss]
_dist_sq = sum(s**2 - 2 * s * r * CX + r**2 for r, s in zip(_R, _S))  # |W - W*|^2, law of cosines per neuron
_star_sq = sum(r**2 for r in _R)

s8_plane = Claim(
    id="park2019.thm3.4.s8.n_neurons.plane:repaired",
    title="sin(phi) |W*| <= |W - W*| for up to four neurons at a common angle (plane coordinates)",
    source=src("Appendix 5.1, p. 13"),
    statement=r"\sin^2\phi \sum_i \|w_{i*}\|^2 \le \sum_i \|w_i - w_{i*}\|^2 \quad (n \le 4)",
    variables=[_cx, _cy] + _rs + _ss,
    hypotheses=[sympy.Le(CX**2 + CY**2, 1), sympy.Ge(CX**2 + CY**2, 1), sympy.Ge(CY, 0)],
    conclusion=sympy.Le(CY**2 * _star_sq, _dist_sq),
    note="each neuron in a plane of its own: w_i* = r_i e, w_i = s_i (cos phi e + sin phi e'), so "
         "|w_i - w_i*|^2 = s_i^2 - 2 r_i s_i cos phi + r_i^2 for any k; homogeneous of degree 2 in (r, s), so "
         "[0, 1] covers every scale, and r_i = s_i = 0 drops a neuron (n <= 4)",
)

# ====================================================================== the wedge step (z3)
T_WEDGE = Constant("t_0", Fraction(1, 64), "phi_0 = 2 atan t_0, the thin wedge's angle: the certificate's choice, "
                   "not printed in the source", positive=True)
_T = T_WEDGE.symbol
_C0, _S0 = (1 - _T**2) / (1 + _T**2), 2 * _T / (1 + _T**2)
_wx, _wy = (_unit("x", "first coordinate of w_i* (w_j* = (1, 0); any scale)"),
            _unit("y", "second coordinate of w_i*"))
WX, WY = _wx.symbol, _wy.symbol
#: the four wedges R(+-w_j, -+w_j*) for w_j = R(+-phi_0) w_j*, by their edge vectors
_WEDGES = [((0, 1), (-_S0, _C0)), ((0, -1), (-_S0, -_C0)), ((0, -1), (_S0, -_C0)), ((0, 1), (_S0, _C0))]


def _rotated(sign):
    """w_i = R(sign phi_0) w_i*."""
    return (_C0 * WX - sign * _S0 * WY, sign * _S0 * WX + _C0 * WY)


def _inclusion_margin(edges, w_i):
    return sympy.Min(*[a[0] * e[0] + a[1] * e[1] for e in edges for a in ((WX, WY), w_i)])


wedge = Claim(
    id="park2019.thm3.4.wedge",
    title="a thin wedge R(+-w_j, -+w_j*) lies inside R(w_i, w_i*) for some rotation signs (any two teacher neurons)",
    source=src("Definition 3.1 and Assumption 3.3, p. 7 (the blocks of B_001 and B_010)"),
    statement=(r"\forall w_{i*}, w_{j*}\ \exists\,\sigma_i,\sigma_j,\ \pm:\ "
               r"R(\pm w_j, \mp w_{j*}) \subseteq R(w_i, w_{i*}),\ w_j = R(\sigma_j\phi_0)w_{j*},\ "
               r"w_i = R(\sigma_i\phi_0)w_{i*}"),
    variables=[_wx, _wy],
    constants=[T_WEDGE],
    hypotheses=[sympy.Gt(WX**2 + WY**2, 0)],
    conclusion=sympy.Ge(sympy.Max(*[_inclusion_margin(edges, _rotated(sign))
                                    for edges in _WEDGES for sign in (1, -1)]), 0),
    note="the step of the Gaussian/sphere emptiness certificate that was argued in prose: in the plane of "
         "w_i*, w_j* with w_j* = (1, 0), for every direction (x, y) of w_i* one of the four wedges of angle "
         "phi_0 at a perpendicular of w_j* has both edges in {w_i*^T z >= 0} and {w_i^T z >= 0} for one rotation "
         "of w_i (module docstring)",
)
