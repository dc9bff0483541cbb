"""The ``proofcheck`` program: its parser (one subcommand per module of this package) and :func:`main`."""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from typing import Sequence

from proofcheck import __version__
from proofcheck.decide.engine import UsageError
from proofcheck.interfaces.cli import audit, check, frontier, listing, replay
from proofcheck.interfaces.cli.args import CliError, Parser
from proofcheck.interfaces.cli.output import eprint, guard_stdio, real_stdout
from proofcheck.model.claim import ClaimError
from proofcheck.model.registry import LemmaLoadError, UnknownClaim
from proofcheck.store.counterexamples import StoreError

#: the subcommands in the order ``--help`` lists them
COMMANDS = (listing, audit, check, frontier, replay)


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="proofcheck", description="Check the claims of machine-learning theory papers: each claim is "
               "proved, certified, refuted with a re-verified counterexample, or says what was searched.",
               epilog="Run 'proofcheck COMMAND --help' for a command's options. Exit codes: 0 ran; 1 --fail-on "
                      "matched, or an internal error; 2 a usage error.")
    p.add_argument("--version", action="version", version=f"proofcheck {__version__}")
    commands = p.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    guard_stdio()
    try:
        args = build_parser().parse_args(argv)
        # Only the command's own output goes to stdout: whatever a claim package prints (at import
        # or while checked) goes to stderr, so it never gets into stdout's JSON.
        real_stdout.append(sys.stdout)
        try:
            with contextlib.redirect_stdout(sys.stderr if sys.stderr is not None else io.StringIO()):
                return args.run(args, argv)
        finally:
            real_stdout.pop()
    except BrokenPipeError:
        # The reader went away (``proofcheck list | head``): stop quietly, as a SIGPIPE would.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, AttributeError, ValueError):
            pass
        return 141
    except CliError as exc:
        eprint(f"error: {exc}" if not str(exc).startswith("proofcheck") else str(exc))
        return exc.code
    except KeyboardInterrupt:
        eprint("interrupted (counterexamples found so far are saved in the store)")
        return 130
    except Exception as exc:  # one line, never a traceback, unless asked for
        if os.environ.get("PROOFCHECK_DEBUG"):
            raise
        return _said_in_one_line(exc)


def _said_in_one_line(exc: Exception) -> int:
    """Report an error the command did not catch in one line: a usage error (bad id, value, lemma
    package or store) exits 2, malformed claims and an internal error exit 1."""
    if isinstance(exc, (UsageError, UnknownClaim, LemmaLoadError, StoreError)):
        eprint(f"error: {exc}")
        return 2
    if isinstance(exc, ClaimError):
        eprint(f"error: malformed claims: {exc}")
        return 1
    eprint(f"error: {type(exc).__name__}: {exc}")
    return 1
