"""The two sides of a claim's conclusion in the statement's own units, as a sentence.

The engine stores them (``details["sides"]``: the printed sides where the claim declares them,
``as_printed``; else the encoded relation's) and whether a strict inequality was met with equality
(``details["equality_where_strict"]``); this only words them."""
from __future__ import annotations

import math
from typing import Any


def _num(x: Any) -> str:
    f = float(x)
    if f == 0:
        return "0"
    if abs(f) >= 1e-3 and abs(f) < 1e6:
        return f"{f:.4g}"
    return f"{f:.3e}"


def sides_text(claim: dict[str, Any]) -> str:
    """``printed sides: 0.4472 vs 0.5`` / ``fails by equality: both sides 1 where the statement needs
    a strict inequality``; empty where the sides are unknown."""
    details = claim.get("details") or {}
    sides = details.get("sides")
    if not isinstance(sides, dict):
        return ""
    try:
        lhs, rhs = float(sides["lhs"]), float(sides["rhs"])
    except (KeyError, TypeError, ValueError):
        return ""
    if not (math.isfinite(lhs) and math.isfinite(rhs)):
        return ""
    if details.get("equality_where_strict"):
        return f"fails by equality: both sides {_num(lhs)} where the statement needs a strict inequality"
    where = "at the counterexample" if claim.get("verdict") == "refuted" else "at the least margin"
    what = "sides as printed" if sides.get("as_printed") else "sides"
    return f"{what} {where}: left {_num(lhs)}, right {_num(rhs)}"
