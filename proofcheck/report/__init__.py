"""Audit reports: Markdown, self-contained HTML, and stable JSON, rendered from a report dict.

Rendering only *reads* the dict the engine produces (see the README's JSON contract)::

    {"tool", "version", "seed", "budget", "command", "date", "machine": {...},
     "claims": [{"id", "verdict", "evidence", "examples", "satisfied", "margin", "constants",
                 "counterexample", "seconds", "reproduce", "notes", "details", "title", "source",
                 "statement", "kind", "uses", "note", "mathml"}, ...]}

The only thing derived here is each claim's *combined* status from the dependency graph
(:func:`effective_status`, rules in :mod:`proofcheck.report.graph`).
"""
from __future__ import annotations

import json
import math
from typing import Any

from proofcheck.report.graph import effective_status, proof_lines

FORMATS = ("md", "html", "json")

__all__ = ["FORMATS", "effective_status", "proof_lines", "render", "to_json"]


def render(report: dict[str, Any], fmt: str) -> str:
    """The report as ``"md"``, ``"html"`` or ``"json"`` text. Raises ``ValueError`` for another
    format or a report without a ``claims`` list."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")
    if not isinstance(report, dict) or not isinstance(report.get("claims"), list):
        raise ValueError("a report is a dict with a 'claims' list")
    if fmt == "json":
        return to_json(report)
    if fmt == "md":
        from proofcheck.report.markdown import render_markdown

        return render_markdown(report)
    from proofcheck.report.html import render_html

    return render_html(report)


def to_json(data: Any, one_line: bool = False) -> str:
    """The one writer of the JSON contract (an audit's report, a check's result, replay rows, a
    frontier, JSON lines): keys sorted, two-space indent (``one_line``: one line, for JSON lines),
    a final newline; lists in the order given. Non-finite floats (which strict JSON cannot hold)
    become ``null``; numpy scalars their Python value; anything else its text."""
    return json.dumps(_finite(data), indent=None if one_line else 2, sort_keys=True, ensure_ascii=False,
                      allow_nan=False, default=_default) + "\n"


def _default(x: Any) -> Any:
    # numpy scalars and the like: their Python value when they have one, else their text.
    item = getattr(x, "item", None)
    if callable(item):
        try:
            return _finite(item())
        except (TypeError, ValueError):
            pass
    return str(x)


def _finite(x: Any) -> Any:
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {str(k): _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x
