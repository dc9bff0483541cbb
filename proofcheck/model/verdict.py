"""Verdicts and the result record every check returns.

A verdict is *computed*; nothing in the engine knows in advance what a claim's verdict should be.
The order below is also the order of strength of evidence a reviewer can rely on.
"""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy


class Verdict(str, enum.Enum):
    """What a check established about a claim."""

    PROVED = "proved"          # symbolic proof (exact decision procedure), all values
    CERTIFIED = "certified"    # interval/exact certificate over the whole stated domain
    REFUTED = "refuted"        # counterexample re-verified beyond numerical error
    SURVIVED = "survived"      # no counterexample in N examples (reports N and the least margin)
    INCONCLUSIVE = "inconclusive"  # a statistical claim whose confidence interval still contains delta
    VACUOUS = "vacuous"        # its hypotheses can never hold (certified over the whole domain)
    ILL_FORMED = "ill-formed"  # undefined symbols or a quantity in a role it cannot have
    ERROR = "error"            # the check itself failed

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value

    @property
    def holds(self) -> bool:
        """True for the verdicts that say the claim is established."""
        return self in (Verdict.PROVED, Verdict.CERTIFIED)


#: The layers that can decide a verdict: the lint; an exact decision procedure (z3, a sympy
#: identity); Arb interval certification; the Hypothesis search; a statistical test; a claim's own
#: procedure; the re-verification of a stored counterexample; an audit's hard limit that stopped the
#: check (an ``error``: over its time limit, its worker over its memory limit or lost).
DECIDED_BY = ("lint", "decision", "interval", "search", "statistics", "procedure", "replay", "limit")
#: Where a counterexample came from, set by the engine only: the search, a decision procedure's
#: model (z3), an Arb branch-and-bound box (interval), an instance the encoder supplied (a labelled
#: witness, e.g. a textbook counterexample, or what a claim's own procedure found), or none (the
#: claim has nothing to search: a probabilistic claim without variables has one setting).
FOUND_BY = ("search", "decision", "interval", "witness", "none")


@dataclass
class Result:
    """The JSON-ready outcome of checking one claim (see the README for the contract).

    ``decided_by`` names the layer whose computation decided the verdict (one of
    :data:`DECIDED_BY`); a counterexample record carries ``found_by`` (one of :data:`FOUND_BY`).

    Counts: ``examples`` is the number of instances tried, ``satisfied`` the number of those that met
    every hypothesis, so ``0 <= satisfied <= examples`` always (the engine enforces it where it builds
    the result). A proof by a decision procedure tries no instance: 0 / 0.

    Margins: ``margin`` is the conclusion's signed margin (>= 0 holds) at the counterexample (refuted)
    or the least one seen (survived), in the statement's own units (``rhs - lhs`` of ``lhs <= rhs``).
    ``relative_margin`` is ``margin / max(|lhs|, |rhs|)`` at the same point, where the two sides are
    known (a sympy relation, or a condition declaring ``sides``); otherwise None. A ``survived`` margin
    that is float rounding around 0 is reported as 0 (a note says so; the float is in
    ``details["margin_float"]``).

    ``frontier`` (optional): where a refuted claim starts to hold as one constant or variable moves;
    a dict documented in :mod:`proofcheck.interfaces.frontier`.
    """

    id: str
    verdict: Verdict
    evidence: str
    decided_by: str = ""
    examples: int = 0
    satisfied: int = 0
    margin: float | None = None
    constants: dict[str, Any] = field(default_factory=dict)
    counterexample: dict[str, Any] | None = None
    seconds: float = 0.0
    reproduce: str = ""
    relative_margin: float | None = None
    frontier: dict[str, Any] | None = None
    # What a ``survived``/``inconclusive`` verdict searched (:mod:`proofcheck.decide.coverage`); None otherwise.
    coverage: dict[str, Any] | None = None
    # Beyond the stable contract: free-form extras the report may show.
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        margin = self.margin
        if margin is not None and not math.isfinite(margin):
            margin = None
        rel = self.relative_margin
        if rel is not None and not math.isfinite(rel):
            rel = None
        out = {
            "id": self.id,
            "verdict": self.verdict.value,
            "evidence": self.evidence,
            "decided_by": self.decided_by,
            "examples": int(self.examples),
            "satisfied": int(self.satisfied),
            "margin": None if margin is None else float(margin),
            "relative_margin": None if rel is None else float(rel),
            "constants": {k: _jsonable(v) for k, v in self.constants.items()},
            "counterexample": self.counterexample,
            "seconds": round(float(self.seconds), 3),
            "reproduce": self.reproduce,
            "notes": list(self.notes),
            "details": self.details,
        }
        if self.frontier is not None:
            out["frontier"] = self.frontier
        if self.coverage is not None:
            out["coverage"] = self.coverage
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Result":
        return cls(
            id=data["id"],
            verdict=Verdict(data["verdict"]),
            evidence=data.get("evidence", ""),
            decided_by=data.get("decided_by", ""),
            examples=data.get("examples", 0),
            satisfied=data.get("satisfied", 0),
            margin=data.get("margin"),
            constants=data.get("constants", {}),
            counterexample=data.get("counterexample"),
            seconds=data.get("seconds", 0.0),
            reproduce=data.get("reproduce", ""),
            notes=data.get("notes", []),
            details=data.get("details", {}),
            relative_margin=data.get("relative_margin"),
            frontier=data.get("frontier"),
            coverage=data.get("coverage"),
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Fraction):
        return str(value) if value.denominator != 1 else int(value)
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    try:
        if isinstance(value, sympy.Basic):
            return str(value)
    except ImportError:  # pragma: no cover
        pass
    return str(value)
