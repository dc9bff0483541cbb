"""pytest plugin (registered by installing the package): property runs of registered claims.

* ``pytest --proofcheck [IDS]`` collects one item per registered claim (ids or id prefixes,
  comma-separated; none = all) and *only* those: the ordinary tests of the session are deselected
  (pytest reports them as deselected). The item's body is the claim's check; it fails when the
  verdict is one of ``--proofcheck-fail-on`` (default ``refuted,vacuous,ill-formed,error``; an
  ``inconclusive`` or ``survived`` claim passes unless named there), and its report shows verdict,
  examples, margin and seed. Items carry the ``proofcheck`` marker.
* Hypothesis profiles ``ci``, ``dev`` and ``deep`` are registered; ``HYPOTHESIS_PROFILE`` picks one
  (default ``ci``, the bounded one, so a plain ``python -m pytest`` takes a few minutes; ``dev`` and
  ``deep`` are opt-in) and with it the engine budget: ci -> quick, dev -> default, deep -> deep.
* The seed (``--proofcheck-seed``, default 0 so asserted verdicts are reproducible) is printed in
  the header.
* Fixture ``proofcheck_check(id, **constants)`` returns the engine's Result for the project's own
  tests, computed once per session and with a throw-away counterexample store.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

PROFILE_BUDGET = {"ci": "quick", "dev": "default", "deep": "deep"}
#: Verdicts that fail a claim's test item unless ``--proofcheck-fail-on`` says otherwise.
DEFAULT_FAIL_ON = ("refuted", "vacuous", "ill-formed", "error")
VERDICTS = ("proved", "certified", "refuted", "survived", "inconclusive", "vacuous", "ill-formed", "error")

settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("deep", max_examples=2000, deadline=None)


def _profile() -> str:
    name = os.environ.get("HYPOTHESIS_PROFILE") or "ci"
    return name if name in PROFILE_BUDGET else "ci"


settings.load_profile(_profile())


def pytest_addoption(parser):
    group = parser.getgroup("proofcheck")
    group.addoption("--proofcheck", action="store", nargs="?", const="", default=None, metavar="IDS",
                    help="collect one test per registered claim (comma-separated ids or prefixes)")
    group.addoption("--proofcheck-seed", action="store", type=int, default=None,
                    help="seed for claim checks (default $PROOFCHECK_SEED or 0)")
    group.addoption("--proofcheck-budget", action="store", default=None,
                    choices=("quick", "default", "deep"),
                    help="budget for claim checks (default: from HYPOTHESIS_PROFILE)")
    group.addoption("--proofcheck-fail-on", action="store", default=",".join(DEFAULT_FAIL_ON),
                    metavar="VERDICTS",
                    help="comma-separated verdicts that fail a claim's item "
                         f"(default {','.join(DEFAULT_FAIL_ON)}; 'none' fails none)")


def _fail_on(config) -> set[str]:
    text = config.getoption("--proofcheck-fail-on")
    words = {w.strip() for w in str(text).split(",") if w.strip()} - {"none"}
    unknown = sorted(words - set(VERDICTS))
    if unknown:
        raise pytest.UsageError(f"--proofcheck-fail-on: unknown verdict(s) {', '.join(unknown)} "
                                f"(choose from {', '.join(VERDICTS)}, or none)")
    return words


def _seed(config) -> int:
    s = config.getoption("--proofcheck-seed")
    return int(s if s is not None else os.environ.get("PROOFCHECK_SEED", 0))


def _budget(config) -> str:
    return config.getoption("--proofcheck-budget") or PROFILE_BUDGET[_profile()]


def pytest_configure(config):
    config.addinivalue_line("markers", "proofcheck: a registered claim checked by the engine")
    if config.getoption("--proofcheck", default=None) is not None:
        _fail_on(config)  # a bad verdict name is a usage error before any collection
        config._proofcheck_claims = _selected_claims(config)  # so is an unknown id or a broken package


def _selected_claims(config) -> list:
    """The claims ``--proofcheck`` names; an unknown id, or a lemma package that cannot load, is
    pytest's usage error (one line, exit 4), never an internal error."""
    # lazy, measured: this plugin loads in every pytest run where proofcheck is installed; the claim
    # model and the engine double its import (1.2 s -> 2.4 s CPU); only a --proofcheck run needs them
    from proofcheck.model.claim import ClaimError
    from proofcheck.model.registry import LemmaLoadError, UnknownClaim, load

    spec = config.getoption("--proofcheck")
    patterns = [p.strip() for p in spec.replace(" ", ",").split(",") if p.strip()]
    try:
        return load().select(patterns)
    except (UnknownClaim, LemmaLoadError, ClaimError) as exc:
        raise pytest.UsageError(f"--proofcheck: {exc}") from None


def pytest_report_header(config):
    head = (f"proofcheck: seed {_seed(config)}, budget {_budget(config)} "
            f"(HYPOTHESIS_PROFILE={_profile()})")
    if config.getoption("--proofcheck", default=None) is not None:
        head += f"; items fail on {','.join(sorted(_fail_on(config))) or 'no verdict'}"
    return head


class ClaimCollector(pytest.Collector):
    def collect(self):  # pragma: no cover - items are added in modifyitems
        return []


class ClaimFailed(Exception):
    pass


class ClaimItem(pytest.Item):
    def __init__(self, *, claim_id: str, **kwargs):
        super().__init__(**kwargs)
        self.claim_id = claim_id
        self.add_marker("proofcheck")

    def runtest(self):
        from proofcheck.decide.engine import check  # lazy, measured: see _selected_claims
        from proofcheck.report.values import margin_text
        from proofcheck.store.readable import values_text
        from proofcheck.store.counterexamples import CounterexampleStore

        cfg = self.config
        store = CounterexampleStore(os.environ.get("PROOFCHECK_STORE") or ".proofcheck/counterexamples")
        result = check(self.claim_id, _budget(cfg), _seed(cfg), store=store)

        margin = margin_text(result.margin, result.relative_margin, result.verdict.value)
        summary = (f"{result.id}: {result.verdict.value}; examples {result.examples}, satisfied "
                   f"{result.satisfied}, margin {margin}, seed {_seed(cfg)}\n{result.evidence}")
        self.user_properties.append(("verdict", result.verdict.value))
        if result.verdict.value in _fail_on(cfg):
            # the failure's text is the whole report of the item (not also a captured section: once)
            cex = result.counterexample
            extra = f"\ncounterexample: {values_text(cex.get('values') or {})}" if cex else ""
            raise ClaimFailed(f"{summary}{extra}\nreproduce: {result.reproduce}")
        self.add_report_section("call", "proofcheck", summary)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ClaimFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"proofcheck::{self.claim_id}"


def pytest_collection_modifyitems(session, config, items):
    if config.getoption("--proofcheck") is None:
        return
    claims = config._proofcheck_claims
    # Only the claims: the session's ordinary tests are deselected (and reported as such).
    if items:
        config.hook.pytest_deselected(items=list(items))
        items[:] = []
    collector = ClaimCollector.from_parent(session, name="proofcheck")
    for claim in claims:
        items.append(ClaimItem.from_parent(collector, name=claim.id, claim_id=claim.id))


@pytest.fixture(scope="session")
def proofcheck_check(request, tmp_path_factory):
    """``proofcheck_check(id, **constants) -> Result``, cached for the session."""
    from proofcheck.decide.engine import check  # lazy, measured: see _selected_claims
    from proofcheck.store.counterexamples import CounterexampleStore

    cache: dict = {}
    store = CounterexampleStore(tmp_path_factory.mktemp("proofcheck-store"))
    budget, seed = _budget(request.config), _seed(request.config)

    def run(claim_id: str, **constants):
        key = (claim_id, tuple(sorted((k, str(v)) for k, v in constants.items())))
        if key not in cache:
            cache[key] = check(claim_id, budget, seed, overrides=constants or None, store=store)
        return cache[key]

    return run
