"""``proofcheck audit``: check claims on a Dask cluster; print a summary, write the full reports."""
from __future__ import annotations

import argparse
import fcntl
import os
import signal
import sys
from pathlib import Path
from typing import Any

from proofcheck import __version__
from proofcheck.interfaces.audit import audit
from proofcheck.interfaces.cli.args import (FORMATS, IDS_HELP, OUTPUT_HELP, CliError, add_checking_options,
                                            positive_int, positive_seconds, seed_of, store_of)
from proofcheck.interfaces.cli.contract import report_of
from proofcheck.interfaces.cli.output import Outputs, check_outputs, emit, eprint, write_reports
from proofcheck.interfaces.cluster import (ENV_SCHEDULER, Interrupted, Session, hold_signals, last_timings,
                                           start_fork_server)
from proofcheck.interfaces.frontier import attach_to_audit  # where refuted claims with constants start to hold
from proofcheck.model.registry import did_you_mean, load
from proofcheck.model.verdict import Result, Verdict
from proofcheck.report import graph, to_json
from proofcheck.report.files import mark_partial
from proofcheck.report.terminal import render_summary

NAME = "audit"

#: the proof statuses ``--fail-on`` takes, as the report prints them
PROOF_STATUS_WORDS = [f"proof-{p}" for p in graph.PROOF_ORDER]


def add_parser(commands) -> None:
    p = commands.add_parser(NAME, help="check claims; print a summary, write the full report with -o/--format",
                            description="Check claims and print a summary: the verdict counts, then every refuted, "
                            "vacuous or ill-formed claim with its reason and counterexample. The full report is "
                            "written with --format and/or -o (the format follows the file's suffix .md, .html or "
                            ".json when --format is not given).")
    p.add_argument("ids", nargs="*", metavar="ID", help=IDS_HELP)
    add_checking_options(p)
    p.add_argument("--jobs", type=positive_int, default=None,
                   help="worker processes of the embedded local cluster (default 1; never more than the claims)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the claims on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 "
                        "(default: $PROOFCHECK_SCHEDULER, else a local cluster)")
    p.add_argument("--memory-limit", default=None, metavar="SIZE",
                   help="memory per local worker, e.g. 4GiB (default: the machine's memory shared by the workers); "
                        "a worker over it is restarted and its claim retried once, then reported as an error")
    p.add_argument("--time-limit", type=positive_seconds, default=None, metavar="SECONDS",
                   help="hard wall-clock limit per claim (default: twice the budget's seconds plus 30)")
    p.add_argument("--format", choices=FORMATS + ("all",), default=None,
                   help="md (Markdown), html (one self-contained page), json (the machine-readable contract) "
                        "or all (the three, with -o as their base path); default: a summary on the terminal, "
                        "or the format of -o's suffix")
    p.add_argument("-o", "--output", help=OUTPUT_HELP + " (with --format all: a base path)")
    p.add_argument("--fail-on", default="", metavar="WORDS",
                   help="comma-separated verdicts (" + ", ".join(v.value for v in Verdict) + ") or proof "
                        "statuses as the report prints them (" + ", ".join(PROOF_STATUS_WORDS) + ") that make the "
                        "exit code 1, e.g. --fail-on refuted,proof-refuted")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, argv: list[str]) -> int:
    fmt = audit_format(args.format, args.output)
    fail_on = fail_on_words(args.fail_on)
    scheduler = args.scheduler or os.environ.get(ENV_SCHEDULER) or None
    if scheduler and args.jobs is not None:
        raise CliError("--jobs sizes the local cluster; with --scheduler the cluster's workers run the claims")
    memory = memory_limit(args.memory_limit, scheduler)
    # every output checked before the audit runs (never opened); without -o or --format, a summary on stdout
    outputs = check_outputs(fmt, args.output) if fmt != "summary" else check_outputs("text", None)
    if not scheduler:
        start_fork_server()  # the local workers' claims load while this process loads its own
    registry = load()
    store = store_of(args)
    seed = seed_of(args)
    claims = registry.select(args.ids)
    costs = last_timings(store)  # before this audit replaces them
    eprint(f"proofcheck {__version__}: seed {seed}, budget {args.budget}, {len(claims)} claim(s)")
    finished: list[Result] = []
    with PartialResults(store) as partial, hold_signals():

        def add(result: Result) -> None:
            partial.add(result)
            finished.append(result)

        try:
            try:
                session = Session(args.jobs or 1, scheduler, workers_needed=len(claims), memory_limit=memory,
                                  store=store, progress=eprint)
            except OSError as exc:  # the scheduler cannot be reached
                raise CliError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
            with session:
                results = audit(claims, args.budget, seed, store=store, progress=eprint,
                                on_result=add,
                                session=session, costs=costs, seconds_limit=args.time_limit)
                attach_to_audit(results, registry, args.budget, seed, store=store, progress=eprint,
                                session=session, seconds_limit=args.time_limit)
        except Interrupted as exc:
            report = report_of(sorted(finished, key=lambda r: r.id), registry, seed, args.budget, argv)
            _report_interrupted(report, len(finished), len(claims), outputs, fmt, exc.signum)
            partial.__exit__(None, None, None)
            _exit_at_once(130 if exc.signum == signal.SIGINT else 143)
    report = report_of(results, registry, seed, args.budget, argv)
    finish(report, outputs, fmt)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
    eprint("verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 1 if fails(report, fail_on) else 0


def _report_interrupted(report: dict[str, Any], done: int, total: int, outputs: Outputs, fmt: str,
                        signum: int) -> None:
    """Report the claims that finished before SIGINT or SIGTERM, marked partial."""
    mark_partial(report, done, total)
    if "partial" not in report:  # every claim finished: the frontiers were cut short
        report["partial"] = f"partial: {done} of {total} claims, frontiers not finished"
    finish(report, outputs, fmt, quiet=True)
    name = "SIGINT" if signum == signal.SIGINT else "SIGTERM"
    eprint(f"interrupted ({name}): {done} of {total} claims finished and reported; "
           f"counterexamples found so far are in the store")


def _exit_at_once(code: int) -> None:
    """End the process now: the reports are written and the workers killed; tearing down the
    cluster's connections and the interpreter's heap would take seconds."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(code)


def memory_limit(text: str | None, scheduler: str | None) -> str | None:
    if text is None:
        return None
    if scheduler:
        raise CliError("--memory-limit sizes the local cluster's workers; an existing cluster's workers have "
                       "their own (dask worker --memory-limit)")
    # lazy, measured: dask (with jinja2, yaml, toolz) is 0.5 s of wall to import (-X importtime, load 23);
    # every command imports this module, and only an audit that sizes its workers needs it here
    from dask.utils import parse_bytes

    try:
        if parse_bytes(text) <= 0:
            raise ValueError
    except (ValueError, TypeError):
        raise CliError(f"--memory-limit: cannot read {text!r} as a size (e.g. 4GiB, 500MB)") from None
    return text


def audit_format(fmt: str | None, output: str | None) -> str:
    """The audit's output: the format asked for; else the format of ``-o``'s suffix (Markdown for
    any other); else a summary on the terminal."""
    if fmt is not None:
        return fmt
    if output is None:
        return "summary"
    suffix = Path(output).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "md"


def finish(report: dict[str, Any], outputs: Outputs, fmt: str, quiet: bool = False) -> None:
    """The audit's output: the terminal summary, or the full reports asked for."""
    if fmt == "summary":
        partial = f"{report['partial']}: the audit was interrupted\n" if report.get("partial") else ""
        emit(partial + render_summary(report)
             + f"\nThe full report: {report['command']} --format html -o report.html", outputs)
    else:
        write_reports(report, outputs, quiet=quiet)


def fails(report: dict[str, Any], fail_on: set[str]) -> bool:
    """Does a verdict, or a proof status (``proof-<status>``) as the report prints it, named by
    ``--fail-on`` occur?"""
    if not fail_on:
        return False
    if any(str(c.get("verdict")) in fail_on for c in report["claims"]):
        return True
    return any(f"proof-{st['status']}" in fail_on for st in graph.proof_status(report).values())


def fail_on_words(text: str) -> set[str]:
    """Verdicts, and proof statuses as ``proof-<status>`` (``proof-refuted``, ``proof-refuted-outside``,
    ``proof-unchecked``, ``proof-holds``): the statuses the report prints beside each statement."""
    known = [v.value for v in Verdict] + PROOF_STATUS_WORDS
    out = set()
    for word in filter(None, (w.strip().replace(" ", "-") for w in text.split(","))):
        if word not in known:
            raise CliError(f"--fail-on: unknown verdict or proof status {word!r}{did_you_mean(word, known)} "
                           f"(choose from {', '.join(known)})") from None
        out.add(word)
    return out


class PartialResults:
    """``last-audit.jsonl`` beside the counterexample store: each result appended whole as it comes,
    so an interrupted audit loses none. A second audit running at the same time (the file is locked)
    writes ``last-audit.<pid>.jsonl`` instead; a folder that cannot be written is said once and the
    audit goes on. One JSON record a line: the contract's writer with ``one_line``."""

    def __init__(self, store):
        self.path = Path(store.root).parent / "last-audit.jsonl"
        self.fd: int | None = None

    def __enter__(self) -> "PartialResults":
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = self._open_locked(self.path)
            if self.fd is None:
                self.path = self.path.with_name(f"last-audit.{os.getpid()}.jsonl")
                self.fd = self._open_locked(self.path)
        except OSError as exc:
            self.fd = None
            eprint(f"warning: cannot write the partial results {self.path} ({exc.strerror or exc}); "
                   f"the audit goes on without them")
        return self

    @staticmethod
    def _open_locked(path: Path) -> int | None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        os.ftruncate(fd, 0)
        return fd

    def add(self, r: Result) -> None:
        if self.fd is None:
            return
        line = to_json(r.to_json(), one_line=True).encode("utf-8")
        try:
            view = memoryview(line)
            while view:  # one record, whole, at the end of the file
                view = view[os.write(self.fd, view):]
        except OSError as exc:
            eprint(f"warning: cannot write the partial results {self.path} ({exc.strerror or exc}); "
                   f"the audit goes on without them")
            os.close(self.fd)
            self.fd = None

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
