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
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from proofcheck.store.codec import StoredNumber, array_record, encode, stored_array, stored_number, stored_object

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

# Longest exact rational shown inline; longer ones go to a tooltip (HTML) or are summarised (Markdown).
SHORT_EXACT = 24


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


def fmt_float(x: float, digits: int = 6) -> str:
    if x is None:
        return "\u2014"
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int):
        return str(x)
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "\u221e" if f > 0 else "\u2212\u221e"
    if f == 0:
        return "0"
    s = format(f, f".{digits}g")
    return s.replace("e+0", "e+").replace("e-0", "e-")


def fmt_margin(m: Any) -> str:
    """A margin with its sign (>= 0 holds), three significant digits."""
    if m is None:
        return "\u2014"
    try:
        f = float(m)
    except (TypeError, ValueError):
        return str(m)
    if math.isnan(f):
        return "NaN"
    s = fmt_float(f, 3)
    return ("+" + s) if f > 0 and not s.startswith("\u221e") else s


def fmt_seconds(s: Any) -> str:
    if s is None:
        return "\u2014"
    try:
        f = float(s)
    except (TypeError, ValueError):
        return str(s)
    if f < 0.01:
        return "<0.01 s"
    if f < 100:
        return f"{f:.2f} s"
    return f"{f:.0f} s"


@dataclass(frozen=True)
class Number:
    """A number ready to show: ``text`` to read, ``exact`` (the rational, or None when ``text`` is
    already exact) and whether ``text`` is only an approximation."""

    text: str
    exact: str | None
    approximate: bool
    full: str  # the shortest decimal that round-trips the stored float, or the exact rational

    @property
    def exact_is_short(self) -> bool:
        return self.exact is not None and len(self.exact) <= SHORT_EXACT


def number_of(data: Any) -> Number | None:
    """Read an encoded or plain number; None when ``data`` is not a number."""
    if isinstance(data, bool):
        return None
    if isinstance(data, int):
        if abs(data) >= 10**15:  # a 300-digit integer reads as its magnitude; the digits on hover
            try:
                return Number(fmt_float(float(data)), str(data), True, str(data))
            except OverflowError:
                digits = len(str(abs(data)))
                return Number(f"{'-' if data < 0 else ''}{str(abs(data))[0]}.{str(abs(data))[1:4]}e+{digits - 1}",
                              str(data), True, str(data))
        return Number(str(data), None, False, str(data))
    if isinstance(data, float):
        return Number(fmt_float(data), None, fmt_float(data) != repr(data), repr(data))
    stored = stored_number(data)  # a tagged number, read by the codec (bounded digits)
    if stored is not None:
        return _stored_number(stored)
    if isinstance(data, str):
        # Constants are stored as printed, e.g. "1/3": show the value, keep the fraction.
        try:
            q = Fraction(data)
        except (ValueError, ZeroDivisionError):
            return None
        if "/" not in data:
            return None  # an integer or decimal string reads fine as it is
        if q.denominator == 1:
            return Number(str(q.numerator), None, False, str(q.numerator))  # "0/1" is 0
        return Number(fmt_float(float(q)), f"{q.numerator}/{q.denominator}", True, data)
    return None


def _stored_number(stored: StoredNumber) -> Number:
    q = stored.rational
    if q is None:  # an irrational number, or a $q outside the schema (shown as stored)
        exact = _unwrap(stored.text)
        if stored.approx is None:
            return Number(exact, None, False, exact)  # no float to read (beyond the float range)
        return Number(fmt_float(stored.approx), exact, True, exact)
    if q.denominator == 1:
        return Number(str(q.numerator), None, False, str(q.numerator))
    f = float(q)
    text = fmt_float(f)
    if Fraction(f) == q:
        # The rational is the float itself (it came from one): its repr is exact too.
        return Number(text, stored.text, text != repr(f), repr(f))
    return Number(text, stored.text, True, stored.text)


def _unwrap(text: str) -> str:
    """``"(2 * (pi^-1))"`` without the outer pair of parentheses when they enclose the whole text."""
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for k, ch in enumerate(text):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and k < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def is_array(data: Any) -> bool:
    return stored_array(data) is not None


def is_object(data: Any) -> bool:
    return stored_object(data) is not None


def array_rows(data: dict, max_rows: int = 8, max_cols: int = 8):
    """The entries of a 1-D or 2-D array as rows (None marks an elided run), and a caption.

    Arrays of more dimensions are shown flat (row-major) with their shape in the caption.
    """
    flat, shape = stored_array(data)
    n = len(flat)
    if len(shape) == 2 and shape[0] * shape[1] == n:
        r, c = shape
        rows_idx = _elide(r, max_rows)
        cols_idx = _elide(c, max_cols)
        rows = []
        for i in rows_idx:
            if i is None:
                rows.append(None)
                continue
            rows.append([None if j is None else flat[i * c + j] for j in cols_idx])
        caption = f"{r}\u00d7{c}"
    else:
        cols_idx = _elide(n, max_cols * 2)
        rows = [[None if j is None else flat[j] for j in cols_idx]]
        dims = "\u00d7".join(str(s) for s in shape) if shape else "0"
        caption = f"vector of {n}" if len(shape) == 1 else f"array of shape {dims}, shown flat"
    return rows, caption


def _elide(n: int, limit: int) -> list[int | None]:
    if n <= limit:
        return list(range(n))
    head = limit - 2
    return list(range(head)) + [None] + [n - 1]


def object_name(data: dict) -> str:
    return stored_object(data)[0]


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


# ------------------------------------------------------------------ people's numbers, as plain text
#: Longest fraction shown as it is in plain text; a longer exact value is shown as its decimal.
SHORT_FRACTION = 12


def number_text(num: Number, hover: bool = False) -> str:
    """A number as a person reads it: an integer, a short decimal that is the value itself, a short
    fraction, or else a decimal of six digits (the exact form stays in the JSON, and on hover in HTML).
    An irrational number is its decimal, followed by its short exact form unless ``hover`` shows it."""
    if num.exact is None:
        return num.text
    try:
        if Fraction(num.text) == Fraction(num.exact):
            return num.text  # the short decimal is the exact value (0.5 for 1/2)
    except (ValueError, ZeroDivisionError):  # an irrational's exact text (2 * (pi^-1))
        return num.text if hover or not num.exact_is_short else f"{num.text} (= {num.exact})"
    if len(num.full) <= 10 and num.full != num.exact:
        return num.full  # a float that reads short (0.1): the value searched is that float
    if len(num.exact) <= SHORT_FRACTION:
        return num.exact
    return num.text


def humanise(name: str) -> str:
    """``TeacherStudent`` -> ``teacher student``; ``W_star`` stays ``W_star``."""
    if "_" in name or not re.fullmatch(r"(?:[A-Z][a-z0-9]+)+", name):
        return name
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()


def object_text(data: dict, depth: int = 0) -> str:
    """A stored object in a few words: the description the object gave when it was stored
    (``describe()``, kept as ``"text"``), else its class in words and its fields summarised."""
    name, inner, text = stored_object(data)
    if text is not None and text.strip():
        return " ".join(text.split())
    name = humanise(name)
    if isinstance(inner, dict) and inner:
        fields = [f"{k} {value_text(v, depth + 1)}" for k, v in inner.items() if v is not None]
        return f"{name}: " + ", ".join(fields)
    if inner is None:
        return name
    return f"{name} {value_text(inner, depth + 1)}"


def _matrix_shape(data: Any) -> tuple[int, int] | None:
    if isinstance(data, (list, tuple)) and data and all(isinstance(r, (list, tuple)) for r in data):
        n = len(data[0])
        if n and all(len(r) == n for r in data):
            return len(data), n
    return None


def value_text(data: Any, depth: int = 0, limit: int = 400) -> str:
    """An encoded value on one line of plain text (terminal, pytest, notes): people's numbers,
    arrays and matrices as ``[[1, 0], [0, 1]]`` with their shape when large, objects by their
    description; never a codec record or a Python repr. Longer than ``limit``: cut with ``…``."""
    text = _value_text(data, depth)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


def _value_text(data: Any, depth: int) -> str:
    if depth > 6:
        return "\u2026"
    num = number_of(data)
    if num is not None:
        return number_text(num)
    if data is None:
        return "none"
    if isinstance(data, bool):
        return "true" if data else "false"
    if isinstance(data, str):
        return data
    if is_array(data):
        rows, caption = array_rows(data, max_rows=6, max_cols=6)
        shown = ["\u22ee" if row is None else
                 "[" + ", ".join("\u2026" if v is None else _value_text(v, depth + 1) for v in row) + "]"
                 for row in rows]
        inner = shown[0] if len(shown) == 1 else "[" + ", ".join(shown) + "]"
        elided = any(row is None or None in row for row in rows)
        return f"{inner} ({caption})" if elided else inner
    if is_object(data):
        return object_text(data, depth)
    if isinstance(data, dict):
        return "{" + ", ".join(f"{k}: {_value_text(v, depth + 1)}" for k, v in data.items()) + "}"
    if isinstance(data, (list, tuple)):
        shape = _matrix_shape(data)
        if shape and shape[0] * shape[1] > 3 and all(number_of(v) is not None for r in data for v in r):
            return _value_text(array_record([v for r in data for v in r], shape), depth)
        more = f", \u2026 {len(data) - 16} more" if len(data) > 16 else ""
        return "[" + ", ".join(_value_text(v, depth + 1) for v in data[:16]) + more + "]"
    return str(data)


def values_text(values: Any, limit: int = 400) -> str:
    """``name = value, ...`` for a counterexample's (or a setting's) encoded values."""
    if not isinstance(values, dict):
        return value_text(values, limit=limit)
    text = ", ".join(f"{k} = {value_text(v)}" for k, v in values.items())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


def plain(value: Any) -> Any:
    """A value as the codec would store it, for the readers above (a Fraction, a numpy array, a
    sympy number or a storable object from a live Result); stored values pass through."""
    if isinstance(value, (dict, list, tuple, str, int, float, bool)) or value is None:
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value
    try:
        return encode(value)
    except Exception:  # noqa: BLE001 - a value that cannot be encoded is shown by its str
        return str(value)


def short(value: Any, limit: int = 200) -> str:
    """A live value (Fraction, float, list of rows, numpy array) as people read it: what a
    storable object's ``describe()`` uses for its numbers."""
    return value_text(plain(value), limit=limit)


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
