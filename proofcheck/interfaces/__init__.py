"""How users meet the engine: the command line, the pytest plugin, the frontier, and the audit's execution on Dask (cluster, worker, preload)."""
