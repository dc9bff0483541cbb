"""The HTML report: one self-contained file (inline CSS and SVG, no script, no external URL).

Layout (checked in headless Chromium at a 1000 px window by ``tests/report/test_browser.py``):
summary and theorems first, every claim's details in a closed ``<details>``, each theorem's
dependency graph drawn top-down within the content width, and a verdict filter (radio buttons and
CSS ``:has()``, no script) that applies to every table row and section that has a verdict.

All text from the report goes through jinja2's autoescaping. Three kinds of markup are inserted
as-is, and each is made here, not taken on trust:

* MathML: the statement *as printed*, converted from the claim's LaTeX by ``latex2mathml``, and
  the statement *as encoded*, printed by sympy from the claim's formulas; both pass through
  :func:`sanitize_mathml`, which re-serialises them through an allow-list of MathML elements and
  attributes (anything else rejects the formula; the LaTeX is still shown);
* the dependency graph SVG (:mod:`.graph`), which escapes every text it writes;
* matplotlib's SVG of the plots (:mod:`.plots`), whose text matplotlib escapes.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import jinja2
from latex2mathml.converter import convert
from markupsafe import Markup, escape

from proofcheck.report import graph
from proofcheck.report.sides import sides_text
from proofcheck.report.values import (VERDICT_GROUP, VERDICT_MEANING, VERDICT_SYMBOL, VERDICTS, citation_of,
                                      decided_by_text, examples_text, fmt_seconds, found_by_text, frontier_class,
                                      frontier_summary, frontiers_of, margin_text, paper_heading, paper_of, shorten,
                                      shown_margin, verdict_word)
from proofcheck.store.codec import array_record
from proofcheck.store.readable import array_rows, fmt_float, humanise, is_array, is_object, number_of, number_text, object_name, object_text
from proofcheck.report.plots import PlotSpecError, plot_svg

# ------------------------------------------------------------------------------------ MathML
MATHML_ELEMENTS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "mfrac", "msqrt", "mroot", "msub",
    "msup", "msubsup", "munder", "mover", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded",
    "mphantom", "menclose", "mfenced", "merror", "mmultiscripts", "mprescripts", "none", "semantics",
    "annotation",
})
MATHML_ATTRIBUTES = frozenset({
    "mathvariant", "stretchy", "fence", "separator", "separators", "lspace", "rspace", "linethickness",
    "displaystyle", "scriptlevel", "accent", "accentunder", "open", "close", "form", "largeop",
    "movablelimits", "symmetric", "minsize", "maxsize", "width", "height", "depth", "notation",
    "display", "columnalign", "rowalign", "columnspacing", "rowspacing", "encoding", "dir",
})


# Greek letter names sympy spells out in function names ("lambda_min"), as it does for symbols.
_GREEK = {name: chr(code) for name, code in (
    ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4), ("epsilon", 0x3B5),
    ("zeta", 0x3B6), ("eta", 0x3B7), ("theta", 0x3B8), ("iota", 0x3B9), ("kappa", 0x3BA),
    ("lambda", 0x3BB), ("mu", 0x3BC), ("nu", 0x3BD), ("xi", 0x3BE), ("pi", 0x3C0), ("rho", 0x3C1),
    ("sigma", 0x3C3), ("tau", 0x3C4), ("phi", 0x3C6), ("chi", 0x3C7), ("psi", 0x3C8), ("omega", 0x3C9),
    ("Gamma", 0x393), ("Delta", 0x394), ("Theta", 0x398), ("Lambda", 0x39B), ("Sigma", 0x3A3),
    ("Phi", 0x3A6), ("Psi", 0x3A8), ("Omega", 0x3A9))}


class UnsafeMathML(ValueError):
    """A MathML string holds an element or attribute outside the allow-list."""


class _MathMLSanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs, selfclosing=False):
        if tag not in MATHML_ELEMENTS:
            raise UnsafeMathML(f"element <{tag}> is not MathML")
        parts = [tag]
        for name, value in attrs:
            if name == "xmlns" and tag == "math" and value == "http://www.w3.org/1998/Math/MathML":
                continue  # the HTML parser puts <math> in the MathML namespace by itself
            if name not in MATHML_ATTRIBUTES:
                raise UnsafeMathML(f"attribute {name!r} is not allowed in MathML")
            parts.append(f'{name}="{escape(value or "")}"')
        self.out.append("<" + " ".join(parts) + ">")
        if selfclosing:
            self.out.append(f"</{tag}>")
        else:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs, selfclosing=True)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            raise UnsafeMathML(f"unbalanced </{tag}>")
        self.stack.pop()
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(str(escape(data)))

    def handle_comment(self, data):
        pass  # dropped

    def handle_decl(self, decl):
        raise UnsafeMathML("declarations are not allowed in MathML")

    def handle_pi(self, data):
        raise UnsafeMathML("processing instructions are not allowed in MathML")

    def unknown_decl(self, data):
        raise UnsafeMathML("CDATA/declarations are not allowed in MathML")


def sanitize_mathml(source: str) -> Markup:
    """Re-serialise a MathML fragment through the allow-list, wrapped in ``<math display=block>``.

    sympy's presentation printer emits a bare ``<mrow>``; entities (``&InvisibleTimes;``) become
    characters. Raises :class:`UnsafeMathML` for any non-MathML element or attribute (so a
    ``<script>`` or an ``onload=`` never reaches the page) or for unbalanced tags.
    """
    if not isinstance(source, str):
        raise UnsafeMathML("MathML must be a string")
    p = _MathMLSanitizer()
    p.feed(source)
    p.close()
    if p.stack:
        raise UnsafeMathML(f"unclosed <{p.stack[-1]}>")
    body = "".join(p.out)
    # sympy prints a function named ``m_min`` as one identifier; show it subscripted like its
    # symbols (``m_ex``). Only plain word characters are rewritten, after sanitising.
    body = re.sub(r"<mi>([A-Za-z]+)_([A-Za-z0-9]+)</mi>",
                  lambda m: f"<msub><mi>{_GREEK.get(m.group(1), m.group(1))}</mi><mi>{m.group(2)}</mi></msub>", body)
    if not body.startswith("<math"):
        body = f'<math display="block">{body}</math>'
    return Markup(body)


# ------------------------------------------------------------------------------------ values
def render_value(data: Any, depth: int = 0) -> Markup:
    """An encoded value as HTML: numbers with their exact rational on hover, arrays as tables."""
    if depth > 6:
        return Markup('<span class="muted">\u2026</span>')
    num = number_of(data)
    if num is not None:
        tip = []
        if num.exact is not None:
            tip.append(f"exact: {num.exact}")
        if num.full not in (num.text, num.exact):
            tip.append(f"float: {num.full}")
        inner = escape(number_text(num, hover=True))
        if tip:
            return Markup('<span class="num" title="{}">{}</span>').format("; ".join(tip), inner)
        return Markup('<span class="num">{}</span>').format(inner)
    if data is None:
        return Markup('<span class="muted">\u2014</span>')
    if isinstance(data, bool):
        return Markup("<code>{}</code>").format(str(data).lower())
    if isinstance(data, str):
        return Markup("<code>{}</code>").format(data)
    if is_array(data):
        rows, caption = array_rows(data, max_rows=4, max_cols=4)
        body = []
        for row in rows:
            if row is None:
                body.append(Markup('<tr><td class="ellipsis" colspan="99">\u22ee</td></tr>'))
                continue
            cells = [Markup('<td class="ellipsis">\u2026</td>') if v is None
                     else Markup("<td>{}</td>").format(render_value(v, depth + 1)) for v in row]
            body.append(Markup("<tr>{}</tr>").format(Markup("").join(cells)))
        return Markup('<table class="array" title="{}">{}</table>').format(caption, Markup("").join(body))
    if is_object(data):
        return Markup('<span class="obj" title="{}">{}</span>').format(humanise(object_name(data)), object_text(data))
    if isinstance(data, dict):
        items = [Markup("<tr><th>{}</th><td>{}</td></tr>").format(k, render_value(v, depth + 1))
                 for k, v in data.items()]
        return Markup('<table class="kv">{}</table>').format(Markup("").join(items))
    if isinstance(data, (list, tuple)) and _is_matrix(data):
        shape = [len(data), len(data[0])]
        return render_value(array_record([v for row in data for v in row], shape), depth)
    if isinstance(data, (list, tuple)):
        shown = list(data[:16])
        parts = [render_value(v, depth + 1) for v in shown]
        more = Markup(', <span class="muted">\u2026 {} more</span>').format(len(data) - 16) if len(data) > 16 else ""
        return Markup("[{}{}]").format(Markup(", ").join(parts), more)
    return Markup("<code>{}</code>").format(str(data))


def _is_matrix(data: Any) -> bool:
    """A list of at least two equally long lists of numbers (an object's matrix in its JSON)."""
    if len(data) < 2 or not all(isinstance(r, (list, tuple)) for r in data):
        return False
    n = len(data[0])
    return n > 0 and all(len(r) == n and all(number_of(v) is not None for v in r) for r in data)


# ------------------------------------------------------------------------------------ view model
def _badge(verdict: Any) -> Markup:
    v = verdict_word(verdict)
    return Markup('<span class="badge v-{}" title="{}">{} {}</span>').format(
        v, VERDICT_MEANING[v], VERDICT_SYMBOL[v], v)


#: the proof status's badge: css class, glyph, short words (the full sentence is its title)
PROOF_BADGE = {
    graph.PROOF_HOLDS: ("ok", "\u2714", "proof holds"),
    graph.PROOF_REFUTED: ("bad", "\u2718", "proof: a line refuted"),
    graph.PROOF_REFUTED_OUTSIDE: ("outside", "\u25d0", "proof: refuted only outside its values"),
    graph.PROOF_UNCHECKED: ("open", "\u25cb", "proof unchecked"),
}


def _status_badge(st: dict[str, Any]) -> Markup:
    """The proof's status (``st["proof"]``, see :func:`graph.proof_status`), apart from the verdict of
    the statement; nothing for a claim with no proof lines or uses."""
    p = st.get("proof")
    if not p:
        return Markup("")
    cls, sym, words = PROOF_BADGE[p["status"]]
    return Markup('<span class="status s-{}" title="{}">{} {}</span>').format(cls, p.get("label", ""), sym, words)


def _id_link(cid: str, claims: dict[str, Any]) -> Markup:
    if cid in claims:
        return Markup('<a href="#{}"><code>{}</code></a>').format(graph.anchor(cid), cid)
    return Markup('<code class="missing" title="not in this report">{}</code>').format(cid)


def _plots(claim: dict[str, Any]) -> list[dict[str, Any]]:
    """The claim's plots as inline SVG; the title goes in the figure's caption (HTML wraps it)."""
    specs = (claim.get("details") or {}).get("plots") or []
    if not isinstance(specs, list):
        specs = [specs]
    out = []
    for k, spec in enumerate(specs):
        title = spec.get("title", "") if isinstance(spec, dict) else ""
        try:
            out.append({"title": title, "svg": Markup(plot_svg(spec, salt=f"{claim['id']}#{k}", with_title=False)), "error": None})
        except PlotSpecError as e:
            out.append({"title": title, "svg": None, "error": str(e)})
    return out


def _mathml(claim: dict[str, Any]) -> tuple[list[Markup], list[str]]:
    """The statement as encoded: sympy's MathML of the claim's formulas, sanitised."""
    ok, rejected = [], []
    for m in claim.get("mathml") or []:
        try:
            ok.append(sanitize_mathml(m))
        except UnsafeMathML as e:
            rejected.append(str(e))
    return ok, rejected


# latex2mathml writes a delimiter after a size command (``\Big\|``, ``\bigl\{``, ``\Big\langle``)
# as the command's text; these are the characters the commands print.
_DELIMITERS = {"|": "\u2016", "Vert": "\u2016", "lVert": "\u2016", "rVert": "\u2016", "vert": "|", "lvert": "|",
               "rvert": "|", "{": "{", "}": "}", "lbrace": "{", "rbrace": "}", "langle": "\u27e8", "rangle": "\u27e9",
               "lfloor": "\u230a", "rfloor": "\u230b", "lceil": "\u2308", "rceil": "\u2309"}


def _sized_delimiters(mathml: str) -> str:
    return re.sub(r"(<mo\b[^>]*>)\\(\||\{|\}|[A-Za-z]+)(</mo>)",
                  lambda m: m.group(1) + _DELIMITERS[m.group(2)] + m.group(3) if m.group(2) in _DELIMITERS else m.group(0),
                  mathml)


def printed_mathml(latex: str) -> Markup | None:
    """The statement as printed: the claim's LaTeX converted to MathML by ``latex2mathml`` (no
    network, no code evaluated), sanitised. None when the LaTeX does not convert (the source is
    then shown as text)."""
    if not latex or not isinstance(latex, str):
        return None
    try:
        return sanitize_mathml(_sized_delimiters(convert(latex, display="inline")))
    except Exception:  # a LaTeX construct the converter does not know, or MathML outside the allow-list
        return None


def _other_details(claim: dict[str, Any]) -> Markup | None:
    """The check's other details as a table of people's values (never a JSON dump)."""
    details = {k.replace("_", " "): v for k, v in sorted((claim.get("details") or {}).items())
               if k != "plots" and v is not None}
    if not details:
        return None
    return render_value(details)


def _values_view(values: dict[str, Any], shown: int = 8) -> tuple[list, list]:
    items = [(k, render_value(v)) for k, v in (values or {}).items()]
    return items[:shown], items[shown:]


_FRONTIER_HIDDEN = ("summary", "text", "points", "assumption", "claim")


def _frontier_view(fr: Any) -> dict[str, Any] | None:
    """A claim's frontier(s) found by ``proofcheck frontier``: per bisected name its class (what
    it says of the printed value), its summary line, its fields and its probed points."""
    items = frontiers_of(fr)
    if not items:
        return None
    out = []
    for f in items:
        points = [p for p in f.get("points") or [] if isinstance(p, dict)]
        out.append({
            "name": str(f.get("name") or ""),
            "cls": frontier_class(f),
            "side": str(f.get("printed_side") or ""),
            "summary": frontier_summary(f, with_class=False),
            "assumption": str(f.get("assumption") or ""),
            "fields": [(k, render_value(v)) for k, v in f.items() if k not in _FRONTIER_HIDDEN],
            "points": [(render_value(p.get("value")), _small_badge(p.get("verdict")), str(p.get("evidence") or ""))
                       for p in points],
        })
    return {"summary": frontier_summary(fr), "items": out}


def _claim_view(c: dict[str, Any], status: dict[str, dict[str, Any]], claims: dict[str, Any]) -> dict[str, Any]:
    st = status[c["id"]]
    encoded, rejected = _mathml(c)
    cex = c.get("counterexample")
    cex_view = None
    verdict = verdict_word(c.get("verdict"))
    if isinstance(cex, dict):
        values, more = _values_view(cex.get("values") or {})
        cex_view = {
            "values": values, "more_values": more,
            "constants": [(k, render_value(v)) for k, v in (cex.get("constants") or {}).items()],
            "margin": margin_text(cex.get("margin"), cex.get("relative_margin", c.get("relative_margin")
                                                               if verdict == "refuted" else None)),
            "margin_full": repr(cex.get("margin")),
            "verified_by": cex.get("verified_by") or "",
            "found_by": cex.get("found_by") or "",
            "found_by_text": found_by_text(cex.get("found_by")),
            "witness": cex.get("found_by") == "witness",
            "why": cex.get("why") or "",
            "seed": cex.get("seed"),
            "extra": [(k, render_value(v)) for k, v in (cex.get("extra") or {}).items()],
        }
    shown = shown_margin(c)
    symbols = [{**sym, "value": sym.get("value") if isinstance(sym.get("value"), (str, type(None)))  # as printed
                else render_value(sym["value"])}
               for sym in c.get("symbols") or [] if isinstance(sym, dict) and sym.get("name")]
    return {
        "id": c["id"],
        "anchor": graph.anchor(c["id"]),
        "title": c.get("title") or "",
        "verdict": verdict,
        "group": VERDICT_GROUP[verdict],
        "badge": _badge(c.get("verdict")) + _for_constants(c),
        "decided_by": c.get("decided_by") or "",
        "decided_by_text": decided_by_text(c.get("decided_by")),
        "status": st,
        "status_badge": _status_badge(st),
        "status_by": (st.get("proof") or {}).get("label", ""),
        "reason": c.get("reason") or "",
        "sides": sides_text(c),
        "evidence": c.get("evidence") or "",
        "evidence_short": shorten(c.get("evidence") or "", 120),
        "evidence_card": shorten(c.get("evidence") or "", 125),
        "coverage": str((c.get("coverage") or {}).get("summary") or ""),
        "title_short": shorten(c.get("title") or "", 90),
        "title_glance": shorten(c.get("title") or "", 70),
        "status_by_short": "",
        "examples": examples_text(c),
        "examples_n": c.get("examples", 0),
        "satisfied": c.get("satisfied", 0),
        "margin": margin_text(shown[0], shown[1], verdict),
        "margin_label": shown[2],
        "margin_short": margin_text(shown[0], None, verdict),
        "margin_full": "" if shown[0] is None else repr(shown[0]),
        "search_margin": margin_text(c.get("margin"), None, verdict) if shown[2] == "fails by" else "",
        "location": str((c.get("source") or {}).get("location") or "") if isinstance(c.get("source"), dict) else "",
        "verified_short": shorten(str((cex or {}).get("verified_by") or ""), 60) if isinstance(cex, dict) else "",
        "seconds": fmt_seconds(c.get("seconds")),
        "reproduce": c.get("reproduce") or "",
        "notes": [str(n) for n in c.get("notes") or []],
        "note": c.get("note") or "",
        "statement": c.get("statement") or "",
        "printed": printed_mathml(c.get("statement") or ""),
        "mathml": encoded,
        "mathml_rejected": rejected,
        "symbols": symbols,
        "kind": c.get("kind") or "",
        "delta": c.get("delta"),
        "variables": [(k, v) for k, v in (c.get("variables") or {}).items()] if isinstance(c.get("variables"), dict) else [],
        "citation": citation_of(c),
        "constants": [(k, render_value(v)) for k, v in (c.get("constants") or {}).items()],
        "uses": [_id_link(u, claims) for u in c.get("uses") or []],
        "counterexample": cex_view,
        "frontier": _frontier_view(c.get("frontier")),
        "plots": _plots(c),
        "details_json": _other_details(c),
    }


def _theorem_view(cid, lines, uses, claims, status) -> dict[str, Any]:
    first_bad = graph.first_broken_line(lines, claims)
    rows = []
    for label, lid in lines:
        c = claims.get(lid, {})
        rows.append({"label": label, "link": _id_link(lid, claims), "title": c.get("title", ""),
                     "badge": _badge(c.get("verdict")) if c else Markup("<em>absent</em>"),
                     "margin": margin_text(shown_margin(c)[0], None, verdict_word(c.get("verdict"))) if c else "",
                     "evidence": c.get("evidence", ""),
                     "evidence_short": shorten(c.get("evidence", ""), 200),
                     "first_bad": lid == first_bad, "bad": verdict_word(c.get("verdict")) in graph.BROKEN if c else False})
    use_rows = []
    for u in uses:
        c = claims.get(u)
        use_rows.append({"link": _id_link(u, claims), "title": (c or {}).get("title", ""),
                         "badge": _badge(c.get("verdict")) if c else Markup('<span class="muted">not in this report</span>'),
                         "status_badge": _status_badge(status[u]) if c else Markup("")})
    st = status.get(cid)
    return {
        "id": cid, "link": _id_link(cid, claims), "present": cid in claims,
        "title": claims.get(cid, {}).get("title", ""),
        "badge": _badge(claims[cid].get("verdict")) if cid in claims else Markup(""),
        "status_badge": _status_badge(st) if st else Markup(""),
        "status_by": graph.statement_and_proof(cid, claims, {cid: st["proof"]}) if st and st.get("proof") else "",
        "lines": rows, "uses": use_rows, "first_bad": first_bad,
        "group": VERDICT_GROUP[verdict_word(claims[cid].get("verdict"))] if cid in claims else "open",
    }


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("proofcheck.report", "templates"),
        autoescape=True,  # every template, whatever its extension: .css/.html.j2 included
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _glance_view(r: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
    """One row of the glance table. *Why* is about one claim: the result itself when it is refuted or
    vacuous, else its proof's worst line; its reason, sides (or margin) and frontier are that claim's."""
    c = claims.get(r["id"], {})
    proof = (r["status"] or {}).get("proof")
    who = None
    if verdict_word(c.get("verdict")) in graph.NEEDS_REASON:
        who = r["id"]
    elif proof and proof["status"] in (graph.PROOF_REFUTED, graph.PROOF_REFUTED_OUTSIDE):
        who = next(e for e in proof["lines"] if e["status"] == proof["status"])["id"]
    first_view = None
    if who is not None:
        fc = claims.get(who, {})
        first_view = {
            "where": frontier_summary(fc.get("frontier"), with_class=False) if isinstance(fc.get("frontier"), dict) else "",
            "classes": sorted({(str(f.get("printed_side")), frontier_class(f))
                               for f in frontiers_of(fc.get("frontier")) if frontier_class(f)}),
            "margin": margin_text(*shown_margin(fc)[:2], "refuted")
            if verdict_word(fc.get("verdict")) == "refuted" and shown_margin(fc)[0] is not None else "",
            "why": {"link": Markup("") if who == r["id"] else _id_link(who, claims), "reason": fc.get("reason") or "",
                    "sides": sides_text(fc)},
        }
    return {"id": r["id"], "paper": paper_of(r["id"]), "link": _id_link(r["id"], claims), "title": r["title"],
            "statement_proof": graph.statement_and_proof(r["id"], claims,
                                                         {r["id"]: proof} if proof else {}),
            "badge": _badge(r["verdict"]) + _for_constants(c), "status_badge": _status_badge(r["status"]), "lines": r["lines"],
            "group": VERDICT_GROUP[r["verdict"]], "first": first_view,
            "variants": [{"anchor": graph.anchor(v), "label": v[len(r["base"]):], "badge": _small_badge(vv)}
                         for v, vv, _st in r["variants"]]}


def _for_constants(c: dict[str, Any]) -> Markup:
    """A refutation of constants the encoder chose (an ``@explicit`` reading) is of those constants only."""
    if c.get("explicit_constants") and verdict_word(c.get("verdict")) == "refuted":
        return Markup(' <span class="qual" title="the constants are this encoding\'s choices, not the source\'s">'
                      'for these constants</span>')
    return Markup("")


def _small_badge(verdict: Any) -> Markup:
    v = verdict_word(verdict)
    return Markup('<span class="badge small v-{}" title="{}">{} {}</span>').format(
        v, VERDICT_MEANING[v], VERDICT_SYMBOL[v], v)


def render_html(report: dict[str, Any]) -> str:
    claims = graph.claims_by_id(report)
    status = graph.effective_status(report)
    proofs = graph.proof_status(report)
    for cid, st in status.items():
        st["proof"] = proofs.get(cid)
    machine = report.get("machine") or {}
    counts = graph.verdict_counts(report)
    status_counts: dict[str, int] = {}
    for p in proofs.values():
        status_counts[p["status"]] = status_counts.get(p["status"], 0) + 1
    views = [_claim_view(c, status, claims) for c in report["claims"]]
    glance_rows = graph.theorems_at_a_glance(report, status)
    glance = [_glance_view(r, claims) for r in glance_rows]
    for k, g in enumerate(glance):  # a heading row where a paper's results begin
        g["paper_heading"] = paper_heading(g["paper"], claims) if k == 0 or glance[k - 1]["paper"] != g["paper"] else ""
    # One card per top-level result that has proof lines or uses: its graph and its proof lines.
    lines_of = graph.proof_lines(claims)
    theorems = []
    for base, ids in graph.top_level(report):
        svg = graph.topdown_svg(report, base, status)
        if not svg:
            continue
        cid = ids[0]
        in_lines = {lid for _, lid in lines_of.get(cid, [])}
        uses = [u for u in (claims[cid].get("uses") or []) if u not in in_lines]
        view = _theorem_view(cid, lines_of.get(cid, []), uses, claims, status)
        view["svg"] = Markup(svg)
        # what the closed card says of its graph: the boxes it draws, counted by own verdict
        view["boxes"] = [n for n in graph.theorem_nodes(report, base) if n in claims]
        tally = {}
        for n in view["boxes"]:
            v = verdict_word(claims[n].get("verdict"))
            tally[v] = tally.get(v, 0) + 1
        view["box_counts"] = [(v, tally[v], VERDICT_SYMBOL[v]) for v in VERDICTS if v in tally]
        view["variants"] = [{"link": _id_link(v, claims), "badge": _small_badge(claims[v].get("verdict"))}
                            for v in ids[1:]]
        theorems.append(view)
    # the first screen: every refuted or vacuous claim, paper by paper, with the encoder's reason
    decided_false: dict[str, list[dict[str, Any]]] = {}
    for c in report["claims"]:
        v = verdict_word(c.get("verdict"))
        if v in graph.NEEDS_REASON:
            decided_false.setdefault(paper_of(c["id"]), []).append(
                {"link": _id_link(c["id"], claims), "badge": _small_badge(c.get("verdict")) + _for_constants(c),
                 "reason": " ".join(str(c.get("reason") or "").split()) or "(no reason written)"})
    tmpl = _environment().get_template("report.html.j2")
    return tmpl.render(
        decided_false=[(paper_heading(p, claims), rows) for p, rows in decided_false.items()],
        report=report,
        tool=report.get("tool", "proofcheck"),
        version=report.get("version", ""),
        seed=report.get("seed", ""),
        budget=report.get("budget", ""),
        command=report.get("command", ""),
        date=report.get("date", ""),
        machine=machine,
        counts=[(v, n, _badge(v)) for v, n in counts],
        status_counts=[(s, status_counts.get(s, 0), _status_badge({"proof": {"status": s}}))
                       for s in graph.PROOF_ORDER],
        missing_reasons=[_id_link(c["id"], claims) for c in report["claims"]
                         if verdict_word(c.get("verdict")) in graph.NEEDS_REASON and not (c.get("reason") or "").strip()],
        claims=views,
        theorems=theorems,
        glance=glance,
        legend=[(v, _badge(v), VERDICT_MEANING[v]) for v in VERDICT_MEANING],
        groups=VERDICT_GROUP,
        palette=graph.PALETTE,
        fmt_float=fmt_float,
    )
