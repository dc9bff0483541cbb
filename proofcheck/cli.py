"""``proofcheck``: list, audit, check and replay claims.

Exit codes: 0 the command ran (whatever the verdicts, unless ``--fail-on`` names one that
occurred: then 1); 2 a usage error (unknown id or constant, a value that does not parse);
1 an internal error, reported in one line (set PROOFCHECK_DEBUG=1 for the traceback).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import random
import shlex
import sys
from pathlib import Path
from typing import Any, Sequence

from . import __version__
from .verdict import Result, Verdict

FORMATS = ("md", "html", "json")


class CliError(Exception):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise CliError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="proofcheck", description="Check the claims of machine-learning theory papers.")
    p.add_argument("--version", action="version", version=f"proofcheck {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ls = sub.add_parser("list", help="list the registered claims")
    ls.add_argument("ids", nargs="*", help="claim ids or id prefixes (default: all)")
    ls.add_argument("--format", choices=("text", "json"), default="text")

    au = sub.add_parser("audit", help="check claims and write the audit report")
    au.add_argument("ids", nargs="*", help="claim ids or id prefixes, e.g. park2019 (default: all)")
    _common(au)
    au.add_argument("--jobs", type=_positive_int, default=1, help="worker processes (default 1)")
    au.add_argument("--format", choices=FORMATS + ("all",), default="md")
    au.add_argument("-o", "--output", help="output file (with --format all: a base path; default: stdout)")
    au.add_argument("--fail-on", default="", help="comma-separated verdicts that make the exit code 1")

    ch = sub.add_parser("check", help="check one claim, optionally with changed constants")
    ch.add_argument("id")
    _common(ch)
    ch.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                    help="override a named constant (repeatable), e.g. --set c=1/4")
    ch.add_argument("--format", choices=("text", "json"), default="text")

    fr = sub.add_parser("frontier", help="bisect a constant (or a bounded scalar variable) of a claim: where "
                                         "it is refuted and where it holds")
    fr.add_argument("id")
    fr.add_argument("name", help="a constant of the claim, or a bounded scalar variable")
    fr.add_argument("--range", dest="range_", metavar="LO:HI",
                    help="exact ends, e.g. 1/100:999/1000 (default: about a tenth to ten times a constant's printed value, "
                         "inside its rules; a variable's stated bounds)")
    _common(fr)
    fr.add_argument("--steps", type=_positive_int, default=8, help="bisection steps after the first probes (default 8)")
    fr.add_argument("--format", choices=("text", "json"), default="text")

    rp = sub.add_parser("replay", help="re-verify the stored counterexamples of a claim")
    rp.add_argument("id")
    rp.add_argument("--store", help="counterexample store folder (default .proofcheck/counterexamples "
                                    "or $PROOFCHECK_STORE)")
    rp.add_argument("--format", choices=("text", "json"), default="text")
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--budget", choices=("quick", "default", "deep"), default="default")
    p.add_argument("--seed", type=_seed, default=None, help="random seed (default: a fresh one, printed)")
    p.add_argument("--store", help="counterexample store folder (default .proofcheck/counterexamples "
                                   "or $PROOFCHECK_STORE)")


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return v


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer seed, got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer seed, got {text!r}")
    return v


def _eprint(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
        return _dispatch(args, argv)
    except CliError as exc:
        _eprint(f"error: {exc}" if not str(exc).startswith("proofcheck") else str(exc))
        return exc.code
    except KeyboardInterrupt:
        _eprint("interrupted (counterexamples found so far are saved in the store)")
        return 130
    except Exception as exc:  # one line, never a traceback, unless asked for
        if os.environ.get("PROOFCHECK_DEBUG"):
            raise
        from .claim import ClaimError
        from .engine import UsageError
        from .registry import UnknownClaim

        if isinstance(exc, (UsageError, UnknownClaim)):
            _eprint(f"error: {exc}")
            return 2
        if isinstance(exc, ClaimError):
            _eprint(f"error: malformed claims: {exc}")
            return 1
        _eprint(f"error: {type(exc).__name__}: {exc}")
        return 1


def _dispatch(args, argv: list[str]) -> int:
    from .registry import load
    from .store import CounterexampleStore

    registry = load()
    if args.command == "list":
        claims = registry.select(args.ids)
        if args.format == "json":
            print(json.dumps({"tool": "proofcheck", "version": __version__,
                              "claims": [c.to_json() for c in claims]}, indent=2))
        else:
            for c in claims:
                consts = ", ".join(f"{k}={v}" for k, v in c.to_json()["constants"].items())
                print(f"{c.id:40s} {c.kind.name:13s} {c.source.document}, {c.source.location}")
                print(f"    {c.title}" + (f"  [{consts}]" if consts else "")
                      + (f"  uses: {', '.join(c.uses)}" if c.uses else ""))
        return 0

    store = CounterexampleStore(args.store) if getattr(args, "store", None) else CounterexampleStore()

    if args.command == "replay":
        from .engine import replay

        claim = registry.get(args.id)
        rows = replay(claim, store=store, registry=registry)
        if args.format == "json":
            print(json.dumps({"id": claim.id, "replays": rows}, indent=2, default=str))
        elif not rows:
            print(f"{claim.id}: no stored counterexample in {store.root}")
        for i, row in enumerate(rows if args.format == "text" else []):
            status = "still refutes" if row["refutes"] else "does NOT refute"
            print(f"{claim.id} #{i + 1}: {status} ({row['how']})")
            print(f"    values: {_values_text(row['record'].get('values', {}))}")
        return 0 if rows else 1

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)

    if args.command == "frontier":
        from .frontier import FrontierError, frontier, parse_range, target_for, text_report

        claim = registry.get(args.id)
        try:
            rng = parse_range(args.range_) if args.range_ else None
            target_for(claim, args.name, rng)  # bad input: a usage error before any work
        except FrontierError as exc:
            raise CliError(str(exc)) from None
        _eprint(f"proofcheck {__version__}: seed {seed}, budget {args.budget}")
        found = frontier(claim, args.name, rng, budget=args.budget, seed=seed, steps=args.steps, store=store,
                         registry=registry, progress=_eprint)
        print(json.dumps(found, indent=2) if args.format == "json" else text_report(found))
        return 0

    if args.command == "check":
        from .engine import check, constants_with, parse_sets

        claim = registry.get(args.id)
        overrides = parse_sets(args.sets)
        constants_with(claim, overrides)  # bad --set: a usage error before any work
        _eprint(f"proofcheck {__version__}: seed {seed}, budget {args.budget}")
        result = check(claim, args.budget, seed, overrides=overrides, store=store,
                       progress=_eprint, registry=registry)
        if args.format == "json":
            print(json.dumps(_report([result], registry, seed, args.budget, argv), indent=2))
        else:
            print(_result_text(result))
        return 0

    # audit
    from .engine import audit

    fail_on = _fail_on(args.fail_on)
    claims = registry.select(args.ids)
    _eprint(f"proofcheck {__version__}: seed {seed}, budget {args.budget}, {len(claims)} claim(s)")
    partial = Path(".proofcheck") / "last-audit.jsonl"
    partial.parent.mkdir(parents=True, exist_ok=True)
    with open(partial, "w", encoding="utf-8") as fh:
        def on_result(r: Result) -> None:  # results kept as they come: an interrupted audit loses none
            fh.write(json.dumps(r.to_json()) + "\n")
            fh.flush()

        results = audit(claims, args.budget, seed, jobs=args.jobs, store=store, progress=_eprint,
                        on_result=on_result)
    from .frontier import attach_to_audit  # where refuted claims with constants start to hold

    attach_to_audit(results, registry, args.budget, seed, jobs=args.jobs, store=store, progress=_eprint)
    report = _report(results, registry, seed, args.budget, argv)
    _write_report(report, args.format, args.output)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
    _eprint("verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if any(r.verdict in fail_on for r in results):
        return 1
    return 0


def _fail_on(text: str) -> set[Verdict]:
    out = set()
    for word in filter(None, (w.strip() for w in text.split(","))):
        try:
            out.add(Verdict(word))
        except ValueError:
            raise CliError(f"--fail-on: unknown verdict {word!r} (choose from "
                           f"{', '.join(v.value for v in Verdict)})") from None
    return out


def _report(results: list[Result], registry, seed: int, budget: str, argv: list[str]) -> dict[str, Any]:
    """The JSON contract (plus each claim's metadata, so renderers need nothing else)."""
    claims = []
    for r in results:
        record = r.to_json()
        meta = registry.get(r.id).to_json()
        for key in ("title", "source", "statement", "kind", "delta", "uses", "note", "mathml", "variables"):
            record[key] = meta[key]
        claims.append(record)
    cleaned, skip = [], False
    for a in argv:  # the command that reproduces the report: same claims, seed and budget
        if skip:
            skip = False
            continue
        if a in ("-o", "--output", "--seed"):
            skip = True
            continue
        if a.startswith(("--output=", "--seed=")):
            continue
        cleaned.append(a)
    return {
        "tool": "proofcheck",
        "version": __version__,
        "seed": seed,
        "budget": budget,
        "command": "proofcheck " + " ".join(shlex.quote(a) for a in cleaned) + f" --seed {seed}",
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpus": os.cpu_count() or 1},
        "claims": claims,
    }


def _render(report: dict[str, Any], fmt: str) -> str:
    if fmt == "json":  # the contract is the engine's; renderers only read it
        return json.dumps(report, indent=2) + "\n"
    from .report import render

    return render(report, fmt)


def _write_report(report: dict[str, Any], fmt: str, output: str | None) -> None:

    if fmt == "all":
        base = Path(output or "proofcheck-report")
        if base.suffix in (".md", ".html", ".json"):
            base = base.with_suffix("")
        for f in FORMATS:
            path = base.with_name(base.name + "." + f)
            path.write_text(_render(report, f), encoding="utf-8")
            _eprint(f"wrote {path}")
        return
    text = _render(report, fmt)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        _eprint(f"wrote {output}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _values_text(values: dict[str, Any]) -> str:
    from .codec import decode

    parts = []
    for k, v in values.items():
        d = decode(v, exact=True)
        parts.append(f"{k}={d}" if not hasattr(d, "shape") else f"{k}=<array {d.shape}>")
    text = ", ".join(parts)
    return text if len(text) < 400 else text[:397] + "..."


def _result_text(r: Result) -> str:
    lines = [f"{r.id}: {r.verdict.value.upper()}", f"  evidence: {r.evidence}",
             f"  examples: {r.examples} (satisfied the hypotheses: {r.satisfied})"]
    if r.margin is not None:
        lines.append(f"  margin: {r.margin:.6g}")
    if r.constants:
        lines.append("  constants: " + ", ".join(f"{k}={v}" for k, v in r.constants.items()))
    if r.counterexample:
        lines.append(f"  counterexample: {_values_text(r.counterexample.get('values', {}))}")
        lines.append(f"  verified by: {r.counterexample.get('verified_by', '')}")
    for n in r.notes:
        lines.append(f"  note: {n}")
    lines.append(f"  reproduce: {r.reproduce}")
    lines.append(f"  time: {r.seconds:.2f} s")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
