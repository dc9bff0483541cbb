"""Audits on Dask's distributed scheduler: claims that hang, hoard memory or kill their own worker
process; a worker of an external cluster killed mid-audit; the same JSON on any cluster; prompt,
clean stops. Small claim sets on two workers; the planted hazards are in ``tests/planted_hazards``."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from distributed import Client
from hypothesis import strategies as st

from proofcheck import Claim, Condition, Source, Variable
from proofcheck.decide.engine import check
from proofcheck.interfaces.audit import audit
from proofcheck.decide.search import EXAMPLE_DATABASE
from proofcheck.interfaces import worker
from proofcheck.interfaces.cluster import ENV_SHARED, claim_environment, shared_scheduler
from proofcheck.interfaces.worker import TOPIC_START, ClaimExampleDatabase
from proofcheck.model.registry import load
from proofcheck.store.counterexamples import CounterexampleStore

from conftest import descendants, kill_all, planted_env, shared_cluster_address, start_dask_cluster, stop_dask_cluster

ORDINARY = ["planted.poly_false", "planted.step", "planted.needle", "planted.sin_tight", "planted.coin_false"]
pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="process checks read /proc")


def hazard_env(**extra) -> dict:
    env = planted_env()
    env["PROOFCHECK_LEMMAS"] = "planted,planted_hazards"
    env.update(extra)
    return env


def audit_cmd(*ids, store, out=None, extra=()):
    cmd = [sys.executable, "-m", "proofcheck", "audit", *ids, "--budget", "quick", "--seed", "0",
           "--store", str(store), "--format", "json", *extra]
    return cmd + (["-o", str(out)] if out else [])


def comparable(report: dict, ids=None) -> dict:
    """Each claim's JSON without what may differ between runs: its timings and the store path."""
    out = {}
    for c in report["claims"]:
        if ids is not None and c["id"] not in ids:
            continue
        for f in (c.get("frontier") or {}).values():
            f.pop("seconds", None)
        out[c["id"]] = {k: v for k, v in c.items() if k not in ("seconds", "reproduce")}
    return out


def stored(store: Path, ids) -> dict:
    return {i: sorted((store / f"{i}.jsonl").read_text().splitlines()) if (store / f"{i}.jsonl").exists() else []
            for i in ids}


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


# ====================================================================== hazards on the local cluster
@pytest.mark.slow  # two audits on a local cluster with planted hazards (37 s): CI stays under 15 minutes; `pytest -m slow` runs it
def test_hazards_are_stopped_and_reported_and_the_rest_is_unchanged(tmp_path):
    """A claim that never returns (after finding a counterexample), one that allocates past the
    worker's memory limit and one that kills its own worker, among ordinary claims: the audit
    finishes and reports all; the three say why they stopped; the hanging worker is gone while the
    audit still runs; everything else is what an audit without them gives."""
    hazards = ["planted_hazards.hangs", "planted_hazards.hoards", "planted_hazards.kills"]
    out = tmp_path / "with.json"
    proc = subprocess.Popen(audit_cmd(*ORDINARY, *hazards, store=tmp_path / "with", out=out,
                                      extra=["--jobs", "2", "--time-limit", "20", "--memory-limit", "1200MB"]),
                            env=hazard_env(), stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    stopped_pid, gone = None, False
    try:
        for line in proc.stderr:
            if "over its time limit" in line and "worker process" in line:
                stopped_pid = int(line.split("worker process ")[1].split()[0])
                deadline = time.monotonic() + 3
                while alive(stopped_pid) and time.monotonic() < deadline:
                    time.sleep(0.05)
                gone = not alive(stopped_pid) and proc.poll() is None
        assert proc.wait(timeout=300) == 0
    finally:
        kill_all(descendants(proc.pid) | {proc.pid})
    assert stopped_pid is not None and gone, "the hanging claim's worker process outlived its time limit"
    report = json.loads(out.read_text())
    by_id = {c["id"]: c for c in report["claims"]}
    assert set(by_id) == set(ORDINARY + hazards)
    assert by_id["planted_hazards.hangs"]["verdict"] == "error"
    assert by_id["planted_hazards.hangs"]["evidence"].startswith("time limit:")
    assert str(stopped_pid) in by_id["planted_hazards.hangs"]["evidence"]
    # what it had found before it hung is reported and stored
    assert by_id["planted_hazards.hangs"]["counterexample"]["values"]["x"]["float"] == 0.25
    assert stored(tmp_path / "with", ["planted_hazards.hangs"])["planted_hazards.hangs"]
    assert by_id["planted_hazards.hoards"]["evidence"].startswith("memory limit:")
    assert by_id["planted_hazards.kills"]["evidence"].startswith("worker died:")
    assert all(by_id[h]["decided_by"] == "limit" for h in hazards)

    clean = tmp_path / "without.json"
    subprocess.run(audit_cmd(*ORDINARY, store=tmp_path / "without", out=clean, extra=["--jobs", "2"]),
                   env=hazard_env(), check=True, capture_output=True, timeout=300, cwd=tmp_path)
    assert comparable(report, ORDINARY) == comparable(json.loads(clean.read_text()))
    assert stored(tmp_path / "with", ORDINARY) == stored(tmp_path / "without", ORDINARY)


# ====================================================================== an external cluster
@pytest.fixture(scope="module")
def external_cluster(tmp_path_factory):
    """``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1, as a user starts them."""
    dask = shutil.which("dask")
    if dask is None:
        pytest.skip("the dask command line is not installed")
    address, procs = start_dask_cluster(dask, hazard_env(PLANTED_STALL="1"), tmp_path_factory.mktemp("cluster"), 2)
    try:
        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
        yield address, procs[1:]
    finally:
        stop_dask_cluster(procs)


@pytest.mark.slow  # three audits and a cluster of separate processes: minutes on a busy machine
def test_same_json_with_one_or_two_local_workers_and_an_external_cluster(tmp_path, external_cluster):
    address, _ = external_cluster
    ids = ["planted.poly_false", "planted.needle", "planted.sin_wide", "planted.coin_false", "planted.step"]
    reports = {}
    for name, extra in (("one", ["--jobs", "1"]), ("two", ["--jobs", "2"]), ("external", ["--scheduler", address])):
        out = tmp_path / f"{name}.json"
        subprocess.run(audit_cmd(*ids, store=tmp_path / name, out=out, extra=extra), env=hazard_env(),
                       check=True, capture_output=True, timeout=300, cwd=tmp_path)
        reports[name] = comparable(json.loads(out.read_text()))
    assert reports["one"] == reports["two"] == reports["external"]
    assert {c["verdict"] for c in reports["one"].values()} >= {"refuted"}


@pytest.mark.slow  # a cluster of separate processes and a claim that waits for its time limit
def test_a_worker_killed_mid_audit_on_an_external_cluster(tmp_path, external_cluster):
    """The stalling claim saves its counterexample and then sleeps; a worker process is killed
    (SIGKILL, as the OOM killer does) while it does: the audit still finishes, reports every claim
    and keeps the counterexample."""
    address, workers = external_cluster
    out = tmp_path / "r.json"
    ids = ["planted.stall", "planted.poly_false", "planted.needle", "planted.step"]
    proc = subprocess.Popen(audit_cmd(*ids, store=tmp_path / "s", out=out,
                                      extra=["--scheduler", address, "--time-limit", "15"]),
                            env=hazard_env(PLANTED_STALL="1"), stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "s" / "planted.stall.jsonl").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        victims = [c for w in workers for c in descendants(w.pid)]
        assert victims, "the dask workers have no worker processes"
        os.kill(victims[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=300)
    finally:
        kill_all(descendants(proc.pid) | {proc.pid})
    assert proc.returncode == 0, err
    by_id = {c["id"]: c for c in json.loads(out.read_text())["claims"]}
    assert set(by_id) == set(ids)
    assert {by_id[i]["verdict"] for i in ids if i != "planted.stall"} == {"refuted"}
    assert by_id["planted.stall"]["verdict"] == "error"  # it never ends: its time limit, or its worker died twice
    first = json.loads((tmp_path / "s" / "planted.stall.jsonl").read_text().splitlines()[0])
    assert first["values"]["x"]["float"] == 0.5


# ====================================================================== stopping
@pytest.mark.parametrize("signum, code, phase", [
    (signal.SIGTERM, 143, "claims"), (signal.SIGINT, 130, "frontier")])
def test_a_signal_stops_the_audit_promptly_and_cleanly(tmp_path, signum, code, phase):
    """In the claim phase (a claim stalls) or the frontier phase (a probe stalls): within two
    seconds, one line, the finished claims' report written, no process of the audit left. Eight
    jobs asked for two claims start two workers."""
    ids = (["planted.poly_false", "planted.stall"] if phase == "claims"
           else ["planted.poly_false", "planted_hazards.slow_frontier"])
    out = tmp_path / "r.json"
    proc = subprocess.Popen(audit_cmd(*ids, store=tmp_path / "s", out=out, extra=["--jobs", "8"]),
                            env=hazard_env(PLANTED_STALL="1"), stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            start_new_session=True)
    try:
        wanted = "frontier: bisecting" if phase == "frontier" else "planted.poly_false: refuted"
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if wanted in line:
                break
        time.sleep(1.0)  # the stalling task is running on its worker now
        family = descendants(proc.pid)
        workers = set().union(*(descendants(p) for p in family))  # forked by the fork server
        assert 1 <= len(workers) <= 2, f"worker processes {workers} for two claims"
        started = time.monotonic()
        os.kill(proc.pid, signum)
        rest = proc.stderr.read()
        proc.wait(timeout=30)
        took = time.monotonic() - started
        deadline = time.monotonic() + 2
        while any(alive(p) for p in family) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [p for p in family if alive(p)]
    finally:
        kill_all(descendants(proc.pid) | {proc.pid})
    assert proc.returncode == code, rest
    assert took < 2.0, f"stopping took {took:.1f} s"
    after = [l for l in rest.splitlines() if l.strip()]
    assert len(after) == 1 and after[0].startswith("interrupted"), rest
    assert not left, f"processes {left} outlived the audit"
    report = json.loads(out.read_text())
    finished = [c["id"] for c in report["claims"]]
    assert "planted.poly_false" in finished and "planted.stall" not in finished
    assert report["partial"].startswith("partial:")


# ====================================================================== order
def test_the_most_expensive_claims_run_first(tmp_path):
    """With one worker, the claims start in the order of the last audit's timings, longest first
    (claims without a timing first of all: they may be the longest)."""
    (tmp_path / "last-audit.jsonl").write_text("".join(
        json.dumps({"id": i, "seconds": s, "verdict": "refuted"}) + "\n"
        for i, s in [("planted.poly_false", 0.5), ("planted.step", 9.0), ("planted.sin_tight", 3.0)]))
    proc = subprocess.run(audit_cmd("planted.poly_false", "planted.step", "planted.sin_tight", "planted.needle",
                                    store=tmp_path / "s", extra=["--jobs", "1"]),
                          env=hazard_env(), capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    order = [l.split("] ")[1].split(":")[0] for l in proc.stderr.splitlines() if l.startswith("[")]
    assert order == ["planted.needle", "planted.step", "planted.sin_tight", "planted.poly_false"]


# ====================================================================== the suite's shared cluster
def test_an_audit_runs_on_the_shared_cluster_only_in_its_environment(monkeypatch):
    monkeypatch.setenv(ENV_SHARED, f"tcp://127.0.0.1:1#{claim_environment()}")
    assert shared_scheduler() == "tcp://127.0.0.1:1"
    assert shared_scheduler(jobs=2) is None  # --jobs 2: a local cluster of two
    assert shared_scheduler(memory_limit="1GB") is None  # its own workers' memory limit
    monkeypatch.setenv("PLANTED_STALL", "1")  # the claims would run otherwise than on its workers
    assert shared_scheduler() is None


def test_the_cli_audit_runs_its_claims_on_the_shared_cluster(tmp_path):
    env = planted_env()
    if not shared_cluster_address():
        pytest.skip("no shared cluster (the dask command line is not installed)")
    out = tmp_path / "r.json"
    subprocess.run(audit_cmd("planted.poly_false", store=tmp_path / "s", out=out), env=env, check=True,
                   capture_output=True, timeout=300, cwd=tmp_path)
    assert json.loads(out.read_text())["claims"][0]["verdict"] == "refuted"
    with Client(shared_cluster_address(), timeout=60, set_as_default=False) as client:
        started = [e[1]["task"] for e in client.get_events(TOPIC_START)]
    assert any(t.startswith("proofcheck-planted.poly_false-") for t in started)


# ====================================================================== the claims' example database
def bowl_claim(seen: list) -> Claim:
    """True everywhere (margin at least 1), least near (3.7, -1.2); records every float example."""
    def margin(e):
        if isinstance(e.p, float):
            seen.append((e.p, e.q))
        return (e.p - 3.7) ** 2 + (e.q + 1.2) ** 2 + 1.0

    p, q = (Variable(n, st.floats(-10, 10), lo=-10, hi=10) for n in "pq")
    return Claim(id="test.bowl", title="a bowl", source=Source("test", "tests/engine/test_cluster.py"),
                 statement=r"(p-3.7)^2+(q+1.2)^2+1 \ge 0", variables=[p, q],
                 conclusion=Condition("above", margin=margin))


def check_with(database, claim, seed=0) -> dict:
    token = EXAMPLE_DATABASE.set(database)
    try:
        report = check(claim, "quick", seed).to_json()
    finally:
        EXAMPLE_DATABASE.reset(token)
    report.pop("seconds")
    return report


def test_a_first_attempt_searches_as_without_a_database_and_a_retry_replays_its_leads(monkeypatch):
    seen: list = []
    sent: list = []  # (the lead's Hypothesis choices, its values), as the audit receives them
    monkeypatch.setattr(worker, "post_event", lambda topic, msg: sent.append((msg["lead"], seen[-1])))
    claim = bowl_claim(seen)
    alone = check_with(None, claim)
    without = list(seen)
    seen.clear()
    first = check_with(ClaimExampleDatabase("first"), claim)
    assert (first, seen) == (alone, without)  # the same examples, the same report
    assert sent, "no lead reached the audit"
    leads = [choices for choices, _ in sent]
    values = {v for _, v in sent}
    seen.clear()
    check_with(ClaimExampleDatabase("retry", leads), claim)
    assert set(seen[:len(values)]) == values  # the retry's Hypothesis run replays the leads first


def test_two_audits_in_one_process(tmp_path):
    """A second local cluster in the same process starts: the first one's configuration, undone on
    close, must not take distributed's own defaults with it (it did: KeyError 'comm')."""
    claims = load().select(["liyuan2017.def.f_A"])
    for seed in (0, 1):
        results = audit(claims, "quick", seed, jobs=1, store=CounterexampleStore(tmp_path / f"store{seed}"))
        assert results and all(r.verdict.value != "error" for r in results), [r.evidence for r in results]
