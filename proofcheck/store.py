"""The counterexample store: one JSON-lines file per claim under a project-local folder.

Every verified counterexample is appended (and flushed) the moment it is found, so an interrupted
audit loses nothing; the next run replays the stored ones first. Like Hypothesis' example
database, it is a cache that never needs invalidating: a stored example that no longer refutes
(after a repair, or under other constants) is simply reported as such by ``replay``.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

DEFAULT_DIR = ".proofcheck/counterexamples"


def default_path() -> Path:
    return Path(os.environ.get("PROOFCHECK_STORE", DEFAULT_DIR))


class CounterexampleStore:
    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else default_path()

    def _file(self, claim_id: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.@=-]", "_", claim_id)
        return self.root / f"{safe}.jsonl"

    @staticmethod
    def _key(record: dict[str, Any]) -> str:
        """What makes two records the same counterexample (the seed and the rounded margin do not)."""
        return json.dumps({k: record.get(k) for k in ("values", "constants", "extra")}, sort_keys=True)

    def add(self, claim_id: str, record: dict[str, Any]) -> None:
        key = self._key(record)
        if any(self._key(old) == key for old in self.load(claim_id)):
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self._file(claim_id), "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def load(self, claim_id: str) -> list[dict[str, Any]]:
        path = self._file(claim_id)
        if not path.exists():
            return []
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by an interruption is skipped, the others are kept
        return out
