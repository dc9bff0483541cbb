"""The public API keeps its promise: the version, what ``proofcheck`` exports, and a paper package
written against 0.1.0 (``tests/data/oldapi2024``, importing the removed ``proofcheck.probabilistic``)
loads and audits with deprecation warnings and no failure."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import proofcheck

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def test_version_is_the_packages():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert proofcheck.__version__ == meta["project"]["version"] == "0.2.0"


def test_every_documented_name_is_exported_and_importable():
    for name in ("Claim", "Constant", "Variable", "Source", "Definition", "Condition", "Deterministic",
                 "Probabilistic", "Outcome", "Witness", "Emptiness", "RERUN_ON_BALLS", "Verdict", "Result",
                 "TeacherStudent", "teacher_students", "networks", "Dataset", "datasets",
                 "TrainingProblem", "NetworkPoint", "training_problems", "network_points"):
        assert name in proofcheck.__all__, name
        assert getattr(proofcheck, name) is not None


def test_importing_proofcheck_does_not_import_the_network_mathematics():
    code = ("import sys, proofcheck; "
            "print(sorted(m for m in sys.modules if m.startswith('proofcheck.ml')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr


def test_a_package_written_against_0_1_0_loads_and_audits(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(DATA)]),
           "PROOFCHECK_LEMMAS": "oldapi2024", "PROOFCHECK_STORE": str(tmp_path / "store")}
    proc = subprocess.run([sys.executable, "-W", "always::DeprecationWarning", "-m", "proofcheck", "audit",
                           "oldapi2024", "--budget", "quick", "--seed", "0", "--format", "json"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "DeprecationWarning: proofcheck.probabilistic is deprecated" in proc.stderr
    verdicts = {c["id"]: c["verdict"] for c in json.loads(proc.stdout)["claims"]}
    assert set(verdicts) == {"oldapi2024.lemma1", "oldapi2024.lemma2"}
    assert verdicts["oldapi2024.lemma1"] == "proved"
    assert verdicts["oldapi2024.lemma2"] in ("survived", "refuted")  # a computed verdict, not an error
