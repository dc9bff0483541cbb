"""proofcheck: a symbolic-numeric proof checker for the theorems of machine-learning theory papers.

The public API re-exports the claim model and the verdict types; the procedures live in
:mod:`proofcheck.engine`.
"""
from .claim import (RERUN_ON_BALLS, Claim, ClaimError, Condition, Constant, Definition, Deterministic,
                    Env, Outcome, Probabilistic, Source, Variable)
from .verdict import Result, Verdict

__version__ = "0.1.0"

__all__ = [
    "Claim", "ClaimError", "Condition", "Constant", "Definition", "Deterministic", "Env", "Outcome",
    "Probabilistic", "RERUN_ON_BALLS", "Result", "Source", "Variable", "Verdict", "__version__",
]
