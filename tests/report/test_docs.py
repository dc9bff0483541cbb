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
    assert set(files) == {"toy2024/__init__.py", "toy2024/lemma1.py", "toy2024/network.py", "toy2024/sums.py",
                          "tests/test_toy2024.py"}
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
                        "toy2024.lemma2": "refuted", "toy2024.lemma2:repaired": "proved",
                        # the network example: an inequality over networks, an equality, a strict one
                        "toy2024.prop3": "survived", "toy2024.prop3.s1": "proved", "toy2024.remark4": "refuted",
                        # a sum over a symbolic n, an equivalence, a conclusion the source never prints
                        "toy2024.remark5": "proved", "toy2024.prop6": "proved", "toy2024.thm7": "ill-formed"}
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


def test_the_delta_table_is_what_the_engine_plans():
    """The least δ a sampled claim can decide at each budget, as the page prints it, is the
    Clopper-Pearson upper bound 1 - a^(1/N) of N draws with no failure at the last look's level a of
    the engine's own plan (settings and draws scaled by the budget, alpha spent over the looks)."""
    from proofcheck.decide.context import BUDGETS
    from proofcheck.decide.probability import DEFAULT_SETTINGS, FIRST_LOOK, SETTINGS_SCALE, Plan, looks_for
    from proofcheck.decide.stats import clopper_pearson

    text = WRITING.read_text(encoding="utf-8")
    table = text[text.index("<!-- delta-table -->"):]
    rows = re.findall(r"^\| `(\w+)` \| (\d+) \| (\d+) \| ([0-9.e-]+) \|$", table, flags=re.M)[:3]
    assert [r[0] for r in rows] == ["quick", "default", "deep"]
    for name, settings, draws, delta in rows:
        K = max(1, int(round(DEFAULT_SETTINGS * SETTINGS_SCALE[name])))
        N = max(min(FIRST_LOOK, 1000), int(round(1000 * BUDGETS[name].trials / 1000.0)))
        plan = Plan([], K, N, looks_for(N), 1 - 0.99)
        a = plan.alpha_look(len(plan.looks) - 1)
        assert (int(settings), int(draws)) == (K, N)
        assert f"{1 - a ** (1 / N):.3g}" == delta
        # the same number from the two-sided interval the engine computes, at twice the level
        assert abs(clopper_pearson(0, N, 1 - 2 * a)[1] - float(delta)) < 5e-3 * float(delta)
