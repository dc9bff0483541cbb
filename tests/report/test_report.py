"""The report renderers: structure, escaping, self-containment, and the computed combined status."""
from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proofcheck.report import effective_status, proof_lines, render
from proofcheck.report.graph import anchor, layers, topdown_svg
from proofcheck.report.html import UnsafeMathML, sanitize_mathml
from proofcheck.report.plots import PlotSpecError, plot_svg

from .conftest import _claim


class Tags(HTMLParser):
    """Every start tag with its attributes, and every element id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    p.close()
    return p


def section(html: str, element_id: str) -> str:
    """The text of the element with this id up to the next element with a sibling-level id."""
    start = html.index(f'id="{element_id}"')
    end = html.find('<section class="card', start + 10)
    return html[start:end if end > 0 else len(html)]


# ----------------------------------------------------------------------------- HTML structure
def test_summary_table_lists_every_claim_with_verdict_word(report):
    html = render(report, "html")
    assert html.startswith("<!DOCTYPE html>")
    table = html[html.index('id="summary-table"'):html.index("</table>", html.index('id="summary-table"'))]
    rows = re.findall(r'<tr class="[^"]*" data-claim="([^"]+)">', table)
    assert rows == [c["id"] for c in report["claims"]]
    # verdict shown as a word (with its glyph), not only as a colour class
    assert re.search(r'<span class="badge v-refuted"[^>]*>\u2718 refuted</span>', table)
    for head in ("Verdict", "Proof", "Tried / met", "Margin"):
        assert head in table
    # every claim's deciding layer is shown beside its verdict
    assert re.search(r'\u2718 refuted</span> <span class="by">search</span>', table)
    # the counts per verdict: 5 proved, 1 refuted in the fixture
    counts = html[html.index('id="verdict-counts"'):html.index('id="summary-table"')]
    assert re.search(r'data-verdict="proved"><b>5</b>', counts)
    assert re.search(r'data-verdict="refuted"><b>1</b>', counts)
    assert 'data-verdict="error"><b>1</b>' in counts


def test_theorems_at_a_glance(report):
    html = render(report, "html")
    table = html[html.index('id="glance-table"'):html.index("</table>", html.index('id="glance-table"'))]
    rows = re.findall(r'<tr class="g-[a-z]+" data-theorem="([^"]+)">(.*?)</tr>', table, flags=re.S)
    # every top-level result (a theorem without lines too), no proof line
    assert [r[0] for r in rows] == ["du2019.footnote", "du2019.lemma2.3", "du2019.lemma2.4", "du2019.thm2.1",
                                    "du2019.thm3.1", "park2019.thm3.4"]
    cells = dict(rows)
    # two statuses: the statement's verdict and the proof's
    assert "\u2714 proof holds" in cells["du2019.thm2.1"] and "proof unchecked" in cells["du2019.thm3.1"]
    assert "\u2718 proof: a line refuted" in cells["park2019.thm3.4"]
    assert "statement survived; proof: " in cells["park2019.thm3.4"]
    assert '<a href="#claim-park2019.thm3.4.s6"><code>park2019.thm3.4.s6</code></a>' in cells["park2019.thm3.4"]
    assert "fails by -0.0421" in cells["park2019.thm3.4"]
    # a theorem whose only fault is its own verdict: its proof holds, its statement is refuted
    own = {"claims": [_claim("p.t", "refuted", uses=["p.l"]), _claim("p.l", "proved")]}
    assert "statement refuted; proof: every line it uses decided and holding" in render(own, "html")
    assert "| statement refuted; proof: every line it uses decided and holding | (no reason written) |" \
        in render(own, "md")


def test_glance_lists_readings_and_repairs_beside_the_printed_claim():
    r = {"claims": [_claim("p.thm1", "ill-formed"), _claim("p.thm1@a", "survived"), _claim("p.thm1:repaired", "proved"),
                    _claim("p.thm1.s1", "refuted"), _claim("p.thm1.s1:repaired", "proved")]}
    html = render(r, "html")
    table = html[html.index('id="glance-table"'):html.index("</table>", html.index('id="glance-table"'))]
    assert re.findall(r'data-theorem="([^"]+)"', table) == ["p.thm1"]
    assert "<code>@a</code>" in table and "<code>:repaired</code>" in table
    md = render(r, "md")
    assert "`@a` ~ **survived**, `:repaired` \u2714 **proved**" in md


def test_header_shows_run_facts_and_reproduce_command(report):
    html = render(report, "html")
    header = html[:html.index("</header>")]
    for fact in ("0.1.0", "quick", "2026-11-22T23:30:00Z", "Linux-6.1-x86_64", "3.11.7", "8 CPUs"):
        assert fact in header
    assert "proofcheck audit --seed 7 --budget quick --format html -o report.html" in header


def test_no_external_resources_and_no_script(report):
    html = render(report, "html")
    p = parse(html)
    for tag, attrs in p.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed", "img"), tag
        for name, value in attrs.items():
            if name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
                assert not re.match(r"\s*(https?:)?//", value or ""), (tag, name, value)
                assert not (value or "").lower().startswith(("javascript:", "data:")), (tag, name, value)
            assert not name.startswith("on"), (tag, name)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "@import" not in html


def test_verdict_filter_is_css_only_and_classes_match(report):
    html = render(report, "html")
    p = parse(html)
    radios = [a["id"] for t, a in p.tags if t == "input" and a.get("type") == "radio"]
    assert radios == ["vf-all", "vf-broken", "vf-open", "vf-held"]
    group = {"proved": "held", "certified": "held", "refuted": "broken", "ill-formed": "broken", "error": "broken",
             "survived": "open", "inconclusive": "open", "vacuous": "open"}
    # every summary row, glance row, theorem card and claim card carries the group the :has() rules hide
    for c in report["claims"]:
        g = group[c["verdict"]]
        assert re.search(rf'<tr class="g-{g} vr-{c["verdict"]}" data-claim="{re.escape(c["id"])}">', html)
        assert f'class="card claim g-{g} vb-{c["verdict"]}" id="{anchor(c["id"])}"' in html
    assert re.search(r'<tr class="g-open" data-theorem="park2019.thm3.4">', html)
    assert 'class="card thm g-open" id="thm-park2019.thm3.4"' in html
    for chosen, hidden in (("broken", "open, .g-held"), ("open", "broken, .g-held"), ("held", "broken, .g-open")):
        assert f"body:has(#vf-{chosen}:checked) :is(.g-{hidden}) {{ display: none; }}" in html


def test_every_internal_link_has_a_target(report):
    html = render(report, "html")
    p = parse(html)
    targets = [a.get("href") or a.get("xlink:href") for t, a in p.tags if t == "a"]
    internal = [h[1:] for h in targets if h and h.startswith("#")]
    assert internal, "the summary and the graph link to the claims"
    missing = sorted({h for h in internal if h not in p.ids})
    assert not missing
    assert len([i for i in p.ids if i.startswith("claim-")]) == len(report["claims"])


def test_script_in_title_and_counterexample_is_text(report):
    html = render(report, "html")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; stability of H" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>step</b>" not in html and "&lt;b&gt;step&lt;/b&gt;" in html
    md = render(report, "md")
    assert "<script>" not in md and "<b>" not in md
    assert "&lt;script&gt;alert('x')&lt;/script&gt; stability of H" in md


def test_theorem_proof_lines_table_marks_first_broken_line(report):
    html = render(report, "html")
    thm = section(html, "thm-park2019.thm3.4")
    labels = re.findall(r'<td class="id"><b>([^<]+)</b>', thm)
    assert labels == ["s2", "s5", "s6", "s7", "s10", "s11", "induct"]
    first_bad = re.findall(r'<tr class="first-bad">(.*?)</tr>', thm, flags=re.S)
    assert len(first_bad) == 1
    assert "park2019.thm3.4.s6" in first_bad[0] and "first refuted line" in first_bad[0]
    # s11 is broken too but not the first
    assert re.search(r'<tr class="bad">\s*<td class="id"><b>s11</b>', thm)
    assert "first refuted line <code>park2019.thm3.4.s6</code>" in thm
    # the theorem's own graph, top-down, with a box per line
    svg = thm[thm.index('<svg class="depgraph topdown"'):thm.index("</svg>")]
    for line in ("s2", "s5", "s6", "s7", "s10", "s11", "induct"):
        assert f'href="#{anchor("park2019.thm3.4." + line)}"' in svg


def test_refutation_shows_values_margin_and_reproduce(report):
    html = render(report, "html")
    card = section(html, anchor("park2019.thm3.4.s6"))
    assert "Counterexample" in card
    assert re.search(r"fails by <b[^>]*>-0.0421</b>", card)
    assert re.search(r"Fails by margin <b[^>]*>-0.0421</b>", card)
    assert '<span class="found found-search">found by the search</span>' in card
    # a float value reads as a float, with the exact rational it is on hover
    assert 'title="exact: 884279719003555/1125899906842624; float: 0.7853981633974483">0.785398<' in card
    # a short rational is shown as the fraction it is (people's numbers), its float never
    assert 'title="exact: 1/3">1/3<' in card and "0.333333" not in card
    # the 2x2 array is a compact table with four cells, its shape on hover
    arr = card[card.index('<table class="array"'):card.index("</table>", card.index('<table class="array"'))]
    assert arr.count("<td>") == 4 and 'title="2\u00d72"' in arr
    assert "uniform: k 3, radius 1" in card  # a stored object by its class in words and its fields
    assert "$obj" not in card and "proofcheck.dists" not in card
    assert "proofcheck check park2019.thm3.4.s6 --seed 7 --budget quick" in card
    # everything beyond the one-line summary is in a closed <details>
    assert '<details class="more">' in card and "<details open" not in card


def test_witness_and_decision_counterexamples_say_so(report):
    c = next(c for c in report["claims"] if c["id"] == "park2019.thm3.4.s6")
    c["counterexample"]["found_by"] = "witness"
    c["counterexample"]["why"] = "the textbook instance"
    html = render(report, "html")
    card = section(html, anchor("park2019.thm3.4.s6"))
    assert "a witness supplied by the encoder" in card and "the textbook instance" in card
    assert "a witness supplied by the encoder" in render(report, "md")


def test_statement_mathml_and_latex_source(report):
    html = render(report, "html")
    card = section(html, anchor("park2019.thm3.4.s7"))
    printed = card[card.index('<div class="printed">'):card.index("</div>", card.index('<div class="printed">'))]
    # the printed statement is the claim's LaTeX as MathML (latex2mathml), not sympy's encoding
    assert "<math" in printed and "<mi>&#x003C6;</mi>" not in printed
    assert "<mi>\u03d5</mi>" in printed and "<mi>sin</mi>" in printed and "\u2264" in printed
    encoded = card[card.index("As encoded"):]
    assert '<math display="block">' in encoded  # sympy's MathML of the formulas, shown apart
    assert r"\phi \le 2\sin\phi" in card
    thm = section(html, anchor("park2019.thm3.4"))
    # sympy's single identifier "m_min" is shown subscripted
    assert "<msub><mi>m</mi><mi>min</mi></msub>" in thm


def test_symbols_are_explained_as_encoded(report):
    c = next(c for c in report["claims"] if c["id"] == "park2019.thm3.4.s7")
    c["symbols"] = [{"name": "phi", "role": "variable", "domain": "[0, 2/pi]", "meaning": "angle between w and w*"},
                    {"name": "c", "role": "constant", "value": "1/2", "meaning": "printed factor"},
                    {"name": "m_min", "role": "definition", "arity": 1, "meaning": "least eigenvalue <b>"}]
    html = render(report, "html")
    card = section(html, anchor("park2019.thm3.4.s7"))
    assert "<th>phi</th><td><span class=\"muted\">variable</span> &isin; [0, 2/pi]: angle between w and w*</td>" in card
    assert "= <code>1/2</code>: printed factor" in card
    assert "least eigenvalue &lt;b&gt;" in card
    md = render(report, "md")
    assert "`phi` (variable \u2208 \\[0, 2/pi\\]): angle between w and w\\*" in md


def test_latex_that_does_not_convert_is_shown_as_source(report):
    report["claims"][0]["statement"] = r"\frac{1}{"  # unbalanced: latex2mathml refuses it
    html = render(report, "html")
    card = section(html, anchor(report["claims"][0]["id"]))
    printed = card[card.index('<div class="printed">'):card.index("</div>", card.index('<div class="printed">'))]
    assert "<math" not in printed and r"\frac{1}{" in printed


def test_plot_is_inline_svg_with_band(report):
    html = render(report, "html")
    card = section(html, anchor("du2019.lemma2.3"))
    svgs = re.findall(r'<svg class="plot-svg".*?</svg>', card, flags=re.S)
    assert len(svgs) == 1
    # the title is HTML (it wraps), not text inside the drawing
    assert "<figcaption>failure rate vs width</figcaption>" in card and "failure rate vs width" not in svgs[0]
    assert "fill-opacity: 0.18" in svgs[0]  # the lo/hi band
    assert "http" not in svgs[0]


def test_dependency_graph_has_a_node_per_claim_and_ghosts_for_missing(report):
    # each theorem's graph: the theorem, its lines and what it uses; a used id absent from the report is a ghost
    svg = "".join(topdown_svg(report, base) for base in ("park2019.thm3.4", "du2019.thm2.1", "du2019.thm3.1"))
    for cid in ("park2019.thm3.4", "park2019.thm3.4.s2", "park2019.thm3.4.induct", "du2019.lemma2.3",
                "du2019.lemma2.4", "du2019.thm2.1", "du2019.thm3.1"):
        assert f'href="#{anchor(cid)}"' in svg
    assert "du2019.lemma2.9: not in this report" in svg
    # a used lemma is one box in a theorem's graph: its own lines are drawn in the lemma's graph
    assert f'href="#{anchor("park2019.thm3.4.s6")}"' not in topdown_svg(report, "du2019.thm3.1")
    # drawn top-down within the width it is given, whatever the number of lines
    for width in (300, 900):
        one = topdown_svg(report, "park2019.thm3.4", max_width=width)
        xs = [float(x) + float(w) for x, w in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', one)]
        assert xs and max(xs) <= width
    rows = layers(report)
    depth = {n: i for i, r in enumerate(rows) for n in r}
    assert depth["park2019.thm3.4.s6"] < depth["park2019.thm3.4"]
    assert depth["du2019.lemma2.3"] < depth["du2019.thm2.1"] < depth["du2019.thm3.1"]


def test_bad_plot_spec_is_reported_not_fatal(report):
    report["claims"][0]["details"] = {"plots": [{"title": "broken", "series": [{"label": "a", "x": [1, 2], "y": [1]}]}]}
    html = render(report, "html")
    assert "could not be drawn: series &#39;a&#39;: 2 x values but 1 y values" in html
    with pytest.raises(PlotSpecError):
        plot_svg({"series": []})


def test_html_is_deterministic(report):
    assert render(report, "html") == render(report, "html")


# ----------------------------------------------------------------------------- MathML allow-list
def test_sanitize_mathml_keeps_mathml_and_rejects_the_rest():
    ok = sanitize_mathml('<mrow><mi>&#966;</mi><mo>&#x2264;</mo><mn>2</mn><mo>&InvisibleTimes;</mo></mrow>')
    assert ok.startswith('<math display="block"><mrow><mi>\u03c6</mi><mo>\u2264</mo>')
    assert sanitize_mathml("<mi>&lt;script&gt;</mi>") == '<math display="block"><mi>&lt;script&gt;</mi></math>'
    for bad in ("<mrow><script>alert(1)</script></mrow>", '<mi onclick="x">a</mi>',
                '<mrow><a href="http://evil">x</a></mrow>', '<mi style="background:url(http://x)">a</mi>',
                "<mrow><mi>a</mi>", "<mi>a</mrow>", "<![CDATA[x]]>", '<svg onload="x"></svg>'):
        with pytest.raises(UnsafeMathML):
            sanitize_mathml(bad)


def test_rejected_mathml_is_dropped_and_latex_still_shown(report):
    report["claims"][0]["mathml"] = ["<mrow><script>alert(1)</script></mrow>"]
    html = render(report, "html")
    assert "alert(1)</script>" not in html.replace("&lt;/script&gt;", "")
    assert "A formula was not displayed: element &lt;script&gt; is not MathML." in html
    assert r"\|W_{t+1}-W^*\|^2" in html


# ----------------------------------------------------------------------------- Markdown
def test_markdown_structure(report):
    md = render(report, "md")
    assert md.startswith("# proofcheck lemma audit report")
    assert "```sh\nproofcheck audit --seed 7 --budget quick --format html -o report.html\n```" in md
    for heading in ("## Summary", "## Theorems and their proof lines", "## Claims"):
        assert heading in md
    # every table row has as many unescaped cells as its header
    for block in re.split(r"\n\n", md):
        lines = [l for l in block.splitlines() if l.startswith("|")]
        if not lines:
            continue
        cells = [len(re.findall(r"(?<!\\)\|", l)) for l in lines]
        assert len(set(cells)) == 1, block
    summary = md[md.index("### All claims"):md.index("## Theorems and their proof lines")]
    assert summary.count("\n| `") == len(report["claims"])
    glance = md[md.index("### Theorems at a glance"):md.index("### All claims")]
    assert glance.count("\n| `") == 6  # every top-level result, no proof line
    assert "| `park2019.thm3.4` Theorem 3.4: linear convergence of GD | statement survived; proof: " in glance
    assert "| `park2019.thm3.4.s6`: (no reason written) |" in glance or "`park2019.thm3.4.s6`: (no reason written)" in glance
    assert "\u2718 **refuted**" in summary
    thm = md[md.index("### `park2019.thm3.4` \u2014"):]
    assert "| s6 \u25c0 **first refuted line** | `park2019.thm3.4.s6`" in thm
    assert "park2019.thm3.4.s6" in thm and "line refuted as stated" in thm
    cex = md[md.index("### `park2019.thm3.4.s6`", md.index("## Claims")):]
    assert "**Counterexample** (fails by margin -0.0421, found by the search, verified by arb)" in cex
    assert "| `t` | 1/3 |" in cex
    assert "| `phi` | 0.785398 |" in cex  # six digits of a long exact value (exact in the JSON)
    assert "```sh\nproofcheck check park2019.thm3.4.s6 --seed 7 --budget quick\n```" in cex


# ----------------------------------------------------------------------------- JSON
def test_json_is_stable_and_round_trips(report):
    text = render(report, "json")
    assert text == render(report, "json")
    assert json.loads(text) == report
    assert list(json.loads(text)) == sorted(report)
    report["claims"][0]["details"] = {"series": [1.0, math.nan, math.inf]}
    assert json.loads(render(report, "json"))["claims"][0]["details"]["series"] == [1.0, None, None]


def test_bad_format_and_bad_report():
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        render({"claims": []}, "pdf")
    with pytest.raises(ValueError, match="'claims' list"):
        render({"tool": "proofcheck"}, "html")
    assert "Summary" in render({"claims": []}, "html")
    # only the two keys every result has: the renderers fill in the rest
    minimal = {"claims": [{"id": "a.b", "verdict": "proved"}, {"id": "a.b.s1", "verdict": "refuted", "uses": ["z.q"]}]}
    for fmt in ("md", "html", "json"):
        assert "a.b.s1" in render(minimal, fmt)
    assert effective_status(minimal)["a.b"]["label"] == "broken by a.b.s1 (refuted)"


# ----------------------------------------------------------------------------- combined status
def test_combined_status_of_the_fixture(report):
    st = effective_status(report)
    assert st["park2019.thm3.4"]["status"] == "broken"
    assert st["park2019.thm3.4"]["by"] == ["park2019.thm3.4.s6", "park2019.thm3.4.s11"]
    assert st["park2019.thm3.4"]["label"] == \
        "broken by park2019.thm3.4.s6 (refuted), park2019.thm3.4.s11 (ill-formed)"
    assert st["park2019.thm3.4.s6"]["label"] == "broken by itself (refuted)"
    assert st["du2019.thm2.1"]["status"] == "fully checked"
    assert st["du2019.thm3.1"]["status"] == "unchecked"
    assert st["du2019.thm3.1"]["missing"] == ["du2019.lemma2.9"]
    assert st["park2019.thm3.4.s10"]["label"] == "unchecked by itself (survived)"


def _report(*claims):
    return {"claims": [_claim(i, v, uses=list(u)) for i, v, u in claims]}


def test_status_propagates_transitively_and_names_the_culprit():
    r = _report(("p.a", "proved", ["p.b"]), ("p.b", "certified", ["p.c"]), ("p.c", "refuted", []),
                ("p.d", "proved", ["p.e"]), ("p.e", "proved", ["p.f"]), ("p.f", "survived", []))
    st = effective_status(r)
    assert (st["p.a"]["status"], st["p.a"]["by"]) == ("broken", ["p.c"])
    assert st["p.b"]["label"] == "broken by p.c (refuted)"
    assert (st["p.d"]["status"], st["p.d"]["by"]) == ("unchecked", ["p.f"])
    assert st["p.a"]["depends_on"] == ["p.b", "p.c"]


def test_a_line_is_broken_only_under_every_reading_and_checked_only_under_every_reading():
    from proofcheck.report.graph import first_broken_line, proof_lines as lines_of

    r = _report(("x.t", "proved", []), ("x.t.s1", "refuted", []), ("x.t.s1@a", "survived", []),
                ("x.t.s2", "proved", []), ("x.t.s2@b", "certified", []))
    st = effective_status(r)
    assert (st["x.t"]["status"], st["x.t"]["by"]) == ("unchecked", ["x.t.s1", "x.t.s1@a"])
    assert st["x.t"]["label"] == "unchecked by x.t.s1 (refuted), x.t.s1@a (survived)"
    claims = {c["id"]: c for c in r["claims"]}
    assert first_broken_line(lines_of(r)["x.t"], claims) is None  # s1 survives under reading @a
    r["claims"][2]["verdict"] = "ill-formed"  # now s1 is broken under every reading
    st = effective_status(r)
    assert (st["x.t"]["status"], st["x.t"]["by"]) == ("broken", ["x.t.s1", "x.t.s1@a"])
    assert first_broken_line(lines_of(r)["x.t"], {c["id"]: c for c in r["claims"]}) == "x.t.s1"
    r["claims"][1]["verdict"] = r["claims"][2]["verdict"] = "proved"
    assert effective_status(r)["x.t"]["status"] == "fully checked"


def test_by_names_root_causes_not_claims_that_inherit_them():
    r = _report(("p.a", "proved", ["p.b"]), ("p.b", "survived", ["p.c"]), ("p.c", "refuted", []),
                ("p.x", "proved", ["p.y"]), ("p.y", "proved", ["p.z"]), ("p.z", "proved", ["p.y"]))
    st = effective_status(r)
    assert st["p.a"]["by"] == ["p.c"]  # p.b is only survived, but the reason p.a is broken is p.c
    assert st["p.b"]["by"] == ["p.c"]  # broken: only broken causes are named, not its own "survived"
    assert st["p.x"]["status"] == "broken" and not st["p.x"]["circular"]
    assert st["p.x"]["label"] == "broken by p.y (circular use)"
    html = render(r, "html")
    assert "circular use (p." in html
    assert "circular use (p." in render(r, "md")


def test_circular_use_is_broken():
    st = effective_status(_report(("p.a", "proved", ["p.b"]), ("p.b", "proved", ["p.a"])))
    assert st["p.a"]["status"] == "broken" and st["p.a"]["circular"]
    assert st["p.a"]["label"] == "broken by itself (circular use)"
    assert layers(_report(("p.a", "proved", ["p.b"]), ("p.b", "proved", ["p.a"])))  # layout survives


def test_proof_lines_rules():
    r = _report(("x.t", "proved", []), ("x.t@b", "proved", []), ("x.t.s10", "proved", []),
                ("x.t.s2", "proved", []), ("x.t.s3@a", "refuted", []), ("x.t.s3:repaired", "proved", []),
                ("x.t.same", "proved", []), ("x.t:repaired", "proved", ["x.t.s2", "x.t.s3:repaired"]),
                ("x.footnote", "proved", []))
    lines = proof_lines(r)
    assert lines["x.t"] == [("s2", "x.t.s2"), ("s3@a", "x.t.s3@a"), ("s10", "x.t.s10"), ("same", "x.t.same")]
    assert lines["x.t@b"] == lines["x.t"]  # a reading is argued by the same printed proof
    assert "x.t:repaired" not in lines  # a repair names its lines in `uses`
    assert "x" not in lines  # "x.footnote" is no step of a claim that does not exist
    st = effective_status(r)
    assert st["x.t"]["by"] == ["x.t.s3@a"] and st["x.t"]["status"] == "broken"
    assert st["x.t:repaired"]["status"] == "fully checked"


VERDICTS = ["proved", "certified", "refuted", "survived", "vacuous", "ill-formed", "error"]


@st.composite
def dags(draw):
    n = draw(st.integers(1, 8))
    claims = []
    for i in range(n):
        uses = draw(st.lists(st.integers(0, i - 1), unique=True, max_size=3)) if i else []
        claims.append((f"p.c{i}", draw(st.sampled_from(VERDICTS)), [f"p.c{j}" for j in uses]))
    return _report(*claims)


@settings(max_examples=60, deadline=None)
@given(dags())
def test_status_agrees_with_the_recursive_definition(r):
    """Reference: broken(c) = own verdict broken or any use broken; fully(c) = own verdict
    established and every use fully checked; unchecked otherwise."""
    claims = {c["id"]: c for c in r["claims"]}

    def broken(c):
        return claims[c]["verdict"] in ("refuted", "ill-formed", "error") or any(broken(d) for d in claims[c]["uses"])

    def fully(c):
        return claims[c]["verdict"] in ("proved", "certified") and all(fully(d) for d in claims[c]["uses"])

    st_ = effective_status(r)
    for c in claims:
        want = "broken" if broken(c) else "fully checked" if fully(c) else "unchecked"
        assert st_[c]["status"] == want
        assert (st_[c]["by"] == []) == (want == "fully checked")
        for d in st_[c]["by"]:
            assert d == c or d in st_[c]["depends_on"]


def test_value_rendering_of_nested_lists_and_greek_function_names():
    from proofcheck.report.html import render_value

    html = render_value({"$obj": "m:Dataset", "data": {"X": [[0.5, 1], [2, {"$q": "1/3", "float": 1 / 3}]], "v": [1, 2]}})
    # an object without its own description: its class in words, its fields on one line
    assert "dataset: X [[0.5, 1], [2, 1/3]], v [1, 2]" in html
    described = render_value({"$obj": "m:Dataset", "data": {"X": [[1]]}, "text": "orthogonal dataset n = 1"})
    assert ">orthogonal dataset n = 1<" in described
    assert sanitize_mathml("<mrow><mi>lambda_min</mi></mrow>") == \
        '<math display="block"><mrow><msub><mi>\u03bb</mi><mi>min</mi></msub></mrow></math>'


def test_inline_svgs_are_well_formed_xml(report):
    import xml.etree.ElementTree as ET

    svg = topdown_svg(report, "du2019.thm3.1")
    root = ET.fromstring(svg)
    assert root.tag == "svg" and int(root.get("width")) > 0
    # thm3.1 and thm2.1 it uses are boxes; the missing du2019.lemma2.9 is one dashed ghost box
    assert len(root.findall(".//a/rect")) == 2
    assert len(root.findall(".//g[@class='ghost']/rect")) == 1
    spec = report["claims"][8]["details"]["plots"][0]
    # matplotlib's xlink:href needs its namespace declared to parse as standalone XML
    plot = plot_svg(spec).replace("<svg ", '<svg xmlns:xlink="http://www.w3.org/1999/xlink" ', 1)
    assert ET.fromstring(plot).tag == "svg"


def test_markdown_renders_as_tables_without_raw_html(report):
    """Through a CommonMark renderer (raw HTML allowed, as in many viewers): every table is a
    table, and the hostile titles stay text."""
    markdown_it = pytest.importorskip("markdown_it")
    md = render(report, "md")
    html = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    # summary + a glance table per paper (two here) + park2019.thm3.4's proof lines + the
    # counterexample + the verdict legend
    assert html.count("<table>") == 6 and html.count("<h4>") == 2
    assert "<script" not in html and "<b>step</b>" not in html
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in html or "&lt;script&gt;alert(&#x27;x&#x27;)" in html
    summary = html[html.index("<h3>All claims</h3>"):]
    summary = summary[:summary.index("</table>")]
    assert summary.count("<tr>") == len(report["claims"]) + 1
    assert all(r.count("<td") == 6 for r in re.findall(r"<tr>(.*?)</tr>", summary, flags=re.S)[1:])


@st.composite
def reports_with_proof_lines(draw):
    """Theorems p.t<k> with proof lines p.t<k>.s<n> (some with @readings), random verdicts and
    random uses of earlier claims; returns the report and, per claim, its units as the generator
    built them (so the id parsing is tested too)."""
    order: list[str] = []
    units: dict[str, list[list[str]]] = {}
    claims = []

    def add(cid, groups):
        uses = draw(st.lists(st.sampled_from(order), unique=True, max_size=2)) if order else []
        claims.append((cid, draw(st.sampled_from(VERDICTS)), uses))
        units[cid] = [[u] for u in uses] + groups
        order.append(cid)

    for k in range(draw(st.integers(1, 3))):
        groups = []
        for n in draw(st.lists(st.integers(1, 12), unique=True, max_size=4)):
            variants = [f"p.t{k}.s{n}"] + [f"p.t{k}.s{n}@{r}" for r in draw(st.sets(st.sampled_from("ab"), max_size=2))]
            for v in variants:
                add(v, [])
            groups.append(variants)
        add(f"p.t{k}", groups)
    return _report(*claims), units


@settings(max_examples=60, deadline=None)
@given(reports_with_proof_lines())
def test_status_of_proof_lines_with_readings_agrees_with_the_rules(case):
    r, units = case
    verdict = {c["id"]: c["verdict"] for c in r["claims"]}

    def status(c):
        us = []
        for unit in units[c]:
            ss = [status(v) for v in unit]
            us.append("broken" if all(s == "broken" for s in ss) else
                      "fully checked" if all(s == "fully checked" for s in ss) else "unchecked")
        if verdict[c] in ("refuted", "ill-formed", "error") or "broken" in us:
            return "broken"
        if verdict[c] in ("proved", "certified") and all(u == "fully checked" for u in us):
            return "fully checked"
        return "unchecked"

    got = effective_status(r)
    for c in verdict:
        assert got[c]["status"] == status(c), c


def test_graph_draws_the_transitive_reduction():
    from proofcheck.report.graph import layout

    r = _report(("p.a", "refuted", []), ("p.b", "proved", ["p.a"]), ("p.t", "proved", ["p.a", "p.b"]))
    edges = {(d, n) for d, n, _ in layout(r).edges}
    assert edges == {("p.a", "p.b"), ("p.b", "p.t")}
    assert {(d, n) for d, n, _ in layout(r, reduce=False).edges} == edges | {("p.a", "p.t")}
    assert effective_status(r)["p.t"]["by"] == ["p.a"]  # the status still sees the direct use


# ----------------------------------------------------------------------------- reader-facing text
def test_sources_are_cited_never_by_internal_file_name(report):
    # the fixture's sources carry an extraction file name and no citation: the paper id stands in
    html, md = render(report, "html"), render(report, "md")
    for text in (html, md):
        assert "000_294578d75b1f2ab6.txt" not in text and "../shared" not in text
    assert "park2019, Appendix 5.1, p. 13" in html
    for c in report["claims"]:
        c["source"]["citation"] = "J. Park, Input Distribution Analysis, MSc thesis, 2019"
    html = render(report, "html")
    assert "J. Park, Input Distribution Analysis, MSc thesis, 2019, Appendix 5.1, p. 13" in html


def test_margins_read_as_a_reviewer_needs():
    from proofcheck.report.values import examples_text, margin_text

    # float noise around 0 is never shown as a violation of a claim that was not refuted
    assert margin_text(-3e-16, None, "survived") == "0 (within rounding)"
    assert margin_text(-0.15, None, "survived") == "-0.15 (not a refutation: see the evidence)"
    assert margin_text(-0.25, -0.5, "refuted") == "-0.25 (\u221250 % of the larger side)"
    # an exact decision tries no example: a dash, not "2 / 0"
    assert examples_text({"examples": 2, "satisfied": 0, "decided_by": "decision"}) == "\u2014"
    assert examples_text({"examples": 120, "satisfied": 118, "decided_by": "search"}) == "120 / 118"


def test_one_margin_per_refuted_claim_everywhere(report):
    # the claim's least margin over the search (-0.9) and its counterexample's (-0.848) differ: the
    # report shows the counterexample's, the one the verdict rests on, in every table
    c = next(c for c in report["claims"] if c["id"] == "park2019.thm3.4.s6")
    c["margin"] = -0.9
    html = render(report, "html")
    row = re.search(r'data-claim="park2019.thm3.4.s6">(.*?)</tr>', html, flags=re.S).group(1)
    assert "-0.0421" in row and "-0.9" not in row
    thm = section(html, "thm-park2019.thm3.4")
    assert "-0.0421" in thm and "-0.9<" not in thm
    card = section(html, anchor("park2019.thm3.4.s6"))
    assert "least margin seen in the search -0.9" in card


def test_inconclusive_has_colour_glyph_filter_group_and_legend(report):
    report["claims"][0]["verdict"] = "inconclusive"
    html = render(report, "html")
    assert ".v-inconclusive {" in html
    assert re.search(r'data-verdict="inconclusive"><b>1</b>', html)
    assert f'class="card claim g-open vb-inconclusive" id="{anchor(report["claims"][0]["id"])}"' in html
    assert "confidence interval still contains its bound" in html
    md = render(report, "md")
    assert "1 \u2248 **inconclusive**" in md


def test_frontier_is_rendered_whatever_its_fields(report):
    c = next(c for c in report["claims"] if c["id"] == "park2019.thm3.4.s6")
    c["frontier"] = {"constant": "delta'", "refuted_above": {"$q": "47/50", "float": 0.94},
                     "holds_below": "0.906", "examples": 400}
    html = render(report, "html")
    card = section(html, anchor("park2019.thm3.4.s6"))
    assert "Frontier" in card and "refuted_above = 47/50" in card and "holds_below = 0.906" in card
    c["frontier"]["summary"] = "false for delta' >= 47/50; no counterexample for delta' <= 0.906 in 400 examples"
    html, md = render(report, "html"), render(report, "md")
    assert "false for delta&#39; &gt;= 47/50" in section(html, anchor("park2019.thm3.4.s6"))
    glance = html[html.index('id="glance-table"'):html.index("</table>", html.index('id="glance-table"'))]
    assert "no counterexample for delta&#39; &lt;= 0.906" in glance
    assert "**Frontier:** false for delta' &gt;= 47/50" in md


def test_frontier_of_the_audit_separates_printed_value_from_corner(report):
    # the audit's shape: {name: frontier}, each with printed_side; the glance says which case it is
    s6 = next(c for c in report["claims"] if c["id"] == "park2019.thm3.4.s6")
    s6["frontier"] = {"m_ex": {"name": "m_ex", "status": "bracketed", "printed_side": "holds",
                               "summary": "refuted for m_ex >= 1/4; no counterexample for m_ex <= 3/16 in 40 examples",
                               "assumption": "monotone in m_ex", "points": [
                                   {"value": "1/4", "float": 0.25, "verdict": "refuted", "evidence": "z3 model"},
                                   {"value": "3/16", "float": 0.1875, "verdict": "survived", "evidence": "40 examples"}]}}
    html = render(report, "html")
    glance = html[html.index('id="glance-table"'):html.index("</table>", html.index('id="glance-table"'))]
    assert '<span class="fclass fside-holds">fails only in a corner</span>' in glance
    assert "refuted for m_ex &gt;= 1/4; no counterexample for m_ex &lt;= 3/16" in glance
    card = section(html, anchor("park2019.thm3.4.s6"))
    assert "Frontier of <code>m_ex</code>" in card and "Assumption: monotone in m_ex" in card
    assert card.count("<td>") >= 2 and "z3 model" in card
    s6["frontier"]["m_ex"]["printed_side"] = "refuted"
    html = render(report, "html")
    assert '<span class="fclass fside-refuted">fails at the printed value</span>' in html
    assert "fails at the printed value: refuted for m_ex" in render(report, "md")


def test_theorem_graph_draws_the_shared_proof_lines_once():
    # a reading rests on the printed proof's lines: the edges go into the printed claim only
    r = {"claims": [_claim("p.t", "ill-formed"), _claim("p.t@a", "survived"), _claim("p.t@b", "refuted"),
                    _claim("p.t.s1", "proved"), _claim("p.t.s2", "refuted"),
                    _claim("p.t:repaired", "proved", uses=["p.t.s1"])]}
    svg = topdown_svg(r, "p.t")
    for cid in ("p.t", "p.t@a", "p.t@b", "p.t.s1", "p.t.s2", "p.t:repaired"):
        assert f'href="#{anchor(cid)}"' in svg
    # two lines into p.t, and the repair's own use of s1: three edges, not 2 x 3 + 1
    assert svg.count("<path d=") == 3 + 2  # three edges and the two arrow-head markers


def test_element_ids_are_unique(report):
    p = parse(render(report, "html"))
    ids = [a["id"] for _, a in p.tags if "id" in a]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_frontier_of_a_variable_says_how_much_of_the_range_fails():
    from proofcheck.report.values import frontier_class

    assert frontier_class({"status": "bracketed", "printed_side": None, "refuted_share": 0.06}) == \
        "fails only on part of the range (6 %)"
    assert frontier_class({"status": "refuted-throughout", "printed_side": None}) == "fails across the range probed"
    assert frontier_class({"status": "holds-throughout", "printed_side": None}) == ""


def test_irrational_values_show_float_and_text(report):
    """The store's ``{"$num": text, "float": f}`` (an irrational such as 2/pi, from
    :func:`proofcheck.store.codec.encode`) reads as its float with the text beside it, in HTML and
    Markdown, like the older ``$sympy`` encoding; a text beyond the float range is shown as it is."""
    import sympy

    from proofcheck.store.codec import encode

    two_over_pi = encode(2 / sympy.pi)
    assert "$num" in two_over_pi
    c = next(c for c in report["claims"] if c["id"] == "park2019.thm3.4.s6")
    c["counterexample"]["constants"] = {"end": two_over_pi, "huge": {"$num": "(exp(1000))", "float": None},
                                        "old": {"$sympy": "Mul(Integer(2), Pow(pi, Integer(-1)))",
                                                "float": 0.6366197723675814}}
    html = render(report, "html")
    card = section(html, anchor("park2019.thm3.4.s6"))
    assert 'title="exact: 2 * (pi^-1)">0.63662<' in card
    assert '<span class="num">exp(1000)</span>' in card
    assert "Mul(Integer(2)" in card  # the old encoding is still shown (on hover)
    md = render(report, "md")
    assert "0.63662 (= 2 \\* (pi^-1))" in md  # the star escaped: no emphasis in a table
    assert "exp(1000)" in md


def test_sized_delimiters_are_drawn_not_spelled(report):
    """latex2mathml spells a delimiter after \\Big (``\\Big\\|``) as its command; the printed
    statement shows the character (the norm bars of du2019's Lemma 2.4)."""
    report["claims"][0]["statement"] = r"\Big\|\frac{d}{ds}w\Big\| \le \bigl\{x\bigr\} + \Big\langle a\Big\rangle"
    html = render(report, "html")
    card = section(html, anchor(report["claims"][0]["id"]))
    printed = card[card.index('<div class="printed">'):card.index("</div>", card.index('<div class="printed">'))]
    assert "<math" in printed and "\\" not in printed
    assert printed.count("\u2016") == 2 and "\u27e8" in printed and "{</mo>" in printed
