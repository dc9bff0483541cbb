r"""Theorem 3.4 under readings that make it well-formed: can its hypotheses be met at all?

Source: J. Park, *Input Distribution Analysis for Learning Two Layer Neural Network*, MSc thesis,
Seoul National University, 2019, Theorem 3.4, p. 7 (statement printed in :mod:`.thm_3_4`).

Reading ``L = m_max(phi)`` (the largest ``|B_000|`` at angle ``phi``, singular values as defined on
p. 4) and ``L_ex = m_ex`` (the proof's last lines have ``14 m_ex`` where the statement has
``14 L_ex``). The step-size bound is then

.. math::  \eta_t \le \min_{0\le\phi\le\phi^t} \frac{m_{min}(\phi) - 10\, m_{ex}}{2(m_{max}(\phi) + 14 m_{ex} + 4\alpha)^2}

and the interval ``[0, phi^t]`` always contains ``phi = 0``. If ``m_min(0) - 10 m_ex <= 0`` no positive
step size is allowed and the theorem says nothing.

Soundness of a vacuity finding (each instance): ``m_min(0)`` is bounded *above* by a Rayleigh
quotient of ``B_000`` at ``W = W*`` (exact rationals for finite atoms; at ``phi = 0`` the configuration
set has a single element up to scaling, which the regions ignore); ``m_ex`` is bounded *below* by
``sigma_max(B_klm)/theta`` at one exactly-equal-angle configuration (rational rotations, angle
``theta = 2 atan t`` as an Arb ball; ``|B x|^2/|x|^2`` with a rational ``x``). For the Gaussian the
region moments are closed forms with a stated float error (``proofcheck.ml.extremal`` estimates with
``side="exact"``), added on the safe side.

Errata: see :mod:`.thm_3_4`.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from flint import arb

from proofcheck import Claim, Outcome, Verdict
from proofcheck.ml import extremal as E
from proofcheck.ml import linalg_exact as X
from proofcheck.ml.distributions import FiniteAtoms, Gaussian, StandardGaussian, UniformSphere, rational_direction
from proofcheck.ml.networks import batch_block_matrices, block_matrix_exact
from proofcheck.num import Enclosure, fraction_to_arb

from . import src
from .thm_2_3 import one_neuron_check, one_neuron_replay

EX_KLM = [(1, 0, 0), (0, 0, 1), (0, 1, 0), (1, 1, 0)]
#: angles at which m_ex(phi) = max lambda_max(B_klm)/phi is scanned (a lower bound needs only one)
PHI_GRID = np.linspace(0.02, math.pi - 0.02, 40)
GAUSS_SLACK = 1e-9  # float rounding of configurations at angle phi (relative), on the safe side


def _planar_teacher(rng, n: int) -> np.ndarray:
    return X.random_teacher(rng, 2, n, denominator=4)


def _atoms_for(rng, Ws) -> FiniteAtoms:
    """Random rational atoms; half the time placed away from the teacher's hyperplanes (the most
    favourable case for a small m_ex), on the unit circle."""
    n = Ws.shape[1]
    m = int(rng.integers(4, 10))
    if rng.random() < 0.5:
        atoms, weights = X.random_atoms(rng, 2, m)
        return FiniteAtoms(atoms, weights)
    normals = [np.array([float(x) for x in Ws[:, j]]) for j in range(n)]
    dirs = []
    while len(dirs) < m:
        a = rng.uniform(0, 2 * math.pi)
        v = np.array([math.cos(a), math.sin(a)])
        if all(abs(v @ u) / np.linalg.norm(u) > math.sin(0.3) for u in normals):
            dirs.append(v)
    return FiniteAtoms([rational_direction(v, 1000) for v in dirs], [Fraction(int(rng.integers(1, 5))) for _ in dirs])


def _configs(Ws: np.ndarray, rng, per_phi: int = 6):
    """(configurations, their angles): every planar sign pattern (k = 2, the whole set at each phi)
    or ``per_phi`` random directions orthogonal to the targets (k >= 3, a subset: still a lower bound)."""
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


def _mex_lower_float(dist, Ws, rng=None) -> tuple[float, float]:
    """(a lower bound of m_ex from the grid scan, the phi attaining it): sigma_max(B_klm)/phi for every
    configuration of :func:`_configs`, all at once (``batch_block_matrices``); the batch's stated
    entry error is subtracted (Weyl)."""
    Ws = np.asarray(Ws, dtype=float)
    k, n = Ws.shape
    configs, phis = _configs(Ws, rng if rng is not None else np.random.default_rng(0))
    stars = np.broadcast_to(Ws, configs.shape)
    batch = batch_block_matrices(dist, configs, stars, EX_KLM)
    err = E.spectral_err(batch["err"], k * n)
    best, arg = 0.0, float(PHI_GRID[0])
    for klm in EX_KLM:
        sig = np.linalg.svd(batch[klm], compute_uv=False)[:, 0]
        vals = (sig - err) / phis
        j = int(np.argmax(vals))
        if vals[j] > best:
            best, arg = float(vals[j]), float(phis[j])
    return best, arg


def _mex_lower_exact(dist, Ws, phi: float) -> arb:
    """Exact-configuration lower bound of m_ex near angle phi (all 2^n sign patterns, 4 matrices)."""
    t = X.tan_half(phi)
    _, _, theta = X.rational_rotation(t)
    n = Ws.shape[1]
    best = Fraction(0)
    for code in range(2**n):
        signs = [1 if (code >> i) & 1 else -1 for i in range(n)]
        W = X.equal_angle_config(Ws, t, signs)
        for klm in EX_KLM:
            best = max(best, X.sigma_max_lower_sq(block_matrix_exact(dist, W, Ws, *klm)))
    return fraction_to_arb(best).sqrt() / theta


def _float_ratio(dist, Ws) -> float:
    """m_min(0) / (10 m_ex) in floats (for the hill climb only; never a verdict)."""
    B0 = batch_block_matrices(dist, Ws[None], Ws[None], [(0, 0, 0)])[(0, 0, 0)][0]
    mmin0 = float(np.linalg.eigvalsh(B0)[0])
    mex, _ = _mex_lower_float(dist, Ws)
    return mmin0 / (10 * mex) if mex > 0 else math.inf


def _climb_atoms(rng, Ws_q, steps: int) -> FiniteAtoms:
    """A random-restart hill climb over unit-circle atom angles (weights fixed) towards a larger
    m_min(0)/(10 m_ex): the most favourable atoms for the theorem this search can find."""
    Ws = Ws_q.astype(float)
    m = int(rng.integers(4, 9))
    weights = [Fraction(int(rng.integers(1, 5))) for _ in range(m)]

    def dist_of(angles):
        return FiniteAtoms([rational_direction([math.cos(a), math.sin(a)], 1000) for a in angles], weights)

    angles = rng.uniform(0, 2 * math.pi, m)
    best = _float_ratio(dist_of(angles), Ws)
    for _ in range(steps):
        trial = angles + rng.normal(0, 0.3, m) * (rng.random(m) < 0.5)
        val = _float_ratio(dist_of(trial), Ws)
        if val > best and math.isfinite(val):
            angles, best = trial, val
    return dist_of(angles)


def _instance_margin(rng, kind: str, n: int, climb: int = 0):
    """(upper bound of m_min(0) - 10 m_ex, description, plot data, ratio bound) for one random instance."""
    if kind != "atoms":
        k = 3 if kind == "gauss3" else 2
        Ws = X.random_teacher(rng, k, n, denominator=4).astype(float)
        if kind == "aniso":
            A = rng.standard_normal((2, 2))
            dist = Gaussian(A @ A.T + 0.2 * np.eye(2))
        elif kind == "sphere":
            dist = UniformSphere(2)
        else:
            dist = StandardGaussian(k)
        mmin_ub = E.m_min(dist, 0.0, Ws).upper_bound
        best, _ = _mex_lower_float(dist, Ws, rng)
        best *= 1 - GAUSS_SLACK
        ub = mmin_ub - 10 * best
        desc = f"{type(dist).__name__}(k = {k}), n = {n}, W* = {np.round(Ws, 3).tolist()}"
        ratio = mmin_ub / (10 * best) if best > 0 else math.inf
        return ub, desc, (dist, Ws, best), ratio
    Ws = _planar_teacher(rng, n)
    dist = _climb_atoms(rng, Ws, climb) if climb else _atoms_for(rng, Ws)
    mmin_ub = X.lam_min_upper(block_matrix_exact(dist, Ws, Ws, 0, 0, 0))
    flb, phi = _mex_lower_float(dist, Ws.astype(float))
    mex_lb = _mex_lower_exact(dist, Ws, phi) if flb > 0 else arb(0)
    enc = Enclosure.of(fraction_to_arb(mmin_ub) - 10 * mex_lb)
    lb = float(Enclosure.of(mex_lb).lo)
    ratio = float(mmin_ub) / (10 * lb) if lb > 0 else math.inf
    desc = (f"{len(dist.weights_q)} rational atoms{' (hill-climbed)' if climb else ''} {dist.to_json()}, n = {n}, "
            f"W* = {[[str(x) for x in r] for r in Ws]}")
    return float(enc.hi), desc, (dist, Ws.astype(float), lb), ratio


def _margin_curve(dist, Ws, mex_lb: float) -> dict:
    phis = np.linspace(0.0, math.pi / 2, 25)
    vals = [E.m_min(dist, float(p), Ws).value - 10 * mex_lb for p in phis]
    return {"title": "numerator of the step-size bound: m_min(phi) - 10 m_ex (m_ex: certified lower bound)",
            "x_label": "phi", "y_label": "m_min(phi) - 10 m_ex", "log_x": False, "log_y": False,
            "series": [{"label": "upper bound of the numerator", "x": phis.tolist(), "y": vals, "lo": None, "hi": None},
                       {"label": "0", "x": [0.0, math.pi / 2], "y": [0.0, 0.0], "lo": None, "hi": None}]}


KINDS = ["gauss", "atoms", "aniso", "atoms_climb", "sphere", "gauss3"]


def _check_vacuity(ctx) -> Outcome:
    n_inst = max(6, ctx.examples(0.15))
    climb = max(10, ctx.examples(0.05))
    margins, best, best_desc, worst_ratio = [], -math.inf, "", 0.0
    best_planar, best_planar_ub = None, -math.inf
    open_cases, kinds_seen = [], set()
    for i in range(n_inst):
        kind = KINDS[i % len(KINDS)]
        n = 2 if (kind == "gauss3" or ctx.rng.random() < 0.7) else 3
        ub, desc, data, ratio = _instance_margin(ctx.rng, "atoms" if kind == "atoms_climb" else kind, n,
                                                 climb=climb if kind == "atoms_climb" else 0)
        kinds_seen.add(type(data[0]).__name__)
        margins.append(ub)
        worst_ratio = max(worst_ratio, ratio)
        ctx.progress(f"instance {i + 1}/{n_inst} ({kind}): m_min(0) - 10 m_ex <= {ub:.4g}")
        if ub >= 0:
            open_cases.append(desc)
        if ub > best:
            best, best_desc = ub, desc
        if data[1].shape[0] == 2 and ub > best_planar_ub:
            best_planar, best_planar_ub = data, ub
    details = {"plots": [_margin_curve(*best_planar)] if best_planar else [], "margins_upper": margins,
               "max_ratio_mmin0_over_10mex": worst_ratio}
    if open_cases:
        return Outcome(Verdict.SURVIVED,
                       f"not shown vacuous: at {len(open_cases)} of {n_inst} instances the bound m_min(0) - 10 m_ex "
                       f"could be >= 0 (e.g. {open_cases[0]}); the conclusion was not checked there",
                       examples=n_inst, satisfied=len(open_cases), margin=best, details=details)
    return Outcome(Verdict.VACUOUS,
                   f"no positive step size in any of {n_inst} instances (n in {{2, 3}}; {', '.join(sorted(kinds_seen))}; "
                   f"atoms exact, some hill-climbed towards a small m_ex): at phi = 0 the numerator m_min(0) - 10 m_ex "
                   f"is <= {best:.4g} < 0 even in the best instance ({best_desc}); scale-free: m_min(0) <= "
                   f"{worst_ratio:.3g} x 10 m_ex at most. Upper bound of m_min(0), lower bound of m_ex, both certified "
                   "(exact for atoms; stated float error, on the safe side, for the Gaussian family)",
                   examples=n_inst, satisfied=0, margin=best, details=details)


thm34_read = Claim(
    id="park2019.thm3.4@L=m_max.L_ex=m_ex",
    refutes=False,  # this procedure only proves or bounds; a refutation from it would be an error
    title="Thm 3.4 with L = m_max(phi), L_ex = m_ex: is any step size allowed (n >= 2)?",
    source=src("Chapter 3, Theorem 3.4, p. 7"),
    statement=(r"\eta_t \le \min_{0\le\phi\le\phi^t}\frac{m_{min}(\phi)-10m_{ex}}{2(m_{max}(\phi)+14m_{ex}+4\alpha)^2}"),
    check=_check_vacuity,
    cost=1.0,
    note="the chapter's generalisation to n >= 2 neurons (n = 1 is Thm 2.3, see the '.n=1' reading). "
         "Search over teachers and input distributions for an instance whose step-size bound is positive; "
         "vacuity per instance rests on safe-side bounds only",
)

#: Thm 3.4's step-size bound has 4 alpha; m_ex = 1e-6 (see the note)
_N1 = {"alpha_coeff": 4, "m_ex": Fraction(1, 10**6)}

thm34_n1 = Claim(
    id="park2019.thm3.4@L=m_max.L_ex=m_ex.n=1",
    title="Thm 3.4 for one neuron (L = m_max, L_ex = m_ex), Gaussian input",
    source=src("Chapter 3, Theorem 3.4, p. 7"),
    statement=(r"\eta_t \le \min_{0\le\phi\le\phi^t}\frac{m_{min}(\phi)-10m_{ex}}{2(m_{max}(\phi)+14m_{ex}+4\alpha)^2}"
               r"\Rightarrow \|w^{t+1}-w_*\|^2 \le \|w^t-w_*\|^2(1-\eta_t(m_{min}(\phi_t)-10m_{ex})/2)"),
    check=lambda ctx: one_neuron_check(ctx, **_N1, label="Thm 3.4, n = 1 (alpha = 1/pi, m_ex = 1e-6)"),
    replay=one_neuron_replay(**_N1),
    note="for n = 1 and a Gaussian the four matrices of Assumption 3.3's first bound live on hyperplanes "
         "(B_001 = E[zz^T 1{w^T z >= 0, w*^T z = 0}] = 0, ...), so any m_ex > 0 is admissible (1e-6 is used); "
         "B_101 = R_{w,-w*} gives alpha = 1/pi. m_min in the conclusion is read as m_min(angle(w_t, w*))",
)
