"""What each command prints for a person: the audit's summary, -o everywhere, did-you-mean, the
frontier's list of what it can bisect, --fail-on with headline statuses, a complete --help."""
import json

import pytest

from test_cli import cli, one_line_error


@pytest.fixture()
def store(tmp_path):
    return str(tmp_path / "store")


def test_audit_prints_a_summary_and_writes_reports_only_when_asked(tmp_path, store):
    proc = cli("audit", "planted.poly_false", "planted.poly_true", "planted.undefined", "--budget", "quick",
               "--seed", "0", "--store", store)
    assert proc.returncode == 0, proc.stderr
    out, _, full = proc.stdout.partition("The full report: ")
    assert out.startswith("3 claim(s): 1 proved, 1 refuted, 1 ill-formed")
    assert "planted:" in out and "planted.poly_false" in out and "planted.undefined" in out
    assert "planted.poly_true" not in out  # only what did not hold is listed
    assert "why: " in out and "at:  a = " in out and "|" not in out  # no Markdown table
    assert full.startswith("proofcheck audit planted.poly_false") and "--format html -o report.html" in full
    report = tmp_path / "r.html"  # -o alone: the suffix picks the format
    proc = cli("audit", "planted.poly_false", "--budget", "quick", "--seed", "0", "--store", store, "-o", str(report))
    assert proc.returncode == 0 and report.read_text().startswith("<!DOCTYPE html>"), proc.stderr
    assert proc.stdout == ""


def test_fail_on_takes_verdicts_and_proof_statuses(store):
    ok = cli("audit", "planted.poly_true", "--budget", "quick", "--seed", "0", "--store", store,
             "--fail-on", "refuted,proof-refuted,proof-unchecked")
    assert ok.returncode == 0, ok.stderr
    bad = cli("audit", "planted.poly_false", "--budget", "quick", "--seed", "0", "--store", store,
              "--fail-on", "refuted")
    assert bad.returncode == 1, bad.stderr
    assert "did you mean 'proof-refuted'" in one_line_error(cli("audit", "planted.step", "--fail-on", "prof-refuted"))
    # "broken" is no status any more: a statement and its proof are reported apart
    assert "unknown verdict or proof status 'broken'" in one_line_error(cli("audit", "planted.step", "--fail-on", "broken"))


@pytest.mark.parametrize("args, words", [
    (("check", "planted.stepp"), "did you mean 'planted.step'"),
    (("audit", "plantd"), "did you mean 'planted'"),
    (("check", "planted.step", "--set", "cc=1"), "did you mean 'c'"),
    (("frontier", "planted.step", "etaa"), "did you mean 'eta'"),
])
def test_did_you_mean(args, words, store):
    assert words in one_line_error(cli(*args, "--store", store))


def test_frontier_lists_what_it_can_bisect(store):
    proc = cli("frontier", "planted.step", "--store", store)
    assert proc.returncode == 0, proc.stderr
    assert "planted.step can bisect:" in proc.stdout and "c " in proc.stdout and "a constant, printed 1" in proc.stdout


@pytest.mark.parametrize("command", [["list", "planted.step"], ["check", "planted.poly_false", "--budget", "quick"],
                                     ["frontier", "planted.step"], ["replay", "planted.poly_false"]])
def test_every_command_that_prints_writes_to_o(tmp_path, store, command):
    out = tmp_path / "out.txt"
    if command[0] == "replay":
        cli("check", "planted.poly_false", "--budget", "quick", "--seed", "0", "--store", store)
    proc = cli(*command, "--store", store, "-o", str(out)) if command[0] != "list" else cli(*command, "-o", str(out))
    assert proc.stdout == "" and out.read_text().strip(), proc.stderr
    assert "planted." in out.read_text()


def test_help_describes_every_argument():
    import argparse

    from proofcheck.interfaces.cli.program import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, parser in sub.choices.items():
        assert parser.description, name
        for action in parser._actions:
            assert action.help and action.help.strip(), (name, action.dest)  # nothing undescribed
    audit = cli("audit", "--help").stdout
    assert "quick, default or deep" in audit and "html (one self-contained page)" in audit
    assert "claim ids or id prefixes" in audit and "proof-refuted" in audit


def test_check_prints_people_s_numbers(store):
    proc = cli("check", "planted.needle", "--seed", "2", "--budget", "quick", "--store", store)
    assert proc.returncode == 0, proc.stderr
    assert "counterexample: p = " in proc.stdout
    for leak in ("$q", "Fraction(", "array(", "{'"):
        assert leak not in proc.stdout
