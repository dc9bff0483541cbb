"""Helpers for ``Claim(replay=...)``: re-verify one stored counterexample record on its own.

A claim with a custom procedure re-checks a record from its exactly decoded values, with the same
exact or rigorous function its procedure used for one instance (no search is re-run)::

    def verify(ctx, values, extra):
        gap = exact_gap(values["dist"], values["W"], values["W_star"])  # the check's own function
        return gap < 0, float(gap), f"exact: gap = {gap}"

    claim = Claim(..., check=check, replay=replayer(verify))
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from proofcheck.store.codec import decode
from proofcheck.model.num import NumericError


class NotAnInstance(NumericError):
    """Stored values that do not meet a claim's hypotheses (so they cannot refute it)."""


def decode_exact(mapping: Mapping[str, Any] | None) -> dict[str, Any]:
    """A record's ``values`` or ``extra`` decoded exactly (``Fraction``, object arrays of Fractions,
    objects through their ``from_json``)."""
    return {k: decode(v, exact=True) for k, v in (mapping or {}).items()}


def replayer(verify: Callable[[Any, dict[str, Any], dict[str, Any]], tuple[bool, float | None, str]]):
    """A ``Claim(replay=...)`` from ``verify(ctx, values, extra) -> (still refutes, margin, how)``.

    A missing value, or values that are not an instance of the claim (``NotAnInstance`` or any other
    ``NumericError``), make the record not refute, with the reason."""
    def replay(ctx, record: Mapping[str, Any]) -> tuple[bool, float | None, str]:
        try:
            return verify(ctx, decode_exact(record.get("values")), decode_exact(record.get("extra")))
        except KeyError as exc:
            return False, None, f"the record has no value {exc}"
        except NumericError as exc:
            return False, None, f"the stored values are not an instance: {exc}"
    return replay
