"""The Markdown report: readable on its own when pasted into a review.

Header, verdict counts, the summary table, each theorem's proof lines (the first refuted line
marked), then one section per claim with its statement (LaTeX as printed), constants, evidence,
counterexample and reproduce command. Text from the report is escaped so that a ``|`` or a
``<script>`` in a title cannot break a table or inject HTML into a Markdown viewer.
"""
from __future__ import annotations

import re
from typing import Any

from proofcheck.report import graph
from proofcheck.report.sides import sides_text
from proofcheck.report.values import VERDICT_MEANING, VERDICT_SYMBOL, citation_of, decided_by_text, examples_text, fmt_seconds, found_by_text, frontier_summary, margin_text, paper_heading, paper_of, shorten, shown_margin, verdict_word
from proofcheck.store.readable import array_rows, is_array, is_object, number_of, number_text, object_text



def esc(text: Any) -> str:
    """Inline Markdown text: specials backslash-escaped, ``<``/``>``/``&`` as entities, one line."""
    s = str(text if text is not None else "")
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = re.sub(r"([\\`*\[\]#|])", r"\\\1", s)
    # An underscore inside a word never starts emphasis (CommonMark), so "m_min" stays readable.
    s = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", s)
    return " ".join(s.split())


def code(text: Any) -> str:
    """An inline code span that survives backticks and pipes in ``text`` (inside a table too)."""
    s = " ".join(str(text).split())
    runs = [len(m) for m in re.findall(r"`+", s)]
    fence = "`" * (max(runs, default=0) + 1)
    s = s.replace("|", "\\|")
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def block(text: Any, lang: str = "") -> str:
    s = str(text if text is not None else "")
    runs = [len(m) for m in re.findall(r"`{3,}", s)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}{lang}\n{s}\n{fence}"


def verdict(v: Any) -> str:
    w = verdict_word(v)
    return f"{VERDICT_SYMBOL[w]} **{w}**"


def status_text(cid: str, proofs: dict[str, dict[str, Any]], claims: dict[str, Any]) -> str:
    """The statement's verdict and its proof's status: ``statement survived; proof: one line refuted
    only outside the values the proof uses (`x.s1`)``."""
    return esc(graph.statement_and_proof(cid, claims, proofs))


def for_constants(c: dict[str, Any]) -> str:
    """`` for these constants`` after a refutation of constants the encoder chose (an ``@explicit`` reading)."""
    return " for these constants" if c.get("explicit_constants") and verdict_word(c.get("verdict")) == "refuted" else ""


def why_text(cid: str, proofs: dict[str, dict[str, Any]], claims: dict[str, Any]) -> str:
    """The encoder's reason for a refuted or vacuous statement (with its sides), else for the
    proof's worst line."""
    c = claims.get(cid, {})
    p = proofs.get(cid)
    who = ""
    if verdict_word(c.get("verdict")) not in graph.NEEDS_REASON:
        if not p or p["status"] not in (graph.PROOF_REFUTED, graph.PROOF_REFUTED_OUTSIDE):
            return "\u2014"
        worst = next(e for e in p["lines"] if e["status"] == p["status"])
        who, c = code(worst["id"]) + ": ", claims.get(worst["id"], {})
    reason = esc(c.get("reason") or "(no reason written)")
    sides = sides_text(c)
    where = f"; {esc(frontier_summary(c['frontier']))}" if isinstance(c.get("frontier"), dict) else ""
    return who + reason + (f" ({esc(sides)})" if sides else "") + where


def value(data: Any, depth: int = 0) -> str:
    """An encoded value on one line: the float, with the exact rational when it is short."""
    if depth > 5:
        return "\u2026"
    num = number_of(data)
    if num is not None:
        return esc(number_text(num))
    if data is None:
        return "\u2014"
    if isinstance(data, bool):
        return str(data).lower()
    if isinstance(data, str):
        return esc(data)
    if is_array(data):
        rows, caption = array_rows(data, max_rows=6, max_cols=6)
        shown = []
        for row in rows:
            if row is None:
                shown.append("\u22ee")
                continue
            shown.append("[" + ", ".join("\u2026" if v is None else value(v, depth + 1) for v in row) + "]")
        inner = shown[0] if len(shown) == 1 else "[" + ", ".join(shown) + "]"
        return f"{inner} ({caption})"
    if is_object(data):
        return esc(object_text(data))
    if isinstance(data, dict):
        return "{" + ", ".join(f"{esc(k)}: {value(v, depth + 1)}" for k, v in data.items()) + "}"
    if isinstance(data, (list, tuple)):
        more = f", \u2026 {len(data) - 16} more" if len(data) > 16 else ""
        return "[" + ", ".join(value(v, depth + 1) for v in data[:16]) + more + "]"
    return esc(data)


def _table(header: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def render_markdown(report: dict[str, Any]) -> str:
    claims = graph.claims_by_id(report)
    status = graph.effective_status(report)
    proofs = graph.proof_status(report)
    L = _header(report) + _summary(report, claims, status, proofs) + _theorems(report, claims, proofs)
    L.append("## Claims")
    L.append("")
    for c in report["claims"]:
        L += _claim_facts(c, proofs) + _claim_details(c)
    L += _legend()
    return "\n".join(L)


def _header(report: dict[str, Any]) -> list[str]:
    """The title, the run's facts and the command that reproduces the report."""
    machine = report.get("machine") or {}
    L: list[str] = []
    L.append(f"# {esc(report.get('tool', 'proofcheck'))} lemma audit report")
    L.append("")
    if report.get("partial"):
        L.append(f"**{esc(report['partial'])}**: the audit was interrupted; the claims below are the ones it finished.")
        L.append("")
    L.append(f"- **Version:** {esc(report.get('tool', 'proofcheck'))} {esc(report.get('version', ''))}")
    L.append(f"- **Seed:** {esc(report.get('seed', ''))} \u00b7 **Budget:** {esc(report.get('budget', ''))}")
    L.append(f"- **Date:** {esc(report.get('date', ''))}")
    L.append(f"- **Machine:** {esc(machine.get('platform', ''))}, Python {esc(machine.get('python', ''))}, "
             f"{esc(machine.get('cpus', ''))} CPUs")
    L.append("")
    L.append("Reproduce the whole report:")
    L.append("")
    L.append(block(report.get("command", ""), "sh"))
    L.append("")
    return L


def _summary(report: dict[str, Any], claims: dict[str, dict], status, proofs) -> list[str]:
    """The verdict and proof counts, the theorems at a glance and the table of all claims."""
    L: list[str] = []
    L.append("## Summary")
    L.append("")
    counts = graph.verdict_counts(report)
    L.append("**Verdicts:** " + " \u00b7 ".join(f"{n} {verdict(v)}" for v, n in counts))
    st_counts: dict[str, int] = {}
    for p in proofs.values():
        st_counts[p["status"]] = st_counts.get(p["status"], 0) + 1
    L.append("")
    L.append("**Proofs:** " + " \u00b7 ".join(f"{st_counts.get(s, 0)} {s}" for s in graph.PROOF_ORDER))
    missing = [c["id"] for c in report["claims"] if c.get("reason_missing") or (
        verdict_word(c.get("verdict")) in graph.NEEDS_REASON and not (c.get("reason") or "").strip())]
    if missing:
        L.append("")
        L.append("**Lint:** refuted or vacuous without the encoder's reason: " + ", ".join(code(m) for m in missing))
    L.append("")
    glance = graph.theorems_at_a_glance(report, status)
    if glance:
        L.append("### Theorems at a glance")
        L.append("")
        grows = []
        for g in glance:
            variants = ", ".join(f"{code(v[len(g['base']):])} {verdict(vv)}" for v, vv, _ in g["variants"]) or "\u2014"
            grows.append((paper_of(g["id"]), [code(g["id"]) + (f" {esc(shorten(g['title'], 90))}" if g["title"] else ""),
                          status_text(g["id"], proofs, claims), why_text(g["id"], proofs, claims), variants]))
        for paper in dict.fromkeys(p for p, _ in grows):  # one table per paper, in the report's order
            L.append(f"#### {esc(paper_heading(paper, claims))}")
            L.append("")
            L += _table(["Result as printed", "Statement / proof", "Why", "Readings and repairs"],
                        [row for p, row in grows if p == paper])
            L.append("")
        L.append("### All claims")
        L.append("")
    rows = []
    for c in report["claims"]:
        v = verdict_word(c.get("verdict"))
        rows.append([
            code(c["id"]) + (f" {esc(shorten(c.get('title'), 90))}" if c.get("title") else ""),
            verdict(c.get("verdict")) + for_constants(c) + (f" ({esc(c['decided_by'])})" if c.get("decided_by") else ""),
            esc((proofs.get(c["id"]) or {}).get("label", "\u2014")),
            esc(shorten(c.get("evidence", ""), 120)),
            examples_text(c),
            esc(margin_text(shown_margin(c)[0], None, v)),
        ])
    L += _table(["Claim", "Verdict (decided by)", "Proof", "Evidence", "Tried / met", "Margin"],
                rows, right={4, 5})
    L.append("")

    return L


def _theorems(report: dict[str, Any], claims: dict[str, dict], proofs) -> list[str]:
    """Each theorem with its proof lines, the first refuted one marked."""
    L: list[str] = []
    theorems = list(graph.iter_theorems(report))
    if theorems:
        L.append("## Theorems and their proof lines")
        L.append("")
        for cid, lines, uses in theorems:
            title = claims.get(cid, {}).get("title")
            L.append(f"### {code(cid)}" + (f" \u2014 {esc(title)}" if title else ""))
            L.append("")
            if cid in claims:
                L.append(f"**{status_text(cid, proofs, claims)}**.")
            else:
                L.append("_The theorem itself is not in this report._")
            L.append("")
            first_bad = graph.first_broken_line(lines, claims)
            if lines:
                rows = []
                for label, lid in lines:
                    c = claims.get(lid, {})
                    mark = " \u25c0 **first refuted line**" if lid == first_bad else ""
                    rows.append([f"{esc(label)}{mark}",
                                 code(lid) + (f" {esc(shorten(c.get('title'), 90))}" if c.get("title") else ""),
                                 verdict(c.get("verdict")),
                                 esc(margin_text(shown_margin(c)[0], None, verdict_word(c.get("verdict")))),
                                 esc(shorten(c.get("evidence", ""), 120))])
                L += _table(["Line", "Claim", "Verdict", "Margin", "Evidence"], rows, right={3})
                L.append("")
                L.append("_First refuted line: the first step refuted, ill-formed or failed under every reading._")
                L.append("")
            if uses:
                L.append("Uses: " + ", ".join(
                    f"{code(u)} ({verdict(claims[u].get('verdict'))})" if u in claims else f"{code(u)} (not in this report)"
                    for u in uses))
                L.append("")

    return L


def _claim_facts(c: dict[str, Any], proofs) -> list[str]:
    """A claim's heading and its facts: verdict, reason, sides, proof, source, kind, examples..."""
    cid = c["id"]
    L: list[str] = []
    L.append(f"### {code(cid)}" + (f" \u2014 {esc(c.get('title'))}" if c.get("title") else ""))
    L.append("")
    where = esc(citation_of(c))
    decided = f" (decided by {esc(decided_by_text(c.get('decided_by')))})" if c.get("decided_by") else ""
    L.append(f"- **Verdict:** {verdict(c.get('verdict'))}{decided} \u2014 {esc(c.get('evidence', ''))}")
    if c.get("reason"):
        L.append(f"- **Reason:** {esc(c['reason'])}")
    if sides_text(c):
        L.append(f"- **Sides:** {esc(sides_text(c))}")
    if proofs.get(cid):
        L.append(f"- **Proof:** {esc(proofs[cid]['label'])}")
    if isinstance(c.get("coverage"), dict) and c["coverage"].get("summary"):
        L.append(f"- **Coverage:** {esc(c['coverage']['summary'])}")
    if where:
        L.append(f"- **Source:** {where}")
    if c.get("kind"):
        delta = f" (fails with probability at most {code(c['delta'])})" if c.get("delta") is not None else ""
        L.append(f"- **Kind:** {esc(c['kind'])}{delta}")
    if isinstance(c.get("variables"), dict) and c["variables"]:
        L.append("- **Variables:** " + "; ".join(
            code(k) + (f" \u2208 {esc(dom)}" if dom else "") for k, dom in c["variables"].items()))
    if c.get("uses"):
        L.append("- **Uses:** " + ", ".join(code(u) for u in c["uses"]))
    m, rel, label = shown_margin(c)
    L.append(f"- **Examples:** {c.get('examples', 0)} tried, {c.get('satisfied', 0)} met the hypotheses; "
             f"{label} {esc(margin_text(m, rel, verdict_word(c.get('verdict'))))}; {fmt_seconds(c.get('seconds'))}")
    if c.get("constants"):
        L.append("- **Constants:** " + ", ".join(f"{code(k)} = {value(v)}" for k, v in c["constants"].items()))
    L.append("")
    return L


def _claim_details(c: dict[str, Any]) -> list[str]:
    """A claim's statement, symbols, notes, counterexample, frontier, reproduce command and plots."""
    L: list[str] = []
    if c.get("statement"):
        L.append("Statement as printed:")
        L.append("")
        L.append(block(c["statement"], "latex"))
        L.append("")
    symbols = [x for x in c.get("symbols") or [] if isinstance(x, dict) and x.get("name")]
    if symbols:
        L.append("As encoded, the symbols mean: " + "; ".join(
            code(x["name"]) + f" ({esc(x.get('role', ''))}"
            + (f" \u2208 {esc(x['domain'])}" if x.get("domain") else "")
            + (f" = {(esc(x['value']) if isinstance(x['value'], str) else value(x['value']))}" if x.get("value") is not None and x.get("role") == "constant" else "")
            + ")" + (f": {esc(x['meaning'])}" if x.get("meaning") else "") for x in symbols))
        L.append("")
    if c.get("note"):
        L.append(f"> **Note.** {esc(c['note'])}")
        L.append("")
    for n in c.get("notes") or []:
        L.append(f"- {esc(n)}")
    if c.get("notes"):
        L.append("")
    cex = c.get("counterexample")
    if isinstance(cex, dict):
        how = f", verified by {esc(cex['verified_by'])}" if cex.get("verified_by") else ""
        found = f", {esc(found_by_text(cex['found_by']))}" if cex.get("found_by") else ""
        m, rel, _ = shown_margin(c)
        L.append(f"**Counterexample** (fails by margin {esc(margin_text(m, rel, 'refuted'))}{found}{how}):")
        L.append("")
        L += _table(["Name", "Value"], [[code(k), value(v)] for k, v in (cex.get("values") or {}).items()])
        L.append("")
        if cex.get("constants"):
            L.append("With constants: " + ", ".join(f"{code(k)} = {value(v)}" for k, v in cex["constants"].items()))
            L.append("")
    if isinstance(c.get("frontier"), dict) and c["frontier"]:
        L.append(f"**Frontier:** {esc(frontier_summary(c['frontier']))}")
        L.append("")
    if c.get("reproduce"):
        L.append("Reproduce:")
        L.append("")
        L.append(block(c["reproduce"], "sh"))
        L.append("")
    plots = (c.get("details") or {}).get("plots") or []
    if plots:
        titles = ", ".join(esc(p.get("title", "")) if isinstance(p, dict) else "?" for p in plots)
        L.append(f"_Plots in the HTML report: {titles}._")
        L.append("")
    return L


def _legend() -> list[str]:
    """What the verdicts, the two statuses, *Tried / met* and *Margin* mean."""
    L: list[str] = []
    L.append("## Verdicts")
    L.append("")
    L += _table(["Verdict", "Meaning"], [[verdict(v), esc(m)] for v, m in VERDICT_MEANING.items()])
    L.append("")
    L.append("Each theorem and lemma has two statuses: its **statement**'s own verdict, and its **proof**'s: "
             "*holds* (every line it uses proved or certified), *refuted* (a line refuted at the values the proof "
             "uses: declared on its `uses` edge and decided there by the engine, or the line as stated where none is "
             "declared), *refuted-outside* (a line refuted only outside those values) or *unchecked*.")
    L.append("")
    L.append("*Tried / met*: instances tried, and those that met every hypothesis (never more than tried; a dash "
             "when an exact procedure decided without examples). *Margin*: the difference of the two sides of the "
             "conclusion in the statement's own units (>= 0 holds): a refuted claim's at its counterexample, "
             "otherwise the least over the examples.")
    L.append("")
    return L
