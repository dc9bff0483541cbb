r"""The objective (1) as the notes print it.

Source: reading notes on Nguyen & Hein (ICML 2017), "Notation", eq. (1):

.. math::

   \Phi\big((W_k, b_k)_{k=1}^L\big) = \sum_{i=1}^{L} \sum_{j=1}^{m} \ell(f_{Lj}(x_i) - y_{ij})

Errata
------
The outer sum runs over the training points ``x_i``, ``i ∈ [N]``, but is printed up to ``L``, the
number of layers. ``eq1`` checks the printed objective against the training loss it stands for,
reading the printed sum as the points ``i ≤ min(L, N)`` (the only points that exist). The two
differ exactly when a point beyond the ``L``-th has a non-zero loss.
"""
from __future__ import annotations

from proofcheck import RERUN_ON_BALLS, Claim, Condition, Variable
from proofcheck.ml.critical_points import NetworkPoint, network_points, training_problems
from proofcheck.model.num import FLOAT, Enclosure

from . import src


def _dropped(point: NetworkPoint) -> int:
    """How many training points the printed sum (to L) leaves out."""
    return max(0, point.problem.N - point.problem.net.depth)


def _gap(env):
    """printed Φ − training loss = −(losses of the points beyond the L-th) (0: the two agree), written once
    over ``env.num``: the network's float losses in the search, its Arb enclosures of them at the exact
    parameters when the engine re-runs the margin on balls."""
    dropped = _dropped(env.point)
    if not dropped:
        return env.num.const(0)
    if env.num is FLOAT:
        return -sum(env.point.point_losses_float()[-dropped:])
    encs = env.point.point_losses()[-dropped:]
    return Enclosure(-sum(e.hi for e in encs), -sum(e.lo for e in encs))


point = Variable("point", network_points(training_problems(("tanh", "softplus"), depths=(1, 2), max_N=3)),
                 domain="small networks (depth <= 2, widths <= 2), rational data, N <= 3",
                 contains=lambda v: isinstance(v, NetworkPoint),
                 meaning="a network, its training data and a parameter vector")

eq1 = Claim(
    id="nguyenhein2017.eq1",
    reason=("The outer sum of the printed objective runs to L (the number of layers) where the training points run "
            "to N, so it is not the training loss when L != N."),
    title="the printed objective (outer sum to L) is the training loss (sum over the N points)",
    source=src("Notation, eq. (1)"),
    statement=r"\Phi = \sum_{i=1}^{L}\sum_{j=1}^{m} \ell(f_{Lj}(x_i) - y_{ij})",
    variables=[point],
    # margin <= 0 always; the relation "printed = training loss" holds exactly when it is 0
    conclusion=Condition("printed objective = training loss", margin=_gap, rigorous=RERUN_ON_BALLS),
    note="the outer sum is printed to L (the number of layers) where the training points run to N",
    cost=0.25,
)
