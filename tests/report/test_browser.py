"""The HTML report in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``, driven by Selenium) opens it in a 1000 px wide window and measures it.

What is measured, on every report these tests open:

* nothing is past the right edge of the window (the page does not scroll sideways, and no element
  sticks out, except inside a box that scrolls or clips it and itself fits), and no verdict badge
  spills out of its table cell;
* with every ``<details>`` closed the page is at most 20,000 px tall;
* the summary table has a row per claim and every claim has its section;
* each theorem's dependency graph (in its card's ``<details>``, opened for this) fits the content
  width and nothing of it is past the right edge; the statement as printed is MathML that
  Chromium lays out (it has a size);
* the verdict filter, clicked like a reader would, hides every row and section of the other
  verdicts in every part of the page (no script: radio buttons and CSS ``:has()``).

The reports: the synthetic fixture, and a report with the metadata of every registered claim
(their real ids, titles, statements and sources) with verdicts spread over all eight. The real
audit of a run is measured when ``PROOFCHECK_REPORT_JSON`` names its JSON (for example the JSON
of ``proofcheck audit --budget default --format all -o audit``); ``PROOFCHECK_SCREENSHOT`` saves a
screenshot of the top of the measured page there (that is how ``docs/report.png`` is made).

Skipped, with the reason, when Chromium, its driver or Selenium is missing
(``.ci/install-chromium`` installs them).
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from proofcheck.report import render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
try:
    import selenium  # noqa: F401
    SELENIUM = True
except ImportError:  # pragma: no cover - depends on the machine
    SELENIUM = False

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (run .ci/install-chromium)"),
    pytest.mark.skipif(DRIVER is None, reason="chromedriver not installed (Debian package chromium-driver; "
                                              "run .ci/install-chromium)"),
    pytest.mark.skipif(not SELENIUM, reason="selenium not installed (pip install '.[test]')"),
]

WIDTH = 1000
MAX_HEIGHT = 20_000

MEASURE = """
for (const d of document.querySelectorAll('details')) d.open = false;
const W = document.documentElement.clientWidth;
const sticking = [];
function where(e) {
  let s = '';
  for (let a = e; a && a !== document.body && s.length < 200; a = a.parentElement)
    s = a.tagName.toLowerCase() + (a.id ? '#' + a.id : '') + ' > ' + s;
  return s;
}
for (const e of document.body.querySelectorAll('*')) {
  const r = e.getBoundingClientRect();
  if ((r.width === 0 && r.height === 0) || r.right <= W + 0.5) continue;
  let clipped = false;  // inside a box that scrolls or clips and itself fits the window
  for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= W + 0.5) { clipped = true; break; }
  }
  if (!clipped) sticking.push(where(e) + ' right=' + Math.round(r.right));
}
const content = document.querySelector('#summary').getBoundingClientRect().width;
// a badge wider than its table cell spills into the next column
const spilling = [];
for (const b of document.querySelectorAll('td .badge, td .status')) {
  const td = b.closest('td'), r = b.getBoundingClientRect(), c = td.getBoundingClientRect();
  if (r.width > 0 && (r.right > c.right + 1 || r.left < c.left - 1)) spilling.push(where(b) + ' ' + b.textContent);
}
// each theorem's graph is in its card's <details>: opened, it fits the content width and nothing
// of it is past the right edge; then closed again
const graphDetails = [...document.querySelectorAll('details.graph')];
for (const d of graphDetails) d.open = true;
const graphs = [...document.querySelectorAll('svg.topdown')].map(g => Math.round(g.getBoundingClientRect().width));
const graphSticking = [...document.querySelectorAll('details.graph *')].filter(e => e.getBoundingClientRect().right > W + 0.5)
  .map(e => where(e) + ' right=' + Math.round(e.getBoundingClientRect().right));
const graphScroll = document.documentElement.scrollWidth;
for (const d of graphDetails) d.open = false;
return {
  clientWidth: W,
  scrollWidth: document.documentElement.scrollWidth,
  height: document.documentElement.scrollHeight,
  sticking: sticking.slice(0, 10),
  spilling: spilling.slice(0, 10),
  content: content,
  rows: [...document.querySelectorAll('#summary-table tr[data-claim]')].map(r => r.dataset.claim),
  sections: [...document.querySelectorAll('section.claim')].map(s => s.id),
  graphs: graphs,
  graphDetails: graphDetails.length,
  graphSticking: graphSticking.slice(0, 10),
  graphScroll: graphScroll,
  maths: [...document.querySelectorAll('.printed math')].map(m => Math.round(m.getBoundingClientRect().width)),
};
"""

VISIBLE_GROUPS = """
const out = {};
for (const e of document.querySelectorAll('.g-held, .g-open, .g-broken')) {
  const g = [...e.classList].find(c => c.startsWith('g-'));
  const kind = e.tagName.toLowerCase() + (e.classList.contains('claim') ? '.claim' : e.classList.contains('thm') ? '.thm' : '');
  const key = kind + ' ' + g;
  out[key] = out[key] || [0, 0];
  out[key][e.offsetParent === null ? 1 : 0] += 1;  // [visible, hidden]
}
return out;
"""


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--window-size={WIDTH},1300"):
        options.add_argument(flag)
    options.binary_location = CHROMIUM
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_window_size(WIDTH, 1300)
    yield driver
    driver.quit()


def _open(browser, report: dict, tmp_path: Path) -> dict:
    path = tmp_path / "report.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    browser.get(path.as_uri())
    # ``get`` may return before a large file is parsed to its end (seen with file:// URLs under
    # load): wait until the document is complete and its last element, the footer, exists.
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 60).until(lambda b: b.execute_script(
        "return document.readyState === 'complete' && document.querySelector('body > footer') !== null"))
    return browser.execute_script(MEASURE)


def _check_layout(m: dict, report: dict) -> None:
    ids = [c["id"] for c in report["claims"]]
    assert m["clientWidth"] <= WIDTH
    assert m["scrollWidth"] <= m["clientWidth"], f"page scrolls sideways: {m['scrollWidth']} px"
    assert not m["sticking"], f"past the right edge: {m['sticking']}"
    assert not m["spilling"], f"badges spilling out of their table cells: {m['spilling']}"
    assert m["height"] <= MAX_HEIGHT, f"{m['height']} px tall with details closed"
    assert m["rows"] == ids
    assert len(m["sections"]) == len(ids)
    assert all(0 < w <= m["content"] for w in m["graphs"]), (m["graphs"], m["content"])
    assert m["graphs"] and len(m["graphs"]) == m["graphDetails"], "every theorem's graph sits in its card's <details>"
    assert not m["graphSticking"] and m["graphScroll"] <= m["clientWidth"], m["graphSticking"]
    assert m["maths"] and all(w > 0 for w in m["maths"])


def _check_filter(browser) -> None:
    """Click each filter like a reader: every element of another group disappears, all of the chosen
    group's stay (rows of the summary and the glance, theorem cards, claim cards)."""
    for chosen in ("broken", "open", "held", "all"):
        browser.find_element("css selector", f'label[for="vf-{chosen}"]').click()
        counts = browser.execute_script(VISIBLE_GROUPS)
        assert counts, "no filterable element"
        for key, (visible, hidden) in counts.items():
            group = key.rsplit(" g-", 1)[1]
            if chosen in ("all", group):
                assert hidden == 0, (chosen, key, visible, hidden)
            else:
                assert visible == 0, (chosen, key, visible, hidden)


def registry_report() -> dict:
    """Every registered claim's metadata (``proofcheck list --format json``: real ids, titles,
    statements, sources) with verdicts spread over all eight, refutations with a counterexample of
    many values, and the fixture's plots: a page as large as a real audit's, without running one."""
    proc = subprocess.run([sys.executable, "-m", "proofcheck", "list", "--format", "json"], capture_output=True,
                          text=True, timeout=300, check=True)
    claims = json.loads(proc.stdout)["claims"]
    verdicts = ("proved", "certified", "refuted", "survived", "inconclusive", "vacuous", "ill-formed", "error")
    import importlib.util

    spec = importlib.util.spec_from_file_location("report_fixture", Path(__file__).with_name("conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fixture = module.sample_report()
    plot = next(c for c in fixture["claims"] if c["details"].get("plots"))["details"]
    cex = copy.deepcopy(next(c for c in fixture["claims"] if c["counterexample"])["counterexample"])
    cex["values"].update({f"W{i}": {"$array": [0.25 * i, -1.5, 2.0], "shape": [1, 3], "dtype": "float64"}
                          for i in range(20)})
    out = []
    for k, meta in enumerate(claims):
        v = verdicts[k % len(verdicts)]
        rec = {**meta, "verdict": v, "decided_by": "search", "examples": 200, "satisfied": 180,
               "margin": -0.05 if v == "refuted" else 0.01, "constants": meta.get("constants") or {},
               "counterexample": copy.deepcopy(cex) if v == "refuted" else None, "seconds": 1.0,
               "reproduce": f"proofcheck check {meta['id']} --seed 0", "notes": [],
               "evidence": "a long evidence sentence as the engine writes them, naming the instance, the bound, "
                           "the exact comparison and the confidence level " * 2,
               "details": copy.deepcopy(plot) if k % 5 == 0 else {}}
        out.append(rec)
    return {**{k: v for k, v in fixture.items() if k != "claims"}, "claims": out}


def test_fixture_report_fits_1000px_and_filters_everywhere(browser, report, tmp_path):
    m = _open(browser, report, tmp_path)
    _check_layout(m, report)
    _check_filter(browser)
    # the hostile title stayed text
    assert browser.execute_script("return document.querySelectorAll('script').length") == 0


def test_every_registered_claim_fits_1000px(browser, tmp_path):
    report = registry_report()
    m = _open(browser, report, tmp_path)
    _check_layout(m, report)
    _check_filter(browser)


@pytest.mark.skipif(not os.environ.get("PROOFCHECK_REPORT_JSON"),
                    reason="set PROOFCHECK_REPORT_JSON to the JSON of a real audit to measure it")
def test_real_audit_fits_1000px(browser, tmp_path):
    report = json.loads(Path(os.environ["PROOFCHECK_REPORT_JSON"]).read_text(encoding="utf-8"))
    m = _open(browser, report, tmp_path)
    print(f"\nreal audit at {m['clientWidth']} px: {m['height']} px tall with details closed, "
          f"scroll width {m['scrollWidth']}, {len(m['rows'])} claims, graphs {m['graphs']}")
    shot = os.environ.get("PROOFCHECK_SCREENSHOT")
    if shot:
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(shot)
    _check_layout(m, report)
    _check_filter(browser)
