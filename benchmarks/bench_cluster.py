"""The default audit on one and on two local workers, in one run: wall time, the ratio, and the CPU
time of every process of the audit (the audit, its fork server and its worker processes, sampled
from /proc while it runs, so the workers' CPU is counted too, which ``time`` does not see); and
whether the two JSON reports are identical, timings aside (the same seed gives the same results
on any cluster).

    python benchmarks/bench_cluster.py [--budget default] [--seed 0] [--keep DIR] [IDS...]

The ratio (wall with 1 worker / wall with 2) approaches the number of workers when the claims are
many and the longest one is short against the sum; cluster start and the longest claim bound it.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _tree_cpu(root: int, seen: dict[int, float]) -> None:
    """Update ``seen`` (pid -> its own CPU seconds so far) for ``root`` and every descendant."""
    parents = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            parents[int(d.name)] = (int(fields[1]), fields)
    todo, tree = [root], []
    while todo:
        p = todo.pop()
        tree.append(p)
        todo += [c for c, (parent, _) in parents.items() if parent == p]
    for p in tree:
        if p in parents:
            f = parents[p][1]
            # the process's own utime and stime (fields 14 and 15 of stat; here offset by the two cut
            # off); not cutime/cstime: a reaped child's time is already counted as that child's
            seen[p] = sum(int(x) for x in f[11:13]) / TICKS


def run(args: list[str], store: str, report: str) -> tuple[float, float]:
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "proofcheck", "audit", *args, "--store", store,
                             "--format", "json", "-o", report], stderr=subprocess.DEVNULL)
    seen: dict[int, float] = {}
    while proc.poll() is None:
        _tree_cpu(proc.pid, seen)
        time.sleep(0.2)
    wall = time.monotonic() - started
    return wall, sum(seen.values())


def comparable(report_path: Path) -> dict:
    """Each claim's JSON without what differs between runs: its timings and the store path."""
    claims = {}
    for c in json.loads(report_path.read_text())["claims"]:
        for f in (c.get("frontier") or {}).values():
            f.pop("seconds", None)
        claims[c["id"]] = {k: v for k, v in c.items() if k not in ("seconds", "reproduce")}
    return claims


def differences(one: dict, two: dict) -> list[str]:
    return sorted(i for i in set(one) | set(two) if one.get(i) != two.get(i))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("ids", nargs="*")
    p.add_argument("--budget", default="default")
    p.add_argument("--seed", default="0")
    p.add_argument("--keep", metavar="DIR", help="keep the two JSON reports there (jobs1.json, jobs2.json)")
    a = p.parse_args()
    walls, reports = {}, {}
    for jobs in ("1", "2"):
        with tempfile.TemporaryDirectory() as tmp:  # a fresh store each: nothing replayed
            report = Path(tmp) / "report.json"
            wall, cpu = run([*a.ids, "--budget", a.budget, "--seed", a.seed, "--jobs", jobs], str(Path(tmp) / "s"),
                            str(report))
            reports[jobs] = comparable(report)
            if a.keep:
                Path(a.keep).mkdir(parents=True, exist_ok=True)
                shutil.copy(report, Path(a.keep) / f"jobs{jobs}.json")
        walls[jobs] = wall
        print(f"--jobs {jobs}: {wall:.1f} s wall, {cpu:.1f} s CPU (all processes of the audit)", flush=True)
    print(f"wall ratio 1 worker / 2 workers: {walls['1'] / walls['2']:.2f}")
    differ = differences(reports["1"], reports["2"])
    print(f"JSON of --jobs 1 and --jobs 2, timings aside: {len(reports['1'])} claims, "
          + ("identical" if not differ else f"{len(differ)} differ: {', '.join(differ)}"))


if __name__ == "__main__":
    main()
