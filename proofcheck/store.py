"""The counterexample store: one JSON-lines file per claim under a project-local folder.

Every verified counterexample is appended the moment it is found, so an interrupted audit loses
nothing; the next run replays the stored ones first. Like Hypothesis' example database, it is a
cache that never needs invalidating: a stored example that no longer refutes (after a repair, or
under other constants) is simply reported as such by ``replay``.

Guarantees (see the README, "What you can rely on"):

* a record is written whole: one ``write`` of one line on a file opened for appending, under an
  exclusive lock; a line cut short by a kill is closed before the next record is appended, so the
  next record is never glued onto it;
* reading never fails a run: a line that is not UTF-8, not JSON, not a record object, or whose
  values do not decode by the schema of :mod:`proofcheck.codec` is skipped with a one-line warning
  naming the file and line (on stderr, once per process);
* a store that cannot be written (read-only folder, full disk) does not stop a run: the
  counterexample is still reported, and the store says so once.
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable

DEFAULT_DIR = ".proofcheck/counterexamples"
#: keys of a record and the JSON types they must have
RECORD_SCHEMA = {"values": dict, "constants": dict, "extra": dict, "verified_by": str, "found_by": str,
                 "seed": int, "margin": (int, float, type(None))}

_WARNED: set[str] = set()


def default_path() -> Path:
    return Path(os.environ.get("PROOFCHECK_STORE", DEFAULT_DIR))


def warn_once(message: str) -> None:
    """One line on stderr, once per process (stderr closed: dropped)."""
    if message in _WARNED:
        return
    _WARNED.add(message)
    stream = sys.stderr
    if stream is None:
        return
    try:
        print(f"warning: {message}", file=stream, flush=True)
    except (OSError, ValueError):
        pass


class StoreError(ValueError):
    """The store's location cannot be a store (e.g. ``--store`` names a file)."""


class CounterexampleStore:
    def __init__(self, root: str | os.PathLike | None = None, warn: Callable[[str], None] | None = None):
        self.root = Path(root) if root is not None else default_path()
        self.warn = warn if warn is not None else warn_once
        self.unwritable: str | None = None  # why the last write failed, if it did

    def check_usable(self) -> None:
        """Raise :class:`StoreError` when the root exists and is not a folder (before any work)."""
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"the counterexample store {self.root} is not a folder")

    def _file(self, claim_id: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.@=-]", "_", claim_id)
        return self.root / f"{safe}.jsonl"

    @staticmethod
    def _key(record: dict[str, Any]) -> str:
        """What makes two records the same counterexample (the seed and the rounded margin do not)."""
        return json.dumps({k: record.get(k) for k in ("values", "constants", "extra")}, sort_keys=True)

    def add(self, claim_id: str, record: dict[str, Any]) -> bool:
        """Append ``record`` (whole, under a lock); False when it could not be written (said once)."""
        line = (json.dumps(record, sort_keys=True) + "\n").encode("utf-8")
        path = self._file(claim_id)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            self._unwritable(exc)
            return False
        try:
            _lock(fd)
            key = self._key(record)
            if any(self._key(old) == key for old in self._parse(path, _read_all(fd))):
                return True
            size = os.fstat(fd).st_size
            if size:
                os.lseek(fd, size - 1, os.SEEK_SET)
                if os.read(fd, 1) != b"\n":  # a line cut by a kill: close it, never glue onto it
                    line = b"\n" + line
            _write_all(fd, line)
            os.fsync(fd)
            return True
        except OSError as exc:
            self._unwritable(exc)
            return False
        finally:
            os.close(fd)  # closing releases the lock

    def _unwritable(self, exc: OSError) -> None:
        self.unwritable = f"{type(exc).__name__}: {exc.strerror or exc}"
        self.warn(f"the counterexample store {self.root} cannot be written ({self.unwritable}); "
                  f"counterexamples are reported but not saved")

    def load(self, claim_id: str) -> list[dict[str, Any]]:
        """The readable records of a claim; unreadable lines are skipped with a warning."""
        path = self._file(claim_id)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            return []
        except NotADirectoryError as exc:
            self.warn(f"the counterexample store {self.root} cannot be read ({exc.strerror or exc}); "
                      f"nothing is replayed from it")
            return []
        except OSError as exc:
            self.warn(f"{path}: cannot be read ({exc.strerror or exc}); its records are not replayed")
            return []
        return self._parse(path, data)

    def _parse(self, path: Path, data: bytes) -> list[dict[str, Any]]:
        out = []
        for number, raw in enumerate(data.split(b"\n"), start=1):
            if not raw.strip():
                continue
            record, problem = _record(raw)
            if problem:
                self.warn(f"{path}:{number}: record skipped ({problem})")
                continue
            out.append(record)
        return out


def _record(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    """A record from one line, or the reason it is not one."""
    from .codec import CodecError, decode

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8"
    try:
        record = json.loads(text)
    except json.JSONDecodeError:
        return None, "not JSON (a line cut short?)"
    except RecursionError:
        return None, "nested too deeply"
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        return None, f"not readable JSON ({exc})"
    if not isinstance(record, dict):
        return None, f"a JSON {type(record).__name__}, not a record object"
    for key, kind in RECORD_SCHEMA.items():
        if key in record and not isinstance(record[key], kind):
            return None, f"{key!r} has the wrong type"
    if "values" not in record:
        return None, "no 'values'"
    try:
        for key in ("values", "constants", "extra"):
            decode(record.get(key) or {}, exact=True)
    except CodecError as exc:
        return None, str(exc)
    except RecursionError:
        return None, "nested too deeply"
    return record, ""


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: appends are still whole lines
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
