"""The claims' dependency graph: proof lines, combined status, and each theorem's layered SVG drawing.

Everything here is computed from the report dict (the verdicts the engine reached and the ``uses``
lists the lemma modules declare); nothing is typed in.

Proof lines
    A claim ``T`` (not a ``:repaired`` one) has as proof lines the claims of the report whose id is
    ``<base of T>.s<n>`` -- optionally with an ``@reading`` suffix -- ordered by ``n``, followed by
    its *named steps* ``<base of T>.<word>`` (letters only, e.g. ``.induct``, ``.same``). The base of
    ``park2019.thm3.4@a`` is ``park2019.thm3.4``: every reading of a theorem is argued by the same
    printed proof. A repaired claim names the lines it relies on in ``uses``.

Dependencies
    The direct dependencies of ``T`` are its ``uses`` followed by its proof lines; the dependencies
    of ``T`` are their transitive closure (``T`` itself excluded). A proof line and its readings
    (``s4``, ``s4@a``, ``s4@b``) form one *line*: alternative encodings of one printed step.

Combined status (:func:`effective_status`), defined recursively
    * a *line* is broken when every reading of it is broken, fully checked when every reading
      is, unchecked otherwise (an accusation must hold under every reading, a certificate too);
      a used claim is one reading; an id used but absent from the report is unchecked;
    * ``T`` is **broken** when its own verdict is ``refuted``, ``ill-formed`` or ``error``, when
      it depends on itself (circular), or when one of its lines or used claims is broken;
    * otherwise **fully checked** when its own verdict is ``proved`` or ``certified`` and all its
      lines and used claims are fully checked;
    * otherwise **unchecked**.

    ``by`` names the root causes, nearest first: the claims whose *own* verdict (or absence, or
    circularity) makes ``T`` broken / not fully checked -- ``T`` itself, a refuted proof line, or
    a refuted lemma several uses away -- not the intermediate claims that merely inherit it.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from html import escape
from typing import Any, Iterable

from proofcheck.report.values import VERDICT_SYMBOL, VERDICTS, natural_key, verdict_word

ESTABLISHED = frozenset({"proved", "certified"})
BROKEN = frozenset({"refuted", "ill-formed", "error"})

FULLY_CHECKED = "fully checked"
STATUS_BROKEN = "broken"
UNCHECKED = "unchecked"

_LINE = re.compile(r"^(?P<parent>[^@:]+)\.s(?P<n>\d+)(?P<reading>@[^:]*)?$")
_STEP = re.compile(r"^(?P<parent>[^@:]+)\.(?P<word>[A-Za-z_]+)(?P<reading>@[^:]*)?$")


def base_id(claim_id: str) -> str:
    """The id without ``@reading`` or ``:repaired``."""
    return re.split(r"[@:]", claim_id, maxsplit=1)[0]


def claims_by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    claims = report.get("claims")
    if not isinstance(claims, list):
        raise ValueError("the report has no 'claims' list")
    out: dict[str, dict[str, Any]] = {}
    for c in claims:
        if not isinstance(c, dict) or not isinstance(c.get("id"), str):
            raise ValueError("every claim of the report needs a string 'id'")
        out[c["id"]] = c
    return out


def proof_lines(report_or_claims: Any) -> dict[str, list[tuple[str, str]]]:
    """Proof lines per claim: ``{claim id: [(label, line id), ...]}`` in proof order.

    ``label`` is ``"s5"``, ``"s5@a"`` or ``"induct"``. A proof line whose parent claim is not in the
    report is grouped under the parent id all the same (so a partial report still shows it).
    """
    claims = report_or_claims if not isinstance(report_or_claims, dict) or "claims" not in report_or_claims \
        else claims_by_id(report_or_claims)
    ids = set(claims)
    bases: dict[str, list[str]] = {}
    for cid in ids:
        if ":" not in cid:
            bases.setdefault(base_id(cid), []).append(cid)
    lines_of_base: dict[str, list[tuple[tuple, str, str]]] = {}
    for cid in ids:
        if ":" in cid:
            continue  # a repaired line belongs to a repaired argument, listed in its ``uses``
        m = _LINE.match(cid)
        if m:
            key = (0, int(m.group("n")), m.group("reading") or "")
            label = f"s{m.group('n')}{m.group('reading') or ''}"
            lines_of_base.setdefault(m.group("parent"), []).append((key, label, cid))
            continue
        m = _STEP.match(cid)
        if m and m.group("parent") in bases:
            # Named steps (".induct", ".same") only under a claim present in the report, so that
            # "paper.footnote" does not make the paper a theorem.
            key = (1, 0, m.group("word") + (m.group("reading") or ""))
            label = m.group("word") + (m.group("reading") or "")
            lines_of_base.setdefault(m.group("parent"), []).append((key, label, cid))
    out: dict[str, list[tuple[str, str]]] = {}
    for base, rows in lines_of_base.items():
        rows.sort(key=lambda r: (r[0][0], r[0][1], natural_key(r[0][2])))
        owners = bases.get(base) or [base]
        for owner in owners:
            out[owner] = [(label, cid) for _, label, cid in rows if cid != owner]
    return out


def direct_dependencies(report: dict[str, Any]) -> dict[str, list[str]]:
    """``uses`` then proof lines, without repeats; ids absent from the report are kept."""
    claims = claims_by_id(report)
    lines = proof_lines(claims)
    out: dict[str, list[str]] = {}
    for cid, c in claims.items():
        deps: list[str] = []
        for d in list(c.get("uses") or []) + [lid for _, lid in lines.get(cid, [])]:
            if isinstance(d, str) and d not in deps:
                deps.append(d)
        out[cid] = deps
    return out


def _closure(start: str, deps: dict[str, list[str]]) -> list[str]:
    """Breadth-first transitive dependencies (nearest first); may contain ``start`` on a cycle."""
    seen: set[str] = set()
    order: list[str] = []
    queue = deque(deps.get(start, []))
    while queue:
        d = queue.popleft()
        if d in seen:
            continue
        seen.add(d)
        order.append(d)
        queue.extend(deps.get(d, []))
    return order


def line_groups(lines: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """Proof lines grouped by step, readings together: ``[("s4", ["x.s4", "x.s4@a"]), ...]``."""
    groups: dict[str, list[str]] = {}
    for label, lid in lines:
        groups.setdefault(label.split("@", 1)[0], []).append(lid)
    return list(groups.items())


def effective_status(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each claim's combined status from its own verdict and its dependencies (rules above).

    Returns ``{id: {"status": "fully checked"|"broken"|"unchecked", "by": [ids], "label": str,
    "depends_on": [ids], "missing": [ids], "circular": bool}}``. ``by`` may contain the claim's
    own id (its own verdict is the reason); ``label`` is the sentence the report prints.
    """
    claims = claims_by_id(report)
    deps = direct_dependencies(report)
    lines = proof_lines(claims)
    closures = {cid: _closure(cid, deps) for cid in claims}
    circular = {cid for cid in claims if cid in closures[cid]}
    memo: dict[str, tuple[str, list[str]]] = {}

    def units(cid: str) -> list[list[str]]:
        out = [[u] for u in claims[cid].get("uses") or [] if isinstance(u, str)]
        return out + [variants for _, variants in line_groups(lines.get(cid, []))]

    def combined(cid: str) -> tuple[str, list[str]]:
        if cid not in claims:
            return UNCHECKED, [cid]
        if cid in memo:
            return memo[cid]
        own = verdict_word(claims[cid].get("verdict"))
        if cid in circular:
            # Decided without recursing, which also keeps the recursion finite.
            memo[cid] = (STATUS_BROKEN, [cid])
            return memo[cid]
        broken_by: list[str] = [cid] if own in BROKEN else []
        open_by: list[str] = [cid] if own not in ESTABLISHED else []
        for variants in units(cid):
            results = [combined(v) for v in variants]
            if all(st == STATUS_BROKEN for st, _ in results):
                for _, by in results:
                    broken_by += by
            elif not all(st == FULLY_CHECKED for st, _ in results):
                for st, by in results:
                    if st != FULLY_CHECKED:
                        open_by += by
        if broken_by:
            result = (STATUS_BROKEN, _unique(broken_by))
        elif open_by:
            result = (UNCHECKED, _unique(open_by))
        else:
            result = (FULLY_CHECKED, [])
        memo[cid] = result
        return result

    out: dict[str, dict[str, Any]] = {}
    for cid in claims:
        status, by = combined(cid)
        closure = [d for d in closures[cid] if d != cid]
        out[cid] = {
            "status": status,
            "by": by,
            "label": _label(cid, status, by, claims, circular),
            "depends_on": closure,
            "missing": [d for d in closure if d not in claims],
            "circular": cid in circular,
        }
    return out


# ------------------------------------------------------------------------------- proof status
#: A proof's status, worst first: the keys the JSON and ``--fail-on proof-<key>`` use.
PROOF_REFUTED = "refuted"                  # a line refuted at the values the proof uses
PROOF_REFUTED_OUTSIDE = "refuted-outside"  # a line refuted only outside the values the proof uses
PROOF_UNCHECKED = "unchecked"              # a line survived, inconclusive, vacuous, ill-formed or absent
PROOF_HOLDS = "holds"                      # every line it uses decided and holding
PROOF_ORDER = (PROOF_HOLDS, PROOF_UNCHECKED, PROOF_REFUTED_OUTSIDE, PROOF_REFUTED)
#: The one table of a proof status in words: (one line, several lines, a proof as the terminal
#: summary counts it). The labels (``proof: one line unchecked``) use the first two.
PROOF_PHRASE = {
    PROOF_REFUTED: ("line refuted at the values the proof uses", "lines refuted at the values the proof uses",
                    "a line refuted at the values the proof uses"),
    PROOF_REFUTED_OUTSIDE: ("line refuted only outside the values the proof uses",
                            "lines refuted only outside the values the proof uses",
                            "a line refuted only outside the values the proof uses"),
    PROOF_UNCHECKED: ("line unchecked", "lines unchecked", "lines unchecked"),
    PROOF_HOLDS: ("line holds", "lines hold", "every line holds"),
}
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _line_status(user: str, cid: str, claims: dict[str, dict]) -> tuple[str, dict[str, Any]]:
    """The status of one used claim (one reading of a line) as ``user``'s proof uses it.

    Established (proved/certified): holds. Refuted: re-decided by the engine at the values ``user``
    declared on its edge (``details["instantiations"]``): refuted there, or only outside them (the
    restricted claim survived or was proved); without a declared instantiation the proof uses the
    line as stated, so its refutation counts at the proof's values. Otherwise unchecked."""
    c = claims.get(cid)
    if c is None:
        return PROOF_UNCHECKED, {"id": cid, "verdict": "absent"}
    own = verdict_word(c.get("verdict"))
    info: dict[str, Any] = {"id": cid, "verdict": own}
    if own in ESTABLISHED:
        return PROOF_HOLDS, info
    if own != "refuted":
        return PROOF_UNCHECKED, info
    for rec in (c.get("details") or {}).get("instantiations") or []:
        if isinstance(rec, dict) and rec.get("by") == user:
            info.update(at=rec.get("at"), at_verdict=rec.get("verdict"), at_evidence=rec.get("evidence", ""))
            if rec.get("verdict") in ("survived", "proved", "certified"):
                return PROOF_REFUTED_OUTSIDE, info
            return PROOF_REFUTED, info
    info["at"] = None
    return PROOF_REFUTED, info


def proof_status(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The status of each claim's proof, apart from its statement's verdict.

    A claim's proof is what it ``uses`` and its proof lines (readings of one line together: a line is
    as good as its best reading, since an accusation must hold under every reading). A line's status
    is :func:`_line_status`; where a line is not established, the proof also rests on the line's own
    proof, so the worse of the two counts (``via`` names the line it came through). A claim with no
    lines and no uses has no entry. Returns ``{id: {"status": key of PROOF_ORDER, "label": str,
    "lines": [{"id", "verdict", "status", "at", "via"...}]}}``."""
    claims = claims_by_id(report)
    lines = proof_lines(claims)
    deps = direct_dependencies(report)
    memo: dict[str, dict[str, Any] | None] = {}
    active: set[str] = set()

    def units(cid: str) -> list[list[str]]:
        out = [[u] for u in claims[cid].get("uses") or [] if isinstance(u, str)]
        used = {u for unit in out for u in unit}
        return out + [[v for v in variants if v not in used] for _, variants in line_groups(lines.get(cid, []))
                      if any(v not in used for v in variants)]

    def of(cid: str) -> dict[str, Any] | None:
        if cid in memo:
            return memo[cid]
        if cid not in claims or cid in active:
            return None
        active.add(cid)
        entries: list[dict[str, Any]] = []
        for variants in units(cid):
            best = None
            for v in variants:
                st, info = _line_status(cid, v, claims)
                info["status"] = st
                if v in active:  # the proof rests on itself through v
                    info["circular"] = True
                    if st == PROOF_HOLDS:
                        st = info["status"] = PROOF_UNCHECKED
                elif st != PROOF_HOLDS:
                    sub = of(v)
                    if sub is not None and PROOF_ORDER.index(sub["status"]) > PROOF_ORDER.index(st):
                        worst = max(sub["lines"], key=lambda e: PROOF_ORDER.index(e["status"]))
                        info = dict(worst, via=[v] + list(worst.get("via") or []))
                        st = info["status"] = sub["status"]
                if best is None or PROOF_ORDER.index(st) < PROOF_ORDER.index(best["status"]):
                    best = info
            if best is not None:
                entries.append(best)
        active.discard(cid)
        if entries and cid in _closure(cid, deps):  # the proof rests on the claim itself
            entries.append({"id": cid, "verdict": verdict_word(claims[cid].get("verdict")),
                            "status": PROOF_UNCHECKED, "circular": True})
        if not entries:
            memo[cid] = None
            return None
        status = max((e["status"] for e in entries), key=PROOF_ORDER.index)
        memo[cid] = {"status": status, "label": _proof_label(entries), "lines": entries}
        return memo[cid]

    out = {}
    for cid in claims:
        st = of(cid)
        if st is not None:
            out[cid] = st
    return out


#: verdicts whose claim must carry the encoder's one-sentence ``reason``
NEEDS_REASON = frozenset({"refuted", "vacuous"})


def attach_statuses(claims: list[dict[str, Any]]) -> None:
    """Add to each claim record of a report its ``proof`` status (:func:`proof_status`; None for a
    claim with no proof lines or uses) and ``reason_missing`` (True for a refuted or vacuous result
    whose claim has no ``reason``: the report lists it as a lint warning)."""
    status = proof_status({"claims": claims})
    for c in claims:
        c["proof"] = status.get(c["id"])
        c["reason_missing"] = verdict_word(c.get("verdict")) in NEEDS_REASON and not (c.get("reason") or "").strip()


def statement_and_proof(cid: str, claims: dict[str, dict], proofs: dict[str, dict]) -> str:
    """``statement survived; proof: one line refuted only outside the values the proof uses (x.s1)``."""
    own = verdict_word(claims[cid].get("verdict")) if cid in claims else "absent"
    if cid in claims and claims[cid].get("explicit_constants") and own == "refuted":
        own = "refuted for these constants"
    p = proofs.get(cid)
    return f"statement {own}" + (f"; {p['label']}" if p else "")


def _proof_label(entries: list[dict[str, Any]]) -> str:
    """``proof: one line refuted only outside the values the proof uses (x.s1, via x); 2 lines unchecked``."""
    parts = []
    seen: set[str] = set()
    for key in (PROOF_REFUTED, PROOF_REFUTED_OUTSIDE, PROOF_UNCHECKED):
        undeclared = ""
        hit = []
        for e in entries:  # one root line once, however many paths reach it (the nearest named)
            if e["status"] == key and e["id"] not in seen:
                seen.add(e["id"])
                hit.append(e)
        if not hit:
            continue
        n = len(hit)
        word = _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)
        declared = [e for e in hit if key != PROOF_REFUTED or e.get("at") is not None]
        if key == PROOF_REFUTED and len(declared) < n:
            # refuted as stated, where the proof declares no instantiation: not "at its values"
            k = n - len(declared)
            text = (f"{_NUMBER_WORDS[k] if k < len(_NUMBER_WORDS) else k} "
                    f"{'line' if k == 1 else 'lines'} refuted as stated (the values the proof uses not declared)")
            named = [e["id"] + (f", via {' and '.join(e['via'])}" if e.get("via") else "")
                     for e in hit if e.get("at") is None][:3]
            undeclared = text + " (" + "; ".join(named) + (f"; {k - 3} more" if k > 3 else "") + ")"
            hit, n = declared, len(declared)
            if not hit:
                parts.append(undeclared)
                continue
            word = _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)
        text = f"{word} {PROOF_PHRASE[key][0 if n == 1 else 1]}"
        if key != PROOF_UNCHECKED:
            named = [e["id"] + (f", via {' and '.join(e['via'])}" if e.get("via") else "") for e in hit[:3]]
            text += " (" + "; ".join(named) + (f"; {n - 3} more" if n > 3 else "") + ")"
        parts.append(text)
        if undeclared:  # after the lines refuted at the values the proof declares
            parts.append(undeclared)
    circular = _unique([e["id"] for e in entries if e.get("circular")])
    if circular:
        parts.append("circular use (" + ", ".join(circular) + ")")
    if not parts:
        return "proof: every line it uses decided and holding"
    return "proof: " + "; ".join(parts)


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]


def _label(cid: str, status: str, by: list[str], claims: dict[str, dict], circular: set[str]) -> str:
    if status == FULLY_CHECKED:
        return FULLY_CHECKED
    parts = []
    for d in by:
        name = "itself" if d == cid else d
        if d not in claims:
            parts.append(f"{name} (not in this report)")
        else:
            parts.append(f"{name} ({culprit_reason(d, claims, circular)})")
    if len(parts) > 4:
        parts = parts[:3] + [f"{len(parts) - 3} more"]
    return f"{status} by " + ", ".join(parts)


def culprit_reason(d: str, claims: dict[str, dict], circular: set[str] | Iterable[str]) -> str:
    """Why ``d`` is a root cause: its own verdict, or "circular use" when only the cycle is."""
    own = verdict_word(claims[d].get("verdict"))
    if d in circular and own not in BROKEN:
        return "circular use"
    return own


def first_broken_line(lines: list[tuple[str, str]], claims: dict[str, dict]) -> str | None:
    """The first proof line (in proof order) that is broken by its own verdict under every
    reading; the id of its first reading."""
    for _, variants in line_groups(lines):
        present = [claims.get(v) for v in variants]
        if all(c is not None and verdict_word(c.get("verdict")) in BROKEN for c in present):
            return variants[0]
    return None


# ---------------------------------------------------------------------------------------- layout
@dataclass
class Layout:
    """A layered drawing: ``rows[i]`` holds layer ``i``'s slots, left to right by dependency depth.

    A slot is a claim id, a *ghost* (an id named in ``uses`` but absent from the report) or a
    *dummy* ``("", k)``: the point where the k-th long edge crosses that layer, so that no edge
    is drawn through a box. ``edges`` are ``(dependency, user, [dummies in between])``.
    """

    rows: list[list[Any]]
    edges: list[tuple[str, str, list[tuple[str, int]]]]
    ghosts: set[str]


def _is_dummy(slot: Any) -> bool:
    return isinstance(slot, tuple)


def layout(report: dict[str, Any], ids: Iterable[str] | None = None, reduce: bool = True) -> Layout:
    """Layers by dependency depth, with crossings reduced.

    The depth of a claim is 0 when it uses nothing (ghosts are leaves), else 1 + the largest
    depth of its dependencies; an edge closing a cycle is ignored for depth. Every edge spanning
    several layers gets a dummy slot in each layer it crosses. Within a layer, slots start in
    natural id order and are then moved to the mean position of their neighbours (barycentre
    sweeps, left to right and back, ties kept stable).

    ``ids`` restricts the drawing to these claims plus the claims they use directly. ``reduce``
    drops the edges implied by longer paths (the combined status still counts them).
    """
    claims = claims_by_id(report)
    all_deps = direct_dependencies(report)
    nodes = set(claims) if ids is None else set(ids)
    for n in list(nodes):
        nodes.update(all_deps.get(n, []))
    shown = {n for n in nodes if n in claims}
    ghosts = nodes - shown
    drawn = set(claims) if ids is None else set(ids)  # whose outgoing uses are drawn
    deps = {n: [d for d in all_deps.get(n, []) if d in nodes] if n in drawn else [] for n in nodes}
    if reduce:
        # Transitive reduction: n -> d is not drawn when d is reached through another of n's
        # dependencies (a theorem that uses s1 and s2, where s2 uses s1, gets no edge from s1).
        reach = {n: set(_closure(n, all_deps)) for n in nodes}
        deps = {n: [d for d in ds if not any(d in reach.get(o, ()) for o in ds if o != d and o != n)]
                for n, ds in deps.items()}
    depth: dict[str, int] = {}
    on_stack: set[str] = set()

    def visit(n: str) -> int:
        if n in depth:
            return depth[n]
        on_stack.add(n)
        best = -1
        for d in deps.get(n, []):
            if d in on_stack:
                continue  # back edge of a cycle
            best = max(best, visit(d))
        on_stack.discard(n)
        depth[n] = best + 1
        return depth[n]

    for n in sorted(nodes, key=natural_key):
        visit(n)
    nlayers = max(depth.values(), default=-1) + 1
    rows: list[list[Any]] = [sorted((n for n in nodes if depth[n] == i), key=natural_key) for i in range(nlayers)]
    edges = []
    neighbours_left: dict[Any, list[Any]] = {n: [] for n in nodes}
    neighbours_right: dict[Any, list[Any]] = {n: [] for n in nodes}
    k = 0
    for n in sorted(nodes, key=natural_key):
        for d in deps.get(n, []):
            if d == n:
                continue
            chain: list[Any] = [d]
            dummies = []
            for layer in range(depth[d] + 1, depth[n]):
                dummy = ("", k)
                k += 1
                rows[layer].append(dummy)
                neighbours_left[dummy], neighbours_right[dummy] = [], []
                dummies.append(dummy)
                chain.append(dummy)
            chain.append(n)
            for a, b in zip(chain, chain[1:]):
                if depth.get(a, -1) < depth.get(b, -1) or _is_dummy(a) or _is_dummy(b):
                    neighbours_left[b].append(a)
                    neighbours_right[a].append(b)
            edges.append((d, n, dummies))
    for _ in range(6):
        for i in range(1, nlayers):
            _reorder(rows, i, lambda n: neighbours_left.get(n, []))
        for i in range(nlayers - 2, -1, -1):
            _reorder(rows, i, lambda n: neighbours_right.get(n, []))
    return Layout(rows, edges, ghosts)


def layers(report: dict[str, Any], ids: Iterable[str] | None = None) -> list[list[str]]:
    """The claims (and ghosts) of :func:`layout` by layer, without the dummy slots."""
    return [[n for n in row if not _is_dummy(n)] for row in layout(report, ids).rows]


def _reorder(rows: list[list[Any]], i: int, neighbours) -> None:
    pos = {n: k for row in rows for k, n in enumerate(row)}
    keyed = []
    for k, n in enumerate(rows[i]):
        ns = [pos[m] for m in neighbours(n) if m in pos]
        keyed.append((sum(ns) / len(ns) if ns else k, k, n))
    keyed.sort(key=lambda t: (t[0], t[1]))
    rows[i] = [n for _, _, n in keyed]


# ---------------------------------------------------------------------------------------- drawing
#: (fill, stroke/text) per verdict; the same palette as the HTML stylesheet.
PALETTE = {
    "proved": ("#d3f5dc", "#116329"),
    "certified": ("#cdeff0", "#0b5c63"),
    "refuted": ("#ffd7d5", "#a40e26"),
    "survived": ("#fff1b8", "#7a4d00"),
    "inconclusive": ("#fde7f3", "#8a1a5c"),
    "vacuous": ("#e6e9ed", "#424a53"),
    "ill-formed": ("#f1e1ff", "#6224b0"),
    "error": ("#ffe0c7", "#7c2d00"),
}

def anchor(claim_id: str) -> str:
    """The HTML id of a claim's section (ids may hold ``@`` and ``:``; keep them unambiguous)."""
    return "claim-" + re.sub(r"[^A-Za-z0-9_.-]", lambda m: f"-{ord(m.group()):x}-", claim_id)


def verdict_counts(report: dict[str, Any]) -> list[tuple[str, int]]:
    """``[(verdict, count)]`` in evidence order, verdicts that occur only."""
    counts = {v: 0 for v in VERDICTS}
    for c in claims_by_id(report).values():
        counts[verdict_word(c.get("verdict"))] += 1
    return [(v, k) for v, k in counts.items() if k]


def iter_theorems(report: dict[str, Any]) -> Iterable[tuple[str, list[tuple[str, str]], list[str]]]:
    """Claims that have proof lines or ``uses``: ``(id, proof lines, other uses)`` in id order.

    A group of proof lines whose parent is not in the report is listed too (with that parent id).
    """
    claims = claims_by_id(report)
    lines = proof_lines(claims)
    ids = set(lines) | {cid for cid, c in claims.items() if c.get("uses")}
    for cid in sorted(ids, key=natural_key):
        pl = lines.get(cid, [])
        in_lines = {lid for _, lid in pl}
        uses = [u for u in (claims.get(cid, {}).get("uses") or []) if u not in in_lines]
        yield cid, pl, uses


def is_proof_line(cid: str, claims: dict[str, Any]) -> bool:
    """True for a numbered line ``T.s3`` (any reading or repair) or a named step ``T.induct`` of a
    claim ``T`` of the report: what the glance leaves out and a theorem's graph draws under it."""
    base = base_id(cid)
    if _LINE.match(base):
        return True
    m = _STEP.match(base)
    return bool(m and any(base_id(o) == m.group("parent") for o in claims))


def top_level(report: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The results of the report that are not proof lines, grouped by base id with their
    readings and repairs: ``[("park2019.thm2.3", ["park2019.thm2.3", "park2019.thm2.3@alpha=d"]), ...]``
    in natural order, the printed claim first."""
    claims = claims_by_id(report)
    groups: dict[str, list[str]] = {}
    for cid in claims:
        if not is_proof_line(cid, claims):
            groups.setdefault(base_id(cid), []).append(cid)
    out = []
    for base in sorted(groups, key=natural_key):
        ids = sorted(groups[base], key=lambda c: (c != base, ":" in c, natural_key(c)))
        out.append((base, ids))
    return out


def theorems_at_a_glance(report: dict[str, Any], status: dict[str, dict[str, Any]] | None = None
                         ) -> list[dict[str, Any]]:
    """One row per top-level result (:func:`top_level`: every theorem, lemma and equation that is
    not itself a proof line), with its printed claim's own verdict and combined status, its first
    culprit (its first broken proof line, else the nearest broken dependency, else itself) and its
    readings and repairs with their verdicts."""
    claims = claims_by_id(report)
    status = status or effective_status(report)
    lines = proof_lines(claims)
    rows = []
    for base, ids in top_level(report):
        cid = ids[0]
        st = status[cid]
        pl = lines.get(cid, [])
        first = first_broken_line(pl, claims)
        if first is None and st["status"] == STATUS_BROKEN:
            first = next((d for d in st["by"] if d != cid), cid)
        rows.append({"id": cid, "base": base, "title": claims[cid].get("title", ""),
                     "verdict": verdict_word(claims[cid].get("verdict")), "status": st,
                     "first_broken": first, "lines": len(pl),
                     "variants": [(v, verdict_word(claims[v].get("verdict")), status[v]) for v in ids[1:]]})
    return rows


def theorem_nodes(report: dict[str, Any], base: str) -> list[str]:
    """The claims a theorem's own graph draws: the theorem with its readings and repairs, its proof
    lines (with theirs), and the claims these use directly -- a used lemma is one box (its own
    lines are in the lemma's graph); its combined status still counts everything below it."""
    claims = claims_by_id(report)
    deps = direct_dependencies(report)
    own = [c for c in claims if base_id(c) == base or (is_proof_line(c, claims) and _parent(base_id(c)) == base)]
    seen: list[str] = []
    for c in sorted(own, key=natural_key):
        for d in [c] + deps.get(c, []):
            if d not in seen:
                seen.append(d)
    return seen


def _parent(line_base: str) -> str:
    m = _LINE.match(line_base) or _STEP.match(line_base)
    return m.group("parent") if m else ""


#: Widest drawing of a theorem's graph, in CSS pixels (the report's content width at a 1000 px window).
TOPDOWN_WIDTH = 900
TD_NODE_H = 20
TD_ROW_GAP = 18
TD_SIDE = 36  # room beside the widest row for an edge that loops around the side
TD_CHAR_W = 6.7  # monospace 11px


def topdown_svg(report: dict[str, Any], base: str, status: dict[str, dict[str, Any]] | None = None,
                max_width: int = TOPDOWN_WIDTH) -> str:
    """One theorem's dependency graph, layered top-down: the theorem (and its readings, repairs)
    on top, what it uses below, leaves at the bottom. A layer wider than ``max_width`` wraps onto
    several rows, so the drawing never exceeds ``max_width`` (and it scales down in a narrower
    window). Arrows go from a claim up to the claims that use it, red from a broken one; an edge
    implied by a longer path is not drawn. Boxes link to the claims' sections."""
    claims = claims_by_id(report)
    status = status if status is not None else effective_status(report)
    nodes = theorem_nodes(report, base)
    if len(nodes) <= 1:
        return ""
    lay = layout(report, ids=[n for n in nodes if n in claims])
    paper = base.split(".", 1)[0] + "."

    def label(n: str) -> str:
        if n.startswith(base + ".") and n != base:
            return n[len(base) + 1:]
        return n[len(paper):] if n.startswith(paper) else n

    def width_of(n: str) -> float:
        return min(len(label(n)) * TD_CHAR_W + 26, max_width)

    rows = _topdown_rows(lay, set(nodes), width_of, max_width)
    pos, svg_width, height = _topdown_positions(rows, width_of, max_width)
    mark = "arrow-" + anchor(base)  # marker ids unique on the page (one graph per theorem)
    out = [f'<svg class="depgraph topdown" viewBox="0 0 {svg_width} {height}" width="{svg_width}" '
           f'height="{height}" style="max-width:100%;height:auto" role="img" '
           f'aria-label="dependency graph of {escape(base)}">',
           f'<defs><marker id="{mark}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8c959f"/></marker>'
           f'<marker id="{mark}-bad" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#a40e26"/></marker></defs>',
           '<g class="edges" fill="none">']
    out += _topdown_edges(report, base, claims, lay, pos, mark)
    out.append("</g>")
    out.append('<g class="nodes" font-family="ui-monospace, \'DejaVu Sans Mono\', monospace" font-size="11">')
    out += _topdown_boxes(report, claims, status, pos, label)
    out.append("</g></svg>")
    return "\n".join(out)


def _topdown_rows(lay, node_set: set[str], width_of, max_width: int) -> list[list[str]]:
    """The layout's layers top-down (its deepest layer first), dummies dropped, wrapped to ``max_width``."""
    rows: list[list[str]] = []
    for layer in reversed(lay.rows):
        row: list[str] = []
        used = 0.0
        for n in layer:
            if _is_dummy(n) or n not in node_set:
                continue
            w = width_of(n) + 10
            if row and used + w > max_width:
                rows.append(row)
                row, used = [], 0.0
            row.append(n)
            used += w
        if row:
            rows.append(row)
    return rows


def _topdown_positions(rows: list[list[str]], width_of, max_width: int):
    """Each box's (x, top y, width), and the drawing's width and height: as wide as the widest row
    needs (plus room for a side loop), never wider than ``max_width``; rows centred in it."""
    pos: dict[str, tuple[float, float, float]] = {}
    widest = max(sum(width_of(n) + 10 for n in row) - 10 for row in rows)
    svg_width = int(min(max_width, widest + 8 + 2 * TD_SIDE))
    y = 8.0
    for row in rows:
        total = sum(width_of(n) + 10 for n in row) - 10
        x = max(4.0, (svg_width - total) / 2)
        for n in row:
            pos[n] = (x, y, width_of(n))
            x += width_of(n) + 10
        y += TD_NODE_H + TD_ROW_GAP
    return pos, svg_width, int(y - TD_ROW_GAP + 8)


def _topdown_edges(report: dict[str, Any], base: str, claims: dict[str, dict], lay, pos, mark: str) -> list[str]:
    """The arrows, from a claim up to its users (red from a broken one, drawn last)."""
    # A reading (or repair) of the theorem is argued by the same printed proof lines as the theorem
    # itself: those edges are drawn once, into the printed claim, not once per reading.
    printed = base if base in claims else None
    line_ids = {lid for _, lid in proof_lines(claims).get(base, [])}

    def shared(d: str, n: str) -> bool:
        return (printed is not None and n != printed and base_id(n) == base and d in line_ids
                and d not in (claims.get(n, {}).get("uses") or []))

    edges = [(d, n) for d, n, _ in lay.edges if d in pos and n in pos and d != n and not shared(d, n)]
    edges.sort(key=lambda e: e[0] in claims and verdict_word(claims[e[0]].get("verdict")) in BROKEN)
    out = []
    for d, n in edges:
        bad = d in claims and verdict_word(claims[d].get("verdict")) in BROKEN
        dx, dy, dw = pos[d]
        ux, uy, uw = pos[n]
        x0, y0 = dx + dw / 2, dy  # top of the dependency
        x1, y1 = ux + uw / 2, uy + TD_NODE_H  # bottom of the user
        if y0 <= y1:  # same row or a back edge: loop around the side
            path = f"M{dx + dw:.1f},{dy + TD_NODE_H / 2:.1f} C{dx + dw + 30:.1f},{dy - 20:.1f} {ux + uw + 30:.1f},{uy + 40:.1f} {ux + uw:.1f},{uy + TD_NODE_H / 2:.1f}"
        else:
            m = (y0 + y1) / 2
            path = f"M{x0:.1f},{y0:.1f} C{x0:.1f},{m:.1f} {x1:.1f},{m:.1f} {x1:.1f},{y1 + 1:.1f}"
        colour, marker = ("#a40e26", f"{mark}-bad") if bad else ("#8c959f", mark)
        out.append(f'<path d="{path}" stroke="{colour}" stroke-width="{1.5 if bad else 1}" '
                   f'marker-end="url(#{marker})"/>')
    return out


def _topdown_boxes(report: dict[str, Any], claims: dict[str, dict], status, pos, label) -> list[str]:
    """The boxes: each claim linked to its section, coloured by its verdict; a claim not in the
    report as a dashed ghost."""
    proofs = proof_status(report)
    out = []
    for n in sorted(pos, key=natural_key):
        x, y0, w = pos[n]
        yc = y0 + TD_NODE_H / 2
        if n not in claims:
            out.append(f'<g class="ghost"><title>{escape(n)}: not in this report</title>'
                       f'<rect x="{x:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{TD_NODE_H}" rx="5" fill="#fff" '
                       f'stroke="#8c959f" stroke-dasharray="5 3"/><text x="{x + 8:.1f}" y="{yc + 4:.1f}" '
                       f'fill="#59636e" font-style="italic">{escape(label(n))}</text></g>')
            continue
        v = verdict_word(claims[n].get("verdict"))
        fill, ink = PALETTE[v]
        st = status.get(n, {})
        tip = f"{n}: statement {v}" + (f"; {proofs[n]['label']}" if n in proofs else "")
        if claims[n].get("title"):
            tip += f"\n{claims[n]['title']}"
        thick = 2.2 if st.get("status") == STATUS_BROKEN else 1.1
        out.append(f'<a href="#{escape(anchor(n))}"><title>{escape(tip)}</title>'
                   f'<rect x="{x:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{TD_NODE_H}" rx="5" fill="{fill}" '
                   f'stroke="{ink}" stroke-width="{thick}"/>'
                   f'<text x="{x + 8:.1f}" y="{yc + 4:.1f}" fill="{ink}"><tspan font-weight="bold">'
                   f'{escape(VERDICT_SYMBOL[v])}</tspan> {escape(label(n))}</text></a>')
    return out
