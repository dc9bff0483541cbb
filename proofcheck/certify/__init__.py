"""Exact and interval certification layers of the engine.

* :func:`decide_polynomial` -- z3 nlsat decides polynomial/rational/algebraic claims exactly;
* :func:`certify_interval` -- Arb branch-and-bound with a monotonicity rule certifies (or
  refutes at an exact point) one-variable transcendental claims on a bounded interval.

Both return a :class:`proofcheck.claim.Outcome` or ``None`` (undecided: let the next layer try).
"""
from .exact import fresh_z3
from .interval import certify_interval
from .polynomial import decide_polynomial

__all__ = ["certify_interval", "decide_polynomial", "fresh_z3"]
