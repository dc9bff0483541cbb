"""Imported by the fork server of an audit's local workers: the claims load once, there, and every
worker forked from it starts with them (see :func:`proofcheck.interfaces.cluster.start_fork_server`)."""
from proofcheck.model.registry import load

try:
    load()
except Exception:  # reported in the audit's words by the first task that needs the claims
    pass
