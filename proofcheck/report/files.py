"""Writing report files so that a failure never leaves an empty or truncated file where a report was.

* :func:`check_writable` is called before any work: a missing folder, a folder given as the file, a
  read-only folder or a full device is a one-line error then, and the file already there is left as
  it is (it is not opened, so not emptied);
* :func:`atomic_write` writes the whole text to a temporary file in the same folder and renames it
  over the target (``os.replace``): a reader sees the previous report or the new one, never part of
  one. A target that is not a regular file (``/dev/stdout``, a FIFO, a terminal) is written in place;
* :func:`mark_partial` marks a report built from the finished claims of an interrupted audit.
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any


def _existing_mode(path: Path) -> int | None:
    try:
        return os.stat(path).st_mode
    except FileNotFoundError:
        return None


def _in_place(named: str | os.PathLike, mode: int | None) -> bool:
    """Written in place, never replaced: a device, a FIFO, or a path under /dev or /proc (e.g.
    ``/dev/stdout`` naming a file the shell opened)."""
    if mode is not None and not stat.S_ISREG(mode):
        return True
    return os.path.abspath(named).startswith(("/dev/", "/proc/"))


def _real(path: str | os.PathLike) -> Path:
    """The file a report path names (a symlink to a report is kept; its target is replaced)."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)


def check_writable(path: str | os.PathLike) -> None:
    """Raise ``OSError`` when ``path`` cannot receive a report; never opens or changes ``path`` itself
    when it is (or will be) a regular file."""
    shown, path = str(path), _real(path)
    mode = _existing_mode(path)
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "Is a directory", shown)
    if _in_place(shown, mode):
        if mode is not None and stat.S_ISCHR(mode):  # a newline to a device: /dev/full fails now
            with open(path, "a", encoding="utf-8") as fh:
                fh.write("\n")
                fh.flush()
        elif not os.access(path if mode is not None else path.parent, os.W_OK):
            raise PermissionError(13, "Permission denied", shown)
        return
    folder = path.parent if str(path.parent) else Path(".")
    fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=folder)
    os.close(fd)
    os.unlink(probe)


def atomic_write(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (temporary file in the same folder, fsync,
    ``os.replace``); the permissions of a report already there are kept. Raises ``OSError`` with
    the previous file untouched."""
    named, path = path, _real(path)
    data = text.encode("utf-8")
    mode = _existing_mode(path)
    if _in_place(named, mode):
        with open(named, "wb") as fh:
            fh.write(data)
            fh.flush()
        return
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, stat.S_IMODE(mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def mark_partial(report: dict[str, Any], finished: int, total: int) -> dict[str, Any]:
    """Mark ``report`` (built from the ``finished`` results of an audit of ``total`` claims) as
    partial when claims are missing: ``report["partial"] = "partial: N of M claims"``."""
    if finished < total:
        report["partial"] = f"partial: {finished} of {total} claims"
    return report
