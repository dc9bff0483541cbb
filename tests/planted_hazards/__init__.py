"""Planted claims that break the process checking them: one never returns, one allocates without
bound, one kills its own process. Registered only with ``PROOFCHECK_LEMMAS=planted_hazards`` (and
``tests/`` on the path), so only the cluster tests ever run them: each would end an audit that ran
claims in its own process."""
import os
import signal
import time

from proofcheck import Claim, Constant, Outcome, Source, Verdict

SRC = Source("planted_hazards", "tests/planted_hazards/__init__.py")


def _find_then_spin(ctx):
    """Verifies (trivially, by construction) and records a counterexample, then never returns,
    burning CPU like a search stuck in a loop."""
    ctx.record_counterexample({"x": 0.25}, -1.0, "planted: recorded before an endless loop", found_by="search")
    while True:
        pass


def _allocate(ctx):
    """Touches 32 MB more every few milliseconds, without bound (filled, so the pages are resident)."""
    hoard = []
    while True:
        hoard.append(b"\x01" * (32 << 20))
        time.sleep(0.005)


def _kill_own_process(ctx):
    os.kill(os.getpid(), signal.SIGKILL)
    return Outcome(Verdict.ERROR, "unreachable")


def _every_record_refutes(ctx, record):
    return True, -1.0, "planted: every record refutes"


hangs = Claim(id="planted_hazards.hangs", title="finds a counterexample, then never returns", source=SRC,
              statement=r"\bot", check=_find_then_spin, replay=_every_record_refutes)
hoards = Claim(id="planted_hazards.hoards", title="allocates memory without bound", source=SRC,
               statement=r"\bot", check=_allocate, replay=_every_record_refutes)
kills = Claim(id="planted_hazards.kills", title="kills the process checking it", source=SRC,
              statement=r"\bot", check=_kill_own_process,
              replay=_every_record_refutes)


def _refuted_only_as_printed(ctx):
    """Refuted at the printed constant; any other value (a frontier probe) never returns."""
    from fractions import Fraction

    if Fraction(ctx.constants["c"]) == 1:
        rec = ctx.record_counterexample({"x": 0.5}, -1.0, "planted: refuted as printed", found_by="search")
        return Outcome(Verdict.REFUTED, "planted refutation", 1, 1, -1.0, rec)
    time.sleep(600)
    return Outcome(Verdict.ERROR, "unreachable")


slow_frontier = Claim(id="planted_hazards.slow_frontier", title="refuted; its frontier's probes never return",
                      source=SRC, statement=r"\bot", check=_refuted_only_as_printed, replay=_every_record_refutes,
                      constants=[Constant("c", 1, "a constant the frontier bisects", positive=True)])
