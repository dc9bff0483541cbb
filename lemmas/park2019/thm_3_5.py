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

import numpy as np
import sympy
from flint import arb
from hypothesis import strategies as st

from proofcheck import Claim, Constant, Outcome, Variable, Verdict
from proofcheck.ml import linalg_exact as X
from proofcheck.ml.distributions import FiniteAtoms, rational_direction
from proofcheck.ml.networks import block_matrix_exact
from proofcheck.num import Enclosure, fraction_to_arb

from . import NotAnInstance, replayer, src
from .thm_3_4_gradient import (_columns, _stored_instance, _sym_gap_certificate, _sym_upper_candidate,
                               _sym_upper_holds)
from .thm_3_4_readings import _mex_lower_exact, _mex_lower_float

S = sympy.Symbol
F = sympy.Function
EX_KLM = [(1, 0, 0), (0, 0, 1), (0, 1, 0), (1, 1, 0)]


def _v(name, lo=0, hi=10):
    return Variable(name, st.floats(lo, hi, allow_nan=False, allow_infinity=False), domain=f"[{lo}, {hi}]",
                    lo=lo, hi=hi)


# ---------------------------------------------------------------------- exact unit-norm instances
def _unit_instance(rng, n_choices=(2, 3), t=None):
    """Unit-norm rational atoms (k = 2), a rational teacher and an exactly-equal-angle student."""
    n = int(rng.choice(n_choices))
    Ws = X.random_teacher(rng, 2, n, denominator=4)
    m = int(rng.integers(3, 10))
    dirs = [rng.uniform(0, 2 * math.pi) for _ in range(m)]
    dist = FiniteAtoms([rational_direction([math.cos(a), math.sin(a)], 200) for a in dirs],
                       [Fraction(int(rng.integers(1, 5))) for _ in range(m)])
    t = Fraction(int(rng.integers(1, 16)), 16) if t is None else t
    signs = [1 if rng.random() < 0.5 else -1 for _ in range(n)]
    W = X.equal_angle_config(Ws, t, signs)
    return dist, W, Ws, t


def _wedge_probs(dist, W, Ws) -> Fraction:
    """max_i max(P[R(w_i, -w_i*)], P[R(-w_i, w_i*)]) exactly: beta * phi for the least beta."""
    best = Fraction(0)
    for i in range(W.shape[1]):
        w, s = X.fvec(W[:, i]), X.fvec(Ws[:, i])
        for a, b in ((w, [-x for x in s]), ([-x for x in w], s)):
            best = max(best, dist.prob_region_exact(np.array([a, b], dtype=object)))
    return best


def _unit_equal_angle(values) -> tuple[FiniteAtoms, np.ndarray, np.ndarray]:
    """A stored (dist, W, W*) meeting Thm 3.5's setting: unit-norm atoms, every angle(w_i, w_i*) equal."""
    dist, W, Ws = _stored_instance(values)
    if not dist.is_unit_norm():
        raise NotAnInstance("an atom does not have unit norm (Thm 3.5 assumes |Z| = 1)")
    if len({X.cos_sq_angle(a, b) for a, b in zip(_columns(W), _columns(Ws))}) != 1:
        raise NotAnInstance("the angles angle(w_i, w_i*) are not all equal (phi is their common value)")
    return dist, W, Ws


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


def _constant_gap(dist, Ws, bphi: Fraction, phi: float) -> tuple[arb, Enclosure]:
    """(a certified lower bound of m_ex from the exact configurations near angle phi, beta phi - that bound)."""
    mex_lb = _mex_lower_exact(dist, Ws, float(phi))
    return mex_lb, Enclosure.of(fraction_to_arb(bphi) - mex_lb)


@replayer
def _replay_constant(ctx, values, extra):
    dist, W, Ws = _unit_equal_angle(values)
    bphi = _wedge_probs(dist, W, Ws)
    # phi only says where m_ex is bounded from below; any phi gives a valid lower bound
    phi = extra["m_ex_lower_at_phi"] if "m_ex_lower_at_phi" in extra else _mex_lower_float(dist, Ws.astype(float))[1]
    mex_lb, enc = _constant_gap(dist, Ws, bphi, phi)
    how = (f"exact atoms and configurations, Arb angles: beta*phi = {bphi} (largest wedge probability), "
           f"m_ex >= {float(Enclosure.of(mex_lb).lo):.4g}; beta*phi - m_ex in {enc}")
    return enc.definitely_negative(), enc.mid(), how if enc.definitely_negative() else how + ", not certified negative"


def _check_constant(ctx) -> Outcome:
    tried = 0
    best = None
    for _ in range(max(6, ctx.examples(0.1))):
        dist, W, Ws, t = _unit_instance(ctx.rng, t=Fraction(int(ctx.rng.integers(1, 6)), 16))
        tried += 1
        bphi = _wedge_probs(dist, W, Ws)  # beta phi with the least admissible beta
        if bphi == 0:
            continue  # beta = 0 would do, but a positive beta makes the point without a degenerate case
        flb, phi = _mex_lower_float(dist, Ws.astype(float))
        if flb <= float(bphi):
            continue
        mex_lb, enc = _constant_gap(dist, Ws, bphi, phi)
        if best is None or enc.hi < best:
            best = float(enc.hi)
        if enc.definitely_negative():
            rec = ctx.record_counterexample(
                {"dist": dist, "W": W, "W_star": Ws, "t": t}, enc.mid(),
                f"exact atoms and configurations, Arb angles: beta*phi - m_ex <= {float(enc.hi):.4g}",
                extra={"beta_phi": bphi, "m_ex_lower_at_phi": phi})
            return Outcome(Verdict.REFUTED,
                           f"unit-norm atoms, W at angle 2 atan({t}) to W*: the least beta gives beta*phi = {bphi} "
                           f"(the largest wedge probability), while Assumption 3.3's constant m_ex >= "
                           f"{float(Enclosure.of(mex_lb).lo):.4g} (certified at phi ~ {phi:.3g}); m_ex <= beta*phi fails",
                           examples=tried, satisfied=tried, margin=enc.mid(), counterexample=rec)
    return Outcome(Verdict.SURVIVED, f"no certified violation in {tried} instances", examples=tried,
                   satisfied=tried, margin=best)


thm35_const = Claim(
    id="park2019.thm3.5@constant",
    title="Thm 3.5 with m_ex the constant of Assumption 3.3",
    source=src("Chapter 3, Theorem 3.5, p. 7"),
    statement=r"P[R(w_i,-w_{i*})], P[R(-w_i,w_{i*})] \le \beta\phi\ \forall i \Rightarrow m_{ex} \le \beta\phi",
    check=_check_constant,
    replay=_replay_constant,
    note="m_ex = the least constant with max_{klm} lambda_max(B_klm) <= m_ex phi for every phi (bounded "
         "below at one exact configuration); beta = the least admissible for the configuration at hand",
)


def _check_function(ctx) -> Outcome:
    """M(phi) = max_{klm, configs at phi} sigma_max(B_klm) against beta(phi) phi, where beta(phi) makes
    the hypothesis hold for *every* configuration at phi (k = 2: all 2^n sign patterns)."""
    tried, least, worst_ratio, worst_ratio_sym = 0, math.inf, 0.0, 0.0
    for _ in range(max(6, ctx.examples(0.1))):
        dist, W0, Ws, t = _unit_instance(ctx.rng)
        n = Ws.shape[1]
        bphi, Mphi, Msym = Fraction(0), 0.0, 0.0
        for code in range(2**n):
            W = X.equal_angle_config(Ws, t, [1 if (code >> i) & 1 else -1 for i in range(n)])
            bphi = max(bphi, _wedge_probs(dist, W, Ws))
            for klm in EX_KLM:
                B = X.float_matrix(block_matrix_exact(dist, W, Ws, *klm))
                Mphi = max(Mphi, float(np.linalg.svd(B, compute_uv=False)[0]))
                Msym = max(Msym, float(np.linalg.eigvalsh((B + B.T) / 2)[-1]))
        tried += 1
        least = min(least, float(bphi) - Mphi)
        if bphi > 0:
            worst_ratio = max(worst_ratio, Mphi / (float(bphi) / n))
            worst_ratio_sym = max(worst_ratio_sym, Msym / (float(bphi) / n))
    return Outcome(Verdict.SURVIVED,
                   f"max sigma_max(B_klm) <= beta phi held in {tried} exact unit-norm instances (k = 2, n <= 3, all "
                   f"configurations at the angle); least margin {least:.3g}. Largest ratio to the proof's beta phi / n: "
                   f"{worst_ratio:.3g} (singular values), {worst_ratio_sym:.3g} (symmetric part)",
                   examples=tried, satisfied=tried, margin=least,
                   details={"max_ratio_sigma_to_beta_phi_over_n": worst_ratio,
                            "max_ratio_sym_to_beta_phi_over_n": worst_ratio_sym})


thm35_fun = Claim(
    id="park2019.thm3.5@function",
    refutes=False,  # this procedure only proves or bounds; a refutation from it would be an error
    title="Thm 3.5 with m_ex read as the left side of (3.3): max lambda_max(B_klm) <= beta phi",
    source=src("Chapter 3, Theorem 3.5, p. 7"),
    statement=r"\max_{klm}\max_{\angle w_i,w_{i*}=\phi}\lambda_{max}(B_{klm}) \le \beta\phi",
    check=_check_function,
    note="lambda_max as the largest singular value (p. 4); floats for the survive margin (exact matrices)",
)


# ====================================================================== proof lines
def _rand_x(rng, size):
    return [Fraction(int(rng.integers(-8, 9)), 4) for _ in range(size)]


def _line_values(dist, W, Ws, x):
    """Exact/Arb values of the proof's lines for B_001 at one configuration and vector x."""
    n = W.shape[1]
    xs = [x[2 * i:2 * i + 2] for i in range(n)]
    cols = [X.fvec(W[:, i]) for i in range(n)]
    scol = [X.fvec(Ws[:, i]) for i in range(n)]

    def inR(a, b, z):
        return X.dot(a, z) >= 0 and X.dot(b, z) >= 0

    direct = Fraction(0)
    pij = [[Fraction(0)] * n for _ in range(n)]
    pj = [Fraction(0)] * n
    for z, p in zip(dist.atoms_q, dist.weights_q):
        for j in range(n):
            rj = inR(cols[j], [-v for v in scol[j]], z)
            if rj:
                pj[j] += p
            for i in range(n):
                if inR(cols[i], scol[i], z) and rj:
                    pij[i][j] += p
                    direct += p * X.dot(xs[i], z) * X.dot(z, xs[j])
    sq = [X.dot(v, v) for v in xs]
    return direct / (n * n), pij, pj, sq


def _stored_x(values, W) -> list[Fraction]:
    x = X.fvec(values["x"])
    if W.shape[0] != 2:
        raise NotAnInstance("the proof lines are checked in the plane (k = 2)")
    if len(x) != W.size:
        raise NotAnInstance(f"x has {len(x)} entries, W has {W.size}")
    return x


def _s1_sides(dist, W, Ws, x) -> tuple[Fraction, Fraction]:
    """(x^T B001 x from Def. 3.1's block matrix, the proof's double sum), exactly."""
    return X.quad(x, block_matrix_exact(dist, W, Ws, 0, 0, 1)), _line_values(dist, W, Ws, x)[0]


@replayer
def _replay_s1(ctx, values, extra):
    dist, W, Ws = _stored_instance(values)
    lhs, rhs = _s1_sides(dist, W, Ws, _stored_x(values, W))
    if lhs == rhs:
        return False, 0.0, f"exact rational arithmetic: x^T B001 x = the double sum = {lhs}"
    return True, -float(abs(lhs - rhs)), f"exact rational arithmetic: x^T B001 x = {lhs} but the double sum is {rhs}"


def _check_s1(ctx) -> Outcome:
    tried = 0
    for _ in range(ctx.examples(0.3)):
        dist, W, Ws, _ = _unit_instance(ctx.rng)
        x = _rand_x(ctx.rng, 2 * W.shape[1])
        tried += 1
        lhs, rhs = _s1_sides(dist, W, Ws, x)
        if lhs != rhs:
            rec = ctx.record_counterexample({"dist": dist, "W": W, "W_star": Ws, "x": x}, -float(abs(lhs - rhs)),
                                            "exact rational arithmetic")
            return Outcome(Verdict.REFUTED, f"x^T B001 x = {lhs} but the sum is {rhs}", examples=tried,
                           satisfied=tried, margin=-float(abs(lhs - rhs)), counterexample=rec)
    return Outcome(Verdict.SURVIVED, f"x^T B001 x equals the double sum exactly in {tried} instances",
                   examples=tried, satisfied=tried, margin=0.0)


def _s2_margin(dist, W, Ws, x) -> Enclosure:
    """line 2 - line 1 on Arb balls (exact sums, the norms |x_i| as balls)."""
    n = W.shape[1]
    direct, pij, _, sq = _line_values(dist, W, Ws, x)
    norms = [fraction_to_arb(s).sqrt() for s in sq]
    rhs = sum((norms[i] * norms[j] * fraction_to_arb(pij[i][j]) for i in range(n) for j in range(n)),
              fraction_to_arb(Fraction(0))) / (n * n)
    return Enclosure.of(rhs - fraction_to_arb(direct))


@replayer
def _replay_s2(ctx, values, extra):
    dist, W, Ws = _stored_instance(values)
    if not dist.is_unit_norm():
        raise NotAnInstance("an atom does not have unit norm (line 2 uses |Z| = 1)")
    enc = _s2_margin(dist, W, Ws, _stored_x(values, W))
    if enc.definitely_negative():
        return True, enc.mid(), f"Arb: line 2 - line 1 in {enc}"
    return False, enc.mid(), f"Arb: line 2 - line 1 in {enc}, not certified negative"


def _check_s2(ctx) -> Outcome:
    tried, least = 0, math.inf
    for _ in range(ctx.examples(0.3)):
        dist, W, Ws, _ = _unit_instance(ctx.rng)
        n = W.shape[1]
        x = _rand_x(ctx.rng, 2 * n)
        tried += 1
        enc = _s2_margin(dist, W, Ws, x)
        least = min(least, enc.mid())
        if enc.definitely_negative():
            rec = ctx.record_counterexample({"dist": dist, "W": W, "W_star": Ws, "x": x}, enc.mid(),
                                            f"Arb: margin in {enc}")
            return Outcome(Verdict.REFUTED, f"line 2 below line 1 (margin {enc})", examples=tried, satisfied=tried,
                           margin=enc.mid(), counterexample=rec)
    return Outcome(Verdict.SURVIVED, f"|x_i^T Z Z^T x_j| <= |x_i||x_j| for unit Z: no violation in {tried} exact "
                   f"unit-norm instances (Arb for the norms); least margin {least:.3g}",
                   examples=tried, satisfied=tried, margin=least)


def _check_s6(ctx) -> Outcome:
    """Symbolic: sum_{i,j=1}^n (a_i + a_j)/2 = n sum_i a_i (a_i = |x_i|^2), so with sum a_i = 1 the
    line is beta phi n / n^2 = beta phi / n. Each finite double sum is evaluated with the summation
    over the index its term does not contain innermost (exchanging finite sums)."""
    n = sympy.Symbol("n", integer=True, positive=True)
    i, j = sympy.symbols("i j", integer=True)
    a = sympy.IndexedBase("a")
    total = sympy.Integer(0)
    for term in sympy.Add.make_args(sympy.expand((a[i] + a[j]) / 2)):
        inner = j if not term.has(j) else i
        outer = i if inner == j else j
        s = sympy.Sum(sympy.Sum(term, (inner, 1, n)).doit(), (outer, 1, n)).doit()
        total += s.xreplace({j: i}) if outer == j else s
    diff = sympy.simplify(total - n * sympy.Sum(a[i], (i, 1, n)))
    if diff == 0:
        return Outcome(Verdict.PROVED, "sympy: sum_{i,j=1}^n (|x_i|^2 + |x_j|^2)/2 = n sum_i |x_i|^2 = n for a unit x "
                       "(symbolic n), so (1/n^2) * n * beta phi = beta phi / n", examples=1, satisfied=1)
    return Outcome(Verdict.SURVIVED, f"sympy could not simplify the difference to 0 ({diff})", examples=1, satisfied=1)


_a, _b, _p, _q, _c, _bp = (_v(nm) for nm in ("a", "b", "p", "q", "c", "bphi"))
#: the 1/2 of (|x_i|^2 + |x_j|^2)/2 (AM-GM, lines 3-6 of the proof)
HALF = Constant("half", Fraction(1, 2), "the 1/2 of (|x_i|^2 + |x_j|^2)/2", positive=True)
A_, B_, P_, Q_, C_, BP_ = (v.symbol for v in (_a, _b, _p, _q, _c, _bp))

CLAIMS = [
    Claim(id="park2019.thm3.5.s1", title="x^T B001 x = (1/n^2) sum E[x_i^T Z Z^T x_j R(w_i,w_i*) R(w_j,-w_j*)]",
          source=src("Theorem 3.5 proof, p. 8, line 1"),
          statement=r"x^\top B_{001}x = \tfrac1{n^2}\sum E[x_i^\top ZZ^\top x_j R(w_i,w_{i*})R(w_j,-w_{j*})]",
          check=_check_s1, replay=_replay_s1, note="Def. 3.1's block layout, exact atoms"),
    Claim(id="park2019.thm3.5.s1@singular",
          title="bounding x^T B001 x over unit x bounds lambda_max(B001) read as the largest singular value",
          source=src("Theorem 3.5 proof, p. 8, line 1; lambda_max defined as a singular value, p. 4"),
          statement=r"\sigma_{max}(B_{001}) \le \max_{\|x\|=1} x^\top B_{001} x",
          check=lambda ctx: _check_singular(ctx),  # defined below
          replay=lambda ctx, record: _replay_singular(ctx, record),
          note="the quadratic form sees only the symmetric part; the repair is the same chain for x^T B y "
               "with two unit vectors (it gives sigma_max <= beta phi / n; see park2019.thm3.5@function)"),
    Claim(id="park2019.thm3.5.s2", title="<= (1/n^2) sum |x_i||x_j| E[R R] (|Z| = 1)",
          source=src("Theorem 3.5 proof, p. 8, line 2"),
          statement=r"\le \tfrac1{n^2}\sum\|x_i\|\|x_j\|E[R(w_i,w_{i*})R(w_j,-w_{j*})]",
          check=_check_s2, replay=_replay_s2, uses=["park2019.thm3.5.s1"]),
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
          check=_check_s6, refutes=False, uses=["park2019.thm3.5.s5"]),
]


def _singular_refutes(c: Fraction, sig2: Fraction) -> bool:
    """sigma_max(B) >= sqrt(sig2) > c >= max_x x^T B x / |x|^2."""
    return (c < 0 < sig2) or (c >= 0 and sig2 > c * c)


@replayer
def _replay_singular(ctx, values, extra):
    dist, W, Ws = _stored_instance(values)
    B = block_matrix_exact(dist, W, Ws, 0, 0, 1)
    c = Fraction(extra["c"]) if "c" in extra else _sym_upper_candidate([B])
    if not _sym_upper_holds(c, [B]):
        return False, None, f"c = {c} is not certified (c I - sym(B001) >= 0 fails)"
    sig2 = X.sigma_max_lower_sq(B)
    margin = float(c) - math.sqrt(float(sig2))
    how = (f"exact: LDL^T certificate of x^T B001 x <= {float(c):.6g} |x|^2, exact test vector with "
           f"|B001 x|^2/|x|^2 = {float(sig2):.6g}")
    return _singular_refutes(c, sig2), margin, how if _singular_refutes(c, sig2) else how + " <= c^2"


def _check_singular(ctx) -> Outcome:
    tried = 0
    for _ in range(ctx.examples(0.3)):
        dist, W, Ws, _ = _unit_instance(ctx.rng)
        tried += 1
        B = block_matrix_exact(dist, W, Ws, 0, 0, 1)
        sig2 = X.sigma_max_lower_sq(B)
        # exact upper bound c of lambda_max(sym B): c I - sym(B) is PSD
        c = _sym_upper_candidate([B])
        if not _sym_upper_holds(c, [B]):
            continue
        if _singular_refutes(c, sig2):
            rec = ctx.record_counterexample({"dist": dist, "W": W, "W_star": Ws}, float(c) - math.sqrt(float(sig2)),
                                            "exact: LDL^T certificate of c I - sym(B) >= 0 and |B x|^2/|x|^2 > c^2",
                                            extra={"c": c, "sigma_sq_lower": sig2})
            return Outcome(Verdict.REFUTED,
                           f"B001 with max_x x^T B x / |x|^2 <= {float(c):.6g} (exact PSD certificate) but "
                           f"sigma_max(B001) >= {math.sqrt(float(sig2)):.6g} (exact test vector)",
                           examples=tried, satisfied=tried, margin=float(c) - math.sqrt(float(sig2)),
                           counterexample=rec)
    return Outcome(Verdict.SURVIVED, f"sigma_max <= lambda_max(sym) in {tried} instances", examples=tried,
                   satisfied=tried)


SAME_KLM = [(1, 0, 0), (0, 1, 0), (1, 1, 0)]


def _same_certificate(dist, W, Ws, klm):
    """(beta phi / n, B_klm, the exact LDL^T decision of (beta phi / n) I - sym(B_klm) >= 0)."""
    bound = _wedge_probs(dist, W, Ws) / W.shape[1]
    B = block_matrix_exact(dist, W, Ws, *klm)
    return bound, B, _sym_gap_certificate(bound, B)


@replayer
def _replay_same(ctx, values, extra):
    dist, W, Ws = _unit_equal_angle(values)
    klms = [tuple(int(v) for v in extra["klm"])] if "klm" in extra else SAME_KLM
    for klm in klms:
        if klm not in SAME_KLM:
            raise NotAnInstance(f"B_{''.join(map(str, klm))} is not one of B_100, B_010, B_110")
        bound, _, cert = _same_certificate(dist, W, Ws, klm)
        if not cert.psd:
            return True, float(cert.value), (f"exact: rational x with x^T (beta phi / n I - sym B_{''.join(map(str, klm))}) x "
                                             f"= {cert.value} < 0 (beta phi / n = {bound})")
    return False, 0.0, f"exact LDL^T certificates: x^T B x <= beta phi / n |x|^2 for {len(klms)} matrix(es)"


def _check_same(ctx) -> Outcome:
    """For B_100, B_010, B_110: x^T B x <= beta phi / n for unit x (lambda_max of the symmetric part),
    beta phi = the largest wedge probability of the configuration (exact)."""
    tried, least = 0, math.inf
    for _ in range(ctx.examples(0.3)):
        dist, W, Ws, _ = _unit_instance(ctx.rng)
        tried += 1
        for klm in SAME_KLM:
            bound, B, cert = _same_certificate(dist, W, Ws, klm)
            Bf = X.float_matrix(B)
            least = min(least, float(bound) - float(np.linalg.eigvalsh((Bf + Bf.T) / 2)[-1]))
            if not cert.psd:
                rec = ctx.record_counterexample({"dist": dist, "W": W, "W_star": Ws}, float(cert.value),
                                                "exact: rational witness x with x^T (bound I - sym B) x < 0",
                                                extra={"klm": list(klm), "witness": cert.witness})
                return Outcome(Verdict.REFUTED, f"B_{''.join(map(str, klm))}: x^T B x > beta phi / n |x|^2 at an exact "
                               "rational x", examples=tried, satisfied=tried, margin=float(cert.value),
                               counterexample=rec)
    return Outcome(Verdict.SURVIVED,
                   f"x^T B x <= beta phi / n (exact LDL^T certificates) for B_100, B_010, B_110 in {tried} exact "
                   f"unit-norm instances; least margin {least:.3g}", examples=tried, satisfied=tried, margin=least)


same = Claim(
    id="park2019.thm3.5.same",
    title="'For B_100, B_010, B_110, the same as above'",
    source=src("Theorem 3.5 proof, p. 8, after the display"),
    statement=r"x^\top B_{klm} x \le \beta\phi/n,\ klm \in \{100, 010, 110\}",
    check=_check_same,
    replay=_replay_same,
    uses=["park2019.thm3.5.s6"],
    note="B_100 drops R(w_j, w_j*) and keeps P[R(w_i,-w_i*)]; B_010 and B_110 keep P[R(-w_j, w_j*)] -- both "
         "covered by the hypothesis. Checked as the proof states it (quadratic form).",
)
