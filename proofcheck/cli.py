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
    from .frontier import MAX_STEPS, SECONDS as FRONTIER_SECONDS

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
    fr.add_argument("--steps", type=_steps, default=8,
                    help=f"bisection steps after the first probes (default 8, at most {MAX_STEPS})")
    fr.add_argument("--seconds", type=_positive_float, default=None,
                    help="time cap for all the checks (default by budget: "
                         + ", ".join(f"{k} {v:g} s" for k, v in FRONTIER_SECONDS.items()) + ")")
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


def _steps(text: str) -> int:
    from .frontier import MAX_STEPS

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
            print(json.dumps({"tool": "proofcheck", "version": __version__, "claims": rows}, indent=2), file=out)
        else:
            for c in claims:
                consts = ", ".join(f"{k}={v}" for k, v in c.to_json()["constants"].items())
                print(f"{c.id:40s} {c.kind.name:13s} {c.source.document}, {c.source.location}", file=out)
                print(f"    {c.title}" + (f"  [{consts}]" if consts else "")
                      + (f"  uses: {', '.join(c.uses)}" if c.uses else ""), file=out)
                if c.build_error:
                    print(f"    ILL-FORMED: {c.build_error}", file=out)
        for c in claims:
            if c.build_error:
                _eprint(f"warning: {c.id} is ill-formed: {c.build_error}")
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
        found = frontier(claim, args.name, rng, budget=args.budget, seed=seed, steps=args.steps,
                         seconds=args.seconds, store=store, registry=registry, progress=_eprint)
        print(json.dumps(found, indent=2) if args.format == "json" else text_report(found), file=out)
        out.flush()
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
            print(_result_text(result, claim.reason), file=out)
        out.flush()
        return 0

    # audit
    from .engine import audit

    fail_on = _fail_on(args.fail_on)
    claims = registry.select(args.ids)
    outputs = _check_outputs(args.format, args.output)  # every output checked before the audit runs
    _eprint(f"proofcheck {__version__}: seed {seed}, budget {args.budget}, {len(claims)} claim(s)")
    finished: dict[str, Result] = {}

    def keep(result: Result) -> None:
        finished[result.id] = result
        partial.add(result)

    with _PartialResults(store) as partial:
        try:
            results = audit(claims, args.budget, seed, jobs=args.jobs, store=store, progress=_eprint,
                            on_result=keep)
        except KeyboardInterrupt:
            write_interrupted_audit([finished[c.id] for c in claims if c.id in finished], len(claims), registry,
                                    seed, args.budget, argv, outputs)
            return 130
    from .frontier import attach_to_audit  # where refuted claims with constants start to hold

    try:
        attach_to_audit(results, registry, args.budget, seed, jobs=args.jobs, store=store, progress=_eprint)
    except KeyboardInterrupt:  # every claim is finished: its report is written, without the frontiers left
        _eprint("interrupted while bisecting frontiers: writing the report of every claim, without the "
                "frontiers not finished")
        _write_outputs(_report(results, registry, seed, args.budget, argv), outputs)
        return 130
    report = _report(results, registry, seed, args.budget, argv)
    _write_outputs(report, outputs)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
    _eprint("verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    proof = {c["id"]: f"proof-{c['proof']['status']}" for c in report["claims"] if c.get("proof")}
    if any(r.verdict in fail_on or proof.get(r.id) in fail_on for r in results):
        return 1
    return 0


def write_interrupted_audit(finished: list[Result], total: int, registry, seed: int, budget: str,
                            argv: list[str], outputs: list[tuple[str, Path | None]]) -> None:
    """The reports of an interrupted audit: the ``finished`` results (in id order), marked
    "partial: N of M claims", each output replaced whole. What an audit calls when it is
    interrupted (Ctrl-C) after it has handed over the results it finished."""
    from .report_files import mark_partial

    report = mark_partial(_report(finished, registry, seed, budget, argv), len(finished), total)
    _eprint(f"interrupted: writing the {report.get('partial', f'{len(finished)} finished claims')}")
    _write_outputs(report, outputs)


def _fail_on(text: str) -> set[Any]:
    """Verdicts, and proof statuses as ``proof-<status>`` (``proof-refuted``, ``proof-refuted-outside``,
    ``proof-unchecked``): the statuses the report prints beside each statement."""
    from .report.graph import PROOF_ORDER

    out: set[Any] = set()
    proof = {f"proof-{p}" for p in PROOF_ORDER}
    for word in filter(None, (w.strip() for w in text.split(","))):
        if word in proof:
            out.add(word)
            continue
        try:
            out.add(Verdict(word))
        except ValueError:
            raise CliError(f"--fail-on: unknown verdict or proof status {word!r} (choose from "
                           f"{', '.join([v.value for v in Verdict] + sorted(proof))})") from None
    return out


def _report(results: list[Result], registry, seed: int, budget: str, argv: list[str]) -> dict[str, Any]:
    """The JSON contract (plus each claim's metadata, so renderers need nothing else)."""
    claims = []
    for r in results:
        record = r.to_json()
        claim = registry.get(r.id)
        meta = claim.to_json(registry.definitions_for(claim))
        for key in ("title", "source", "statement", "kind", "delta", "uses", "uses_at", "note", "reason", "mathml",
                    "variables", "symbols"):
            record[key] = meta[key]
        claims.append(record)
    from .report.graph import attach_statuses

    attach_statuses(claims)
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


def _check_outputs(fmt: str, output: str | None) -> list[tuple[str, Path | None]]:
    """Check every output before any work: a missing folder, a read-only folder or a full device
    (``/dev/full``) is a one-line error now, not after the whole audit. A report already there is
    not opened (so never emptied): it is replaced whole when the new one is written."""
    from .report_files import check_writable

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


def _write_outputs(report: dict[str, Any], outputs: list[tuple[str, Path | None]]) -> None:
    from .report_files import atomic_write

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
        if path is not None:
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
    from .codec import decode

    parts = []
    for k, v in values.items():
        d = decode(v, exact=True)
        parts.append(f"{k}={d}" if not hasattr(d, "shape") else f"{k}=<array {d.shape}>")
    text = ", ".join(parts)
    return text if len(text) < 400 else text[:397] + "..."


def _result_text(r: Result, reason: str = "") -> str:
    lines = [f"{r.id}: {r.verdict.value.upper()}", f"  evidence: {r.evidence}",
             f"  examples: {r.examples} (satisfied the hypotheses: {r.satisfied})"]
    if r.margin is not None:
        lines.append(f"  margin: {r.margin:.6g}")
    if r.constants:
        lines.append("  constants: " + ", ".join(f"{k}={v}" for k, v in r.constants.items()))
    if r.counterexample:
        lines.append(f"  counterexample: {_values_text(r.counterexample.get('values', {}))}")
        lines.append(f"  verified by: {r.counterexample.get('verified_by', '')}")
    if reason and r.verdict in (Verdict.REFUTED, Verdict.VACUOUS):
        lines.append(f"  reason: {reason}")
    for n in r.notes:
        lines.append(f"  note: {n}")
    lines.append(f"  reproduce: {r.reproduce}")
    lines.append(f"  time: {r.seconds:.2f} s")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
