"""Exact and interval certification layers of the engine.

* :func:`decide_polynomial` -- z3 nlsat decides polynomial/rational/algebraic claims exactly;
* :func:`certify_interval` -- Arb branch-and-bound with a monotonicity rule certifies (or
  refutes at an exact point) one-variable transcendental claims on a bounded interval.

Both return a :class:`proofcheck.model.claim.Outcome` or ``None`` (undecided: let the next layer try).
"""
from proofcheck.decide.certify.exact import fresh_z3
from proofcheck.decide.certify.interval import certify_interval
from proofcheck.decide.certify.polynomial import decide_polynomial

__all__ = ["certify_interval", "decide_polynomial", "fresh_z3"]
