"""The HTML report in a real browser: headless Chromium loads it from file://, renders the summary
table and the MathML, and takes a screenshot. Skipped (with the reason) when Chromium is absent;
``.ci/install-chromium`` installs it."""
from __future__ import annotations

import shutil
import struct
import subprocess

import pytest

from proofcheck.report import render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (run .ci/install-chromium)"),
]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--window-size=1280,2000"]


def _chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    profile.mkdir()
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def page(report, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    return path


def test_chromium_renders_the_report(page, tmp_path, report):
    proc = _chromium(tmp_path, "--dump-dom", page.as_uri())
    dom = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    # the page loaded (not Chromium's error page) and its parts are in the rendered DOM
    assert "chrome-error" not in dom and "ERR_FILE_NOT_FOUND" not in dom
    assert 'id="summary-table"' in dom
    for c in report["claims"]:
        assert f'data-claim="{c["id"]}"' in dom
    assert "<math" in dom and "<svg" in dom
    # the <script> title stayed text: no script element was created from it
    assert "<script" not in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


def test_chromium_screenshot(page, tmp_path):
    png = tmp_path / "report.png"
    proc = _chromium(tmp_path, f"--screenshot={png}", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 50_000  # a blank page compresses to a few kB; the report does not
