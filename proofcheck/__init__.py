"""proofcheck: a symbolic-numeric proof checker for the theorems of machine-learning theory papers.

The public API is :data:`__all__`: what a paper package may import from ``proofcheck`` and rely on
across minor versions (a name removed from it keeps a shim that warns for one minor version; every
change is recorded in ``CHANGELOG.md``). The claim model and the verdict types are loaded at once;
the network objects and strategies of :mod:`proofcheck.ml` are loaded on first use, so the engine
core never imports the network mathematics. The procedures live in :mod:`proofcheck.decide.engine`.
"""
from importlib import import_module as _import_module

from proofcheck.model.claim import (RERUN_ON_BALLS, Claim, ClaimError, Condition, Constant, Definition, Deterministic,
                    Emptiness, Env, Outcome, Probabilistic, Source, Use, Variable, Witness)
from proofcheck.model.verdict import Result, Verdict

__version__ = "0.2.0"

#: Names of :mod:`proofcheck.ml` that a paper package may import from ``proofcheck`` (loaded lazily).
_ML = {
    "TeacherStudent": "strategies", "Network": "strategies", "teacher_students": "strategies",
    "networks": "strategies", "rationals": "strategies", "rational_vectors": "strategies",
    "gaussians": "strategies", "atoms": "strategies",
    "Dataset": "datasets", "datasets": "du_strategies", "exact_unit_vectors": "du_strategies",
    "widths": "du_strategies", "step_sizes": "du_strategies",
    "TrainingProblem": "critical_points", "NetworkPoint": "critical_points", "CriticalPoint": "critical_points",
    "training_problems": "critical_points", "network_points": "critical_points",
    "critical_points": "critical_points",
}

__all__ = [
    "Claim", "ClaimError", "Condition", "Constant", "Definition", "Deterministic", "Emptiness", "Env",
    "Outcome", "Probabilistic", "RERUN_ON_BALLS", "Result", "Source", "Use", "Variable", "Verdict", "Witness",
    "__version__", *sorted(_ML),
]


def __getattr__(name: str):
    """The :mod:`proofcheck.ml` names of :data:`__all__`, imported on first use (PEP 562)."""
    module = _ML.get(name)
    if module is None:
        raise AttributeError(f"module 'proofcheck' has no attribute {name!r}")
    value = getattr(_import_module(f"proofcheck.ml.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
