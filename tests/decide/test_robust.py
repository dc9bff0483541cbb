"""One misbehaving claim, store file or input never takes a run down (issue 15, items 5, 7 and 8).

Each test plants one case: a claim raising MemoryError (directly, or on a margin's first call, which
Hypothesis reports as FlakyFailure), a condition sympy decides to True, store entries that are not
files (/dev/zero, a FIFO, a symlink loop, a huge line), an interrupted audit, a report that must
not be emptied before the work, values where a verdict is due, import-time prints, a typo in the
pytest plugin's ids and an unbounded frontier.
"""
import importlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from conftest import planted_env
from proofcheck import Verdict
from proofcheck.decide.engine import check
from proofcheck.model.registry import Registry
from proofcheck.store.counterexamples import CounterexampleStore

_HEAD = '''
import sympy
from hypothesis import strategies as st
from proofcheck import Claim, Condition, Source, Variable

SRC = Source("{name}", "{name}/__init__.py")
x = Variable("x", st.floats(0, 1), domain="[0, 1]", lo=0, hi=1)
X = x.symbol
'''

#: Packages of planted claims, registered by name. ``oompkg``: a claim whose margin raises
#: MemoryError, one whose margin raises it on its first call only (Hypothesis then reports a
#: FlakyFailure), and an ordinary claim. ``truepkg``: a condition sympy decides to True while the
#: module is imported, beside an ordinary claim. ``printpkg``: prints while it is imported.
PACKAGES = {
    "oompkg": _HEAD + '''

def _out_of_memory(env):
    raise MemoryError()


_calls = []


def _first_call_out_of_memory(env):
    _calls.append(1)
    if len(_calls) == 1:
        raise MemoryError()
    return 1.0


memory = Claim(id="oompkg.memory", title="its margin raises MemoryError", source=SRC, statement="x >= 0",
               variables=[x], conclusion=Condition("out of memory", margin=_out_of_memory))
flaky = Claim(id="oompkg.flaky", title="its margin raises MemoryError on the first call", source=SRC,
              statement="x >= 0", variables=[x], conclusion=Condition("flaky", margin=_first_call_out_of_memory))
square = Claim(id="oompkg.square", title="x^2 <= x on [0, 1]", source=SRC, statement="x^2 <= x",
               variables=[x], conclusion=sympy.Le(X**2, X))
''',
    "truepkg": _HEAD + '''
always = Claim(id="truepkg.always", title="a condition sympy decides to True", source=SRC, statement="x <= x + 1",
               variables=[x], conclusion=sympy.Le(X, X + 1))
square = Claim(id="truepkg.square", title="x^2 <= x on [0, 1]", source=SRC, statement="x^2 <= x",
               variables=[x], conclusion=sympy.Le(X**2, X))
''',
    "printpkg": _HEAD + '''
print("printpkg: hello from import")
square = Claim(id="printpkg.square", title="x^2 <= x on [0, 1]", source=SRC, statement="x^2 <= x",
               variables=[x], conclusion=sympy.Le(X**2, X))
''',
}


def packages_env(tmp_path: Path, *names: str) -> dict:
    """Write the named packages under ``tmp_path`` and return a CLI environment that registers
    them by name (``PROOFCHECK_LEMMAS``, with their folder on ``PYTHONPATH``) beside the planted claims."""
    for name in names:
        pkg = tmp_path / "pkgs" / name
        pkg.mkdir(parents=True, exist_ok=True)
        (pkg / "__init__.py").write_text(PACKAGES[name].replace("{name}", name))
    env = planted_env()
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "pkgs"), env["PYTHONPATH"]])
    env["PROOFCHECK_LEMMAS"] = ",".join(("planted",) + names)
    return env


def registry_of(tmp_path: Path, name: str) -> Registry:
    packages_env(tmp_path, name)
    sys.path.insert(0, str(tmp_path / "pkgs"))
    try:
        sys.modules.pop(name, None)
        reg = Registry()
        reg.add_module(importlib.import_module(name))
        return reg
    finally:
        sys.path.remove(str(tmp_path / "pkgs"))
        sys.modules.pop(name, None)


def cli(*args, env=None, timeout=300, memory=None, **kw):
    def limit():
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([sys.executable, "-m", "proofcheck", *args], capture_output=True, text=True,
                          env=env or planted_env(), timeout=timeout, preexec_fn=limit, **kw)


def one_line_error(proc, code=2):
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


# ====================================================================== item 5: one claim, one error
def test_a_memory_error_is_that_claims_error_with_the_reason(tmp_path):
    reg = registry_of(tmp_path, "oompkg")
    r = check("oompkg.memory", "quick", 0, registry=reg)
    assert r.verdict is Verdict.ERROR and "MemoryError" in r.evidence and "out of memory" in r.evidence


def test_a_flaky_failure_from_a_first_call_memory_error_is_that_claims_error(tmp_path):
    reg = registry_of(tmp_path, "oompkg")
    r = check("oompkg.flaky", "quick", 0, registry=reg)
    assert r.verdict is Verdict.ERROR, r.evidence
    assert r.evidence.startswith("MemoryError") and "FlakyFailure" in r.evidence


def test_a_condition_decided_to_true_makes_that_claim_ill_formed_and_the_others_load(tmp_path):
    reg = registry_of(tmp_path, "truepkg")
    assert sorted(reg.claims) == ["truepkg.always", "truepkg.square"]
    r = check("truepkg.always", "quick", 0, registry=reg)
    assert r.verdict is Verdict.ILL_FORMED and "conclusion is True" in r.evidence
    assert check("truepkg.square", "quick", 0, registry=reg).verdict is Verdict.PROVED
    proc = cli("list", env=packages_env(tmp_path, "truepkg"))
    assert proc.returncode == 0, proc.stderr
    assert "truepkg.always" in proc.stdout and "ILL-FORMED" in proc.stdout and "truepkg.square" in proc.stdout
    assert "planted.poly_false" in proc.stdout and "truepkg.always is ill-formed" in proc.stderr


def test_an_audit_with_bad_packages_finishes_and_reports_every_claim(tmp_path):
    env = packages_env(tmp_path, "oompkg", "truepkg")
    out = tmp_path / "report"
    proc = cli("audit", "oompkg", "truepkg", "planted.poly_false", "--budget", "quick", "--seed", "0",
               "--format", "all", "-o", str(out), "--store", str(tmp_path / "s"), env=env)
    assert proc.returncode == 0, proc.stderr
    for fmt in ("md", "html", "json"):
        assert out.with_name(f"report.{fmt}").stat().st_size > 0
    claims = {c["id"]: c for c in json.loads(out.with_name("report.json").read_text())["claims"]}
    assert {k: c["verdict"] for k, c in claims.items()} == {
        "oompkg.flaky": "error", "oompkg.memory": "error", "oompkg.square": "proved",
        "truepkg.always": "ill-formed", "truepkg.square": "proved", "planted.poly_false": "refuted"}
    assert "MemoryError" in claims["oompkg.memory"]["evidence"] and "True" in claims["truepkg.always"]["evidence"]


def test_an_interrupted_audit_writes_the_finished_claims_marked_partial_and_never_empties_the_report(tmp_path):
    env = planted_env()
    env["PLANTED_STALL"] = "1"  # planted.stall records a counterexample, then sleeps
    report = tmp_path / "report.json"
    report.write_text("the previous report\n")
    proc = subprocess.Popen([sys.executable, "-m", "proofcheck", "audit", "planted.poly_false", "planted.stall",
                             "--budget", "quick", "--seed", "0", "--format", "all", "-o", str(report),
                             "--store", str(tmp_path / "s")], env=env, stderr=subprocess.PIPE, text=True)
    try:
        seen = ""
        while "[1/2]" not in seen:
            line = proc.stderr.readline()
            assert line, seen
            seen += line
        time.sleep(1.0)  # inside planted.stall's sleep
        assert report.read_text() == "the previous report\n"  # neither opened nor emptied during the work
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=120)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, seen + rest
    data = json.loads(report.read_text())
    assert data["partial"] == "partial: 1 of 2 claims"
    assert [c["id"] for c in data["claims"]] == ["planted.poly_false"]
    assert data["claims"][0]["verdict"] == "refuted"
    for fmt in ("md", "html"):
        assert "partial: 1 of 2 claims" in report.with_name(f"report.{fmt}").read_text()
    # the counterexample the interrupted claim found before its stall is kept in the store
    assert CounterexampleStore(tmp_path / "s").load("planted.stall")


def test_a_report_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    from proofcheck.report import files as report_files

    target = tmp_path / "r.md"
    target.write_text("old\n")
    report_files.check_writable(target)
    assert target.read_text() == "old\n"

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_files.os, "replace", broken_replace)
    with pytest.raises(OSError):
        report_files.atomic_write(target, "new\n")
    assert target.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["r.md"]
    monkeypatch.undo()
    report_files.atomic_write(target, "new\n")
    assert target.read_text() == "new\n"


# ====================================================================== item 7: the store reads regular files
def test_a_claim_file_linked_to_dev_zero_is_skipped_and_the_refutation_is_printed(tmp_path):
    store = tmp_path / "s"
    store.mkdir()
    (store / "planted.poly_false.jsonl").symlink_to("/dev/zero")
    proc = cli("check", "planted.poly_false", "--budget", "quick", "--seed", "0", "--store", str(store),
               "--format", "json", timeout=120, memory=3 << 30)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["claims"][0]["verdict"] == "refuted"
    assert "not a regular file" in proc.stderr


def test_a_fifo_in_the_store_never_blocks(tmp_path):
    store = tmp_path / "s"
    store.mkdir()
    os.mkfifo(store / "planted.poly_false.jsonl")
    proc = cli("replay", "planted.poly_false", "--store", str(store), timeout=60)
    assert proc.returncode == 1 and "a FIFO, not a regular file" in proc.stderr, proc.stderr


def test_a_store_folder_that_is_a_symlink_loop_is_found_before_the_work(tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    line = one_line_error(cli("check", "planted.poly_false", "--budget", "quick", "--seed", "0",
                              "--store", str(loop), timeout=120))
    assert "symlink loop" in line


def test_a_huge_line_is_skipped_in_bounded_memory(tmp_path):
    warnings = []
    store = CounterexampleStore(tmp_path / "s", warn=warnings.append)
    path = store._file("planted.poly_false")
    path.parent.mkdir()
    good = json.dumps({"values": {"a": 1.5}, "constants": {}})
    with open(path, "wb") as fh:
        fh.write(b'{"values": {"a": "' + b"9" * (50 << 20) + b'"}}\n')  # a 50 MB line
        fh.write(b'{"values": {"a": [' + b",".join([b"{}"] * 200_000) + b"]}}\n")  # 600 kB of containers
        fh.write(good.encode() + b"\n")
    tracemalloc.start()
    try:
        records = store.load("planted.poly_false")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [r["values"] for r in records] == [{"a": 1.5}]
    assert peak < 40 << 20, peak  # a few times the line cap, not the line
    assert any(":1: record skipped (longer than" in w for w in warnings), warnings
    assert any(":2: record skipped" in w and "too many JSON items" in w for w in warnings), warnings


def test_a_file_over_the_size_cap_is_skipped_with_a_warning(tmp_path, monkeypatch):
    import proofcheck.store.counterexamples as store_module

    monkeypatch.setattr(store_module, "MAX_FILE_BYTES", 100)
    warnings = []
    store = CounterexampleStore(tmp_path / "s", warn=warnings.append)
    store._file("planted.poly_false").parent.mkdir()
    store._file("planted.poly_false").write_text(json.dumps({"values": {"a": 1.5}, "pad": "x" * 200}) + "\n")
    assert store.load("planted.poly_false") == []
    assert len(warnings) == 1 and "over the 100" in warnings[0]


# ====================================================================== item 8: a verdict where one is due
def test_a_value_where_the_statement_is_false_is_a_refutation():
    r = check("du2019.thm3.1", "quick", 0, overrides={"eta_c": 10})
    assert r.verdict is Verdict.REFUTED, r.evidence


def test_an_overflowing_width_is_not_reached_never_an_error():
    r = check("du2019.thm2.6", "quick", 0, overrides={"delta": "1e-300"})
    assert r.verdict is Verdict.INCONCLUSIVE and "not reached" in r.evidence, r.evidence


def test_a_value_outside_a_declared_domain_is_a_usage_error_naming_it():
    line = one_line_error(cli("check", "du2019.thm3.1", "--set", "delta=2"))
    assert "0 < delta < 1" in line


def test_import_prints_go_to_stderr_never_into_stdouts_json(tmp_path):
    proc = cli("list", "printpkg", "--format", "json", env=packages_env(tmp_path, "printpkg"))
    assert proc.returncode == 0, proc.stderr
    assert [c["id"] for c in json.loads(proc.stdout)["claims"]] == ["printpkg.square"]
    assert "printpkg: hello from import" in proc.stderr


def test_a_typo_in_the_pytest_plugins_ids_is_a_usage_error(tmp_path):
    env = planted_env()
    env["PROOFCHECK_STORE"] = str(tmp_path / "store")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--proofcheck", "park2091"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "INTERNALERROR" not in proc.stdout + proc.stderr
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and "park2091" in lines[0], lines


def test_frontier_caps_its_steps_and_its_time():
    from proofcheck.interfaces.frontier import MAX_STEPS, SECONDS

    line = one_line_error(cli("frontier", "planted.step", "c", "--steps", "100000", timeout=120))
    assert f"at most {MAX_STEPS}" in line
    assert all(0 < s < float("inf") for s in SECONDS.values())
