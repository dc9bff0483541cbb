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
  values do not decode by the schema of :mod:`proofcheck.store.codec` is skipped with a one-line warning
  naming the file and line (on stderr, once per process);
* a store that cannot be written (read-only folder, full disk) does not stop a run: the
  counterexample is still reported, and the store says so once;
* only regular files are read or appended to (a claim file that is a FIFO, a device such as
  ``/dev/zero`` or a symlink to one is skipped with a warning, never read or blocked on); a file over
  :data:`MAX_FILE_BYTES` or a line over :data:`MAX_LINE_BYTES` is skipped with a warning, and a line
  whose JSON items would take more than :data:`DECODE_FACTOR` times its size to decode (estimated from
  its item count before decoding) is skipped too, so reading a line costs memory bounded by a small
  multiple of its size;
* a store folder that is a symlink loop is a usage error before any work (:meth:`check_usable`).
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from proofcheck.store.codec import CodecError, decode, encode

DEFAULT_DIR = ".proofcheck/counterexamples"
#: keys of a record and the JSON types they must have
RECORD_SCHEMA = {"values": dict, "constants": dict, "extra": dict, "verified_by": str, "found_by": str,
                 "seed": int, "margin": (int, float, type(None)), "why": str}

#: a store file larger than this is not read (a counterexample record is a few kilobytes)
MAX_FILE_BYTES = 64 << 20
#: a line longer than this is skipped unread
MAX_LINE_BYTES = 4 << 20
#: a line (over :data:`_DECODE_FLOOR` bytes) whose decoded form is estimated above this many times its
#: size is skipped; the estimate counts the JSON items (``, : [ {``), each a Python object of at most
#: about 110 bytes once decoded, plus 3 bytes per byte of text (measured: tests/engine/test_robust.py)
DECODE_FACTOR = 32
_DECODE_FLOOR = 64 << 10

_WARNED: set[str] = set()


def new_record(values: Mapping[str, Any], constants: Mapping[str, Any], margin: Any, how: str, found_by: str,
               seed: int, extra: Mapping[str, Any] | None = None, witnesses: Sequence[Any] = ()) -> dict[str, Any]:
    """A verified counterexample as the store keeps it (values, constants and extra encoded by
    :mod:`proofcheck.store.codec`). An instance the encoder supplied (``found_by == "witness"``) that
    is one of the claim's ``witnesses`` carries that witness's ``why``, for the report."""
    record = {
        "values": {k: encode(v) for k, v in values.items()},
        "constants": {k: encode(v) for k, v in constants.items()},
        "margin": float(margin) if margin is not None else None,
        "verified_by": how,
        "found_by": found_by,
        "seed": seed,
    }
    if extra:
        record["extra"] = {k: encode(v) for k, v in extra.items()}
    if found_by == "witness":
        why = next((w.why for w in witnesses
                    if {k: encode(v) for k, v in w.values.items()} == record["values"]), None)
        if why:
            record["why"] = str(why)
    return record


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
        """Raise :class:`StoreError` when the root exists and is not a folder, or is (or lies below)
        a symlink loop (before any work)."""
        try:
            mode = os.stat(self.root).st_mode
        except FileNotFoundError:
            return
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise StoreError(f"the counterexample store {self.root} is a symlink loop") from None
            return  # below a file, or unreadable: said when it is read or written, the run goes on
        if not stat.S_ISDIR(mode):
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
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o644)
        except OSError as exc:
            self._unwritable(exc)
            return False
        try:
            kind = _not_regular(fd)
            if kind:
                self.warn(f"{path}: {kind}, not a regular file; the counterexample is reported but not saved")
                return False
            _lock(fd)
            key = self._key(record)
            if any(self._key(old) == key for old in self._read_fd(path, fd)):
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
        """The readable records of a claim; unreadable lines (and files that are not regular files,
        or too large) are skipped with a warning."""
        path = self._file(claim_id)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens at once, and is refused below
        except FileNotFoundError:
            return []
        except NotADirectoryError as exc:
            self.warn(f"the counterexample store {self.root} cannot be read ({exc.strerror or exc}); "
                      f"nothing is replayed from it")
            return []
        except OSError as exc:
            why = "a symlink loop" if exc.errno == errno.ELOOP else (exc.strerror or str(exc))
            self.warn(f"{path}: cannot be read ({why}); its records are not replayed")
            return []
        try:
            kind = _not_regular(fd)
            if kind:
                self.warn(f"{path}: {kind}, not a regular file; its records are not read")
                return []
            return self._read_fd(path, fd)
        except OSError as exc:
            self.warn(f"{path}: cannot be read ({exc.strerror or exc}); its records are not replayed")
            return []
        finally:
            os.close(fd)

    def _read_fd(self, path: Path, fd: int) -> list[dict[str, Any]]:
        """The records of an open regular file, read line by line within the caps."""
        size = os.fstat(fd).st_size
        if size > MAX_FILE_BYTES:
            self.warn(f"{path}: {size} bytes, over the {MAX_FILE_BYTES} a store file may have; its records "
                      f"are not read")
            return []
        os.lseek(fd, 0, os.SEEK_SET)
        out = []
        with os.fdopen(os.dup(fd), "rb") as fh:
            number = 0
            while True:
                raw = fh.readline(MAX_LINE_BYTES + 1)
                if not raw:
                    return out
                number += 1
                if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                    while raw and not raw.endswith(b"\n"):  # the rest of the long line, unread
                        raw = fh.readline(1 << 20)
                    self.warn(f"{path}:{number}: record skipped (longer than {MAX_LINE_BYTES} bytes)")
                    continue
                if not raw.strip():
                    continue
                record, problem = _record(raw)
                if problem:
                    self.warn(f"{path}:{number}: record skipped ({problem})")
                    continue
                out.append(record)


def _not_regular(fd: int) -> str:
    """What an open file is when it is not a regular file ("" for a regular file)."""
    mode = os.fstat(fd).st_mode
    if stat.S_ISREG(mode):
        return ""
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "a special file"


def _decode_estimate(raw: bytes) -> int:
    """Bytes the decoded form of a JSON line may take, from its item count (see DECODE_FACTOR)."""
    # a container counts once it is closed: unclosed ones end the parse at the recursion limit
    items = (raw.count(b",") + raw.count(b":") + min(raw.count(b"["), raw.count(b"]"))
             + min(raw.count(b"{"), raw.count(b"}")))
    return 110 * items + 3 * len(raw)


def _record(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    """A record from one line, or the reason it is not one."""
    if len(raw) > _DECODE_FLOOR and _decode_estimate(raw) > DECODE_FACTOR * len(raw):
        return None, (f"its {len(raw)} bytes hold too many JSON items to decode within {DECODE_FACTOR} times "
                      f"its size")
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


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _lock(fd: int) -> None:
    fcntl.flock(fd, fcntl.LOCK_EX)
