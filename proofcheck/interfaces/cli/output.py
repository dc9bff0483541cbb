"""Where the commands write: progress and messages to stderr, a command's output to stdout or
``-o`` (checked before any work, replaced whole, never left half-written)."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from proofcheck.interfaces.cli.args import FORMATS, CliError
from proofcheck.report import render
from proofcheck.report.files import atomic_write, check_writable

#: a command's outputs: (format, file), the file None for standard output
Outputs = list[tuple[str, Path | None]]

#: the real standard output while the work runs with ``sys.stdout`` sent to stderr (see :func:`main`)
real_stdout: list[Any] = []


def eprint(*args: Any) -> None:
    """Progress and messages: stderr only (closed stderr: dropped, never sent to stdout)."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        print(*args, file=stream, flush=True)
    except (OSError, ValueError):
        pass


def guard_stdio() -> None:
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


def stdout():
    out = real_stdout[-1] if real_stdout else sys.stdout
    if out is None:
        raise CliError("standard output is closed (write the report with -o PATH)")
    return out


def output_paths(fmt: str, output: str | None) -> Outputs:
    if fmt == "all":
        base = Path(output or "proofcheck-report")
        if base.suffix in (".md", ".html", ".json"):
            base = base.with_suffix("")
        return [(f, base.with_name(base.name + "." + f)) for f in FORMATS]
    return [(fmt, Path(output) if output else None)]


def check_outputs(fmt: str, output: str | None) -> Outputs:
    """Check every output before any work: a missing folder, a read-only folder or a full device
    (``/dev/full``) is a one-line error now, not after the whole audit. A report already there is
    not opened (so never emptied): it is replaced whole when the new one is written."""
    outputs = output_paths(fmt, output)
    for _, path in outputs:
        if path is None:
            stdout()
            continue
        try:
            check_writable(path)
        except OSError as exc:
            raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
    return outputs


def _write(text: str, path: Path | None, quiet: bool = False, kept: str = "") -> None:
    """Write ``text`` to ``path`` (stdout for None); a failure is a one-line error (exit 1) ending
    with ``kept`` (what is kept despite it); a reader of stdout that went away (``| head``) exits 141 quietly, in main."""
    text = text if text.endswith("\n") else text + "\n"
    try:
        if path is None:
            out = stdout()
            out.write(text)
            out.flush()
        else:
            atomic_write(path, text)
    except BrokenPipeError:
        raise
    except OSError as exc:
        if kept and path is not None:
            kept = " (a report already there is unchanged)" + kept
        raise CliError(f"cannot write {path or 'stdout'}: {exc.strerror or exc}{kept}", code=1) from None
    if path is not None and not quiet:
        eprint(f"wrote {path}")


def emit(text: str, outputs: Outputs) -> None:
    """Write a command's text output to stdout or ``-o``."""
    for _, path in outputs:
        _write(text, path)


def write_reports(report: dict[str, Any], outputs: Outputs, quiet: bool = False) -> None:
    """The audit's report in each format asked for (every format rendered before any file is replaced)."""
    texts = [render(report, f) for f, _ in outputs]
    for (_, path), text in zip(outputs, texts):
        _write(text, path, quiet, kept="; the results are also in the partial results file")
