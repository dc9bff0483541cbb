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
import contextlib
import datetime as _dt
import io
import json
import os
import platform
import random
import shlex
import signal
import sys
from pathlib import Path
from typing import Any, Sequence

from proofcheck import __version__
from proofcheck.model.verdict import Result, Verdict

FORMATS = ("md", "html", "json")


class CliError(Exception):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise CliError(f"{self.prog}: {message}")


ID_HELP = ("a claim id as 'proofcheck list' prints it, e.g. park2019.thm3.4.s5, du2019.lemma2.2.s1@reading or "
           "toy2024.lemma2:repaired")
IDS_HELP = ("claim ids or id prefixes: a paper (park2019), a result and its proof lines (park2019.thm3.4), "
            "or one claim (default: every registered claim)")
BUDGET_HELP = ("how much to search: quick, default or deep, each with more examples and trials than the "
               "one before (a time limit is only a safety net)")
OUTPUT_HELP = "write to this file instead of standard output"


def _parser() -> argparse.ArgumentParser:
    from proofcheck.interfaces.frontier import MAX_STEPS, SECONDS as FRONTIER_SECONDS

    p = _Parser(prog="proofcheck", description="Check the claims of machine-learning theory papers: each claim is "
                "proved, certified, refuted with a re-verified counterexample, or says what was searched.",
                epilog="Run 'proofcheck COMMAND --help' for a command's options. Exit codes: 0 ran; 1 --fail-on "
                       "matched, or an internal error; 2 a usage error.")
    p.add_argument("--version", action="version", version=f"proofcheck {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    ls = sub.add_parser("list", help="list the registered claims", description="List the registered claims: id, "
                        "kind, where the source prints it, title, constants and the claims it uses.")
    ls.add_argument("ids", nargs="*", metavar="ID", help=IDS_HELP)
    ls.add_argument("--format", choices=("text", "json"), default="text",
                    help="text (default) or json (each claim's metadata)")
    ls.add_argument("-o", "--output", help=OUTPUT_HELP)

    au = sub.add_parser("audit", help="check claims; print a summary, write the full report with -o/--format",
                        description="Check claims and print a summary: the verdict counts, then every refuted, "
                        "vacuous or ill-formed claim with its reason and counterexample. The full report is "
                        "written with --format and/or -o (the format follows the file's suffix .md, .html or "
                        ".json when --format is not given).")
    au.add_argument("ids", nargs="*", metavar="ID", help=IDS_HELP)
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
    au.add_argument("--format", choices=FORMATS + ("all",), default=None,
                    help="md (Markdown), html (one self-contained page), json (the machine-readable contract) "
                         "or all (the three, with -o as their base path); default: a summary on the terminal, "
                         "or the format of -o's suffix")
    au.add_argument("-o", "--output", help=OUTPUT_HELP + " (with --format all: a base path)")
    au.add_argument("--fail-on", default="", metavar="WORDS",
                    help="comma-separated verdicts (" + ", ".join(v.value for v in Verdict) + ") or proof "
                         "statuses as the report prints them (proof-holds, proof-unchecked, proof-refuted-outside, "
                         "proof-refuted) that make the exit code 1, e.g. --fail-on refuted,proof-refuted")

    ch = sub.add_parser("check", help="check one claim, optionally with changed constants",
                        description="Check one claim and print its verdict, evidence and counterexample.")
    ch.add_argument("id", help=ID_HELP)
    _common(ch)
    ch.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                    help="override a named constant (repeatable), e.g. --set c=1/4")
    ch.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json (the "
                    "audit's JSON contract for this one result)")
    ch.add_argument("-o", "--output", help=OUTPUT_HELP)

    fr = sub.add_parser("frontier", help="bisect a constant or a scalar variable of a claim: where it is refuted "
                                         "and where it holds",
                        description="Bisect a constant (or a scalar variable) of a claim: where the claim is "
                        "refuted and where it holds. Without NAME, list what the claim can bisect.")
    fr.add_argument("id", help=ID_HELP)
    fr.add_argument("name", nargs="?", help="a constant of the claim, or a scalar variable (omit it to list them)")
    fr.add_argument("--range", dest="range_", metavar="LO:HI",
                    help="exact ends, e.g. 1/100:999/1000 (default: about a tenth to ten times a constant's printed value, "
                         "inside its rules; a variable's stated bounds or the range its claim declares)")
    _common(fr)
    fr.add_argument("--steps", type=_steps, default=8,
                    help=f"bisection steps after the first probes (default 8, at most {MAX_STEPS})")
    fr.add_argument("--seconds", type=_positive_float, default=None,
                    help="time cap for all the checks (default by budget: "
                         + ", ".join(f"{k} {v:g} s" for k, v in FRONTIER_SECONDS.items()) + ")")
    fr.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    fr.add_argument("-o", "--output", help=OUTPUT_HELP)

    rp = sub.add_parser("replay", help="re-verify the stored counterexamples of a claim",
                        description="Re-verify every stored counterexample of a claim with the current code; "
                        "exit 0 only when one still refutes.")
    rp.add_argument("id", help=ID_HELP)
    rp.add_argument("--store", help="counterexample store folder (default .proofcheck/counterexamples "
                                    "or $PROOFCHECK_STORE)")
    rp.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    rp.add_argument("-o", "--output", help=OUTPUT_HELP)
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--budget", choices=("quick", "default", "deep"), default="default", help=BUDGET_HELP)
    p.add_argument("--seed", type=_seed, default=None, help="random seed (default: a fresh one, printed); the same "
                   "seed and budget give the same verdicts")
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


def _steps(text: str) -> int:
    from proofcheck.interfaces.frontier import MAX_STEPS

    v = _positive_int(text)
    if v > MAX_STEPS:
        raise argparse.ArgumentTypeError(f"at most {MAX_STEPS} steps (each one shrinks the bracket to about a third; "
                                         f"{MAX_STEPS} are far below any printed precision), got {text!r}")
    return v


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}") from None
    if not (v > 0 and v < float("inf")):
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


#: the real standard output while the work runs with ``sys.stdout`` sent to stderr (see :func:`main`)
_OUT: list[Any] = []


def _stdout():
    out = _OUT[-1] if _OUT else sys.stdout
    if out is None:
        raise CliError("standard output is closed (write the report with -o PATH)")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _guard_stdio()
    try:
        args = _parser().parse_args(argv)
        # Only the command's own output goes to stdout: whatever a claim package prints (at import
        # or while checked) goes to stderr, so it never gets into stdout's JSON.
        _OUT.append(sys.stdout)
        try:
            with contextlib.redirect_stdout(sys.stderr if sys.stderr is not None else io.StringIO()):
                return _dispatch(args, argv)
        finally:
            _OUT.pop()
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
        from proofcheck.model.claim import ClaimError
        from proofcheck.decide.engine import UsageError
        from proofcheck.model.registry import LemmaLoadError, UnknownClaim
        from proofcheck.store.counterexamples import StoreError

        if isinstance(exc, (UsageError, UnknownClaim, LemmaLoadError, StoreError)):
            _eprint(f"error: {exc}")
            return 2
        if isinstance(exc, ClaimError):
            _eprint(f"error: malformed claims: {exc}")
            return 1
        _eprint(f"error: {type(exc).__name__}: {exc}")
        return 1


def _dispatch(args, argv: list[str]) -> int:
    from proofcheck.model.registry import load
    from proofcheck.store.counterexamples import CounterexampleStore

    if args.command == "audit":
        fmt = _audit_format(args.format, args.output)
        outputs = None
    else:
        outputs = _check_outputs(args.format, args.output)  # checked before any work, never opened
    if args.command == "check":
        from proofcheck.decide.engine import parse_sets

        overrides = parse_sets(args.sets)  # a value that does not parse: an error before loading anything
    if args.command == "audit":
        from proofcheck.interfaces.cluster import ENV_SCHEDULER, start_fork_server

        if not (args.scheduler or os.environ.get(ENV_SCHEDULER)):
            start_fork_server()  # the local workers' claims load while this process loads its own
    registry = load()
    if args.command == "list":
        claims = registry.select(args.ids)
        if args.format == "json":
            rows = []
            for c in claims:
                row = c.to_json(registry.definitions_for(c))
                if c.build_error:
                    row["ill_formed"] = c.build_error
                rows.append(row)
            text = json.dumps({"tool": "proofcheck", "version": __version__, "claims": rows}, indent=2)
        else:
            text = "\n".join(_list_text(c) for c in claims)
        for c in claims:
            if c.build_error:
                _eprint(f"warning: {c.id} is ill-formed: {c.build_error}")
        _emit(text, outputs)
        return 0

    store = CounterexampleStore(args.store) if getattr(args, "store", None) else CounterexampleStore()
    store.check_usable()

    if args.command == "replay":
        from proofcheck.decide.engine import replay

        claim = registry.get(args.id)
        rows = replay(claim, store=store, registry=registry)
        refuting = sum(1 for row in rows if row["refutes"])
        if args.format == "json":
            text = json.dumps({"id": claim.id, "replays": rows, "still_refuting": refuting}, indent=2, default=str)
        else:
            text = _replay_text(claim.id, rows, refuting, store)
        _emit(text, outputs)
        return 0 if refuting else 1  # exit 0 only when a stored counterexample still refutes

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)

    if args.command == "frontier":
        from proofcheck.interfaces.frontier import FrontierError, bisectable, frontier, parse_range, target_for, text_report

        claim = registry.get(args.id)
        if args.name is None:
            can = bisectable(claim)
            text = (f"{claim.id} can bisect:\n" + "\n".join(f"  {n:12s} {what}" for n, what in can) if can
                    else f"{claim.id} has no constant or scalar variable to bisect")
            _emit(text, outputs)
            return 0
        try:
            rng = parse_range(args.range_) if args.range_ else None
            target_for(claim, args.name, rng)  # bad input: a usage error before any work
        except FrontierError as exc:
            raise CliError(str(exc)) from None
        _eprint(f"proofcheck {__version__}: seed {seed}, budget {args.budget}")
        found = frontier(claim, args.name, rng, budget=args.budget, seed=seed, steps=args.steps,
                         seconds=args.seconds, store=store, registry=registry, progress=_eprint)
        _emit(json.dumps(found, indent=2) if args.format == "json" else text_report(found), outputs)
        return 0

    if args.command == "check":
        from proofcheck.decide.engine import check, constants_with

        claim = registry.get(args.id)
        constants_with(claim, overrides)  # bad --set: a usage error before any work
        _eprint(f"proofcheck {__version__}: seed {seed}, budget {args.budget}")
        result = check(claim, args.budget, seed, overrides=overrides, store=store,
                       progress=_eprint, registry=registry)
        if args.format == "json":
            text = json.dumps(_report([result], registry, seed, args.budget, argv), indent=2)
        else:
            text = _result_text(result, getattr(claim, "reason", None))
        _emit(text, outputs)
        return 0

    return _audit(args, argv, registry, store, seed, fmt)


def _audit(args, argv: list[str], registry, store, seed: int, fmt: str) -> int:
    from proofcheck.interfaces.cluster import ENV_SCHEDULER, Interrupted, Session, hold_signals, last_timings
    from proofcheck.decide.engine import audit
    from proofcheck.interfaces.frontier import attach_to_audit  # where refuted claims with constants start to hold
    from proofcheck.report.files import mark_partial

    fail_on = _fail_on(args.fail_on)
    claims = registry.select(args.ids)
    scheduler = args.scheduler or os.environ.get(ENV_SCHEDULER) or None
    if scheduler and args.jobs is not None:
        raise CliError("--jobs sizes the local cluster; with --scheduler the cluster's workers run the claims")
    memory = _memory_limit(args.memory_limit, scheduler)
    # every output checked before the audit runs (never opened); without -o or --format, a summary on stdout
    outputs = _check_outputs(fmt, args.output) if fmt != "summary" else _check_outputs("text", None)
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
            report = mark_partial(_report(done, registry, seed, args.budget, argv), len(done), len(claims))
            if "partial" not in report:  # every claim finished: the frontiers were cut short
                report["partial"] = f"partial: {len(done)} of {len(claims)} claims, frontiers not finished"
            _finish_audit(report, outputs, fmt, quiet=True)
            _eprint(f"interrupted ({name}): {len(done)} of {len(claims)} claims finished and reported; "
                    f"counterexamples found so far are in the store")
            partial.__exit__(None, None, None)
            _exit_at_once(130 if exc.signum == signal.SIGINT else 143)
    report = _report(results, registry, seed, args.budget, argv)
    _finish_audit(report, outputs, fmt)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
    _eprint("verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 1 if _fails(report, fail_on) else 0


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


def _audit_format(fmt: str | None, output: str | None) -> str:
    """The audit's output: the format asked for; else the format of ``-o``'s suffix (Markdown for
    any other); else a summary on the terminal."""
    if fmt is not None:
        return fmt
    if output is None:
        return "summary"
    suffix = Path(output).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "md"


def _emit(text: str, outputs: list[tuple[str, Path | None]]) -> None:
    """Write a command's text output to stdout or ``-o`` (replaced whole, never left half-written)."""
    from proofcheck.report.files import atomic_write

    text = text if text.endswith("\n") else text + "\n"
    for _, path in outputs:
        try:
            if path is None:
                out = _stdout()
                out.write(text)
                out.flush()
            else:
                atomic_write(path, text)
        except BrokenPipeError:
            raise  # the reader went away (``| head``): exit 141 quietly, in main
        except OSError as exc:
            raise CliError(f"cannot write {path or 'stdout'}: {exc.strerror or exc}", code=1) from None
        if path is not None:
            _eprint(f"wrote {path}")


def _finish_audit(report: dict[str, Any], outputs: list[tuple[str, Path | None]], fmt: str,
                  quiet: bool = False) -> None:
    """The audit's output: the terminal summary, or the full reports asked for."""
    if fmt == "summary":
        from proofcheck.report.terminal import render_summary

        partial = f"{report['partial']}: the audit was interrupted\n" if report.get("partial") else ""
        _emit(partial + render_summary(report)
              + f"\nThe full report: {report['command']} --format html -o report.html", outputs)
    else:
        _write_outputs(report, outputs, quiet=quiet)


def _fails(report: dict[str, Any], fail_on: set[str]) -> bool:
    """Does a verdict, or a proof status (``proof-<status>``) as the report prints it, named by
    ``--fail-on`` occur?"""
    if not fail_on:
        return False
    from proofcheck.report import graph

    if any(str(c.get("verdict")) in fail_on for c in report["claims"]):
        return True
    proof = graph.proof_status(report)
    return any(f"proof-{st['status']}" in fail_on for st in proof.values())


def _fail_on(text: str) -> set[str]:
    """Verdicts, and proof statuses as ``proof-<status>`` (``proof-refuted``, ``proof-refuted-outside``,
    ``proof-unchecked``, ``proof-holds``): the statuses the report prints beside each statement."""
    from proofcheck.report.graph import PROOF_ORDER

    known = [v.value for v in Verdict] + [f"proof-{p}" for p in PROOF_ORDER]
    out = set()
    for word in filter(None, (w.strip().replace(" ", "-") for w in text.split(","))):
        if word not in known:
            from proofcheck.model.registry import did_you_mean

            raise CliError(f"--fail-on: unknown verdict or proof status {word!r}{did_you_mean(word, known)} "
                           f"(choose from {', '.join(known)})") from None
        out.add(word)
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
        reason = getattr(claim, "reason", None)  # the encoder's one sentence (Claim.reason), where given
        if reason and "reason" not in record:
            record["reason"] = reason
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
    from proofcheck.report import render

    return render(report, fmt)


def _output_paths(fmt: str, output: str | None) -> list[tuple[str, Path | None]]:
    if fmt == "all":
        base = Path(output or "proofcheck-report")
        if base.suffix in (".md", ".html", ".json"):
            base = base.with_suffix("")
        return [(f, base.with_name(base.name + "." + f)) for f in FORMATS]
    return [(fmt, Path(output) if output else None)]


def _check_outputs(fmt: str, output: str | None) -> list[tuple[str, Path | None]]:
    """Check every output before any work: a missing folder, a read-only folder or a full device
    (``/dev/full``) is a one-line error now, not after the whole audit. A report already there is
    not opened (so never emptied): it is replaced whole when the new one is written."""
    from proofcheck.report.files import check_writable

    outputs = _output_paths(fmt, output)
    for _, path in outputs:
        if path is None:
            _stdout()
            continue
        try:
            check_writable(path)
        except OSError as exc:
            raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
    return outputs


def _write_outputs(report: dict[str, Any], outputs: list[tuple[str, Path | None]], quiet: bool = False) -> None:
    from proofcheck.report.files import atomic_write

    texts = [_render(report, f) for f, _ in outputs]  # every format rendered before any file is replaced
    for (f, path), text in zip(outputs, texts):
        text = text if text.endswith("\n") else text + "\n"
        try:
            if path is None:
                out = _stdout()
                out.write(text)
                out.flush()
            else:
                atomic_write(path, text)
        except OSError as exc:
            kept = " (a report already there is unchanged)" if path is not None else ""
            raise CliError(f"cannot write {path or 'stdout'}: {exc.strerror or exc}{kept}; the results are also "
                           f"in the partial results file", code=1) from None
        if path is not None and not quiet:
            _eprint(f"wrote {path}")


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
    """A counterexample's stored values as people read them (never a codec record or a repr)."""
    from proofcheck.report.values import values_text

    return values_text(values)


def _list_text(c) -> str:
    from proofcheck.report.values import printed

    consts = ", ".join(f"{k} = {printed(v)}" for k, v in c.constant_defaults().items())
    return (f"{c.id:40s} {c.kind.name:13s} {c.source.document}, {c.source.location}\n"
            f"    {c.title}" + (f"  [{consts}]" if consts else "")
            + (f"  uses: {', '.join(c.uses)}" if c.uses else "")
            + (f"\n    ILL-FORMED: {c.build_error}" if c.build_error else ""))


def _replay_text(claim_id: str, rows: list[dict[str, Any]], refuting: int, store) -> str:
    if not rows:
        return f"{claim_id}: no stored counterexample in {store.root}"
    lines = []
    for i, row in enumerate(rows):
        status = "still refutes" if row["refutes"] else "does NOT refute"
        lines.append(f"{claim_id} #{i + 1}: {status} ({row['how']})")
        lines.append(f"    values: {_values_text(row['record'].get('values', {}))}")
    if not refuting:
        lines.append(f"{claim_id}: none of the {len(rows)} stored counterexample(s) still refutes")
    return "\n".join(lines)


def _result_text(r: Result, reason: str | None = None) -> str:
    from proofcheck.report.values import margin_text, printed

    lines = [f"{r.id}: {r.verdict.value.upper()}"]
    if reason:
        lines.append(f"  why: {reason}")
    lines += [f"  evidence: {r.evidence}",
              f"  examples: {r.examples} (satisfied the hypotheses: {r.satisfied})"]
    if r.margin is not None:
        lines.append(f"  margin: {margin_text(r.margin, r.relative_margin, r.verdict.value)}")
    if r.constants:
        lines.append("  constants: " + ", ".join(f"{k} = {printed(v)}" for k, v in r.constants.items()))
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
