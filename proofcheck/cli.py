"""``proofcheck``: list, audit, check and replay claims.

Exit codes: 0 the command ran (whatever the verdicts, unless ``--fail-on`` names one that
occurred: then 1); ``replay`` exits 0 only when some stored counterexample still refutes, 1 when
none is stored or none still refutes; 2 a usage error (unknown id or constant, a value that does
not parse, a lemma package that cannot be imported, an output that cannot be written, a store
that is not a folder), reported before any work; 1 an internal error, reported in one line (set
PROOFCHECK_DEBUG=1 for the traceback); 141 the reader of stdout went away (``| head``).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import random
import shlex
import signal
import stat
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
    au.add_argument("--jobs", type=_positive_int, default=None,
                    help="worker processes of the embedded local cluster (default 1; never more than the claims)")
    au.add_argument("--scheduler", default=None, metavar="ADDRESS",
                    help="run the claims on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 "
                         "(default: $PROOFCHECK_SCHEDULER, else a local cluster)")
    au.add_argument("--memory-limit", default=None, metavar="SIZE",
                    help="memory per local worker, e.g. 4GiB (default: the machine's memory shared by the workers); "
                         "a worker over it is restarted and its claim retried once, then reported as an error")
    au.add_argument("--time-limit", type=_positive_float, default=None, metavar="SECONDS",
                    help="hard wall-clock limit per claim (default: twice the budget's seconds plus 30)")
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


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}") from None
    if not v > 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
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
    """Progress and messages: stderr only (closed stderr: dropped, never sent to stdout)."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        print(*args, file=stream, flush=True)
    except (OSError, ValueError):
        pass


def _guard_stdio() -> None:
    """A closed standard descriptor (``2>&-``) gets /dev/null, so no file the run opens later takes
    its number and receives another stream's output."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                opened = os.open(os.devnull, os.O_RDWR)
            except OSError:  # pragma: no cover
                return
            if opened != fd:  # a lower descriptor was free after all
                os.close(opened)


def _stdout():
    if sys.stdout is None:
        raise CliError("standard output is closed (write the report with -o PATH)")
    return sys.stdout


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _guard_stdio()
    try:
        args = _parser().parse_args(argv)
        return _dispatch(args, argv)
    except BrokenPipeError:
        # The reader went away (``proofcheck list | head``): stop quietly, as a SIGPIPE would.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, AttributeError, ValueError):
            pass
        return 141
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
        from .registry import LemmaLoadError, UnknownClaim
        from .store import StoreError

        if isinstance(exc, (UsageError, UnknownClaim, LemmaLoadError, StoreError)):
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

    if args.command != "audit" or not getattr(args, "output", None):
        out = _stdout()  # checked before any work
    if args.command == "check":
        from .engine import parse_sets

        overrides = parse_sets(args.sets)  # a value that does not parse: an error before loading anything
    if args.command == "audit":
        from .cluster import ENV_SCHEDULER, start_fork_server

        if not (args.scheduler or os.environ.get(ENV_SCHEDULER)):
            start_fork_server()  # the local workers' claims load while this process loads its own
    registry = load()
    if args.command == "list":
        claims = registry.select(args.ids)
        if args.format == "json":
            print(json.dumps({"tool": "proofcheck", "version": __version__,
                              "claims": [c.to_json(registry.definitions_for(c)) for c in claims]}, indent=2),
                  file=out)
        else:
            for c in claims:
                consts = ", ".join(f"{k}={v}" for k, v in c.to_json()["constants"].items())
                print(f"{c.id:40s} {c.kind.name:13s} {c.source.document}, {c.source.location}", file=out)
                print(f"    {c.title}" + (f"  [{consts}]" if consts else "")
                      + (f"  uses: {', '.join(c.uses)}" if c.uses else ""), file=out)
        out.flush()
        return 0

    store = CounterexampleStore(args.store) if getattr(args, "store", None) else CounterexampleStore()
    store.check_usable()

    if args.command == "replay":
        from .engine import replay

        claim = registry.get(args.id)
        rows = replay(claim, store=store, registry=registry)
        refuting = sum(1 for row in rows if row["refutes"])
        if args.format == "json":
            print(json.dumps({"id": claim.id, "replays": rows, "still_refuting": refuting}, indent=2, default=str),
                  file=out)
        elif not rows:
            print(f"{claim.id}: no stored counterexample in {store.root}", file=out)
        for i, row in enumerate(rows if args.format == "text" else []):
            status = "still refutes" if row["refutes"] else "does NOT refute"
            print(f"{claim.id} #{i + 1}: {status} ({row['how']})", file=out)
            print(f"    values: {_values_text(row['record'].get('values', {}))}", file=out)
        if rows and not refuting and args.format == "text":
            print(f"{claim.id}: none of the {len(rows)} stored counterexample(s) still refutes", file=out)
        out.flush()
        return 0 if refuting else 1  # exit 0 only when a stored counterexample still refutes

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
        from .engine import check, constants_with

        claim = registry.get(args.id)
        constants_with(claim, overrides)  # bad --set: a usage error before any work
        _eprint(f"proofcheck {__version__}: seed {seed}, budget {args.budget}")
        result = check(claim, args.budget, seed, overrides=overrides, store=store,
                       progress=_eprint, registry=registry)
        if args.format == "json":
            print(json.dumps(_report([result], registry, seed, args.budget, argv), indent=2), file=out)
        else:
            print(_result_text(result), file=out)
        out.flush()
        return 0

    return _audit(args, argv, registry, store, seed)


def _audit(args, argv: list[str], registry, store, seed: int) -> int:
    from .cluster import ENV_SCHEDULER, Interrupted, Session, hold_signals, last_timings
    from .engine import audit
    from .frontier import attach_to_audit  # where refuted claims with constants start to hold

    fail_on = _fail_on(args.fail_on)
    claims = registry.select(args.ids)
    scheduler = args.scheduler or os.environ.get(ENV_SCHEDULER) or None
    if scheduler and args.jobs is not None:
        raise CliError("--jobs sizes the local cluster; with --scheduler the cluster's workers run the claims")
    memory = _memory_limit(args.memory_limit, scheduler)
    outputs = _open_outputs(args.format, args.output)  # every output checked before the audit runs
    costs = last_timings(store)  # before this audit replaces them
    _eprint(f"proofcheck {__version__}: seed {seed}, budget {args.budget}, {len(claims)} claim(s)")
    finished: list[Result] = []

    def add(result: Result) -> None:
        partial.add(result)
        finished.append(result)

    with _PartialResults(store) as partial, hold_signals():
        try:
            try:
                session = Session(args.jobs or 1, scheduler, workers_needed=len(claims), memory_limit=memory,
                                  store=store, progress=_eprint)
            except OSError as exc:  # the scheduler cannot be reached
                raise CliError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
            with session:
                results = audit(claims, args.budget, seed, store=store, progress=_eprint, on_result=add,
                                session=session, costs=costs, seconds_limit=args.time_limit)
                attach_to_audit(results, registry, args.budget, seed, store=store, progress=_eprint,
                                session=session, seconds_limit=args.time_limit)
        except Interrupted as exc:
            name = "SIGINT" if exc.signum == signal.SIGINT else "SIGTERM"
            done = sorted(finished, key=lambda r: r.id)
            report = _report(done, registry, seed, args.budget, argv)
            report["partial"] = f"partial: {len(done)} of {len(claims)} claims"
            _write_outputs(report, outputs, quiet=True)
            _eprint(f"interrupted ({name}): {len(done)} of {len(claims)} claims finished and reported; "
                    f"counterexamples found so far are in the store")
            partial.__exit__(None, None, None)
            _exit_at_once(130 if exc.signum == signal.SIGINT else 143)
    report = _report(results, registry, seed, args.budget, argv)
    _write_outputs(report, outputs)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
    _eprint("verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if any(r.verdict in fail_on for r in results):
        return 1
    return 0


def _exit_at_once(code: int) -> None:
    """End the process now: the reports are written and the workers killed; tearing down the
    cluster's connections and the interpreter's heap would take seconds."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(code)


def _memory_limit(text: str | None, scheduler: str | None) -> str | None:
    if text is None:
        return None
    if scheduler:
        raise CliError("--memory-limit sizes the local cluster's workers; an existing cluster's workers have "
                       "their own (dask worker --memory-limit)")
    from dask.utils import parse_bytes

    try:
        if parse_bytes(text) <= 0:
            raise ValueError
    except (ValueError, TypeError):
        raise CliError(f"--memory-limit: cannot read {text!r} as a size (e.g. 4GiB, 500MB)") from None
    return text


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
        claim = registry.get(r.id)
        meta = claim.to_json(registry.definitions_for(claim))
        for key in ("title", "source", "statement", "kind", "delta", "uses", "note", "mathml", "variables",
                    "symbols"):
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


def _output_paths(fmt: str, output: str | None) -> list[tuple[str, Path | None]]:
    if fmt == "all":
        base = Path(output or "proofcheck-report")
        if base.suffix in (".md", ".html", ".json"):
            base = base.with_suffix("")
        return [(f, base.with_name(base.name + "." + f)) for f in FORMATS]
    return [(fmt, Path(output) if output else None)]


def _open_outputs(fmt: str, output: str | None) -> list[tuple[str, Path | None, Any]]:
    """Open every output for writing before any work: a missing folder, a read-only path or a full
    device (``/dev/full``) is a one-line error now, not after the whole audit."""
    opened = []
    for f, path in _output_paths(fmt, output):
        if path is None:
            opened.append((f, None, _stdout()))
            continue
        try:
            fh = open(path, "w", encoding="utf-8")
            fh.write(f"proofcheck: audit in progress; this file is replaced by the {f} report\n")
            fh.flush()
            if stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                fh.seek(0)
                fh.truncate()
        except OSError as exc:
            for _, _, other in opened:
                if other is not sys.stdout:
                    other.close()
            raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
        opened.append((f, path, fh))
    return opened


def _write_outputs(report: dict[str, Any], outputs: list[tuple[str, Path | None, Any]], quiet: bool = False) -> None:
    for f, path, fh in outputs:
        text = _render(report, f)
        text = text if text.endswith("\n") else text + "\n"
        try:
            fh.write(text)
            fh.flush()
        except OSError as exc:
            raise CliError(f"cannot write {path or 'stdout'}: {exc.strerror or exc} (the results are also in "
                           f"the partial results file)", code=1) from None
        finally:
            if path is not None:
                fh.close()
        if path is not None and not quiet:
            _eprint(f"wrote {path}")


def _write_report(report: dict[str, Any], fmt: str, output: str | None) -> None:
    _write_outputs(report, _open_outputs(fmt, output))


class _PartialResults:
    """``last-audit.jsonl`` beside the counterexample store: each result appended whole as it comes,
    so an interrupted audit loses none. A second audit running at the same time (the file is locked)
    writes ``last-audit.<pid>.jsonl`` instead; a folder that cannot be written is said once and the
    audit goes on."""

    def __init__(self, store):
        self.path = Path(store.root).parent / "last-audit.jsonl"
        self.fd: int | None = None

    def __enter__(self) -> "_PartialResults":
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = self._open_locked(self.path)
            if self.fd is None:
                self.path = self.path.with_name(f"last-audit.{os.getpid()}.jsonl")
                self.fd = self._open_locked(self.path)
        except OSError as exc:
            self.fd = None
            _eprint(f"warning: cannot write the partial results {self.path} ({exc.strerror or exc}); "
                    f"the audit goes on without them")
        return self

    @staticmethod
    def _open_locked(path: Path) -> int | None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - not POSIX
            pass
        except OSError:
            os.close(fd)
            return None
        os.ftruncate(fd, 0)
        return fd

    def add(self, r: Result) -> None:
        if self.fd is None:
            return
        line = (json.dumps(r.to_json()) + "\n").encode("utf-8")
        try:
            view = memoryview(line)
            while view:  # one record, whole, at the end of the file
                view = view[os.write(self.fd, view):]
        except OSError as exc:
            _eprint(f"warning: cannot write the partial results {self.path} ({exc.strerror or exc}); "
                    f"the audit goes on without them")
            os.close(self.fd)
            self.fd = None

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


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
