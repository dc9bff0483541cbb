"""The pytest plugin, run as a user would: ``pytest --proofcheck IDS`` in a fresh folder."""
import subprocess
import sys

from conftest import planted_env


def run_pytest(tmp_path, *args, profile="ci"):
    env = planted_env()
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


def test_profile_chooses_the_budget(tmp_path):
    proc = run_pytest(tmp_path, "--proofcheck", "planted.coin_true", profile="dev")
    assert proc.returncode == 0, proc.stdout
    assert "budget default (HYPOTHESIS_PROFILE=dev)" in proc.stdout
