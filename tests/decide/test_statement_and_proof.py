"""What a reviewer reads: statement and proof apart (a line decided at the values the proof uses),
the encoder's reason, sides in the statement's units, and existential statements over declared
constants. Toy claims whose truth is known by construction; the engine computes every verdict."""
from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import strategies as st

from proofcheck.model.claim import Claim, ClaimError, Constant, Source, Use, Variable
from proofcheck.interfaces.cli.args import CliError
from proofcheck.interfaces.cli.audit import fail_on_words as _fail_on
from proofcheck.decide.engine import check
from proofcheck.model.registry import Registry
from proofcheck.report import graph, render
from proofcheck.model.verdict import Verdict

SRC = Source("toy", "p. 1")
x = sympy.Symbol("x", real=True)
y = sympy.Symbol("y", real=True)
a = sympy.Symbol("a", real=True)


def _x(lo=0, hi=1):
    return Variable("x", st.fractions(lo, hi), lo=lo, hi=hi, domain=f"{lo} <= x <= {hi}")


def _line():
    # x^3 <= 1/8 on [0, 1]: refuted exactly where x > 1/2 (the engine, not the test, finds where)
    return Claim(id="toy.thm.s1", title="x^3 <= 1/8", source=SRC, statement="x^3 <= 1/8", variables=[_x()],
                 conclusion=sympy.Le(x**3, sympy.Rational(1, 8)), reason="x^3 exceeds 1/8 once x > 1/2.")


def _registry(*claims):
    reg = Registry()
    for c in claims:
        reg.add_claim(c, "toy")
    reg.validate()
    return reg


def _user(cid, at):
    uses = [Use("toy.thm.s1", at=at, how="the proof's x")] if at is not None else ["toy.thm.s1"]
    return Claim(id=cid, title="uses s1", source=SRC, statement="0 <= 1", variables=[_x()],
                 conclusion=sympy.Le(0, 1 + x), uses=uses)


def _report(reg, ids):
    results = [check(reg.get(i), "quick", 0, registry=reg) for i in ids]
    claims = []
    for r in results:
        rec = r.to_json()
        meta = reg.get(r.id).to_json()
        for key in ("title", "source", "statement", "uses", "uses_at", "reason", "explicit_constants", "note"):
            rec[key] = meta[key]
        claims.append(rec)
    graph.attach_statuses(claims)
    return {"tool": "proofcheck", "version": "t", "seed": 0, "budget": "quick", "claims": claims}


def test_a_refuted_line_is_decided_at_the_values_each_proof_declares():
    inside = _user("toy.thm", {"x": (0, Fraction(1, 4))})            # the proof uses x <= 1/4: s1 holds there
    outside = _user("toy.other", {"x": (Fraction(1, 4), 1)})         # this one reaches x = 1: s1 fails there
    plain = _user("toy.plain", None)                                 # no instantiation declared
    reg = _registry(_line(), inside, outside, plain)
    line = check(reg.get("toy.thm.s1"), "quick", 0, registry=reg)
    assert line.verdict is Verdict.REFUTED
    at = {rec["by"]: rec for rec in line.details["instantiations"]}
    assert set(at) == {"toy.thm", "toy.other"}                       # only declared edges are re-decided
    assert at["toy.thm"]["verdict"] in ("proved", "certified", "survived"), at["toy.thm"]
    assert at["toy.thm"]["at"] == {"x": [0, "1/4"]}
    assert at["toy.other"]["verdict"] == "refuted"
    cex = at["toy.other"]["counterexample"]["values"]["x"]
    assert Fraction(cex["$q"]) > Fraction(1, 2)                       # the engine found where it fails

    report = _report(reg, ["toy.thm.s1", "toy.thm", "toy.other", "toy.plain"])
    by = {c["id"]: c for c in report["claims"]}
    assert by["toy.thm"]["proof"]["status"] == graph.PROOF_REFUTED_OUTSIDE
    assert by["toy.other"]["proof"]["status"] == graph.PROOF_REFUTED
    assert by["toy.plain"]["proof"]["status"] == graph.PROOF_REFUTED
    assert by["toy.thm.s1"]["proof"] is None                          # nothing used: no proof status
    assert by["toy.thm"]["proof"]["label"] == (
        "proof: one line refuted only outside the values the proof uses (toy.thm.s1)")
    assert "values the proof uses not declared" in by["toy.plain"]["proof"]["label"]
    claims = graph.claims_by_id(report)
    assert graph.statement_and_proof("toy.thm", claims, graph.proof_status(report)).startswith(
        "statement proved; proof: one line refuted only outside")
    html = render(report, "html")
    md = render(report, "md")
    for text in (html, md):
        assert "refuted only outside the values the proof uses" in text
        assert "x^3 exceeds 1/8 once x &gt; 1/2." in text or "x^3 exceeds 1/8 once x > 1/2." in text
        assert "broken by" not in text and "\u2718 broken" not in text and "Combined status" not in text


def test_proof_status_takes_the_best_reading_and_the_worst_line():
    rep = {"claims": [
        {"id": "p.t", "verdict": "survived", "uses": []},
        {"id": "p.t.s1", "verdict": "proved", "uses": []},
        {"id": "p.t.s2", "verdict": "refuted", "uses": []},
        {"id": "p.t.s2@alt", "verdict": "survived", "uses": []},   # one reading survives: the line is unchecked
        {"id": "p.t.s3", "verdict": "refuted", "uses": [],
         "details": {"instantiations": [{"by": "p.t", "verdict": "survived", "at": {"x": [0, 1]}}]}},
        {"id": "p.u", "verdict": "survived", "uses": ["p.t"]},     # inherits p.t's proof through p.t
    ]}
    st = graph.proof_status(rep)
    assert st["p.t"]["status"] == graph.PROOF_REFUTED_OUTSIDE
    assert st["p.t"]["label"] == ("proof: one line refuted only outside the values the proof uses (p.t.s3); "
                                  "one line unchecked")
    assert st["p.u"]["status"] == graph.PROOF_REFUTED_OUTSIDE
    assert "via p.t" in st["p.u"]["label"]
    rep["claims"][2]["verdict"] = "proved"
    rep["claims"][4]["verdict"] = "certified"
    assert graph.proof_status(rep)["p.t"]["status"] == graph.PROOF_HOLDS


def test_fail_on_accepts_proof_statuses():
    assert _fail_on("refuted,proof-refuted,proof-refuted-outside") == {
        Verdict.REFUTED, "proof-refuted", "proof-refuted-outside"}
    with pytest.raises(CliError, match="proof-unchecked"):
        _fail_on("broken")


def test_an_instantiation_naming_an_unknown_variable_makes_the_user_ill_formed_at_load():
    reg = _registry(_line(), _user("toy.thm", {"z": 1}))
    assert "not a variable or constant" in reg.get("toy.thm").build_error
    assert not reg.get("toy.thm.s1").build_error  # the line itself still loads


def test_a_refuted_claim_without_reason_is_a_lint_warning_of_the_report():
    line = _line()
    line.reason = ""
    reg = _registry(line)
    report = _report(reg, ["toy.thm.s1"])
    assert report["claims"][0]["reason_missing"] is True
    assert "without the encoder's reason" in render(report, "html")
    assert "without the encoder's reason" in render(report, "md")


def test_printed_sides_are_evaluated_at_the_counterexample():
    # printed: y/2 <= 1/4 for y in [0, 1]; encoded with the denominator cleared and squared: y^2 <= 1/4
    c = Claim(id="toy.sides", title="y/2 <= 1/4", source=SRC, statement="y/2 <= 1/4",
              variables=[Variable("y", st.fractions(0, 1), lo=0, hi=1)],
              conclusion=sympy.Le(y**2, sympy.Rational(1, 4)), sides=(y / 2, sympy.Rational(1, 4)),
              reason="y/2 exceeds 1/4 once y > 1/2.")
    r = check(c, "quick", 0, registry=_registry(c))
    assert r.verdict is Verdict.REFUTED
    yv = float(Fraction(r.counterexample["values"]["y"]["$q"]))
    sides = r.details["sides"]
    assert sides["as_printed"] is True
    assert sides["lhs"] == pytest.approx(yv / 2) and sides["rhs"] == pytest.approx(0.25)
    assert r.margin == pytest.approx(0.25 - yv / 2)                    # the gap between the printed sides


def test_a_strict_inequality_met_with_equality_says_so():
    c = Claim(id="toy.strict", title="x < x", source=SRC, statement="x < x", variables=[_x()],
              conclusion=sympy.Lt(x**2, x), reason="at x = 0 (and x = 1) both sides are equal.")
    r = check(c, "quick", 0, registry=_registry(c))
    assert r.verdict is Verdict.REFUTED
    assert r.details.get("equality_where_strict") is True
    from proofcheck.report.sides import sides_text

    assert sides_text({"verdict": "refuted", "details": r.details}).startswith("fails by equality")


def _exists_claim(candidates):
    return Claim(id="toy.exists", title="exists a: x <= a", source=SRC, statement="exists a: x <= a on [0, 2]",
                 variables=[_x(0, 2)], constants=[Constant("a", candidates[0])],
                 conclusion=sympy.Le(x, a), exists={"a": candidates})


def test_an_existential_statement_holds_if_one_declared_choice_holds():
    c = _exists_claim([Fraction(1), Fraction(3)])
    r = check(c, "quick", 0, registry=_registry(c))
    assert r.verdict in (Verdict.PROVED, Verdict.CERTIFIED, Verdict.SURVIVED), r.evidence
    rows = {str(row["constants"]["a"]): row["verdict"] for row in r.details["exists"]}
    assert rows["1"] == "refuted" and rows["3"] != "refuted"
    assert r.details["held_at"] == {"a": 3}
    assert "refuted for 1" in r.evidence


def test_an_existential_statement_is_refuted_only_when_every_choice_is():
    c = _exists_claim([Fraction(1), Fraction(3, 2)])
    r = check(c, "quick", 0, registry=_registry(c))
    assert r.verdict is Verdict.REFUTED
    assert "every one of the 2 declared choices" in r.evidence


def test_a_refutation_of_the_encoders_constants_is_labelled_so():
    c = Claim(id="toy.k@explicit", title="x <= 1", source=SRC, statement="x <= 1", variables=[_x(0, 2)],
              conclusion=sympy.Le(x, 1), explicit_constants=True, reason="the encoder's 1 is too small.")
    reg = _registry(c)
    report = _report(reg, ["toy.k@explicit"])
    assert report["claims"][0]["verdict"] == "refuted"
    assert "for these constants" in render(report, "html")
    assert "for these constants" in render(report, "md")
