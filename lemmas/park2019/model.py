"""Park et al. (2019)'s model: the quantities of its teacher--student two-layer ReLU setting, each with
a float value for the search and a rigorous twin (exact rationals or Arb balls) for re-verification.

* Assumption 3.3's ``m_ex`` as a sup over a set, with SAFE-SIDE bounds only: any configuration
  bounds a sup from below (``m_ex_lower_float``, ``m_ex_lower_exact``); Def. 3.2's ``m_min`` is the
  shared :func:`proofcheck.ml.extremal.m_min`, the spectral bounds are :mod:`proofcheck.ml.spectral`'s;
* one-neuron population gradient descent under the standard Gaussian in closed form (Tian 2017,
  FACTS: ``E grad l = (w - w*)/2 + (theta w* - |w*| sin(theta) w/|w|)/(2 pi)``) on Arb balls;
* the claim variables and conditions these claims share (:func:`network_variable`,
  :func:`off_hyperplanes`, :func:`one_neuron_gaussian_step`).

It lives with the paper's claims (not in :mod:`proofcheck.ml`) because only this paper uses it and it
builds claim conditions and variables (the network mathematics does not import the claim model).

A margin that is a rational function of exact objects is written once (``fn(env) -> Fraction``)
and made a :class:`~proofcheck.model.claim.Condition` by :func:`exact_condition`: the search uses its
float value, the re-verification the exact one.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np
import sympy
from flint import arb

from proofcheck.ml import linalg_exact as X
from proofcheck.ml.networks import batch_block_matrices, block_matrix_exact
from proofcheck.ml.spectral import sigma_max_lower_sq, spectral_err
from proofcheck.ml.strategies import Network, rational_vectors, rationals
from proofcheck.model.claim import Condition, Variable, Witness
from proofcheck.model.num import Enclosure, NumericError, arb_eval, fraction_to_arb, to_fraction

#: Assumption 3.3's four matrices (bounded by m_ex phi) and B_101 (bounded by alpha phi)
EX_KLM = [(1, 0, 0), (0, 0, 1), (0, 1, 0), (1, 1, 0)]


# ------------------------------------------------------------------ conditions
def exact_condition(name: str, fn: Callable[[Any], Any], strict: bool = False) -> Condition:
    """A condition whose margin ``fn(env)`` is exact (a ``Fraction`` or an ``Enclosure``/``arb``)
    at exact values: the search takes its float (midpoint), re-verification the value itself."""
    def as_float(env):
        v = fn(env)
        if isinstance(v, Enclosure):
            return v.mid()
        if isinstance(v, arb):
            return float(v.mid())
        return float(v)

    return Condition(name, margin=as_float, rigorous=fn, strict=strict)


def max_abs(A: Any) -> Fraction:
    return max((abs(Fraction(v)) for v in np.asarray(A, dtype=object).ravel()), default=Fraction(0))


# ------------------------------------------------------------------ spectra with enclosures
# ------------------------------------------------------------------ configurations at an angle
def configs_at(W_star: Any, t: Any) -> list[np.ndarray]:
    """All planar configurations with every ``angle(w_i, w_i*) = 2 atan t`` (``k = 2``, unit scale:
    the regions ignore norms, so these are all of them up to scaling) -- ``2^n`` sign patterns."""
    n = np.asarray(W_star, dtype=object).shape[1]
    return [X.equal_angle_config(W_star, t, [1 if (c >> i) & 1 else -1 for i in range(n)]) for c in range(2**n)]


def rotation_parameter_of(W: Any, W_star: Any) -> Fraction:
    """``t = tan(phi/2) = sin/(1 + cos)`` of the common angle of a planar equal-angle configuration,
    when it is rational (``cos`` and ``sin`` rational), else raise."""
    a, b = X.fvec(np.asarray(W, dtype=object)[:, 0]), X.fvec(np.asarray(W_star, dtype=object)[:, 0])
    if len(a) != 2:
        raise NumericError("a planar (k = 2) configuration is needed")
    cross = a[0] * b[1] - a[1] * b[0]
    dot = X.dot(a, b)
    # t = |cross| / (|a||b| + dot): rational iff |a||b| is
    prod = X.dot(a, a) * X.dot(b, b)
    r = Fraction(math.isqrt(prod.numerator), math.isqrt(prod.denominator))
    if r * r != prod:
        raise NumericError("the angle's half-tangent is not rational")
    if r + dot == 0:
        raise NumericError("angle pi: no rotation parameter")
    return abs(cross) / (r + dot)


def wedge_prob_max(dist, W: Any, W_star: Any) -> Fraction:
    """``max_i max(P[R(w_i, -w_i*)], P[R(-w_i, w_i*)])`` exactly: ``beta phi`` for the least ``beta``."""
    W, Ws = np.asarray(W, dtype=object), np.asarray(W_star, dtype=object)
    best = Fraction(0)
    for i in range(W.shape[1]):
        w, s = X.fvec(W[:, i]), X.fvec(Ws[:, i])
        for a, b in ((w, [-x for x in s]), ([-x for x in w], s)):
            best = max(best, dist.prob_region_exact(np.array([a, b], dtype=object)))
    return best


# ------------------------------------------------------------------ m_ex and m_min(0), safe side
#: angles at which m_ex(phi) = max lambda_max(B_klm)/phi is scanned (a lower bound needs only one)
PHI_GRID = np.linspace(0.02, math.pi - 0.02, 40)


def _grid_configs(Ws: np.ndarray, rng, per_phi: int = 6):
    """(configurations, their angles): every planar sign pattern (k = 2) or ``per_phi`` random
    directions orthogonal to the targets (k >= 3, a subset: still a lower bound)."""
    k, n = Ws.shape
    unit = Ws / np.linalg.norm(Ws, axis=0)[None, :]
    configs, phis = [], []
    for phi in PHI_GRID:
        if k == 2:
            perp = np.stack([-unit[1], unit[0]])
            dirs = [perp * np.array([1.0 if (c >> i) & 1 else -1.0 for i in range(n)])[None, :] for c in range(2**n)]
        else:
            dirs = []
            for _ in range(per_phi):
                U = rng.standard_normal((k, n))
                U -= unit * np.sum(U * unit, axis=0)[None, :]
                dirs.append(U / np.linalg.norm(U, axis=0)[None, :])
        for U in dirs:
            configs.append(math.cos(phi) * unit + math.sin(phi) * U)
            phis.append(phi)
    return np.array(configs), np.array(phis)


def m_ex_lower_float(dist, Ws, rng=None) -> tuple[float, float]:
    """(a float lower bound of ``m_ex`` from the grid scan, the ``phi`` attaining it):
    ``sigma_max(B_klm)/phi`` at every grid configuration, the batch's stated entry error subtracted."""
    Ws = np.asarray(Ws, dtype=float)
    k, n = Ws.shape
    configs, phis = _grid_configs(Ws, rng if rng is not None else np.random.default_rng(0))
    stars = np.broadcast_to(Ws, configs.shape)
    batch = batch_block_matrices(dist, configs, stars, EX_KLM)
    err = spectral_err(batch["err"], k * n)
    best, arg = 0.0, float(PHI_GRID[0])
    for klm in EX_KLM:
        sig = np.linalg.svd(batch[klm], compute_uv=False)[:, 0]
        vals = (sig - err) / phis
        j = int(np.argmax(vals))
        if vals[j] > best:
            best, arg = float(vals[j]), float(phis[j])
    return best, arg


def m_ex_lower_exact(dist, Ws, phi: float) -> arb:
    """A certified lower bound of ``m_ex`` from the exact configurations at the rational angle
    ``2 atan t`` nearest ``phi`` (all ``2^n`` sign patterns, the four matrices of Assumption 3.3):
    ``sqrt(|B x|^2/|x|^2) / theta`` with the angle ``theta`` an Arb ball."""
    t = X.tan_half(phi)
    _, _, theta = X.rational_rotation(t)
    best = Fraction(0)
    for W in configs_at(Ws, t):
        for klm in EX_KLM:
            best = max(best, sigma_max_lower_sq(block_matrix_exact(dist, W, Ws, *klm)))
    return fraction_to_arb(best).sqrt() / theta


# ------------------------------------------------------------------ one neuron, standard Gaussian
def gaussian_m_min(phi: arb) -> arb:
    """``m_min(phi) = lambda_min(R_{w,w*}) = (pi - phi - sin phi)/(2 pi)`` (``z ~ N(0, I)``, ``n = 1``)."""
    return (arb.pi() - phi - phi.sin()) / (2 * arb.pi())


def gaussian_m_max(phi: arb) -> arb:
    """``m_max(phi) = (pi - phi + sin phi)/(2 pi)``."""
    return (arb.pi() - phi + phi.sin()) / (2 * arb.pi())


def phi_t(dd: Fraction, ss: Fraction) -> arb:
    """``phi^t = arcsin(sqrt(dd/ss)) = atan(sqrt(dd/(ss - dd)))`` (finite balls even near 1)."""
    return (fraction_to_arb(dd) / fraction_to_arb(ss - dd)).sqrt().atan()


def gaussian_step_bound_lower(phi_hi: arb, numerator_shift: Any, denominator_shift: arb, c_step: Any = 2,
                              pieces: int = 48) -> Fraction:
    """A rational lower bound of ``min_{0<=phi<=phi_hi} (m_min(phi) - a) / (c_step (m_max(phi) + c)^2)``
    (Gaussian closed forms): ``[0, upper(phi_hi)]`` is covered by balls and each enclosure's lower
    end is taken (a superset of the interval only lowers the bound)."""
    hi = float(phi_hi.upper()) if hasattr(phi_hi, "upper") else float(phi_hi)
    hi = max(hi, 0.0) * (1 + 1e-12) + 1e-15
    best = None
    a = arb_of(numerator_shift)
    cs = arb_of(c_step)
    for j in range(pieces):
        lo_j, hi_j = hi * j / pieces, hi * (j + 1) / pieces
        ball = arb((lo_j + hi_j) / 2, (hi_j - lo_j) / 2 * (1 + 1e-9))
        val = (gaussian_m_min(ball) - a) / (cs * (gaussian_m_max(ball) + denominator_shift) ** 2)
        low = Enclosure.of(val).lo
        best = low if best is None or low < best else best
    return best


def arb_of(x: Any) -> arb:
    """An Arb ball of a number: a ball, a rational, a float (its dyadic value) or a closed sympy
    number such as ``1/pi`` (a constant's printed value)."""
    if isinstance(x, arb):
        return x
    if isinstance(x, sympy.Basic) and not x.is_Rational:
        return arb_eval(x, {})
    return fraction_to_arb(to_fraction(x))


def gaussian_one_step_margin(w: Sequence[Fraction], ws: Sequence[Fraction], eta: Fraction, rate_num_shift: Any,
                             c_rate: Any) -> Enclosure:
    """``(1 - eta (m_min(theta) - shift) c_rate) |w - w*|^2 - |w_1 - w*|^2`` after one population GD
    step from ``w`` (Gaussian closed form of ``E grad l``), on Arb balls from exact ``w, w*, eta``."""
    if len(w) != 2 or len(ws) != 2:
        raise NumericError("the one-neuron Gaussian step is evaluated in the plane of w, w* (k = 2)")
    if not any(w) or not any(ws):
        raise NumericError("angle undefined for a zero vector")
    dvec = [a - b for a, b in zip(w, ws)]
    dd = X.dot(dvec, dvec)
    cross = abs(w[0] * ws[1] - w[1] * ws[0])
    theta = arb.atan2(fraction_to_arb(cross), fraction_to_arb(X.dot(w, ws)))
    nw, nws = fraction_to_arb(X.dot(w, w)).sqrt(), fraction_to_arb(X.dot(ws, ws)).sqrt()
    g = [fraction_to_arb(Fraction(1, 2) * (a - b)) + (theta * fraction_to_arb(b) - nws * theta.sin()
                                                    * fraction_to_arb(a) / nw) / (2 * arb.pi())
         for a, b in zip(w, ws)]
    e = fraction_to_arb(eta)
    w1 = [fraction_to_arb(a) - e * gi for a, gi in zip(w, g)]
    lhs = sum(((x - fraction_to_arb(b)) ** 2 for x, b in zip(w1, ws)), arb(0))
    rate = gaussian_m_min(theta) - arb_of(rate_num_shift)
    rhs = (1 - e * rate * arb_of(c_rate)) * fraction_to_arb(dd)
    return Enclosure.of(rhs - lhs)


# ------------------------------------------------------------------ network variables and conditions
def network_variable(strategy, equal_angle: bool = False, name: str = "net", meaning: str = "",
                     domain: str = "exact finite atoms with teacher W* and student W"):
    """A claim variable ranging over :class:`~proofcheck.ml.strategies.Network` instances (exact
    atoms, teacher, student); ``equal_angle`` adds the exact domain predicate that every
    ``angle(w_i, w_i*)`` is the same."""
    def contains(v) -> bool:
        return isinstance(v, Network) and (not equal_angle or v.ts.equal_angles())

    return Variable(name, strategy, domain=domain + (", every angle(w_i, w_i*) equal" if equal_angle else ""),
                    contains=contains, meaning=meaning)


def off_hyperplanes(which: str = "both", name: str = "net") -> Condition:
    """Hypothesis: no atom on a hyperplane ``w_j^T z = 0`` (``which="W"``), ``w_j*^T z = 0``
    (``"W_star"``) or either (``"both"``); margin ``min |v^T z|``, strict."""
    what = {"W": "w_j^T z = 0", "W_star": "w_j*^T z = 0", "both": "w_j^T z = 0 or w_j*^T z = 0"}[which]
    return exact_condition(f"no atom on a hyperplane {what}", lambda env: getattr(env, name).boundary_gap(which),
                           strict=True)


# ------------------------------------------------------------------ one neuron, Gaussian: the claim's parts
def _planar(v) -> bool:
    return len(v) == 2 and any(x != 0 for x in v)


def one_neuron_variables():
    """Variables ``w``, ``w_star`` (nonzero rational planar vectors) and ``eta`` in ``[0, 1/2]``."""
    vec = rational_vectors(2, max_denominator=8)
    return (Variable("w", vec, domain="Q^2 \\ {0} (the plane of w, w*)", contains=_planar,
                     meaning="the current weight w_t"),
            Variable("w_star", vec, domain="Q^2 \\ {0}", contains=_planar, meaning="the target w*"),
            Variable("eta", rationals(0, Fraction(1, 2), 1000), domain="[0, 1/2]", lo=0, hi=Fraction(1, 2),
                     meaning="the step size eta_t"))


def _fr(v) -> list[Fraction]:
    return [Fraction(x) for x in v]


def _inside_ball(env) -> Fraction:
    """|w*|^2 - |w - w*|^2 (> 0: the hypothesis |w_0 - w*| < |w*|)."""
    w, ws = _fr(env.w), _fr(env.w_star)
    d = [a - b for a, b in zip(w, ws)]
    return X.dot(ws, ws) - X.dot(d, d)


INSIDE = exact_condition("|w_0 - w*| < |w*|", _inside_ball, strict=True)


def one_neuron_gaussian_step(shifts):
    """(hypotheses, conclusion) of one population GD step for one neuron under the standard Gaussian.

    ``shifts(env) -> (numerator shift, denominator shift)`` of the step-size bound
    ``min_{0<=phi<=phi^t} (m_min(phi) - a) / (c_step (m_max(phi) + c)^2)``; the hypothesis
    ``eta <= bound`` is decided against an Arb-certified *lower* bound of the minimum (so it holds
    whenever it is certified to), the conclusion on Arb balls."""
    def step_margin(env) -> Fraction:
        w, ws = _fr(env.w), _fr(env.w_star)
        d = [a - b for a, b in zip(w, ws)]
        a, c = shifts(env)
        return gaussian_step_bound_lower(phi_t(X.dot(d, d), X.dot(ws, ws)), a, c, env.c_step) - Fraction(env.eta)

    def contraction(env) -> Enclosure:
        a, _ = shifts(env)
        return gaussian_one_step_margin(_fr(env.w), _fr(env.w_star), Fraction(env.eta), a, env.c_rate)

    hyps = [INSIDE, exact_condition("eta_t <= the step-size bound (certified lower bound of the min)", step_margin)]
    return hyps, exact_condition("(1 - eta m_min c_rate)|w_t - w*|^2 - |w_{t+1} - w*|^2", contraction)


def one_neuron_witnesses():
    """Encoder-supplied instances for the one-neuron Gaussian claims (labelled ``witness``)."""
    return [Witness({"w": [Fraction(1, 2), Fraction(0)], "w_star": [Fraction(1), Fraction(0)], "eta": Fraction(1, 20)},
                    "w parallel to w* (theta = 0): m_min(0) = 1/2 is largest there, the tightest case for the "
                    "printed rate; eta = 1/20 is below both step-size bounds (about 0.13 for Thm 2.3, 0.054 for Thm 3.4)")]
