"""Moved: ``proofcheck.codec`` is :mod:`proofcheck.store.codec` since the layer folders (see CHANGELOG,
"Unreleased"). This name keeps working, with a ``DeprecationWarning``, for one minor version."""
import warnings

from proofcheck.store.codec import *  # noqa: F401,F403 -- the moved module's public names
from proofcheck import store as _layer

warnings.warn("proofcheck.codec is now proofcheck.store.codec; the old name will be removed in the next minor version",
              DeprecationWarning, stacklevel=2)


def __getattr__(name):  # the moved module's other names (PEP 562)
    return getattr(_layer.codec, name)
