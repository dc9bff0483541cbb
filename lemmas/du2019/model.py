r"""du2019's shared model: the explicit widths of the printed proofs, the dataset settings and their facts,
the streamed draw, and the decisions of one draw at ``n >= 2`` that Lemma 2.5 and Theorems 2.1, 2.6, 3.1 share
(the near-init certificate, the certified event-driven flow, a certain failure at ``t = 0``). The claim modules
keep what is their own, so each reads like the paper.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable

import numpy as np
import sympy
from flint import arb
from hypothesis import strategies as st

from proofcheck import Condition, Variable
from proofcheck.model.claim import Witness
from proofcheck.model.constants import exact_constant
from proofcheck.ml.datasets import Dataset
from proofcheck.ml.du_strategies import dataset_of, datasets_above, is_setting_dataset, lambda0_bounds
from proofcheck.ml.flow import FlowTrajectory, exact_flow_forever
from proofcheck.ml.linalg_exact import rational_unit_vector
from proofcheck.model.num import BeyondReach, NumericError, arb_eval, arb_endpoints, fraction_to_arb, to_fraction, to_sympy

from . import C_SMALL, WIDTH_CONSTANTS
from .dynamics import StreamedInit

#: one unit input: H^inf = x^T x P[w^T x >= 0] = 1/2 exactly
LAM0 = Fraction(1, 2)
N_INPUTS = 1
#: the widest initialisation one draw generates (two float64 arrays of this length)
MAX_DRAWN_WIDTH = 20_000_000


# ---------------------------------------------------------------- the explicit width
def explicit_width(constants, n: int = N_INPUTS, lam0: Fraction = LAM0, log_factor: bool = False) -> int:
    """The least integer width meeting the explicit bound ``K (C^2+1) n^e_n / (c^2 lambda_0^e_lam
    delta^e_delta)`` at the given constants (their exact values, ``ConstantValues.exact``; for an
    irrational bound, the least integer above its Arb upper end); ``log_factor``: the least
    ``m >= bound * log(m/delta)`` (Theorem 2.6)."""
    # the one path for constants: a float view (what a draw's env holds) read as its decimal, exactly
    K, C, c, delta = (to_sympy(exact_constant(k, constants[k])) for k in ("K", "C", "c", "delta"))
    e_n, e_lam, e_delta = (int(constants[k]) for k in ("e_n", "e_lam", "e_delta"))
    exact = K * (C**2 + 1) * sympy.Integer(n) ** e_n / (c**2 * to_sympy(lam0) ** e_lam * delta**e_delta)
    base = to_fraction(exact) if exact.is_Rational else arb_endpoints(arb_eval(exact, {}, 128))[1]
    if not log_factor:
        return max(1, math.ceil(base))
    # a lower end of an irrational delta: log(m/delta) only grows, so the width stays on the safe side
    delta_q = to_fraction(delta) if delta.is_Rational else arb_endpoints(arb_eval(delta, {}, 128))[0]
    if base > Fraction(10) ** 300:  # beyond floats: the same fixed point with exact rationals and big-int logs
        return _log_width_exact(Fraction(base), delta_q)
    d = float(delta_q)
    m = max(float(base), math.e * d, 1.0)
    for _ in range(80):
        m = max(1.0, float(base) * math.log(max(m / d, math.e)))
    m = max(1, math.ceil(m * (1 + 1e-12)))
    while m < float(base) * math.log(max(m / d, math.e)):
        m += 1
    return m


def _log_width_exact(base: Fraction, delta: Fraction) -> int:
    """The least ``m >= base * log(m/delta)`` (up to a relative 1e-12 above it) for a ``base`` too
    large for a float: logs of big integers (``math.log`` takes them whole), products in rationals."""
    def log_ratio(m: Fraction) -> float:  # log(max(m/delta, e))
        r = m / delta
        return max(math.log(r.numerator) - math.log(r.denominator), 1.0)

    m = base
    for _ in range(80):
        m = base * Fraction(log_ratio(m))
    return math.ceil(m * Fraction(1 + 10**12, 10**12))


def _shown(m: int) -> str:
    return f"{m}" if m < 10**30 else f"about 10^{len(str(m)) - 1}"


# ---------------------------------------------------------------- the random initialisation and the event
# ---------------------------------------------------------------- n >= 1 inputs: a dataset per setting
#: the widest streamed draw (generated in chunks of 2^20 neurons, so memory is no limit; time is)
MAX_STREAMED_WIDTH = 10**8
#: the widest draw whose exact flow is integrated when the near-init certificate does not decide it
MAX_FLOW_WIDTH = 2 * 10**6
#: proven-width settings need lambda_0 >= this (the width grows as lambda_0^-4: at n = 2, 2.7e6 at lambda_0 = 1/2)
LAMBDA0_FLOOR = Fraction(7, 20)


def dataset_width(env, D: Dataset, log_factor: bool = False) -> int:
    """The explicit proven width at a dataset: ``n`` and the certified lower end of ``lambda_0`` (a smaller
    ``lambda_0`` needs a wider network, so the lower end is the safe side)."""
    return explicit_width(env, n=D.n, lam0=lambda0_bounds(D)[0], log_factor=log_factor)


#: the printed proof's width constants (``proven_width`` compares with the width they give)
PRINTED_WIDTH = {k.name: k.value for k in [*WIDTH_CONSTANTS, C_SMALL]}


def proven_width(constants, n: int, lam0: Fraction, log_factor: bool = False) -> int:
    """The width of the printed proof at ``n``, ``lambda_0`` (the claim's delta and C; K, c and the exponents as
    printed), whatever ``--set`` made of the width constants."""
    return explicit_width({**dict(constants), **PRINTED_WIDTH}, n=n, lam0=lam0, log_factor=log_factor)


def setting_width(D: Dataset, cap, constants, log_factor: bool = False) -> int:
    """The width a setting draws: the explicit width at the claim's constants, or the setting's width cap
    ``m_cap`` when that is smaller (the widest network the budget affords there; see :func:`below_width`)."""
    m = dataset_width(constants, D, log_factor)
    return m if cap is None else min(m, int(cap))


def dataset_facts(values, constants, log_factor: bool = False) -> dict:
    """``describe`` hook: n, d, the width m drawn, whether m reaches the printed proof's width (``proven_m``,
    and ``explicit_m`` at the claim's constants when a cap kept m below it), and the certified lambda_0."""
    D = values["data"]
    lo, hi = lambda0_bounds(D)
    m = setting_width(D, values.get("m_cap"), constants, log_factor)
    proven = proven_width(constants, D.n, lo, log_factor)
    facts = {"n": D.n, "d": D.d, "m": m, "proven_width": m >= proven, "lambda_0": [float(lo), float(hi)],
             "labels": [float(v) for v in D.y]}
    if m < proven:
        facts["proven_m"] = proven
    explicit = dataset_width(constants, D, log_factor)
    if m < explicit:
        facts["explicit_m"] = explicit
        # the hook does not know the budget: a default setting's wider twin is --budget deep's, and at n = 3
        # even deep's 10^7 stays below the explicit width
        facts["reach"] = (f"n = {D.n} at m = {m}, below the explicit width {_shown(explicit)}, which this setting "
                          f"does not draw (--budget deep draws wider settings; below the explicit width a failing "
                          f"draw is undecided, never a counterexample)")
    return facts


def width_cap_variable() -> Variable:
    """``m_cap``: the widest network a setting draws (drawn settings: ``MAX_STREAMED_WIDTH``, i.e. the explicit
    width itself); a witness may set a smaller cap the default budget affords, said in its facts."""
    return Variable("m_cap", st.just(MAX_STREAMED_WIDTH), integer=True, lo=1,
                    domain="width cap: the setting draws min(explicit width, m_cap) neurons",
                    meaning="the widest network drawn at this setting")


def below_width(env) -> bool:
    """True when the setting's cap keeps its draws below the claim's explicit width: the statement is then
    not about them, so a failing draw is undecided, never a counterexample."""
    cap = env.as_dict().get("m_cap")
    return cap is not None and int(cap) < dataset_width(env, env.data, log_factor=True)


def data_variable(n_values=(1, 2)) -> Variable:
    return Variable("data", lambda consts: datasets_above(n_values, LAMBDA0_FLOOR, C=to_fraction(consts["C"])),
                    domain=f"n in {list(n_values)} exact unit inputs (d = n), pairwise non-parallel, "
                           f"lambda_0 >= {LAMBDA0_FLOOR}, labels |y_i| <= C",
                    contains=is_setting_dataset(max_n=4), meaning="the training set (inputs and labels)")


def data_witnesses(C=1) -> list[Witness]:
    """The settings tried first, in this order (the quick budget's one setting is the first, the default
    budget's two the first two): one input, n = 2 orthogonal inputs (lambda_0 = 1/2, the narrowest proven
    width at n = 2), then (deep) orthonormal n = 3 and a tilted n = 2 pair."""
    # rational_unit_vector([t]) = (2t, t^2 - 1)/(t^2 + 1): t = 3, -2 give (3/5, 4/5), (-4/5, 3/5); t = -5/3
    # gives (-15/17, 8/17)
    two = dataset_of([rational_unit_vector([3]), rational_unit_vector([-2])], [1, Fraction(-1, 2)], C)
    one = dataset_of([[Fraction(1)]], [Fraction(3, 4)], C)
    three = dataset_of([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [Fraction(1, 2), -1, Fraction(1, 4)], C)
    tilted = dataset_of([rational_unit_vector([3]), rational_unit_vector([Fraction(-5, 3)])],
                        [Fraction(-3, 4), Fraction(1, 2)], C)
    return [Witness({"data": one}, "one unit input (lambda_0 = 1/2)"),
            Witness({"data": two}, "two orthogonal inputs: lambda_0 = 1/2, the least proven width at n = 2"),
            Witness({"data": three}, "three orthonormal inputs (lambda_0 = 1/2)"),
            Witness({"data": tilted}, "two inputs at about 82 degrees")]


def draw_data_init(env, rng, log_factor: bool = False):
    """One initialisation at the setting's proven width: two arrays for one input (the exact one-input
    flow), a :class:`StreamedInit` (seeded by ``rng``) for two or more."""
    D: Dataset = env.data
    m = setting_width(D, env.as_dict().get("m_cap"), env, log_factor)
    if D.n == 1:
        if m > MAX_DRAWN_WIDTH:
            raise BeyondReach(f"the explicit width m = {_shown(m)} is beyond the {MAX_DRAWN_WIDTH:.0e} neurons one "
                              f"draw may hold here; choose a larger delta or a smaller width constant")
        return rng.standard_normal(m), rng.integers(0, 2, m).astype(np.float64) * 2 - 1
    if m > MAX_STREAMED_WIDTH:
        raise BeyondReach(f"the explicit width m = {_shown(m)} is beyond the {MAX_STREAMED_WIDTH:.0e} neurons one "
                          f"draw may take here; choose a larger delta or a smaller width constant")
    return StreamedInit(int(rng.integers(0, 2**63 - 1)), m, D.d)


# ---------------------------------------------------------------- one draw at n >= 2
def exact_labels(D: Dataset) -> list[Fraction]:
    return [Fraction(float(v)) for v in D.y]


def integrated_flow(init: StreamedInit, D: Dataset) -> tuple[FlowTrajectory, bool]:
    """The certified event-driven flow of a draw (first layer trained), integrated until no later activation
    change is certified (``forever``) or it stops (sliding, unresolved)."""
    W0, a = init.arrays()
    tr, forever, _ = exact_flow_forever(W0, a, D.X, exact_labels(D), T=8.0, X_exact=D.X_exact)
    return tr, forever


def decay_failure(tr: FlowTrajectory, rate_lo: Fraction) -> Fraction | None:
    """``1 - sup e^{rate_lo t}||y-u(t)||^2/||y-u(0)||^2`` over the integrated range when that sup is certainly above
    1 (the decay at rate ``rate_lo`` certainly fails), else None. A sup Arb cannot enclose is None too: the draw
    is not shown failing, so it stays undecided unless another test decides it (never good on this ground)."""
    try:
        sup_lo, _, _ = tr.decay_sup(rate_lo)
    except NumericError:
        return None
    return 1 - sup_lo if sup_lo > 1 else None


def decay_holds_forever(tr: FlowTrajectory, forever: bool, rate_hi: Fraction) -> bool:
    """The decay at rate ``rate_hi`` certainly holds for every ``t >= 0`` (needs ``forever``)."""
    if not forever:
        return False
    try:
        return tr.decay_sup(rate_hi, forever=True)[1] <= 1
    except NumericError:
        return False


#: the widest draw whose kernel at t = 0 is summed in Arb to find a certain failure at the start
MAX_START_WIDTH = 4096


def both_layers_start_failure(init: StreamedInit, D: Dataset, rate_lo: Fraction):
    r"""Both layers trained: ``d/dt||y-u||^2 = -2 r^T (H_w + H_a) r`` with ``H_w = G o (1/m) sum_r S_r S_r^T``
    (``a_r^2 = 1``) and ``H_a = (1/m) sum_r relu(X w_r) relu(X w_r)^T``. When no pre-activation is 0 the pattern
    is constant near ``t = 0``, and ``2 r^T H r/||r||^2 < rate lambda_0`` (``lambda_0`` at its lower end) makes
    ``||y-u(t)||^2 > e^{-rate lambda_0 t}||y-u(0)||^2`` for small ``t > 0``: a certain failure. Returns that
    (negative) Arb margin, or None when it is not certain (or the draw is wider than ``MAX_START_WIDTH``)."""
    if init.m > MAX_START_WIDTH:
        return None
    W0, a = init.arrays()
    n, m = D.n, init.m
    P = [[sum(Fraction(float(w)) * x for w, x in zip(W0[r], D.X_exact[i])) for i in range(n)] for r in range(m)]
    if any(p == 0 for row in P for p in row):
        return None
    relu = [[fraction_to_arb(p) if p > 0 else arb(0) for p in row] for row in P]
    G = D.gram_exact()
    H = [[sum((relu[r][i] * relu[r][j] for r in range(m)), arb(0))
          + fraction_to_arb(G[i][j] * sum(1 for r in range(m) if P[r][i] > 0 and P[r][j] > 0)) for j in range(n)]
         for i in range(n)]
    u = [sum((float(a[r]) * relu[r][i] for r in range(m)), arb(0)) / arb(m).sqrt() for i in range(n)]
    res = [fraction_to_arb(yi) - ui for yi, ui in zip(exact_labels(D), u)]
    norm = sum((v * v for v in res), arb(0))
    if not norm > 0:
        return None
    quad = sum((res[i] * H[i][j] * res[j] for i in range(n) for j in range(n)), arb(0)) / arb(m)
    margin = 2 * quad / norm - fraction_to_arb(rate_lo)
    return margin if margin < 0 else None


def certain_failure(inst: StreamedInit):
    """The certified failing margin a check cached on a streamed draw (``decision = (float, certain)``);
    raises when the draw was not certainly failing (it then stays undecided)."""
    certain = inst.decision[1] if inst.decision is not None else None
    if certain is None:
        raise NumericError("the draw is not certainly failing (undecided)")
    return certain


# ---------------------------------------------------------------- margins as Arb balls, shared constants
def arb_condition(name: str, fn: Callable[[object], arb], strict: bool = False) -> Condition:
    """A condition whose margin is an Arb ball at the example's exact values: the float margin for the
    search is its midpoint (its upper end when the ball holds 0: an identity or a tight bound is no lead)
    and the ball itself is the rigorous twin."""
    def floating(env):
        b = fn(env)
        return float(b.upper()) if b.contains(0) else float(b.mid())

    return Condition(name, margin=floating, rigorous=fn, strict=strict)

