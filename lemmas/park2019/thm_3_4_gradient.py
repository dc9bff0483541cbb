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
  pointwise identities are proved by z3, then integrated; exact atoms cross-check).
* s3 drops ``d^T B100 W`` and ``d^T B101 W``; both are ``>= 0`` because ``(w_i - w_i*)^T z >= 0`` on
  ``R(w_i, -w_i*)`` and ``w_j^T z >= 0`` on ``R(w_j, +-w_j*)``.
* Def. 3.2's ``m_min(phi)`` is a minimum over weights whose angles to their targets are *all* equal
  to ``phi``; s3 needs the current weights to be such a configuration, and the induction needs the
  next iterate to be one again. One population-GD step generally makes the angles unequal.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Outcome, Variable, Verdict
from proofcheck.ml import linalg_exact as X
from proofcheck.ml.distributions import FiniteAtoms
from proofcheck.ml.networks import (block_matrix_exact, gd_step_exact, gradient_three_sum_exact,
                                 population_gradient_exact, vec)

from . import NotAnInstance, replayer, src

KLM = [(0, 0, 0), (1, 0, 0), (0, 0, 1), (1, 0, 1), (0, 1, 0), (1, 1, 0)]


# ---------------------------------------------------------------------- s1, pointwise (z3)
# At a point z with a = w^T z != 0 and b = w*^T z != 0 the indicator 1{x >= 0} equals
# (x + |x|)/(2|x|) and 1{x <= 0} equals (|x| - x)/(2|x|), so the two scalar identities behind s1 are
# polynomial-with-absolute-values statements z3 decides. They are homogeneous (degree 1 and 0), so a
# bounded box loses nothing; the names start with "_" so the registry does not list them as claims.
def _ind(x):
    return (x + sympy.Abs(x)) / (2 * sympy.Abs(x))


def _nind(x):
    return (sympy.Abs(x) - x) / (2 * sympy.Abs(x))


_a = Variable("a", st.floats(-10, 10), lo=-10, hi=10, meaning="w_j^T z")
_b = Variable("b", st.floats(-10, 10), lo=-10, hi=10, meaning="w_j*^T z")
_A, _B = _a.symbol, _b.symbol
_POINTWISE = [
    Claim(id="park2019.thm3.4.s1_split", title="sigma(a) - sigma(b) splits over the three regions",
          source=src("Appendix 5.1, p. 11"), statement=r"\sigma(a)-\sigma(b) = 1_{a,b\ge0}(a-b)+1_{a\ge0\ge b}a-1_{b\ge0\ge a}b",
          variables=[_a, _b], hypotheses=[sympy.Gt(_A**2, 0), sympy.Gt(_B**2, 0)],
          conclusion=sympy.Le((sympy.Max(_A, 0) - sympy.Max(_B, 0) - _ind(_A) * _ind(_B) * (_A - _B)
                               - _ind(_A) * _nind(_B) * _A + _nind(_A) * _ind(_B) * _B) ** 2, 0)),
    Claim(id="park2019.thm3.4.s1_outer", title="1{a >= 0} = 1{a >= 0, b >= 0} + 1{a >= 0, b <= 0}",
          source=src("Appendix 5.1, p. 11"), statement=r"1_{a\ge0} = 1_{a,b\ge0}+1_{a\ge0\ge b}",
          variables=[_a, _b], hypotheses=[sympy.Gt(_A**2, 0), sympy.Gt(_B**2, 0)],
          conclusion=sympy.Le((_ind(_A) * _ind(_B) + _ind(_A) * _nind(_B) - _ind(_A)) ** 2, 0)),
]


_ai, _bi, _aj = (Variable(nm, st.floats(-10, 10), lo=-10, hi=10, meaning=m) for nm, m in
                 (("ai", "w_i^T z"), ("bi", "w_i*^T z"), ("aj", "w_j^T z")))
#: s3's dropped terms, pointwise: on R(w_i, -w_i*) (a_i >= 0 >= b_i) and R(w_j, +-w_j*) (a_j >= 0)
#: the integrand of d^T B_1l0.. W, (w_i - w_i*)^T z z^T w_j = (a_i - b_i) a_j, is >= 0.
_DROPPED = Claim(
    id="park2019.thm3.4.s3_dropped", title="(a_i - b_i) a_j >= 0 when a_i >= 0 >= b_i and a_j >= 0",
    source=src("Appendix 5.1, p. 12"), statement=r"(w_i-w_{i*})^\top z\, z^\top w_j \ge 0 \text{ on } R(w_i,-w_{i*})\cap R(w_j,\pm w_{j*})",
    variables=[_ai, _bi, _aj],
    hypotheses=[sympy.Ge(_ai.symbol, 0), sympy.Le(_bi.symbol, 0), sympy.Ge(_aj.symbol, 0)],
    conclusion=sympy.Ge((_ai.symbol - _bi.symbol) * _aj.symbol, 0))


def _s3_difference_is_identity() -> bool:
    """sympy: with d = W - W*, line 2 of the appendix minus line 3 is exactly
    [d^T B000 d - m |d|^2] + d^T B100 W + d^T B101 W, for matrix symbols of any size (the
    algebra behind "use definitions of m_min and remove positive terms")."""
    N = sympy.Symbol("N", integer=True, positive=True)
    W, Ws = sympy.MatrixSymbol("W", N, 1), sympy.MatrixSymbol("Ws", N, 1)
    B = {k: sympy.MatrixSymbol(f"B{k}", N, N) for k in ("000", "100", "001", "101", "010", "110")}
    m = sympy.Symbol("m")
    d = W - Ws
    line2 = d.T * (B["000"] + B["100"]) * d + d.T * (B["001"] + B["101"]) * W + d.T * (B["010"] + B["110"]) * (-Ws)
    line3 = m * d.T * d + d.T * B["100"] * (-Ws) + d.T * B["001"] * W + d.T * (B["010"] + B["110"]) * (-Ws)
    split = (d.T * B["000"] * d - m * d.T * d) + d.T * B["100"] * W + d.T * B["101"] * W
    difference = sympy.expand(line2 - line3 - split)
    return bool(getattr(difference, "is_ZeroMatrix", False)) or difference == 0


def _prove_pointwise(ctx) -> list[str] | None:
    """z3 proofs of the two pointwise identities, or None if either is not proved."""
    from proofcheck.engine import decide_exact

    out = []
    for helper in _POINTWISE:
        res = decide_exact(helper, budget=ctx.budget, seed=ctx.run_seed)
        if res is None or res.verdict is not Verdict.PROVED:
            return None
        out.append(f"{helper.title}: {res.evidence}")
    return out


# ---------------------------------------------------------------------- instances
def _instance(rng, boundary: bool, equal_angle: bool = False, n_choices=(1, 2, 3), k: int | None = None):
    """A random exact teacher-student instance: (dist, W, W*).

    ``boundary``: add atoms exactly on hyperplanes ``w_j*^T z = 0``; otherwise atoms are redrawn until
    none lies on any hyperplane ``w_j^T z = 0`` or ``w_j*^T z = 0``.
    ``equal_angle``: planar ``W`` with every ``angle(w_i, w_i*)`` exactly equal (rational rotation)."""
    n = int(rng.choice(n_choices))
    k = k or (2 if equal_angle else int(rng.choice([2, 3])))
    Ws = X.random_teacher(rng, k, n)
    if equal_angle:
        t = Fraction(int(rng.integers(1, 12)), 12)  # theta = 2 atan t in (0, pi/2)
        signs = [1 if rng.random() < 0.5 else -1 for _ in range(n)]
        scales = [Fraction(int(rng.integers(2, 9)), 4) for _ in range(n)]
        W = X.equal_angle_config(Ws, t, signs, scales)
    else:
        W = X.random_teacher(rng, k, n)
    normals_star = [list(Ws[:, j]) for j in range(n)]
    all_normals = normals_star + [list(W[:, j]) for j in range(n)]
    m = int(rng.integers(1, 7))
    for _ in range(50):
        atoms, weights = X.random_atoms(rng, k, m, on_hyperplanes=normals_star if boundary else ())
        if boundary:
            # keep the boundary atoms off the student's hyperplanes, so the ReLU derivative
            # convention at 0 plays no part
            if all(X.dot(X.fvec(W[:, i]), a) != 0 for a in atoms for i in range(n)):
                break
        elif X.off_hyperplanes(atoms, all_normals):
            break
    else:
        return None
    return FiniteAtoms(atoms, weights), W, Ws


def _max_abs(A) -> Fraction:
    return max((abs(Fraction(v)) for v in np.asarray(A, dtype=object).ravel()), default=Fraction(0))


def _stored_instance(values) -> tuple[FiniteAtoms, np.ndarray, np.ndarray]:
    """(dist, W, W*) of a stored record, with matching shapes and nonzero columns."""
    dist = values["dist"]
    W, Ws = np.asarray(values["W"], dtype=object), np.asarray(values["W_star"], dtype=object)
    if not isinstance(dist, FiniteAtoms):
        raise NotAnInstance("the stored distribution is not finite atoms")
    if W.ndim != 2 or W.shape != Ws.shape or W.shape[0] != dist.dim:
        raise NotAnInstance(f"W {W.shape}, W* {Ws.shape} and atoms in R^{dist.dim} do not match")
    if any(not any(X.fvec(M[:, i])) for M in (W, Ws) for i in range(W.shape[1])):
        raise NotAnInstance("a zero weight or target vector")
    return dist, W, Ws


def _columns(M) -> list[list[Fraction]]:
    return [X.fvec(M[:, i]) for i in range(M.shape[1])]


# ---------------------------------------------------------------------- s1
def _s1_gap(dist, W, Ws) -> tuple[Fraction, np.ndarray, np.ndarray]:
    """(max entry of |E grad l - three-sum|, E grad l, the three-sum), exactly, atom by atom."""
    direct = population_gradient_exact(dist, W, Ws, reading="appendix")
    three = gradient_three_sum_exact(dist, W, Ws)
    return _max_abs(direct - three), direct, three


def _replay_s1(boundary_mass: bool):
    def verify(ctx, values, extra):
        dist, W, Ws = _stored_instance(values)
        # the ReLU derivative at 0 is a convention: atoms on a student hyperplane would test it, not s1
        if not X.off_hyperplanes(dist.atoms_q, _columns(W)):
            raise NotAnInstance("an atom lies on a hyperplane w_j^T z = 0")
        if not boundary_mass and not X.off_hyperplanes(dist.atoms_q, _columns(Ws)):
            raise NotAnInstance("an atom lies on a hyperplane w_j*^T z = 0 (this reading assumes no mass there)")
        gap = _s1_gap(dist, W, Ws)[0]
        if gap == 0:
            return False, 0.0, "exact rational arithmetic: the three-sum equals E[grad l] at the stored instance"
        return True, -float(gap), f"exact rational arithmetic: the three-sum differs from E[grad l] by {gap} (max entry)"
    return replayer(verify)


def _check_s1(boundary_mass: bool):
    def check(ctx) -> Outcome:
        n_inst = ctx.examples(0.5)
        tried = 0
        for _ in range(n_inst):
            inst = _instance(ctx.rng, boundary=boundary_mass and ctx.rng.random() < 0.5)
            if inst is None:
                continue
            dist, W, Ws = inst
            tried += 1
            gap, direct, three = _s1_gap(dist, W, Ws)
            if gap != 0:
                rec = ctx.record_counterexample(
                    {"dist": dist, "W": W, "W_star": Ws}, -float(gap),
                    "exact rational arithmetic: population gradient vs the three-sum, atom by atom",
                    extra={"direct": direct, "three_sum": three})
                return Outcome(Verdict.REFUTED,
                               f"exact counterexample: the three-sum differs from E[grad l] by {gap} "
                               f"(max entry) for {len(dist.weights_q)} atoms, n = {W.shape[1]}, k = {W.shape[0]}; "
                               "an atom on a hyperplane w_j*^T z = 0 is counted in both R(w_j, w_j*) and R(w_j, -w_j*)",
                               examples=tried, satisfied=tried, margin=-float(gap), counterexample=rec)
        proofs = None if boundary_mass else _prove_pointwise(ctx)
        if proofs is not None:
            return Outcome(Verdict.PROVED,
                           "pointwise, at every z with w_j^T z != 0 and w_j*^T z != 0, the gradient's integrand equals "
                           "the three-sum's (z3: " + "; ".join(proofs) + "); integrating over a distribution with no "
                           f"mass on those hyperplanes gives s1. Cross-check: exact equality in {tried} finite-atom instances",
                           examples=tried, satisfied=tried, margin=0.0, notes=proofs)
        return Outcome(Verdict.SURVIVED,
                       f"the three-sum equals the population gradient exactly (Fractions) in {tried} random "
                       "finite-atom instances" + (" (half with atoms on the hyperplanes w_j*^T z = 0)" if boundary_mass
                                                  else " with no atom on any hyperplane w_j^T z = 0, w_j*^T z = 0"),
                       examples=tried, satisfied=tried, margin=0.0)
    return check


_S1_STATEMENT = (r"E\nabla_{w_i}\ell = \tfrac1{n^2}\sum_j E[zz^\top 1\{R(w_i,w_{i*})R(w_j,w_{j*}) + "
                 r"R(w_i,-w_{i*})R(w_j,w_{j*})\}](w_j-w_{j*}) + \dots")

s1 = Claim(
    id="park2019.thm3.4.s1",
    title="population gradient = the three-sum over R(w_i, +-w_i*) ∩ R(+-w_j, +-w_j*) (closed regions)",
    source=src("Appendix 5.1, p. 11 (first display of the proof)"),
    statement=_S1_STATEMENT,
    check=_check_s1(boundary_mass=True),
    replay=_replay_s1(boundary_mass=True),
    cost=1.0,
    note="any input distribution (the thesis assumes none beyond boundedness), regions closed as in "
         "Def. 2.1; model normalised by 1/n (the appendix's 1/n^2). Finite rational atoms, exact.",
)

s1_generic = Claim(
    id="park2019.thm3.4.s1@no_boundary_mass",
    title="s1 for distributions with no mass on the hyperplanes w_j^T z = 0, w_j*^T z = 0",
    source=src("Appendix 5.1, p. 11"),
    statement=_S1_STATEMENT,
    check=_check_s1(boundary_mass=False),
    replay=_replay_s1(boundary_mass=False),
    note="reading: regions differ from their interiors by null sets (e.g. any distribution with a "
         "density); sigma(a) - sigma(b) then splits exactly into the three regions",
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
            outer = int(R(cols[i], scol[i], z)) + 0  # R(w_i, w_i*)
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


def _s2_sides(dist, W, Ws) -> tuple[Fraction, Fraction]:
    return _printed_double_sum(dist, W, Ws), _b_form(dist, W, Ws)


@replayer
def _replay_s2(ctx, values, extra):
    lhs, rhs = _s2_sides(*_stored_instance(values))
    if lhs == rhs:
        return False, 0.0, f"exact rational arithmetic: double sum = block form = {lhs} at the stored instance"
    return True, -float(abs(lhs - rhs)), f"exact rational arithmetic: double sum {lhs} != block form {rhs}"


def _check_s2(ctx) -> Outcome:
    tried = 0
    for _ in range(ctx.examples(0.5)):
        inst = _instance(ctx.rng, boundary=ctx.rng.random() < 0.5)
        if inst is None:
            continue
        dist, W, Ws = inst
        tried += 1
        lhs, rhs = _s2_sides(dist, W, Ws)
        if lhs != rhs:
            rec = ctx.record_counterexample({"dist": dist, "W": W, "W_star": Ws}, -float(abs(lhs - rhs)),
                                            "exact rational arithmetic", extra={"double_sum": lhs, "b_form": rhs})
            return Outcome(Verdict.REFUTED, f"double sum {lhs} != block form {rhs} (exact)", examples=tried,
                           satisfied=tried, margin=-float(abs(lhs - rhs)), counterexample=rec)
    return Outcome(Verdict.SURVIVED,
                   f"the printed double sum equals d^T(B000+B100)d + d^T(B001+B101)W + d^T(B010+B110)(-W*) "
                   f"exactly in {tried} finite-atom instances (about half with atoms on boundary hyperplanes)",
                   examples=tried, satisfied=tried, margin=0.0)


s2 = Claim(
    id="park2019.thm3.4.s2",
    title="sum_i E<grad_i, w_i - w_i*> as the block form (B000+B100), (B001+B101), (B010+B110)",
    source=src("Appendix 5.1, pp. 11-12 (second and third displays)"),
    statement=(r"\sum_i E\langle\nabla_{w_i}\ell, w_i-w_{i*}\rangle = (W-W_*)^\top(B_{000}+B_{100})(W-W_*) "
               r"+ (W-W_*)^\top(B_{001}+B_{101})W + (W-W_*)^\top(B_{010}+B_{110})(-W_*)"),
    check=_check_s2,
    replay=_replay_s2,
    uses=["park2019.thm3.4.s1"],
    note="checked as the step it is: the printed double sum of indicators (given s1) equals the block "
         "form of Def. 3.1 -- the indicator/index bookkeeping, computed independently on both sides",
)


# ---------------------------------------------------------------------- s3, s4
def _check_s3_s4(which: str):
    def check(ctx) -> Outcome:
        tried, least, least_dropped = 0, math.inf, None
        for _ in range(ctx.examples(0.3)):
            inst = _instance(ctx.rng, boundary=ctx.rng.random() < 0.3, equal_angle=True, n_choices=(1, 2, 3))
            if inst is None:
                continue
            dist, W, Ws = inst
            tried += 1
            B = {klm: block_matrix_exact(dist, W, Ws, *klm) for klm in KLM}
            w, ws = vec(W), vec(Ws)
            d = w - ws
            if which == "s3":
                # line2 - line3 = [d^T B000 d - m_min |d|^2] + d^T B100 W + d^T B101 W, and
                # m_min(phi) <= lambda_min(B000) at this configuration (Def. 3.2).
                dropped = [X.quad(d, B[1, 0, 0], w), X.quad(d, B[1, 0, 1], w)]
                for val in dropped:
                    if least_dropped is None or val < least_dropped:
                        least_dropped = val
                lam = float(np.linalg.eigvalsh(X.float_matrix(B[0, 0, 0]))[0])
                dd = float(X.dot(list(d), list(d)))
                margin = float(X.quad(d, B[0, 0, 0])) - lam * dd + float(sum(dropped))
            else:
                terms = [(d, B[1, 0, 0], -ws), (d, B[0, 0, 1], w), (d, B[0, 1, 0], -ws), (d, B[1, 1, 0], -ws)]
                margin = math.inf
                for x, M, y in terms:
                    sig = float(np.linalg.svd(X.float_matrix(M), compute_uv=False)[0])
                    nx = math.sqrt(float(X.dot(list(x), list(x))))
                    ny = math.sqrt(float(X.dot(list(y), list(y))))
                    margin = min(margin, float(X.quad(x, M, y)) + nx * ny * sig)
            least = min(least, margin)
        ev = f"no violation in {tried} exact finite-atom instances at equal angles (k = 2, n <= 3); least margin {least:.3g}"
        details = {}
        if which == "s3":
            from proofcheck.engine import decide_exact

            res = decide_exact(_DROPPED, budget=ctx.budget, seed=ctx.run_seed)
            if (res is not None and res.verdict is Verdict.PROVED and _s3_difference_is_identity()
                    and (least_dropped is None or least_dropped >= 0)):
                return Outcome(Verdict.PROVED,
                               "line 2 - line 3 = [d^T B000 d - m_min |d|^2] + d^T B100 W + d^T B101 W (sympy, "
                               "matrix symbols of any size, d = W - W*); the bracket is "
                               ">= 0 because m_min(phi) <= lambda_min(B000) on the equal-angle set and B000 is symmetric "
                               "(Rayleigh); each dropped term integrates (a_i - b_i) a_j over R(w_i,-w_i*) and "
                               f"R(w_j, +-w_j*), where it is >= 0 (z3: {res.evidence}). Cross-check: " + ev,
                               examples=tried, satisfied=tried, margin=least,
                               details={"least_dropped_term": str(least_dropped)})
        if which == "s3" and least_dropped is not None:
            ev += f"; the dropped terms d^T B100 W, d^T B101 W were >= 0 exactly (least {least_dropped})"
            details["least_dropped_term"] = str(least_dropped)
            if least_dropped < 0:
                ev += " -- a dropped term was negative"
        return Outcome(Verdict.SURVIVED, ev, examples=tried, satisfied=tried, margin=least, details=details)
    return check


s3 = Claim(
    id="park2019.thm3.4.s3",
    refutes=False,  # this procedure only proves or bounds; a refutation from it would be an error
    title="'use m_min and remove positive terms' (drops d^T B100 W and d^T B101 W)",
    source=src("Appendix 5.1, p. 12 ('Use definitions of m_min and remove positive terms')"),
    statement=(r"\ge \|W-W_*\|^2 m_{min} + (W-W_*)^\top B_{100}(-W_*) + (W-W_*)^\top B_{001}W "
               r"+ (W-W_*)^\top(B_{010}+B_{110})(-W_*)"),
    check=_check_s3_s4("s3"),
    uses=["park2019.thm3.4.s2"],
    cost=1.0,
    note="at a configuration with every angle(w_i, w_i*) = phi (Def. 3.2); m_min(phi) <= lambda_min(B_000) "
         "there, so the step is checked with lambda_min(B_000) (the largest value m_min can take). The "
         "dropped terms are computed exactly.",
)

s4 = Claim(
    id="park2019.thm3.4.s4",
    refutes=False,  # this procedure only proves or bounds; a refutation from it would be an error
    title="'use norm': x^T B y >= -|x||y||B|_oper for the four remaining terms",
    source=src("Appendix 5.1, p. 13 ('Now use norm.')"),
    statement=(r"\ge \|W-W_*\|^2 m_{min} - \|W_*\|\|W-W_*\|\|B_{100}\| - \|W\|\|W-W_*\|\|B_{001}\| "
               r"- \|W_*\|\|W-W_*\|(\|B_{010}\| + \|B_{110}\|)"),
    check=_check_s3_s4("s4"),
    uses=["park2019.thm3.4.s3"],
    note="Cauchy-Schwarz with the operator norm, evaluated on the block matrices of exact instances",
)


# ---------------------------------------------------------------------- induction
def _cos_sq_after_step(dist, W, Ws, eta: Fraction) -> tuple[np.ndarray, list[Fraction]]:
    """(W^{t+1}, signed cos^2 angle(w_i^{t+1}, w_i*) for each i) after one exact population GD step."""
    W1 = gd_step_exact(dist, W, Ws, eta, reading="appendix")
    return W1, [X.cos_sq_angle(X.fvec(W1[:, i]), X.fvec(Ws[:, i])) for i in range(W.shape[1])]


@replayer
def _replay_induct(ctx, values, extra):
    dist, W, Ws = _stored_instance(values)
    eta = Fraction(values["eta"])
    if not eta > 0:
        raise NotAnInstance(f"step size eta = {eta} is not positive")
    c0 = {X.cos_sq_angle(a, b) for a, b in zip(_columns(W), _columns(Ws))}
    if len(c0) != 1:
        raise NotAnInstance("the angles angle(w_i, w_i*) at time t are not all equal")
    if not X.off_hyperplanes(dist.atoms_q, _columns(W) + _columns(Ws)):
        raise NotAnInstance("an atom lies on a hyperplane w_j^T z = 0 or w_j*^T z = 0")
    d, w_star = list(vec(W) - vec(Ws)), list(vec(Ws))
    if not X.dot(d, d) < X.dot(w_star, w_star):
        raise NotAnInstance("the hypothesis |W - W*| < |W*| fails at time t")
    _, c2 = _cos_sq_after_step(dist, W, Ws, eta)
    if len(set(c2)) == 1:
        return False, 0.0, f"exact rational arithmetic: the angles stay equal after the step (signed cos^2 = {c2[0]})"
    return True, -float(max(c2) - min(c2)), ("exact rational arithmetic: signed cos^2 of the angles after one GD step "
                                             f"with eta = {eta}: {[str(c) for c in c2]}")


def _check_induct(ctx) -> Outcome:
    tried, met = 0, 0
    for _ in range(ctx.examples(0.3)):
        inst = _instance(ctx.rng, boundary=False, equal_angle=True, n_choices=(2, 3))
        if inst is None:
            continue
        dist, W, Ws = inst
        d0 = X.dot(list(vec(W) - vec(Ws)), list(vec(W) - vec(Ws)))
        s0 = X.dot(list(vec(Ws)), list(vec(Ws)))
        tried += 1
        if not d0 < s0:  # the theorem's hypothesis |W - W*| < |W*| at time t
            continue
        met += 1
        for eta in (Fraction(1, 10), Fraction(1, 1000)):
            W1, c2 = _cos_sq_after_step(dist, W, Ws, eta)
            if len(set(c2)) > 1:
                gap = max(c2) - min(c2)
                rec = ctx.record_counterexample(
                    {"dist": dist, "W": W, "W_star": Ws, "eta": eta}, -float(gap),
                    "exact rational arithmetic: signed cos^2 of each angle after one exact GD step",
                    extra={"W_next": W1, "cos_sq": c2})
                return Outcome(
                    Verdict.REFUTED,
                    f"from weights with every angle(w_i, w_i*) equal (exactly) and |W - W*| < |W*|, one "
                    f"population GD step with eta = {eta} gives signed cos^2 of the angles {[str(c) for c in c2]}: "
                    "no longer all equal, so Def. 3.2's m_min (and Assumption 3.3) do not apply at t + 1",
                    examples=tried, satisfied=met, margin=-float(gap), counterexample=rec)
    return Outcome(Verdict.SURVIVED if met else Verdict.VACUOUS,
                   f"angles stayed equal after one exact GD step in {met} instances ({tried} tried)",
                   examples=tried, satisfied=met, margin=0.0)


induct = Claim(
    id="park2019.thm3.4.induct",
    title="the one-step bound can be applied inductively (its hypotheses hold again at t+1)",
    source=src("Appendix 5.1, p. 13 ('If this theorem satisfies, then we can use it inductively for all t.')"),
    statement=r"\text{hypotheses at } t \Rightarrow \text{hypotheses at } t+1",
    check=_check_induct,
    replay=_replay_induct,
    uses=["park2019.thm3.4.s3"],
    note="reading of Def. 3.2 / Assumption 3.3: the quantities are defined on configurations whose angles "
         "angle(w_i, w_i*) are all equal to phi, so the iterate must stay such a configuration. Steps "
         "eta = 1/10, 1/1000 (any eta > 0 small; for n >= 2 the statement's own step-size bound is not "
         "positive, see park2019.thm3.4@L=m_max.L_ex=m_ex). Exact atoms, exact GD step.",
)


# ---------------------------------------------------------------------- s6 under the eigenvalue reading
S6_KLM = [(1, 0, 0), (0, 0, 1), (0, 1, 0), (1, 1, 0)]


def _configs_at(Ws, t) -> list[np.ndarray]:
    """All 2^n planar configurations with every angle(w_i, w_i*) = 2 atan t exactly (|w_i| = |w_i*|)."""
    n = Ws.shape[1]
    return [X.equal_angle_config(Ws, t, [1 if (c >> i) & 1 else -1 for i in range(n)]) for c in range(2**n)]


def _sym_upper_candidate(Bs) -> Fraction:
    """A rational just above max_B lambda_max(sym B) (from floats: a candidate for :func:`_sym_upper_holds`)."""
    lam = max(float(np.linalg.eigvalsh((X.float_matrix(B) + X.float_matrix(B).T) / 2)[-1]) for B in Bs)
    return Fraction(lam).limit_denominator(10**9) + Fraction(1, 10**9)


def _sym_gap_certificate(c: Fraction, B):
    """The exact LDL^T decision of c I - sym(B) >= 0, i.e. x^T B x <= c |x|^2 for all x (a rational
    witness x when it fails)."""
    from proofcheck.ml.extremal import certify_psd

    Bq = X.fmat(B)
    return certify_psd([[c * (r == s) - (Bq[r][s] + Bq[s][r]) / 2 for s in range(len(Bq))] for r in range(len(Bq))])


def _sym_upper_holds(c: Fraction, Bs) -> bool:
    """Exact: x^T B x <= c |x|^2 for every B and x (so the real parts of B's eigenvalues, which lie in
    the numerical range, are <= c)."""
    return all(_sym_gap_certificate(c, B).psd for B in Bs)


@replayer
def _replay_s6_eigen(ctx, values, extra):
    dist, W, Ws = _stored_instance(values)
    t, klm = Fraction(values["t"]), tuple(int(x) for x in values["klm"])
    if klm not in S6_KLM:
        raise NotAnInstance(f"B_{''.join(map(str, klm))} is not one of B_100, B_001, B_010, B_110")
    configs = _configs_at(Ws, t)
    at = [j for j, C in enumerate(configs) if np.array_equal(C, W)]
    if not at:
        raise NotAnInstance(f"W is not a configuration at angle 2 atan({t}) to W*")
    Bs = [block_matrix_exact(dist, C, Ws, *klm) for C in configs]
    c = Fraction(extra["c"]) if "c" in extra else max(Fraction(0), _sym_upper_candidate(Bs))
    if c < 0:
        raise NotAnInstance(f"the eigenvalue bound c = {c} is negative (m_ex phi > 0)")
    if not _sym_upper_holds(c, Bs):
        return False, None, f"c = {c} is not certified (c I - sym(B) >= 0 fails at some configuration)"
    sig2 = X.sigma_max_lower_sq(Bs[at[0]])
    margin = float(c) - math.sqrt(float(sig2))
    if sig2 > c * c:
        return True, margin, (f"exact: LDL^T certificates of c I - sym(B) >= 0 (c = {float(c):.6g}) at all {len(configs)} "
                              f"configurations, |B x|^2/|x|^2 = {float(sig2):.6g} > c^2 at the stored one")
    return False, margin, f"exact: |B x|^2/|x|^2 = {float(sig2):.6g} <= c^2 = {float(c * c):.6g}"


def _check_s6_eigen(ctx) -> Outcome:
    """Under lambda_max = largest (real part of an) eigenvalue, Assumption 3.3 at angle phi only gives
    max_{configs at phi} Re lambda(B_klm) <= m_ex phi, while s6 replaces |B_klm|_oper by m_ex phi.
    Refuted when some configuration has |B|_oper above every configuration's eigenvalue bound:
    |B x|^2/|x|^2 (exact, rational x) > c^2 where c I - sym(B') is PSD (exact LDL^T) for every B' at phi."""
    from .thm_3_5 import _unit_instance

    tried = 0
    for _ in range(ctx.examples(0.2)):
        dist, _, Ws, t = _unit_instance(ctx.rng)
        tried += 1
        configs = _configs_at(Ws, t)
        for klm in S6_KLM:
            Bs = [block_matrix_exact(dist, W, Ws, *klm) for W in configs]
            c = max(Fraction(0), _sym_upper_candidate(Bs))
            if not _sym_upper_holds(c, Bs):
                continue
            for W, B in zip(configs, Bs):
                sig2 = X.sigma_max_lower_sq(B)
                if sig2 > c * c:
                    margin = float(c) - math.sqrt(float(sig2))
                    rec = ctx.record_counterexample(
                        {"dist": dist, "W": W, "W_star": Ws, "t": t, "klm": list(klm)}, margin,
                        "exact: LDL^T certificates of c I - sym(B) >= 0 at all 2^n configurations, |B x|^2/|x|^2 > c^2",
                        extra={"c": c, "sigma_sq_lower": sig2})
                    return Outcome(Verdict.REFUTED,
                                   f"B_{''.join(map(str, klm))}: every configuration at angle 2 atan({t}) has eigenvalues "
                                   f"with real part <= {float(c):.4g} (so Assumption 3.3 read with eigenvalues allows "
                                   f"m_ex phi = {float(c):.4g}) but |B|_oper >= {math.sqrt(float(sig2)):.4g} at one of them",
                                   examples=tried, satisfied=tried, margin=margin, counterexample=rec)
    return Outcome(Verdict.SURVIVED, f"no configuration with |B|_oper above the eigenvalue bound in {tried} instances",
                   examples=tried, satisfied=tried)


s6_eigen = Claim(
    id="park2019.thm3.4.s6@lambda=eigen",
    title="s6 if Assumption 3.3's lambda_max were an eigenvalue: |B_klm|_oper <= max eigenvalue at phi",
    source=src("Appendix 5.1, p. 13; Assumption 3.3, p. 6; lambda_max defined on p. 4"),
    statement=r"\|B_{klm}\|_{oper} \le \max_{\forall i,\angle w_i,w_{i*}=\phi}\lambda_{max}(B_{klm})",
    check=_check_s6_eigen,
    replay=_replay_s6_eigen,
    uses=["park2019.thm3.4.s5"],
    note="the text defines lambda_max as the largest singular value (then s6 is park2019.thm3.4.s6, proved); "
         "this reading shows the step needs that definition: B_klm (klm != 000, 101) is not symmetric",
)
