r"""Theorem 3.4 under readings that make it well-formed: can its hypotheses be met at all?

Source: J. Park, *Input Distribution Analysis for Learning Two Layer Neural Network*, MSc thesis,
Seoul National University, 2019, Theorem 3.4, p. 7 (statement printed in :mod:`.thm_3_4`).

Reading ``L = m_max(phi)`` (the largest ``|B_000|`` at angle ``phi``, singular values as defined on
p. 4) and ``L_ex = m_ex`` (the proof's last lines have ``14 m_ex`` where the statement has
``14 L_ex``). The step-size bound is then

.. math::  \eta_t \le \min_{0\le\phi\le\phi^t} \frac{m_{min}(\phi) - 10\, m_{ex}}{2(m_{max}(\phi) + 14 m_{ex} + 4\alpha)^2}

and the interval ``[0, phi^t]`` always contains ``phi = 0``: with the denominator positive the
hypothesis implies ``n^2 (m_min(0) - 10 m_ex - eta 2 (m_max(0) + 14 m_ex + 4 alpha)^2) >= 0`` (the
factor ``n^2`` undoes Def. 3.1's ``1/n^2``; a positive factor keeps the sign). This is the form in
which the hypothesis is encoded; it can never be *certified* to hold (that would need a lower
bound of an infimum over a continuum of configurations), so these readings can be ``vacuous`` or
``survived``, never ``refuted``.

Emptiness certificate for rotation-invariant inputs (readings ``.input=gaussian``, ``.input=sphere``)
---------------------------------------------------------------------------------------------
For ``z ~ N(0, I_k)`` (any ``k >= 2``), any ``n >= 2`` and any teacher ``W*``:

* ``m_min(0) <= 1/(2 n^2)``: at ``phi = 0`` the configurations are the positive rescalings of
  ``W*`` (the regions ignore norms); the Rayleigh quotient of ``B_000`` at a vector supported on one
  block ``i`` is ``(1/n^2) a^T E[zz^T 1{w_i*^T z >= 0}] a = 1/(2 n^2)`` (a half-space moment is ``I/2``:
  one Arb computation covers every direction, by rotation invariance);
* ``m_ex >= c / n^2`` with ``c = lambda_max(E[zz^T 1{wedge of angle phi_0}]) / phi_0`` for any
  ``phi_0``: take two neurons ``i != j`` and the plane of ``w_i*, w_j*`` (any plane containing them if
  they are parallel). Rotating ``w_j`` by ``+-phi_0`` makes ``R(w_j, -w_j*)`` and ``R(-w_j, w_j*)`` thin
  wedges of angle ``phi_0`` at either perpendicular of ``w_j*``, on either side; one of the four lies
  in the open half-plane ``{w_i*^T z > 0}`` (a perpendicular with ``p^T w_i* > 0``, or, when
  ``w_i* || w_j*``, the side towards ``w_i*``), hence for small ``phi_0`` inside ``R(w_i, w_i*)`` for
  the right sign of the rotation of ``w_i`` (this inclusion is the claim ``park2019.thm3.4.wedge``,
  decided by z3 for every direction of ``w_i*`` at this ``phi_0``). Then the ``(i, j)`` block of ``B_001`` (resp. ``B_010``)
  is ``(1/n^2)`` times the wedge moment, and ``|B|_oper >=`` the norm of a block. The wedge moment
  is one Arb computation (rotation invariance), here at ``phi_0 = 2 atan(1/64)``;
* hence ``n^2 (m_min(0) - 10 m_ex) <= 1/2 - 10 c < 0``, and ``eta >= 0`` only lowers the margin.

The uniform sphere has the Gaussian's cone moments divided by ``k`` (``z = g/|g|``, ``|g|``
independent of the direction, ``E|g|^2 = k``), for ``m_min`` and ``m_ex`` alike: with the factor
``n^2 k`` the same two computations cover it. Finite atoms and anisotropic Gaussians have no such
uniform argument: the general reading is searched and ``survives`` (with the number of instances
whose hypotheses looked satisfiable).

Errata: see :mod:`.thm_3_4`.
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np
import sympy

from proofcheck import Claim, Condition, Constant, Variable
from proofcheck.model.claim import Emptiness
from proofcheck.ml import extremal as E
from proofcheck.ml import linalg_exact as X
from proofcheck.ml.distributions import FiniteAtoms, UniformSphere
from proofcheck.ml.geometry import gaussian_cone2_arb, wedge_moment_arb
from proofcheck.ml.networks import block_matrix, block_matrix_exact, population_gradient, vec
from proofcheck.ml.strategies import networks, rationals
from proofcheck.model.num import fraction_to_arb

from . import model as Q
from . import THM34_CONSTANTS, src
from .thm_3_4_n_neurons import T_WEDGE, wedge

W_VAR, WS_VAR, ETA_VAR = Q.one_neuron_variables()
_ETA = Variable("eta", rationals(0, Fraction(1, 2), 1000), domain="[0, 1/2]",
                lo=0, hi=Fraction(1, 2), meaning="the step size eta_t")


# ---------------------------------------------------------------------- float estimates (search only)
def _phi0_terms(net) -> tuple[float, float, float]:
    """(upper estimate of m_min(0), estimate of m_max(0), lower bound of m_ex), floats, unscaled."""
    Ws = net.W_star.astype(float)
    if isinstance(net.dist, FiniteAtoms):
        B0 = X.float_matrix(block_matrix_exact(net.dist, net.W_star, net.W_star, 0, 0, 0))
    else:
        B0 = block_matrix(net.dist, Ws, Ws, 0, 0, 0)[0]
    ev = np.linalg.eigvalsh((B0 + B0.T) / 2)
    mex, _ = Q.m_ex_lower_float(net.dist, Ws)
    return float(ev[0]), float(ev[-1]), mex


def _scale(net) -> float:
    """n^2 (and k for the sphere): undoes Def. 3.1's 1/n^2 (and the sphere's 1/k)."""
    return net.n ** 2 * (net.k if isinstance(net.dist, UniformSphere) else 1)


def _step_margin_estimate(env) -> float:
    """n^2 (m_min(0) - c_num m_ex - eta c_step (m_max(0) + c_ex m_ex)^2): the phi = 0 term of the
    step-size hypothesis (alpha >= 0 dropped), from an upper estimate of m_min(0) and a certified
    lower bound of m_ex -- an over-estimate of the hypothesis margin, for steering only."""
    mmin0, mmax0, mex = _phi0_terms(env.net)
    den = mmax0 + env.c_ex * mex
    return _scale(env.net) * (mmin0 - env.c_num * mex - float(env.eta) * env.c_step * den * den)


def _contraction_estimate(env) -> float:
    """(1 - eta (m_min(phi_t) - c_num m_ex) c_rate)|d|^2 - |d - eta E grad|^2 (floats)."""
    net = env.net
    W, Ws = net.W.astype(float), net.W_star.astype(float)
    G, _ = population_gradient(net.dist, W, Ws)
    d = vec(W) - vec(Ws)
    dd, ss = float(d @ d), float(vec(Ws) @ vec(Ws))
    phi_t = math.asin(min(1.0, math.sqrt(dd / ss)))
    mmin = E.m_min(net.dist, phi_t, Ws).value
    _, _, mex = _phi0_terms(net)
    eta = float(env.eta)
    step = d - eta * vec(G)
    return (1 - eta * (mmin - env.c_num * mex) * env.c_rate) * dd - float(step @ step)


def _inside(env) -> Fraction:
    d = list(vec(env.net.W) - vec(env.net.W_star))
    s = list(vec(env.net.W_star))
    return X.dot(s, s) - X.dot(d, d)


_HYPS = [Q.exact_condition("|W^t - W*| < |W*|", _inside, strict=True),
         Q.exact_condition("eta > 0", lambda env: Fraction(env.eta), strict=True),
         # no rigorous twin: the hypothesis cannot be certified to hold (an inf and a sup on the wrong side)
         Condition("eta <= the step-size bound (phi = 0 term, n^2-scaled)", margin=_step_margin_estimate)]
_CONCLUSION = Condition("the contraction after one GD step (float estimate)", margin=_contraction_estimate)
_STATEMENT = (r"\eta_t \le \min_{0\le\phi\le\phi^t}\frac{m_{min}(\phi)-10m_{ex}}{2(m_{max}(\phi)+14m_{ex}+4\alpha)^2}"
              r"\Rightarrow \|W^{t+1}-W_*\|^2 \le \|W^t-W_*\|^2(1-\eta_t(m_{min}-10m_{ex})/2)")


# ---------------------------------------------------------------------- the certificate
#: phi_0 = 2 atan(1/64): the thin wedge of the m_ex lower bound; its inclusion in R(w_i, w_i*) is the
#: claim park2019.thm3.4.wedge (decided by z3 at this t_0)
T0 = T_WEDGE.value


@functools.lru_cache(maxsize=1)
def rotation_invariant_bounds() -> tuple:
    """(upper bound of n^2 m_min(0), lower bound c of n^2 m_ex) for the standard Gaussian, as Arb
    balls from two rigorous computations (see the module docstring)."""
    half = gaussian_cone2_arb([[1, 0]])  # E[zz^T 1{z_1 >= 0}] = I/2
    mmin0 = half[0][0]  # Rayleigh quotient at a = e_1
    c0, s0, phi0 = X.rational_rotation(T0)
    # the wedge {u^T z >= 0, v^T z >= 0} of angle phi_0: normals at angle pi - phi_0
    u, v = [Fraction(0), Fraction(1)], [s0, -c0]
    M = wedge_moment_arb(u, v)
    # Rayleigh quotient at the wedge's bisector direction (rational, unit up to the exact norm)
    x = [c0 + 1, s0]
    nx = fraction_to_arb(X.dot(x, x))
    xa = [fraction_to_arb(t) for t in x]
    ray = sum((xa[i] * M[i][j] * xa[j] for i in range(2) for j in range(2)), fraction_to_arb(Fraction(0))) / nx
    return mmin0, ray / phi0


#: The claims that establish the symmetry reduction behind the certificates below: for every
#: rotation-invariant input family, k >= 2, n >= 2, teacher W*, W and eta >= 0, the hypothesis margin
#: (the n^2-scaled phi = 0 term) is at most ``n^2 m_min(0) - c_num n^2 m_ex`` <= ``_reduced_bound``
#: (the half-space and thin-wedge steps of the module docstring). The thin-wedge inclusion -- for
#: every direction of w_i* a wedge of angle phi_0 next to w_j* lies in R(w_i, w_i*) -- is the claim
#: park2019.thm3.4.wedge (z3); the half-space and wedge moments are the Arb enclosures above.
REDUCTION_USES: list[str] = [wedge.id]


def _reduced_bound(env):
    """Upper bound of the hypothesis margin after the reduction: n^2 m_min(0) - c_num n^2 m_ex <=
    mmin0 - c_num c (both Arb balls; no variable is left)."""
    mmin0, c = rotation_invariant_bounds()
    return mmin0 - env.num.const(env.c_num) * c


def _emptiness(family: str) -> Emptiness:
    scale = "n^2" if family == "gaussian" else "n^2 k"
    return Emptiness(hypothesis=_HYPS[2].name, variables=[], parts=[{}], bound=_reduced_bound,
                     uses=tuple(REDUCTION_USES),
                     how=f"{family}: rotation invariance reduces {scale} times the phi = 0 term of the step-size "
                         f"hypothesis, for every k >= 2, n >= 2, teacher W*, W and eta >= 0, to at most "
                         f"n^2 m_min(0) - c_num n^2 m_ex <= (half-space moment) - c_num (thin-wedge moment at "
                         f"phi_0 = 2 atan {T0})/phi_0, the wedge in R(w_i, w_i*) by {wedge.id}; see the "
                         f"module docstring")


def _claim(id_, dist, title, emptiness=None, note="", reason=""):
    return Claim(
        id=id_, title=title, source=src("Chapter 3, Theorem 3.4, p. 7"), statement=_STATEMENT,
        variables=[Q.network_variable(networks(k=(2, 3), n=(2, 3), angle="free", dist=dist),
                                      domain=f"input family {dist!r}, any k >= 2, n >= 2, teacher W*, weights W"), _ETA],
        hypotheses=_HYPS, conclusion=_CONCLUSION, constants=THM34_CONSTANTS, emptiness=emptiness, cost=0.1,
        uses=REDUCTION_USES if emptiness is not None else (), note=note, reason=reason)


thm34_read = _claim(
    "park2019.thm3.4@L=m_max.L_ex=m_ex", "any",
    "Thm 3.4 with L = m_max(phi), L_ex = m_ex: is any step size allowed (n >= 2)?",
    note="the chapter's generalisation to n >= 2 neurons (n = 1: the '.n=1' reading). Searched over exact atoms, "
         "standard, rotated Gaussians and the sphere; the step-size hypothesis is estimated from an upper estimate of "
         "m_min(0) and a certified lower bound of m_ex, never certified to hold, so no refutation is possible and "
         "vacuity needs a certificate (given for the rotation-invariant families, readings .input=...)")
thm34_gauss = _claim(
    "park2019.thm3.4@L=m_max.L_ex=m_ex.input=gaussian", "gaussian",
    "Thm 3.4 (L = m_max, L_ex = m_ex), n >= 2, standard Gaussian input: no positive step size",
    emptiness=_emptiness("gaussian"),
    reason="For standard Gaussian input n^2 m_min(0) <= 0.5 < 10 n^2 m_ex for every teacher, so the step-size "
           "bound is negative and no positive step size meets the hypothesis.",
    note="z ~ N(0, I_k), any k >= 2, n >= 2: certified that m_min(0) - 10 m_ex < 0 for every teacher (module docstring)")
thm34_sphere = _claim(
    "park2019.thm3.4@L=m_max.L_ex=m_ex.input=sphere", "sphere",
    "Thm 3.4 (L = m_max, L_ex = m_ex), n >= 2, uniform sphere input: no positive step size",
    emptiness=_emptiness("sphere"),
    reason="For uniform input on the sphere the moments are the Gaussian's divided by k, so the step-size bound "
           "is negative for every teacher and no positive step size meets the hypothesis.",
    note="z uniform on S^{k-1}, any k >= 2, n >= 2: the Gaussian's moments divided by k (module docstring)")


# ---------------------------------------------------------------------- one neuron
#: Thm 3.4 for n = 1 under the Gaussian: m_ex > 0 arbitrary (the four matrices live on hyperplanes),
#: alpha = 1/pi (B_101 = R_{w,-w*})
_MEX1 = Constant("m_ex", Fraction(1, 10**6), "Assumption 3.3's m_ex: any positive value is admissible for n = 1, "
                 "Gaussian input (1e-6)", positive=True)
_ALPHA1 = Constant("alpha", 1 / sympy.pi, "Assumption 3.3's alpha for n = 1, Gaussian input: 1/pi (the least admissible)",
                   positive=True)


def _shifts_n1(env):
    a = Q.arb_of(env.c_num) * Q.arb_of(env.m_ex)
    return a, Q.arb_of(env.c_alpha) * Q.arb_of(env.alpha) + Q.arb_of(env.c_ex) * Q.arb_of(env.m_ex)


_h1, _c1 = Q.one_neuron_gaussian_step(_shifts_n1)

thm34_n1 = Claim(
    id="park2019.thm3.4@L=m_max.L_ex=m_ex.n=1",
    title="Thm 3.4 for one neuron (L = m_max, L_ex = m_ex), Gaussian input",
    source=src("Chapter 3, Theorem 3.4, p. 7"),
    statement=(r"\eta_t \le \min_{0\le\phi\le\phi^t}\frac{m_{min}(\phi)-10m_{ex}}{2(m_{max}(\phi)+14m_{ex}+4\alpha)^2}"
               r"\Rightarrow \|w^{t+1}-w_*\|^2 \le \|w^t-w_*\|^2(1-\eta_t(m_{min}(\phi_t)-10m_{ex})/2)"),
    variables=[W_VAR, WS_VAR, ETA_VAR], hypotheses=_h1, conclusion=_c1, witnesses=Q.one_neuron_witnesses(),
    constants=THM34_CONSTANTS + [_MEX1, _ALPHA1],
    cost=0.5,
    note="for n = 1 and a Gaussian the four matrices of Assumption 3.3's first bound live on hyperplanes "
         "(B_001 = E[zz^T 1{w^T z >= 0, w*^T z = 0}] = 0, ...), so any m_ex > 0 is admissible (1e-6 is used); "
         "B_101 = R_{w,-w*} gives alpha = 1/pi. m_min in the conclusion is read as m_min(angle(w_t, w*))",
)
