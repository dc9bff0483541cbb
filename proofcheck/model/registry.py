"""Discovery of claims and definitions.

The registry imports every module below the top-level ``lemmas`` package (one sub-package per
source document) and every package registered under the entry-point group ``proofcheck.lemmas``.
Each module-level :class:`~proofcheck.model.claim.Claim` or :class:`~proofcheck.model.claim.Definition`
(or one inside a module-level list/tuple named ``CLAIMS``/``DEFINITIONS``) is registered.
A duplicate id, or a ``uses`` naming an unknown id, is an error at load time.
"""
from __future__ import annotations

import difflib
import importlib
import sys
import importlib.metadata
import os
import pkgutil
from dataclasses import dataclass, field
from types import ModuleType
from typing import Iterable

from proofcheck.model.claim import Claim, ClaimError, Definition

ENTRY_POINT_GROUP = "proofcheck.lemmas"


class UnknownClaim(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class Registry:
    claims: dict[str, Claim] = field(default_factory=dict)
    definitions: dict[str, dict[str, Definition]] = field(default_factory=dict)  # paper -> name -> def
    modules: dict[str, str] = field(default_factory=dict)  # claim id -> module name

    # ------------------------------------------------------------ building
    def add_claim(self, claim: Claim, module: str = "") -> None:
        old = self.claims.get(claim.id)
        if old is not None and old is not claim:
            raise ClaimError(f"duplicate claim id {claim.id!r} (in {self.modules.get(claim.id)} and {module})")
        self.claims[claim.id] = claim
        self.modules.setdefault(claim.id, module)

    def add_definition(self, d: Definition, module: str = "") -> None:
        if not d.paper:  # a definition belongs to the paper whose package defines it
            parts = module.split(".")
            d.paper = parts[1] if len(parts) > 1 else parts[0]
        self.definitions.setdefault(d.paper, {})[d.name] = d

    def add_module(self, mod: ModuleType) -> None:
        for name, obj in vars(mod).items():
            if name.startswith("_"):
                continue
            if isinstance(obj, Claim):
                self.add_claim(obj, mod.__name__)
            elif isinstance(obj, Definition):
                self.add_definition(obj, mod.__name__)
            elif name in ("CLAIMS", "DEFINITIONS") and isinstance(obj, (list, tuple)):
                for item in obj:
                    if isinstance(item, Claim):
                        self.add_claim(item, mod.__name__)
                    elif isinstance(item, Definition):
                        self.add_definition(item, mod.__name__)

    def validate(self) -> None:
        """A claim whose ``uses`` names an unknown id is ill-formed (the others are unaffected)."""
        for claim in self.claims.values():
            unknown = [used for used in claim.uses if used not in self.claims]
            if unknown and not claim.build_error:
                claim.build_error = f"{claim.id} uses {', '.join(map(repr, unknown))}, not a registered claim"
            for used, use in getattr(claim, "uses_at", {}).items():
                target = self.claims.get(used)
                if target is None or claim.build_error:
                    continue
                names = {v.name for v in target.variables} | {c.name for c in target.constants}
                bad = sorted(set(use.at) - names)
                if bad:
                    claim.build_error = (f"{claim.id} uses {used} at {', '.join(bad)}, which "
                                         f"{'is' if len(bad) == 1 else 'are'} not a variable or constant of it")

    # ------------------------------------------------------------ queries
    def get(self, claim_id: str) -> Claim:
        try:
            return self.claims[claim_id]
        except KeyError:
            raise UnknownClaim(f"unknown claim id {claim_id!r}{did_you_mean(claim_id, self.claims)} "
                               f"(see 'proofcheck list')") from None

    def select(self, patterns: Iterable[str] | None) -> list[Claim]:
        """Claims whose id equals a pattern or starts with ``pattern.``/``pattern@``/``pattern:``.

        An empty selection is every claim; a pattern that matches nothing raises UnknownClaim.
        """
        patterns = list(patterns or [])
        for p in patterns:
            if not isinstance(p, str) or not p.strip():
                raise UnknownClaim("an empty claim id matches nothing (give no id to select every claim)")
        if not patterns:
            return [self.claims[k] for k in sorted(self.claims)]
        chosen: dict[str, Claim] = {}
        for p in patterns:
            hits = [c for cid, c in self.claims.items() if _matches(cid, p)]
            if not hits:
                raise UnknownClaim(f"no claim id matches {p!r}{did_you_mean(p, self._prefixes())} "
                                   f"(see 'proofcheck list')")
            for c in hits:
                chosen[c.id] = c
        return [chosen[k] for k in sorted(chosen)]

    def _prefixes(self) -> set[str]:
        """Every id and every prefix a selection may name (``park2019``, ``park2019.thm3.4``)."""
        out = set(self.claims)
        for cid in self.claims:
            parts = cid.split("@", 1)[0].split(":", 1)[0].split(".")
            out.update(".".join(parts[:k]) for k in range(1, len(parts) + 1))
        return out

    def definitions_for(self, claim: Claim) -> dict[str, Definition]:
        out = dict(self.definitions.get("", {}))
        out.update(self.definitions.get(claim.paper, {}))
        return out


def _matches(cid: str, pattern: str) -> bool:
    if cid == pattern:
        return True
    return any(cid.startswith(pattern + sep) for sep in ".@:") or (pattern.endswith(".") and cid.startswith(pattern))


class LemmaLoadError(RuntimeError):
    """A lemma package that cannot be imported (missing, or raising while it loads): a usage error
    naming where the package was named and what went wrong."""


def _env_packages() -> list[str]:
    return [p.strip() for p in os.environ.get("PROOFCHECK_LEMMAS", "").split(",") if p.strip()]


def _import(name: str, package: str, where: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ClaimError as exc:  # raised outside a claim (a claim itself is kept, ill-formed): name the module
        raise ClaimError(f"{name}: {exc}") from None
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            raise LemmaLoadError(f"lemma package {package!r} (named in {where}) cannot be found: "
                                 f"no module named {exc.name!r}") from None
        raise LemmaLoadError(f"importing {name!r} (lemma package {package!r}, named in {where}) failed: "
                             f"{type(exc).__name__}: {exc}") from None
    except Exception as exc:  # a lemma module that raises while it loads
        raise LemmaLoadError(f"importing {name!r} (lemma package {package!r}, named in {where}) failed: "
                             f"{type(exc).__name__}: {exc}") from None


def _walk(package: str, where: str = "the built-in lemmas") -> Iterable[ModuleType]:
    pkg = _import(package, package, where)
    yield pkg
    path = getattr(pkg, "__path__", None)
    if path is None:
        return
    infos = sorted(pkgutil.walk_packages(path, prefix=package + ".", onerror=lambda name: None),
                   key=lambda i: i.name)
    for info in infos:
        yield _import(info.name, package, where)


_CACHE: Registry | None = None


def load(refresh: bool = False) -> Registry:
    """The registry of every claim shipped in ``lemmas`` and registered by entry points."""
    global _CACHE
    if _CACHE is not None and not refresh:
        return _CACHE
    reg = Registry()
    packages = ["lemmas"]
    try:
        eps = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    except TypeError:  # pragma: no cover - very old importlib.metadata
        eps = importlib.metadata.entry_points().get(ENTRY_POINT_GROUP, [])
    packages += [ep.value for ep in eps if ep.value != "lemmas"]
    # Extra lemma packages by name (e.g. a paper being encoded outside this distribution).
    packages += _env_packages()
    from_env = set(_env_packages())
    for package in packages:
        where = "PROOFCHECK_LEMMAS" if package in from_env else (
            "the entry-point group " + ENTRY_POINT_GROUP if package != "lemmas" else "the built-in lemmas")
        for mod in _walk(package, where):
            reg.add_module(mod)
    reg.validate()
    _CACHE = reg
    return reg


def did_you_mean(word: str, known) -> str:
    """``"; did you mean 'x'?"`` for the closest known names (difflib), or ``""``."""
    close = difflib.get_close_matches(str(word), sorted(known), n=3, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"


def module_of(claim: Claim) -> str | None:
    """The module that defines ``claim`` (so a worker can import it when it is not registered)."""
    registry = load()
    if registry.claims.get(claim.id) is claim:
        return registry.modules.get(claim.id)
    for name, mod in list(sys.modules.items()):
        space = getattr(mod, "__dict__", None) or {}
        if any(v is claim for v in space.values()) or any(
                isinstance(space.get(k), (list, tuple)) and any(v is claim for v in space[k]) for k in ("CLAIMS",)):
            return name
    return None
