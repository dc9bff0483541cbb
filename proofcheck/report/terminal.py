"""What ``proofcheck audit`` prints on a terminal: a summary a person reads in one screen.

The verdict counts and the headline statuses of the results as printed, then, paper by paper,
every refuted, vacuous, ill-formed or failed claim with its reason (the encoder's one-sentence
``reason`` when the claim has one, else the evidence) and its counterexample in people's numbers.
The full reports (Markdown, HTML, JSON) are written only when asked for (``-o``/``--format``).
"""
from __future__ import annotations

from typing import Any

from proofcheck.report import graph
from proofcheck.report.sides import sides_text
from proofcheck.report.values import VERDICT_SYMBOL, margin_text, shorten, shown_margin, verdict_word
from proofcheck.store.readable import values_text

#: Verdicts the summary lists claim by claim (in this order within a paper).
LISTED = ("refuted", "vacuous", "ill-formed", "error")



def reason_of(claim: dict[str, Any]) -> str:
    """Why a claim came out as it did, in one sentence: the encoder's ``reason``, else the evidence."""
    reason = claim.get("reason")
    if isinstance(reason, str) and reason.strip():
        return " ".join(reason.split())
    return shorten(claim.get("evidence") or "", 220)


def render_summary(report: dict[str, Any], width: int = 100) -> str:
    claims = report.get("claims") or []
    counts = graph.verdict_counts(report)
    glance = graph.theorems_at_a_glance(report, graph.effective_status(report))
    proofs = graph.proof_status(report)
    out = [f"{len(claims)} claim(s): " + ", ".join(f"{n} {v}" for v, n in counts)]
    if glance:  # each result as printed: its statement's verdict, and its proof's status
        tally: dict[str, int] = {}
        for g in glance:
            p = proofs.get(g["id"])
            key = graph.PROOF_PHRASE[p["status"]][2] if p else "no proof lines"
            tally[key] = tally.get(key, 0) + 1
        out.append(f"{len(glance)} result(s) as printed; their proofs: "
                   + ", ".join(f"{n} {s}" for s, n in sorted(tally.items())))
    by_paper: dict[str, list[dict[str, Any]]] = {}
    for c in claims:
        if verdict_word(c.get("verdict")) in LISTED:
            by_paper.setdefault(str(c.get("id", "")).split(".", 1)[0], []).append(c)
    if not by_paper:
        out.append("")
        out.append("No claim refuted, vacuous, ill-formed or failed.")
    for paper in sorted(by_paper):
        rows = sorted(by_paper[paper], key=lambda c: (LISTED.index(verdict_word(c.get("verdict"))),
                                                      str(c.get("id"))))
        out.append("")
        out.append(f"{paper}:")
        for c in rows:
            v = verdict_word(c.get("verdict"))
            shown = v + (" for these constants" if v == "refuted" and c.get("explicit_constants") else "")
            out.append(f"  {VERDICT_SYMBOL[v]} {shown:10s} {c.get('id')}  {shorten(c.get('title') or '', width - 30)}")
            out.append(f"      why: {reason_of(c)}")
            cex = c.get("counterexample") if isinstance(c.get("counterexample"), dict) else None
            if v == "refuted" and cex:
                values = cex.get("values") or {}
                if values:
                    out.append(f"      at:  {values_text(values, limit=width * 2)}")
                margin, rel, label = shown_margin(c)
                if sides_text(c):  # the statement's own sides (and "fails by equality" where strict)
                    out.append(f"      {sides_text(c)}")
                elif margin is not None:
                    out.append(f"      {label} {margin_text(margin, rel, v)}")
    return "\n".join(out) + "\n"
