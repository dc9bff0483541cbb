"""What the whole suite shares: the planted claims on the path, and one Dask cluster for the CLI's audits.

Each audit otherwise starts a local cluster of its own (a fork server that loads the claims, a
scheduler, a nanny and a worker): seconds each, for dozens of small audits. The first
:func:`planted_env` starts a scheduler and two workers with that environment (``dask scheduler`` /
``dask worker``, in the background) and every environment it returns names them in
``$PROOFCHECK_SHARED_CLUSTER``: an audit run with it, asking for the default one-worker local
cluster, runs there instead (:func:`proofcheck.interfaces.cluster.shared_scheduler`). A test that
changes the claims' environment (another ``PROOFCHECK_LEMMAS``, ``PLANTED_STALL``…), asks for
``--jobs N`` or a memory limit, still gets a cluster of its own. ``PROOFCHECK_SUITE_OWN_CLUSTERS=1``
turns the sharing off (each audit starts its own, as a user's does).
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from proofcheck.interfaces.cluster import AUDIT_CONFIG, ENV_SHARED, claim_environment
from proofcheck.model.registry import Registry

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))  # so that the planted claims package imports
import planted  # noqa: E402  (the planted claims, importable once their folder is on the path)

_shared: dict = {}  # the suite's cluster once started: its address, processes, folder, claim environment
_SESSION_ENV = dict(os.environ)  # the environment the suite started with: its cluster's workers get it


def planted_env() -> dict:
    """Environment for subprocess runs of the CLI that also registers the planted claims (and, for
    their audits, names the suite's shared cluster with its workers' claim environment)."""
    env = _with_planted(os.environ)
    address = _shared_cluster()
    if address:
        env[ENV_SHARED] = f"{address}#{_shared['environment']}"
    return env


def _with_planted(base) -> dict:
    env = dict(base)
    env.pop(ENV_SHARED, None)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")]).strip(os.pathsep)
    env["PROOFCHECK_LEMMAS"] = "planted"
    return env


def _shared_cluster() -> str | None:
    """The suite's cluster, started (without waiting for it) at the first call."""
    if "address" not in _shared:
        dask = shutil.which("dask")
        _shared["address"], _shared["procs"] = None, []
        own = os.environ.get("PROOFCHECK_SUITE_OWN_CLUSTERS") == "1"
        if dask is not None and Path("/proc").is_dir() and not own:  # stopping it reads /proc
            env = _with_planted(_SESSION_ENV)
            _shared["environment"] = claim_environment(env)
            _shared["where"] = Path(tempfile.mkdtemp(prefix="proofcheck-suite-cluster-"))
            # the audit's own Dask settings (no profiler, slower ticks: the cluster idles between tests)
            quiet = {"DASK_" + key.upper().replace(".", "__").replace("-", "_"): str(value)
                     for key, value in AUDIT_CONFIG.items() if "multiprocessing" not in key}
            _shared["address"], _shared["procs"] = start_dask_cluster(dask, {**env, **quiet}, _shared["where"], 2)
    return _shared["address"]


def shared_cluster_address() -> str | None:
    """The suite's cluster's scheduler, once :func:`planted_env` started it (None without one)."""
    return _shared.get("address")


@pytest.fixture(scope="session", autouse=True)
def _stop_shared_cluster():
    yield
    stop_dask_cluster(_shared.get("procs", []))
    if "where" in _shared:
        shutil.rmtree(_shared["where"], ignore_errors=True)


# ---------------------------------------------------------------- clusters of separate processes
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dask_cluster(dask: str, env: dict, where: Path, workers: int) -> tuple[str, list[subprocess.Popen]]:
    """``dask scheduler`` and ``workers`` single-threaded ``dask worker`` processes on 127.0.0.1, as
    a user starts them (the claims load at each worker's start); returns at once."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = dict(env=env, cwd=where, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--dashboard-address", ":0"], **quiet)]
    for _ in range(workers):
        procs.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
                                       "--preload", "proofcheck.interfaces.worker",
                                       "--preload", "proofcheck.interfaces.preload",
                                       "--dashboard-address", ":0", "--local-directory", str(where)], **quiet))
    return address, procs


def stop_dask_cluster(procs: list[subprocess.Popen]) -> None:
    everything = set()
    for p in procs:
        everything |= descendants(p.pid) | {p.pid}
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    kill_all(everything)


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            parent = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(d.name))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def kill_all(pids) -> None:
    for p in pids:  # never leave a process of a test behind, even when it fails
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


@pytest.fixture(scope="module")
def registry():
    """The planted claims (``tests/planted``) as a registry; a test module that needs other claims
    defines its own ``registry`` fixture, which takes precedence."""
    reg = Registry()
    reg.add_module(planted)
    reg.validate()
    return reg
