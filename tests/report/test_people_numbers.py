"""Every counterexample reads as people's numbers in the terminal, Markdown and HTML: no codec
record (``$q``), no Python repr (``Fraction(``, ``array(``, ``ClassName(``, ``<... object at``) and
no ``null``. The quick test audits claims whose counterexamples are networks, datasets, critical
points and flows; the slow one audits every claim at seed 0."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from proofcheck.report import render
from proofcheck.report.graph import anchor
from proofcheck.report.html import render_value
from proofcheck.report.markdown import value as md_value
from proofcheck.report.terminal import render_summary
from proofcheck.store.readable import value_text

ROOT = Path(__file__).resolve().parents[2]
LEAK = re.compile(r"\$q|\$obj|\$array|\$num|Fraction\(|array\(|\bnull\b|object at 0x|\b[A-Z][A-Za-z0-9_]*\((?!\))")
# in a whole card, prose may say "null set": a null *value* follows a tag, a colon or an equals sign
CARD_LEAK = re.compile(r"\$q|Fraction\(|array\(|(>|=|: )\s*null\b|object at 0x")
OBJECT_CLAIMS = ["du2019.lemma2.3", "du2019.lemma2.5", "nguyenhein2017.eq1", "park2019.eq2.1"]


def _audit(tmp_path, ids):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HYPOTHESIS_PROFILE": "ci"}
    proc = subprocess.run([sys.executable, "-m", "proofcheck", "audit", *ids, "--budget", "quick", "--seed", "0",
                           "--jobs", "2", "--format", "json", "--store", str(tmp_path / "store")],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def _no_leak(report):
    refuted = [c for c in report["claims"] if c.get("counterexample")]
    assert refuted
    md, html, terminal = render(report, "md"), render(report, "html"), render_summary(report)
    for c in refuted:
        for name, v in (c["counterexample"].get("values") or {}).items():
            shown = {"terminal": value_text(v), "md": md_value(v), "html": str(render_value(v))}
            for where, text in shown.items():
                m = LEAK.search(text)
                assert m is None, f"{c['id']} {name} in {where}: {text[max(0, m.start() - 60):m.start() + 60]}"
            assert f"{name} = {value_text(v)}"[:60] in terminal  # the summary shows it as it is rendered
        card = html[html.index(f'id="{anchor(c["id"])}"'):]
        card = card[:card.find("</section>")] if "</section>" in card else card
        cex = card[card.index("Counterexample"):] if "Counterexample" in card else card
        assert not CARD_LEAK.search(cex), c["id"]
        section = md[md.index(f"### `{c['id']}`", md.index("## Claims")):]
        section = section[:section.index("\n### ", 5)] if "\n### " in section[5:] else section
        assert not CARD_LEAK.search(section), c["id"]


def test_network_dataset_and_flow_counterexamples_read_as_people_s_numbers(tmp_path):
    report = _audit(tmp_path, OBJECT_CLAIMS)
    _no_leak(report)
    text = {c["id"]: value_text(next(iter(c["counterexample"]["values"].values())))
            for c in report["claims"] if c.get("counterexample")}
    assert "network of widths" in text["nguyenhein2017.eq1"] and "theta = [" in text["nguyenhein2017.eq1"]
    assert "dataset n = " in text["du2019.lemma2.3"] and "d = " in text["du2019.lemma2.3"]
    assert "student W = [[" in text["park2019.eq2.1"] and "teacher W* = [[" in text["park2019.eq2.1"]


@pytest.mark.slow
def test_every_counterexample_of_the_audit_reads_as_people_s_numbers(tmp_path):
    _no_leak(_audit(tmp_path, []))
