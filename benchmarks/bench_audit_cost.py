"""The cost of a whole audit, this tree against an older commit, measured in one run.

The performance budget of a turn is stated against an older main ("at most 2x the CPU time of
main 2ca0df7"), and the machines are shared: a figure from another day says nothing. This script
checks the old commit out into a temporary git worktree and runs the same audit alternately in the
old and the new tree (old, new, old, new ...), each from a fresh counterexample store, and prints
CPU time, wall time and the load average at the start of each run, then the ratios of the medians.

CPU time is that of the audit's whole process tree: the audit runs in a session of its own
(``setsid``), and every process of that session (the audit, its Dask scheduler, nannies, workers
and their fork server) is sampled from ``/proc`` ten times a second; each process counts with the
last user + system time seen (the processes a local cluster starts live for the whole audit, so
what is lost between samples is a fraction of a second). Other work on the machine is not counted,
but it still slows the audit's wall time (the load at each start says how busy the machine was).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _session_cpu(sid: int, seen: dict[int, float]) -> None:
    """Record the CPU seconds of every live process of session ``sid`` (``/proc/PID/stat``)."""
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        if int(fields[3]) == sid:  # field 6: the session id
            seen[int(entry)] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime


def run_audit(tree: Path, budget: str, jobs: int, seed: int, claims: list[str],
              keep: Path | None = None) -> tuple[float, float, int]:
    """(cpu seconds, wall seconds, exit code) of one audit in ``tree`` from a fresh store; its JSON
    report is copied to ``keep`` when given."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PYTHONPATH=str(tree), PROOFCHECK_STORE=str(Path(tmp) / "store"))
        cmd = [sys.executable, "-m", "proofcheck", "audit", *claims, "--budget", budget, "--seed", str(seed),
               "--jobs", str(jobs), "--format", "json", "-o", str(Path(tmp) / "audit")]
        seen: dict[int, float] = {}
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        while proc.poll() is None:
            _session_cpu(proc.pid, seen)
            time.sleep(0.1)
        wall = time.perf_counter() - t0
        _session_cpu(proc.pid, seen)  # whatever of the session is still exiting
        if keep is not None and (Path(tmp) / "audit").exists():
            shutil.copy(Path(tmp) / "audit", keep)
    return sum(seen.values()), wall, proc.returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", default="2ca0df7", help="the commit to compare against (default 2ca0df7)")
    ap.add_argument("--budget", default="default")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each tree, interleaved")
    ap.add_argument("--keep", help="a folder to keep each run's JSON report in (old-1.json, new-1.json, ...)")
    ap.add_argument("claims", nargs="*", help="claim ids or papers (default: everything)")
    args = ap.parse_args(argv)
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        old_tree = Path(tmp) / "old"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(old_tree), args.old],
                       check=True)
        try:
            results: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
            for i in range(args.repeat):
                for label, tree in (("old", old_tree), ("new", ROOT)):
                    load = os.getloadavg()[0]
                    keep = Path(args.keep) / f"{label}-{i + 1}.json" if args.keep else None
                    cpu, wall, rc = run_audit(tree, args.budget, args.jobs, args.seed, args.claims, keep)
                    results[label].append((cpu, wall))
                    print(f"run {i + 1} {label:3} ({args.old if label == 'old' else 'this tree'}): "
                          f"cpu {cpu:7.1f} s  wall {wall:6.1f} s  load at start {load:.1f}  exit {rc}", flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old_tree)], check=False)

    old_cpu = statistics.median(c for c, _ in results["old"])
    new_cpu = statistics.median(c for c, _ in results["new"])
    old_wall = statistics.median(w for _, w in results["old"])
    new_wall = statistics.median(w for _, w in results["new"])
    print(f"median cpu  old {old_cpu:.1f} s  new {new_cpu:.1f} s  ratio new/old {new_cpu / old_cpu:.2f}")
    print(f"median wall old {old_wall:.1f} s  new {new_wall:.1f} s  ratio new/old {new_wall / old_wall:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
