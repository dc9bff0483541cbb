"""The pytest plugin, run as a user would: ``pytest --proofcheck IDS`` in a fresh folder."""
import subprocess
import sys

from conftest import planted_env


def run_pytest(tmp_path, *args, profile="ci"):
    env = planted_env()
    env.pop("HYPOTHESIS_PROFILE", None)
    if profile is not None:
        env["HYPOTHESIS_PROFILE"] = profile
    env["PROOFCHECK_STORE"] = str(tmp_path / "store")
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *args],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)


def test_one_item_per_claim_with_verdict_and_seed(tmp_path):
    proc = run_pytest(tmp_path, "--proofcheck", "planted.poly_true,planted.poly_false,planted.impossible",
                      "--proofcheck-seed", "5")
    out = proc.stdout
    assert proc.returncode == 1, out  # a refuted and a vacuous claim fail their items
    assert "proofcheck: seed 5, budget quick (HYPOTHESIS_PROFILE=ci)" in out
    assert "1 passed" in out and "2 failed" in out
    assert "planted.poly_false: refuted" in out and "reproduce: proofcheck replay planted.poly_false" in out
    assert "planted.impossible: vacuous" in out
    # each failure is told once (not again as a captured section), its values as people read them
    told = [line for line in out.splitlines() if line.startswith("planted.poly_false: refuted;")]
    assert len(told) == 1, out
    assert "counterexample: a = " in out
    for leak in ("$q", "'float'", "Fraction(", "{'"):
        assert leak not in out


def test_profile_chooses_the_budget(tmp_path):
    proc = run_pytest(tmp_path, "--proofcheck", "planted.coin_true", profile="dev")
    assert proc.returncode == 0, proc.stdout
    assert "budget default (HYPOTHESIS_PROFILE=dev)" in proc.stdout


def test_only_the_claim_items_run(tmp_path):
    # an ordinary test beside the claims: --proofcheck deselects it instead of running it
    (tmp_path / "test_ordinary.py").write_text("def test_ordinary():\n    assert False, 'ran'\n")
    proc = run_pytest(tmp_path, "--proofcheck", "planted.poly_true")
    out = proc.stdout
    assert proc.returncode == 0, out
    assert "1 passed" in out and "1 deselected" in out
    assert "ran" not in out and "test_ordinary" not in out.split("short test summary")[-1]
    # without the option the ordinary test runs (and fails)
    plain = run_pytest(tmp_path)
    assert plain.returncode == 1 and "1 failed" in plain.stdout


def test_fail_on_chooses_the_failing_verdicts(tmp_path):
    # refuted fails by default; with --proofcheck-fail-on vacuous only, the refuted item passes
    default = run_pytest(tmp_path, "--proofcheck", "planted.poly_false")
    assert default.returncode == 1 and "1 failed" in default.stdout, default.stdout
    assert "items fail on error,ill-formed,refuted,vacuous" in default.stdout
    chosen = run_pytest(tmp_path, "--proofcheck", "planted.poly_false", "--proofcheck-fail-on", "vacuous")
    assert chosen.returncode == 0 and "1 passed" in chosen.stdout, chosen.stdout
    bad = run_pytest(tmp_path, "--proofcheck", "planted.poly_false", "--proofcheck-fail-on", "wrong")
    assert bad.returncode != 0 and "unknown verdict(s) wrong" in bad.stdout + bad.stderr


def test_bounded_profile_is_the_default(tmp_path):
    env_profile = None  # HYPOTHESIS_PROFILE unset: the bounded ci profile and the quick budget
    proc = run_pytest(tmp_path, "--proofcheck", "planted.poly_true", profile=env_profile)
    assert proc.returncode == 0, proc.stdout
    assert "budget quick (HYPOTHESIS_PROFILE=ci)" in proc.stdout
