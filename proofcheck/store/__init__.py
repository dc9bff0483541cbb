"""The store: the exact codec of the JSON-lines records, the counterexample store, and replay of a stored record."""
