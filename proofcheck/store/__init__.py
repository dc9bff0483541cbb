"""The store: the exact codec of the JSON-lines records, the counterexample store, and how a stored value reads for people."""
