"""The documentation is true: the minimal paper and the test template of ``docs/WRITING_CLAIMS.md``
run exactly as printed, and the README's Quickstart is two commands with no internal names."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRITING = ROOT / "docs" / "WRITING_CLAIMS.md"
README = ROOT / "README.md"


def files_of(markdown: str) -> dict[str, str]:
    """The code blocks marked ``<!-- file: PATH -->`` in a Markdown text, by path."""
    return {m.group(1): m.group(2) for m in re.finditer(
        r"<!-- file: (\S+) -->\s*```python\n(.*?)```", markdown, flags=re.S)}


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("toy")
    files = files_of(WRITING.read_text(encoding="utf-8"))
    assert set(files) == {"toy2024/__init__.py", "toy2024/lemma1.py", "tests/test_toy2024.py"}
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    env = dict(os.environ)
    env["PROOFCHECK_LEMMAS"] = "toy2024"
    env["PYTHONPATH"] = os.pathsep.join([str(folder), str(ROOT)])
    env["PROOFCHECK_STORE"] = str(folder / "store")
    env["HYPOTHESIS_PROFILE"] = "ci"
    return folder, env


def test_the_minimal_paper_runs_as_printed(toy):
    folder, env = toy
    proc = subprocess.run([sys.executable, "-m", "proofcheck", "audit", "toy2024", "--budget", "quick",
                           "--seed", "0", "--format", "json"], capture_output=True, text=True, cwd=folder,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    verdicts = {c["id"]: c["verdict"] for c in json.loads(proc.stdout)["claims"]}
    # what the page says these claims come to
    assert verdicts == {"toy2024.lemma1": "certified", "toy2024.lemma1.s1": "proved",
                        "toy2024.lemma2": "refuted", "toy2024.lemma2:repaired": "proved"}
    listed = subprocess.run([sys.executable, "-m", "proofcheck", "list", "toy2024", "--format", "json"],
                            capture_output=True, text=True, cwd=folder, env=env, timeout=300)
    claims = {c["id"]: c for c in json.loads(listed.stdout)["claims"]}
    symbols = {s["name"]: s for s in claims["toy2024.lemma1"]["symbols"]}
    assert symbols["phi"]["meaning"] == "the angle between w and w*"
    assert symbols["c"]["role"] == "constant" and symbols["c"]["value"] == 2


def test_the_test_template_passes(toy):
    folder, env = toy
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_toy2024.py"],
                          capture_output=True, text=True, cwd=folder, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "6 passed" in proc.stdout


def test_readme_quickstart_is_two_commands_and_cites_no_internal_file():
    text = README.read_text(encoding="utf-8")
    quick = text[text.index("## Quickstart"):text.index("\n## ", text.index("## Quickstart") + 5)]
    blocks = re.findall(r"```\n(.*?)```", quick, flags=re.S)
    commands = [line for b in blocks for line in b.splitlines() if line.strip()]
    assert len(commands) == 2, commands
    assert "<!-- quickstart-audit -->" in quick and "<!-- quickstart-test -->" in quick
    for doc in (text, WRITING.read_text(encoding="utf-8")):
        assert "../shared" not in doc and "shared/" not in doc
        assert not re.search(r"\b\d{3}_[0-9a-f]{8,}\.txt\b", doc)
