import os
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))  # so that the planted claims package imports


def planted_env() -> dict:
    """Environment for subprocess runs of the CLI that also registers the planted claims."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")]).strip(os.pathsep)
    env["PROOFCHECK_LEMMAS"] = "planted"
    return env
