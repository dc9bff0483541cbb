"""What an undecided verdict searched: the ``coverage`` object of a ``survived``/``inconclusive`` result.

Shape (the JSON contract, README "coverage")::

    {"examples": int,                                   # instances tried, all methods together
     "methods": {"hypothesis": int, "local": int, "global": int, "ladder": int, "witness": int, ...},
     "variables": {name: {"min": number, "max": number, "tried": int}},
     "ladders": {name: {"reached": int, "declared_max": int | None}},
     "settings": [{"values", "facts", "draws", "failures", "undecided", "draws_to_decide"}],  # probabilistic
     "stopped_by": "budget" | "time limit",
     "summary": "searched x in [0, 1], n <= 3, T <= 4096; 400 examples; 3 methods"}

``variables`` records scalars (their values) and the sizes of structured values: a vector's length
(``len(v)``), a matrix's ``rows(A)``/``cols(A)``, and the integer size attributes of objects
(``W.n``, ``W.k``, ...), so a reader sees which slice a ``survived`` covers.
"""
from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction
from typing import Any, Mapping

import numpy as np

#: Integer attributes of an object value that say its size (a network's widths, a data set's n).
SIZE_ATTRIBUTES = ("n", "m", "d", "k", "N", "T", "L", "depth", "width", "steps", "dim")


class Coverage:
    """Accumulates what one check tried (every search call of a procedure adds to the same one)."""

    def __init__(self) -> None:
        self.examples = 0
        self.methods: Counter[str] = Counter()
        self.variables: dict[str, dict[str, Any]] = {}
        self.ladders: dict[str, dict[str, Any]] = {}
        self.settings: list[dict[str, Any]] = []
        self.stopped_by = "budget"

    # ------------------------------------------------------------ recording
    def saw(self, values: Mapping[str, Any], method: str) -> None:
        self.examples += 1
        self.methods[method] += 1
        for name, value in values.items():
            for key, x in _measures(name, value):
                self._extend(key, x)

    def _extend(self, key: str, x: float | int) -> None:
        slot = self.variables.get(key)
        if slot is None:
            self.variables[key] = {"min": x, "max": x, "tried": 1}
            return
        slot["tried"] += 1
        if x < slot["min"]:
            slot["min"] = x
        if x > slot["max"]:
            slot["max"] = x

    def add_settings(self, settings: list[dict[str, Any]]) -> None:
        """Settings of a probabilistic claim: their values extend ``variables``; their draws are examples."""
        for setting in settings:
            self.settings.append(setting)
            for name, value in (setting.get("values") or {}).items():
                for key, x in _measures(name, value):
                    self._extend(key, x)
            draws = int(setting.get("draws") or 0)
            self.examples += draws
            self.methods["sampling"] += draws

    def ladder(self, name: str, reached: int, declared_max: int | None) -> None:
        old = self.ladders.get(name)
        if old is None or reached > old["reached"]:
            self.ladders[name] = {"reached": int(reached), "declared_max": declared_max}

    def time_limit(self) -> None:
        self.stopped_by = "time limit"

    # ------------------------------------------------------------ output
    def summary(self) -> str:
        parts = []
        for key, slot in sorted(self.variables.items(), key=lambda kv: (_is_size(kv[0]), kv[0])):
            lo, hi = slot["min"], slot["max"]
            if isinstance(lo, int) and isinstance(hi, int):
                parts.append(f"{key} = {lo}" if lo == hi else f"{key} in {lo}..{hi}")
            else:
                parts.append(f"{key} = {_num(lo)}" if lo == hi else f"{key} in [{_num(lo)}, {_num(hi)}]")
        for name, lad in sorted(self.ladders.items()):
            cap = lad["declared_max"]
            parts.append(f"{name} climbed to {lad['reached']}" + (f" of {cap}" if cap is not None else " (unbounded)"))
        if self.settings:
            parts.append(f"{len(self.settings)} setting(s), {sum(s.get('draws') or 0 for s in self.settings)} draws")
        methods = [m for m, n in self.methods.items() if n]
        head = "searched " + ", ".join(parts[:8]) + (f", ... ({len(parts) - 8} more)" if len(parts) > 8 else "")
        tail = f"{self.examples} examples; {len(methods)} method{'s' if len(methods) != 1 else ''}"
        if methods:
            tail += f" ({', '.join(f'{m} {self.methods[m]}' for m in methods)})"
        if self.stopped_by != "budget":
            tail += f"; stopped by the {self.stopped_by}"
        return (head + "; " + tail) if parts else ("searched " + tail)

    def to_json(self) -> dict[str, Any]:
        return {
            "examples": int(self.examples),
            "methods": {m: int(n) for m, n in self.methods.items() if n},
            "variables": {k: dict(v) for k, v in self.variables.items()},
            "ladders": {k: dict(v) for k, v in self.ladders.items()},
            "settings": list(self.settings),
            "stopped_by": self.stopped_by,
            "summary": self.summary(),
        }


def _is_size(key: str) -> bool:
    return "(" in key or "." in key


def _measures(name: str, value: Any):
    """(key, number) pairs describing one value: itself for a scalar, sizes for structured values."""
    if isinstance(value, bool):
        return
    if isinstance(value, (int, np.integer)):
        yield name, int(value)
        return
    if isinstance(value, (float, np.floating, Fraction)):
        f = float(value)
        if math.isfinite(f):
            yield name, f
        return
    if isinstance(value, np.ndarray):
        if value.ndim == 1:
            yield f"len({name})", int(value.shape[0])
        elif value.ndim >= 2:
            yield f"rows({name})", int(value.shape[0])
            yield f"cols({name})", int(value.shape[1])
        return
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(x, (list, tuple, np.ndarray)) for x in value) and \
                all(not isinstance(y, (list, tuple, np.ndarray)) for x in value for y in x):
            yield f"rows({name})", len(value)  # a matrix as a list of rows
            yield f"cols({name})", len(value[0])
        elif any(not _is_number(x) for x in value) and len(value) <= 4:
            for i, x in enumerate(value):  # a pair (W, W*) and the like: each part's sizes
                yield from _measures(f"{name}[{i}]", x)
        else:
            yield f"len({name})", len(value)
        return
    yield from _object_sizes(name, value, depth=0)


#: Parts of an object whose sizes are its sizes (a critical point's training problem, its network).
PARTS = ("problem", "net", "dataset", "data", "init")


def _object_sizes(name: str, value: Any, depth: int):
    for attr in SIZE_ATTRIBUTES:
        x = getattr(value, attr, None)
        if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
            yield f"{name}.{attr}", int(x)
    widths = getattr(value, "widths", None)
    if isinstance(widths, (tuple, list)) and widths and all(isinstance(w, (int, np.integer)) for w in widths):
        yield f"{name}.layers", len(widths) - 1
        yield f"{name}.max_width", int(max(widths))
    X = getattr(value, "X", None)
    if isinstance(X, (list, tuple)) and X and isinstance(X[0], (list, tuple)):
        yield f"{name}.N", len(X)  # data points as rows
    if depth < 2:
        for part in PARTS:
            sub = getattr(value, part, None)
            if sub is not None and not _is_number(sub) and not isinstance(sub, (str, bytes)):
                yield from _object_sizes(f"{name}.{part}", sub, depth + 1)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, Fraction, np.integer, np.floating))


def _num(x: Any) -> str:
    return f"{x:.4g}" if isinstance(x, float) else str(x)
