"""Quality: the search reaches flaws the strategies alone do not draw, at every seed, and never refutes a
true claim of the same shape (issue 17).

* ``planted.large_horizon`` fails only for T >= ~3100 while its strategy draws T <= 500 and its domain
  has no end: the integer ladder must climb there;
* ``planted.small_basin`` fails only in a ball holding at most 8.1e-8 of the volume of [-1, 1]^6, off
  the centre and off any grid, inside a rippled bowl: the global optimiser must find it.
"""
import pytest

import planted
from proofcheck.store.codec import decode
from proofcheck.decide.engine import check
from proofcheck.model.verdict import Verdict


@pytest.mark.parametrize("seed", range(5))
def test_a_flaw_beyond_the_drawn_horizon_is_reached_by_the_ladder(registry, seed):
    r = check("planted.large_horizon", "default", seed, registry=registry)
    assert r.verdict is Verdict.REFUTED, r.evidence
    assert r.counterexample["found_by"] == "search"
    T = decode(r.counterexample["values"]["T"], exact=True)
    assert T >= 3000


@pytest.mark.parametrize("seed", range(5))
def test_a_basin_of_1e_minus_7_of_a_6_dimensional_box_is_found(registry, seed):
    r = check("planted.small_basin", "default", seed, registry=registry)
    assert r.verdict is Verdict.REFUTED, r.evidence
    assert r.counterexample["found_by"] == "search"
    values = [float(decode(r.counterexample["values"][f"y{i}"], exact=True)) for i in range(6)]
    centre = [float(c) for c in planted.BASIN_CENTRE]
    assert sum((v - c) ** 2 for v, c in zip(values, centre)) < 0.01  # inside the ball, as claimed


@pytest.mark.parametrize("cid", ["planted.large_horizon_true", "planted.small_basin_true"])
@pytest.mark.parametrize("seed", range(5))
def test_true_claims_of_the_same_shapes_survive_and_say_what_was_searched(registry, cid, seed):
    r = check(cid, "default", seed, registry=registry)
    assert r.verdict is Verdict.SURVIVED, r.evidence
    cov = r.to_json()["coverage"]
    assert cov["examples"] == r.examples and cov["stopped_by"] == "budget"
    assert {"hypothesis", "local"} <= set(cov["methods"])
    if cid == "planted.large_horizon_true":
        assert cov["ladders"]["T"] == {"reached": 100000, "declared_max": None}
        assert cov["variables"]["T"]["max"] == 100000 and "T climbed to 100000" in cov["summary"]
    else:
        assert "global" in cov["methods"] and set(cov["variables"]) == {f"y{i}" for i in range(6)}


def test_a_structured_value_gets_whole_fresh_runs_when_a_walk_does_not_progress(registry):
    r = check("planted.structured_true", "default", 0, registry=registry)
    assert r.verdict is Verdict.SURVIVED, r.evidence
    methods = r.to_json()["coverage"]["methods"]
    # the first run (400 examples), then restarts about as long, then a short walk from the best point
    assert methods["resample"] >= 2 * 350 and methods["local"] > 0, methods
    assert methods["resample"] > methods["hypothesis"], methods
