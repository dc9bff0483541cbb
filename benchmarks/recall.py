"""Recall across seeds: does a flaw found at one seed get found at every seed?

Runs the audit of the selected claims (all by default) at each seed, each from an empty
counterexample store (so no seed inherits another's refutation through replay), and prints per claim
how many seeds refute it, then the totals. A claim refuted at some seeds and not at others is a miss
of the search, marked ``<-- seed-dependent``.

Run: ``PYTHONPATH=. python benchmarks/recall.py --seeds 0-4 [--budget default] [--jobs 2] [ids...]``
(``ids``: claim ids or prefixes, as for ``proofcheck audit``). ``--json FILE`` also writes the table.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time


def seed_list(text: str) -> list[int]:
    """``0-4`` or ``0,2,5`` or a mix (``0-2,7``)."""
    out: list[int] = []
    for part in text.split(","):
        a, sep, b = part.partition("-")
        out.extend(range(int(a), int(b) + 1) if sep else [int(a)])
    return out


def main(argv: list[str] | None = None) -> int:
    from proofcheck.interfaces.audit import audit
    from proofcheck.model.registry import load
    from proofcheck.store.counterexamples import CounterexampleStore

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ids", nargs="*", help="claim ids or prefixes (default: every claim)")
    ap.add_argument("--seeds", default="0-4")
    ap.add_argument("--budget", default="default")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", help="write {claim: [verdict per seed]} here")
    args = ap.parse_args(argv)

    claims = load().select(args.ids or None)
    seeds = seed_list(args.seeds)
    verdicts: dict[str, list[str]] = {c.id: [] for c in claims}
    for seed in seeds:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"recall-{seed}-") as root:
            results = audit(claims, args.budget, seed, jobs=args.jobs, store=CounterexampleStore(root))
        for r in results:
            verdicts[r.id].append(r.verdict.value)
        refuted = sum(r.verdict.value == "refuted" for r in results)
        if args.json:  # after every seed, so an interrupted run keeps what it computed
            with open(args.json, "w") as fh:
                json.dump({"budget": args.budget, "seeds": seeds, "verdicts": verdicts}, fh, indent=1)
        print(f"seed {seed}: {refuted} refuted of {len(results)} ({time.monotonic() - started:.0f} s)",
              file=sys.stderr, flush=True)

    n = len(seeds)
    width = max(len(cid) for cid in verdicts) if verdicts else 10
    print(f"{'claim':<{width}}  refuted/{n}  verdicts at seeds {', '.join(map(str, seeds))}")
    ever = always = 0
    for cid, vs in verdicts.items():
        k = vs.count("refuted")
        ever += k > 0
        always += k == n
        flag = "  <-- seed-dependent" if 0 < k < n else ""
        print(f"{cid:<{width}}  {k:>5}/{n}    {' '.join(v[:4] for v in vs)}{flag}")
    print(f"total: {ever} claims refuted at some seed, {always} at all {n} seeds, "
          f"{ever - always} seed-dependent (budget {args.budget})")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"budget": args.budget, "seeds": seeds, "verdicts": verdicts}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
