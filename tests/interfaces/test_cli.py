"""The CLI as a user meets it: through a subprocess, including every bad-input case."""
import json
import subprocess
import sys

import pytest

from conftest import planted_env


def cli(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "proofcheck", *args], capture_output=True, text=True,
                          env=env or planted_env(), cwd=cwd, timeout=600)


@pytest.fixture()
def store(tmp_path):
    return str(tmp_path / "store")


def one_line_error(proc, code=2):
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_list_json_has_every_field():
    proc = cli("list", "planted", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    claims = {c["id"]: c for c in json.loads(proc.stdout)["claims"]}
    step = claims["planted.step"]
    assert step["source"]["document"] == "planted" and step["constants"] == {"c": 1}
    assert {"id", "title", "source", "kind", "constants", "uses"} <= set(step)


@pytest.mark.parametrize("args, words", [
    (("check", "planted.nope"), "unknown claim id"),
    (("check", "planted.step", "--set", "zz=1"), "no constant 'zz'"),
    (("check", "planted.step", "--set", "c"), "NAME=VALUE"),
    (("check", "planted.step", "--set", "c=abc"), "cannot parse"),
    (("check", "planted.step", "--set", "c=nan"), "not a finite real"),
    (("check", "planted.step", "--set", "c=-1"), "must be positive"),
    (("check", "planted.step", "--budget", "huge"), "invalid choice"),
    (("check", "planted.step", "--seed", "x"), "seed"),
    (("audit", "nosuchpaper"), "no claim id matches"),
    (("audit", "planted.step", "--fail-on", "wrong"), "unknown verdict"),
    (("replay", "planted.nope"), "unknown claim id"),
])
def test_bad_input_is_one_line_and_exit_2(args, words, store):
    line = one_line_error(cli(*args, "--store", store))
    assert words in line


def test_check_json_contract_and_set(store):
    proc = cli("check", "planted.step", "--seed", "3", "--budget", "quick", "--format", "json",
               "--set", "c=1/4", "--store", store)
    assert proc.returncode == 0, proc.stderr
    assert "seed 3" in proc.stderr
    report = json.loads(proc.stdout)
    assert {"tool", "version", "seed", "budget", "claims"} <= set(report) and report["seed"] == 3
    (c,) = report["claims"]
    assert set(c) >= {"id", "verdict", "evidence", "examples", "satisfied", "margin", "constants",
                      "counterexample", "seconds", "reproduce"}
    assert c["constants"] == {"c": "1/4"} and c["verdict"] == "refuted"


def test_refutation_is_saved_and_replays(store):
    proc = cli("check", "planted.poly_false", "--seed", "1", "--budget", "quick", "--store", store)
    assert proc.returncode == 0 and "REFUTED" in proc.stdout, proc.stdout + proc.stderr
    proc = cli("replay", "planted.poly_false", "--store", store)
    assert proc.returncode == 0 and "still refutes" in proc.stdout, proc.stdout + proc.stderr
    proc = cli("replay", "planted.poly_true", "--store", store)
    assert proc.returncode == 1 and "no stored counterexample" in proc.stdout


def test_same_seed_same_json(tmp_path):
    outs = []
    for i in range(2):  # two fresh folders, so each run starts with an empty store of the same name
        (tmp_path / str(i)).mkdir()
        proc = cli("audit", "planted.needle", "planted.sin_wide", "planted.impossible", "--seed", "7",
                   "--budget", "quick", "--format", "json", "--store", "store", cwd=tmp_path / str(i))
        assert proc.returncode == 0, proc.stderr
        report = json.loads(proc.stdout)
        for c in report["claims"]:
            c.pop("seconds")
        report.pop("date")
        outs.append(report)
    assert outs[0] == outs[1]


def test_audit_fail_on_and_markdown(tmp_path, store):
    out = tmp_path / "r.md"
    proc = cli("audit", "planted.poly_false", "planted.impossible", "--budget", "quick", "--seed", "0",
               "-o", str(out), "--fail-on", "refuted", "--store", store)
    assert proc.returncode == 1, proc.stderr
    text = out.read_text()
    assert "planted.poly_false" in text and "refuted" in text
    proc = cli("audit", "planted.impossible", "--budget", "quick", "--seed", "0", "-o", str(out),
               "--fail-on", "refuted", "--store", store)
    assert proc.returncode == 0, proc.stderr


def test_stored_counterexamples_are_replayed_first(store):
    first = cli("check", "planted.needle", "--seed", "2", "--budget", "quick", "--format", "json", "--store", store)
    second = cli("check", "planted.needle", "--seed", "9", "--budget", "quick", "--format", "json", "--store", store)
    a, b = (json.loads(p.stdout)["claims"][0] for p in (first, second))
    assert a["verdict"] == b["verdict"] == "refuted"
    assert b["evidence"].startswith("stored counterexample (found by search) re-verified") and b["examples"] == 1


@pytest.mark.slow  # the audit at --jobs 1 and --jobs 2 (22 s): CI stays under 15 minutes; `pytest -m slow` runs it
def test_parallel_jobs_give_the_same_verdicts(tmp_path):
    reports = []
    for jobs in ("1", "2"):
        proc = cli("audit", "planted", "--seed", "4", "--budget", "quick", "--format", "json", "--jobs", jobs,
                   "--store", str(tmp_path / jobs))
        assert proc.returncode == 0, proc.stderr
        reports.append({c["id"]: (c["verdict"], c["examples"], c["margin"]) for c in json.loads(proc.stdout)["claims"]})
    assert reports[0] == reports[1]


def test_custom_procedures_replay_their_records(store):
    assert cli("check", "planted.coin_false", "--seed", "0", "--budget", "quick", "--store", store).returncode == 0
    proc = cli("replay", "planted.coin_false", "--store", store)
    assert proc.returncode == 0 and "still refutes" in proc.stdout and "Clopper-Pearson" in proc.stdout
    # under a larger delta the same record no longer refutes, and a fresh check says so too
    proc = cli("check", "planted.coin_false", "--set", "delta=1/2", "--budget", "quick", "--format", "json",
               "--store", store)
    assert json.loads(proc.stdout)["claims"][0]["verdict"] == "survived"


def test_an_interrupted_audit_keeps_what_it_found(tmp_path):
    """Kill an audit while a claim is still searching: its counterexample is already on disk, and
    the claims finished before it are in last-audit.jsonl beside the store."""
    env = planted_env()
    env["PLANTED_STALL"] = "1"
    proc = subprocess.Popen([sys.executable, "-m", "proofcheck", "audit", "planted.poly_false", "planted.stall",
                             "--budget", "quick", "--seed", "0", "--store", "store"],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    import time

    deadline = time.monotonic() + 120
    stored = tmp_path / "store" / "planted.stall.jsonl"
    while not stored.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.kill()
    proc.wait()
    assert stored.exists(), "the counterexample was not saved when found"
    assert json.loads(stored.read_text().splitlines()[0])["values"]["x"]["float"] == 0.5
    done = [json.loads(l)["id"] for l in (tmp_path / "last-audit.jsonl").read_text().splitlines()]
    assert done == ["planted.poly_false"]
