"""Moved: ``proofcheck.num`` is :mod:`proofcheck.model.num` since the layer folders (see CHANGELOG,
"Unreleased"). This name keeps working, with a ``DeprecationWarning``, for one minor version."""
import warnings

from proofcheck.model.num import *  # noqa: F401,F403 -- the moved module's public names
from proofcheck import model as _layer

warnings.warn("proofcheck.num is now proofcheck.model.num; the old name will be removed in the next minor version",
              DeprecationWarning, stacklevel=2)


def __getattr__(name):  # the moved module's other names (PEP 562)
    return getattr(_layer.num, name)
