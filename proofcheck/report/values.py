"""Readable forms of the values a report holds, shared by the Markdown and HTML renderers.

Counterexample values arrive encoded by :mod:`proofcheck.store.codec` (exact rationals, irrational
numbers as text in the number grammar of :mod:`proofcheck.model.parse`, arrays with their shape,
objects with the description they gave); the codec's readers for people (:func:`stored_number`,
:func:`stored_array`, :func:`stored_object`) say what a stored value is, and this module decides how
it is shown: a number as the float to read, its exact form beside it or on hover. Exact text is only
displayed, never parsed or evaluated here.

Constants may also be plain JSON (``1``, ``0.5``, ``"1/3"``). Nothing here computes anything about
a claim: it only decides how a stored value is shown.
"""
from __future__ import annotations

import math
import re
from typing import Any

from proofcheck.store.readable import float_or_text, fmt_float, number_of, short

#: Verdicts in the order of the evidence they carry (the order of ``proofcheck.model.verdict.Verdict``).
VERDICTS = ("proved", "certified", "refuted", "survived", "inconclusive", "vacuous", "ill-formed", "error")

#: A glyph beside every verdict word, so that no verdict is told by colour alone.
VERDICT_SYMBOL = {
    "proved": "\u2714",      # heavy check mark
    "certified": "\u2714",
    "refuted": "\u2718",     # heavy ballot x
    "survived": "~",
    "inconclusive": "\u2248",  # almost equal to: the interval still contains the bound
    "vacuous": "\u2205",     # empty set
    "ill-formed": "?",
    "error": "!",
}

VERDICT_MEANING = {
    "proved": "symbolic proof for all values",
    "certified": "exact or interval certificate over the whole stated domain",
    "refuted": "counterexample re-verified beyond numerical error",
    "survived": "no counterexample among the examples tried (not a proof)",
    "inconclusive": "a statistical claim whose confidence interval still contains its bound: neither held nor refuted",
    "vacuous": "its hypotheses can never hold (a checked certificate over the whole domain)",
    "ill-formed": "undefined symbols or a quantity in a role it cannot have",
    "error": "the check itself failed",
}


#: Which layer of the engine decided a verdict (``decided_by``), in words.
DECIDED_BY = {
    "lint": "the lint (symbols and roles)",
    "decision": "an exact decision procedure",
    "interval": "Arb interval certification",
    "search": "the search, re-verified",
    "statistics": "a statistical test",
    "procedure": "the claim's own procedure",
    "replay": "replay of a stored counterexample",
    "limit": "a hard limit of the audit (time, memory) or a lost worker",
}

#: Where a counterexample came from (``found_by``), in words.
FOUND_BY = {
    "search": "found by the search",
    "decision": "found by a decision procedure (its model)",
    "interval": "found by Arb branch-and-bound (a certified box)",
    "none": "the claim's only instance (nothing to search)",
    "witness": "a witness supplied by the encoder",
}


def decided_by_text(word: Any) -> str:
    w = str(word or "")
    return DECIDED_BY.get(w, w) if w else ""


def found_by_text(word: Any) -> str:
    w = str(word or "")
    return FOUND_BY.get(w, w) if w else ""


def verdict_word(verdict: Any) -> str:
    v = str(verdict) if verdict is not None else "error"
    return v if v in VERDICT_SYMBOL else "error"


def fmt_margin(m: Any) -> str:
    """A margin with its sign (>= 0 holds), three significant digits."""
    f = float_or_text(m)
    if isinstance(f, str):
        return f
    s = fmt_float(f, 3)
    return ("+" + s) if f > 0 and not s.startswith("\u221e") else s


def fmt_seconds(s: Any) -> str:
    f = float_or_text(s)
    if isinstance(f, str):
        return f
    if f < 0.01:
        return "<0.01 s"
    if f < 100:
        return f"{f:.2f} s"
    return f"{f:.0f} s"


def natural_key(s: str):
    """Sort key that puts ``s2`` before ``s10``."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", s) if t]


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary (the full text stays in the claim section)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " \u2026"


#: The three groups of the report's verdict filter.
VERDICT_GROUP = {
    "proved": "held", "certified": "held",
    "refuted": "broken", "ill-formed": "broken", "error": "broken",
    "survived": "open", "inconclusive": "open", "vacuous": "open",
}

#: A negative margin this small is float rounding around 0, not a violation (a survived or
#: established claim's least margin is shown as 0 then).
ROUNDING = 1e-9

_SEED_FILE = re.compile(r"^\d{3}_[0-9a-f]{6,}\.txt$")


def margin_text(margin: Any, relative: Any = None, verdict: str = "") -> str:
    """A margin as a reader should take it: the signed difference of the two sides (>= 0 holds),
    with the relative margin (margin / larger side) when known. For a claim that was *not*
    refuted, a negative float within rounding is shown as 0, and a larger one is labelled as no
    refutation (the verdict says the claim was not refuted; the evidence says why)."""
    if margin is None:
        return "\u2014"
    try:
        f = float(margin)
    except (TypeError, ValueError):
        return str(margin)
    held = verdict in ("survived", "proved", "certified", "inconclusive")
    if held and f < 0 and abs(f) <= ROUNDING:
        return "0 (within rounding)"
    text = fmt_margin(f)
    rel = None
    if relative is not None:
        try:
            rel = float(relative)
        except (TypeError, ValueError):
            rel = None
    if rel is not None and math.isfinite(rel):
        text += f" ({rel * 100:+.3g} % of the larger side)".replace("+-", "\u2212").replace("-", "\u2212")
    if held and f < 0:
        # e.g. a float lead that did not re-verify, or a statistical margin whose interval still
        # straddles the bound: the evidence says which; the verdict is what was established
        text += " (not a refutation: see the evidence)"
    return text


def examples_text(claim: dict[str, Any]) -> str:
    """``tried / met the hypotheses``; a dash when the verdict did not come from examples (an
    exact decision, an interval certificate or the lint, which try no instance)."""
    n, k = claim.get("examples", 0) or 0, claim.get("satisfied", 0) or 0
    if claim.get("decided_by") in ("decision", "interval", "lint") and k == 0:
        return "\u2014"
    return f"{n} / {k}"


def citation_of(claim: dict[str, Any]) -> str:
    """Where the claim is printed, as a reader cites it: the source's citation and location. An
    internal extraction file name (``000_….txt``) is never shown; without a citation the paper's
    id stands in for it."""
    src = claim.get("source") or {}
    if not isinstance(src, dict):
        src = {}
    who = str(src.get("citation") or "").strip()
    if not who:
        doc = str(src.get("document") or "").strip()
        who = doc if doc and not _SEED_FILE.match(doc) and "shared/" not in doc else \
            str(claim.get("id", "")).split(".", 1)[0]
    where = str(src.get("location") or "").strip()
    return f"{who}, {where}" if who and where else (who or where)


def frontiers_of(frontier: Any) -> list[dict[str, Any]]:
    """The frontiers of a claim as a list of dicts. The audit stores ``{name: frontier}``; ``proofcheck
    frontier --format json`` prints one frontier; both are read (and any other dict, shown as it is)."""
    if not isinstance(frontier, dict) or not frontier:
        return []
    single = any(k in frontier for k in ("summary", "status", "name", "claim", "points"))
    if not single and all(isinstance(v, dict) for v in frontier.values()):
        return [{**v, "name": v.get("name", k)} for k, v in frontier.items()]
    return [frontier]


#: What a frontier says about the printed value of its constant (its ``printed_side``), in words:
#: the glance separates a claim that fails where its proof uses it from one that fails only in a corner.
PRINTED_SIDE = {
    "refuted": "fails at the printed value",
    "holds": "fails only in a corner",
    "between": "printed value between the probes",
    "outside": "printed value outside the range probed",
}


def frontier_class(frontier: dict[str, Any]) -> str:
    """What a frontier found, in a few words: where the printed value lies when it has one (a
    constant), else how much of the probed range is refuted (a variable)."""
    side = PRINTED_SIDE.get(str(frontier.get("printed_side") or ""), "")
    if side:
        return side
    status = str(frontier.get("status") or "")
    if status == "refuted-throughout":
        return "fails across the range probed"
    share = frontier.get("refuted_share")
    if status == "bracketed" and isinstance(share, (int, float)) and not isinstance(share, bool):
        return f"fails only on part of the range ({share * 100:.3g} %)"
    return ""


def frontier_summary(frontier: Any, with_class: bool = True) -> str:
    """One line for a claim's frontier(s) (``proofcheck frontier``): each one's own summary when it
    has one, else its scalar fields ``name = value``; prefixed by what it says of the printed value."""
    lines = []
    for f in frontiers_of(frontier):
        text = ""
        for key in ("summary", "text", "sentence"):
            if isinstance(f.get(key), str) and f[key].strip():
                text = " ".join(f[key].split())
                break
        if not text:
            parts = []
            for k, v in f.items():
                num = number_of(v)
                if num is not None:
                    parts.append(f"{k} = {num.exact or num.text}")
                elif isinstance(v, (str, bool)) or v is None:
                    parts.append(f"{k} = {v}")
            text = "; ".join(parts[:6])
        cls = frontier_class(f)
        lines.append(f"{cls}: {text}" if cls and with_class else text)
    return " \u2014 ".join(x for x in lines if x)


def shown_margin(claim: dict[str, Any]) -> tuple[Any, Any, str]:
    """The one margin a reader sees for a claim, everywhere in a report: a refuted claim's is its
    counterexample's (the instance the verdict rests on), with that instance's relative margin;
    otherwise the least margin over the examples. Returns ``(margin, relative, label)``."""
    cex = claim.get("counterexample")
    if verdict_word(claim.get("verdict")) == "refuted" and isinstance(cex, dict) and cex.get("margin") is not None:
        return cex.get("margin"), cex.get("relative_margin", claim.get("relative_margin")), "fails by"
    return claim.get("margin"), claim.get("relative_margin"), "least margin"




def paper_of(claim_id: Any) -> str:
    """The paper an id belongs to: its first part (``park2019`` of ``park2019.thm3.4.s5``)."""
    return str(claim_id).split(".", 1)[0]


def paper_heading(paper: str, claims: dict[str, Any]) -> str:
    """A paper's heading in the report: its citation as the claims give it (author, title, year),
    else its id."""
    for cid, c in claims.items():
        if paper_of(cid) == paper:
            src = c.get("source") if isinstance(c.get("source"), dict) else {}
            cite = str((src or {}).get("citation") or "").strip()
            if cite:
                return cite
    return paper


def printed(value: Any) -> str:
    """A constant as the source prints it: a text value as written ("1/2"), a number as people read it."""
    return value if isinstance(value, str) else short(value)
