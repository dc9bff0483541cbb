r"""Theorem 3.4: with linearly independent training data, every critical point at which the weight
matrices have full column rank is a global minimum.

Source: reading notes on Nguyen & Hein (ICML 2017), "Theorem 3.4":

    Under Assumption 3.2, let the training data be linearly independent. Then every critical point
    :math:`(W_l, b_l)_{l=1}^L` of (1) at which the weight matrices have full column rank is a
    global minimum.

How it is checked: a search over small networks (depth <= 2, widths <= 2, N <= 2 points) and,
for Theorem 3.4, over-parameterised one-hidden-layer networks with
``N = 3, 4`` linearly independent points in ``R^d`` (``d = N + 1``) and hidden widths
``N - 1 .. N + 1`` (the regime the theorem is about); rational data and starting points. From each
start an approximate critical point is located (small networks: BFGS on ``|∇Φ|²``, then
Gauss-Newton; wide ones: BFGS on ``Φ``), and a hypothesis holds rigorously only once the critical
point is **certified** -- exactly (rational point, gradient exactly 0), by **interpolation** (the
zero-loss manifold of an over-parameterised network: rational hidden weights and an output layer
that solves the interpolation equations exactly inside an Arb box, so ``Φ = 0`` and ``∇Φ = 0``
there; :mod:`proofcheck.ml.critical_points`) or by a Krawczyk box in Arb. The evidence counts the
located critical points meeting the hypotheses by ``N`` and by how they were certified. The
global minimum is bounded from above by an explicit configuration (safe side: any
configuration's loss bounds an infimum from above), so a refutation is a certified critical point
whose certified loss exceeds that bound.

Readings outside the assumptions
--------------------------------
* ``@relu``: σ = ReLU, which is neither analytic nor strictly increasing (condition 2 fails).
* ``@rank_deficient``: the full-column-rank hypothesis dropped.

Errata
------
* The notes do not say which weight matrices must have full column rank; as in the paper, all of
  them (``W_1, ..., W_L``) are required here. A layer wider than the one before it
  (``n_k > n_{k-1}``) can never have full column rank, so such networks never meet the hypothesis.
* "Linearly independent" is read as the rows ``x_i`` of ``X`` being linearly independent in
  :math:`\mathbb R^d` (exact rank ``N``).
"""
from __future__ import annotations

from proofcheck import Claim, Condition, Variable
from proofcheck.model.claim import UNDECIDED
from hypothesis import strategies as st

from proofcheck.ml.critical_points import CriticalPoint, critical_points, training_problems, wide_training_problems
from proofcheck.ml.deep import ACTIVATIONS
from proofcheck.model.num import Enclosure

from . import src

#: Anything the float margins call "the same loss": only a lead filter; refutations are exact.
ROUNDING = 1e-9


# ---------------------------------------------------------------- hypotheses (yes/no questions: a bool holds or fails)
def _distinct(env) -> bool:
    return env.cp.problem.distinct_inputs()


def _independent(env) -> bool:
    return env.cp.problem.linearly_independent()


def _assumption_activation(env) -> bool:
    return env.cp.problem.net.satisfies_assumption_3_2_activation


def _critical_float(env) -> bool:
    """The search located a critical point from the start."""
    return env.cp.locate() is not None


def _critical_exact(env):
    return True if env.cp.certify() is not None else UNDECIDED


def _full_rank_float(env) -> float:
    return env.cp.min_column_rank_margin_float() if env.cp.locate() is not None else -1.0


def _full_rank_exact(env):
    full = env.cp.full_column_rank() if env.cp.certify() is not None else None
    return UNDECIDED if full is None else full


# ---------------------------------------------------------------- conclusion
def _global_min_float(env) -> float:
    """min Φ (bounded above by an explicit configuration) − Φ(critical point): >= 0 holds."""
    cp = env.cp
    best = cp.problem.objective.value(cp.problem.best_fit)
    return best - cp.loss_float() + ROUNDING * (1 + abs(best))


def _global_min_exact(env) -> Enclosure:
    cp = env.cp
    if cp.certify() is None:
        return UNDECIDED  # no certified critical point: the float lead is not confirmed
    best = cp.problem.global_min_upper()
    loss = cp.loss()
    return Enclosure(best.lo - loss.hi, best.hi - loss.lo)


def _variable(activations, wide: bool = False) -> Variable:
    problems = training_problems(activations, depths=(1, 2), max_width=2, max_N=2, independent=True)
    domain = (f"networks of depth <= 2 and widths <= 2 ({', '.join(activations)}), rational data with "
              "N <= min(2, d) points")
    if wide:
        problems = st.one_of(problems, wide_training_problems(activations, Ns=WIDE_N))
        domain += f"; and one hidden layer of width N - 1 .. N + 1 with N in {WIDE_N} points in R^(N+1)"
    return Variable(
        "cp", critical_points(problems), domain=domain + "; rational starts in [-2, 2]",
        contains=lambda v: isinstance(v, CriticalPoint),
        meaning="a training problem and the critical point located from a start")


#: the numbers of training points of the over-parameterised networks searched besides the small ones
WIDE_N = (3, 4)


def _tally(env) -> str:
    """The size of the instance and how its critical point was certified (or that it was not)."""
    cert = env.cp.certify()
    return f"N={env.cp.problem.N} {cert.kind if cert is not None else 'not certified'}"


DATA = [Condition("inputs distinct (Assumption 3.2.1)", margin=_distinct, rigorous=_distinct),
        Condition("inputs linearly independent", margin=_independent, rigorous=_independent)]
CRITICAL = Condition("a certified critical point", margin=_critical_float, rigorous=_critical_exact, strict=True)
FULL_RANK = Condition("every W_l has full column rank", margin=_full_rank_float, rigorous=_full_rank_exact,
                      strict=True)
ACTIVATION = Condition("sigma analytic, strictly increasing, at most linear growth (3.2.2)",
                       margin=_assumption_activation, rigorous=_assumption_activation)
GLOBAL_MIN = Condition("the critical point is a global minimum", margin=_global_min_float, rigorous=_global_min_exact)

STATEMENT = (r"x_1..x_N \text{ lin. indep.},\ \nabla\Phi(W,b) = 0,\ \operatorname{rank} W_l = n_l\ \forall l"
             r"\ \Rightarrow\ \Phi(W, b) = \min \Phi")
ANALYTIC = tuple(name for name in ("tanh", "sigmoid", "softplus") if ACTIVATIONS[name][1])

thm3_4 = Claim(
    id="nguyenhein2017.thm3.4",
    title="linearly independent data: every full-rank critical point is a global minimum",
    source=src("Theorem 3.4"),
    statement=STATEMENT,
    variables=[_variable(ANALYTIC, wide=True)],
    hypotheses=DATA + [ACTIVATION, CRITICAL, FULL_RANK],
    conclusion=GLOBAL_MIN,
    tally=_tally,
    cost=0.1,
)

thm3_4_relu = Claim(
    id="nguyenhein2017.thm3.4@relu",
    reason=("ReLU is neither analytic nor strictly increasing: a unit off on every input has zero gradient, so a "
            "critical point need not be a global minimum."),
    title="Theorem 3.4 read with sigma = ReLU (not analytic: outside Assumption 3.2)",
    source=src("Theorem 3.4; Assumption 3.2.2"),
    statement=STATEMENT + r"\quad(\sigma = \max(\cdot, 0))",
    variables=[_variable(("relu",))],
    hypotheses=DATA + [CRITICAL, FULL_RANK],
    conclusion=GLOBAL_MIN,
    note="ReLU is neither analytic nor strictly increasing; a unit that is off on every input has zero "
         "gradient, so the theorem's argument does not apply",
    cost=0.5,  # a dead-unit critical point takes a few dozen draws to meet
)

thm3_4_rank = Claim(
    id="nguyenhein2017.thm3.4@rank_deficient",
    reason=("Without full column rank of the weight matrices a critical point need not be a global minimum: the "
            "hypothesis is needed."),
    title="Theorem 3.4 without the full-column-rank hypothesis",
    source=src("Theorem 3.4"),
    statement=(r"x_1..x_N \text{ lin. indep.},\ \nabla\Phi(W,b) = 0 \Rightarrow \Phi(W, b) = \min \Phi"),
    variables=[_variable(ANALYTIC)],
    hypotheses=DATA + [ACTIVATION, CRITICAL],
    conclusion=GLOBAL_MIN,
    tally=_tally,
    note="drops 'the weight matrices have full column rank' to show the hypothesis is needed",
    # a rank-deficient critical point that is not a global minimum is met within 120 examples at 20 of
    # 20 seeds (40 examples: 6 of 8)
    cost=0.3,
)
