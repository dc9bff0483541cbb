"""Every stored refutation replays from its record alone, in a process that did not find it."""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_REPLAY_ALL = (
    "import json, sys\n"
    "from proofcheck.decide.engine import replay\n"
    "from proofcheck.store.counterexamples import CounterexampleStore\n"
    "store = CounterexampleStore(sys.argv[1])\n"
    "out = {cid: [r['refutes'] for r in replay(cid, store=store)] for cid in sys.argv[2:]}\n"
    "print(json.dumps(out))\n"
)


def _run(args, env_store):
    env = dict(os.environ, PYTHONPATH=ROOT, PROOFCHECK_STORE=env_store)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3000)


def _audit_then_replay(tmp_path, ids, budget):
    store, report = str(tmp_path / "store"), str(tmp_path / "audit.json")
    done = _run(["-m", "proofcheck", "audit", *ids, "--budget", budget, "--seed", "0", "--jobs", "2",
                 "--format", "json", "-o", report, "--store", store], store)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    with open(report) as fh:
        refuted = [c["id"] for c in json.load(fh)["claims"] if c["verdict"] == "refuted"]
    assert refuted, "the audit refuted nothing: nothing to replay"
    replayed = _run(["-c", _REPLAY_ALL, store, *refuted], store)
    assert replayed.returncode == 0, replayed.stderr[-2000:]
    rows = json.loads(replayed.stdout.strip().splitlines()[-1])
    failing = {cid: r for cid, r in rows.items() if not r or not any(r)}
    assert not failing, f"refutations that do not replay from their records: {failing}"
    return refuted


def test_refutations_of_a_few_claims_replay_from_a_fresh_process(tmp_path):
    refuted = _audit_then_replay(tmp_path, ["liyuan2017.def", "park2019.eq2.1", "park2019.thm3.5.s1@singular"],
                                 "quick")
    assert "liyuan2017.def.A.trace" in refuted  # a z3 model that leaves variables free


@pytest.mark.slow
def test_every_refutation_of_the_default_audit_replays_from_a_fresh_process(tmp_path):
    _audit_then_replay(tmp_path, [], "default")
