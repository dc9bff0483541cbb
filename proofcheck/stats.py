"""Moved: ``proofcheck.stats`` is :mod:`proofcheck.decide.stats` since the layer folders (see CHANGELOG,
"Unreleased"). This name keeps working, with a ``DeprecationWarning``, for one minor version."""
import warnings

from proofcheck.decide.stats import *  # noqa: F401,F403 -- the moved module's public names
from proofcheck import decide as _layer

warnings.warn("proofcheck.stats is now proofcheck.decide.stats; the old name will be removed in the next minor version",
              DeprecationWarning, stacklevel=2)


def __getattr__(name):  # the moved module's other names (PEP 562)
    return getattr(_layer.stats, name)
