"""The deciders: the engine's pipeline, the search, the probabilistic layer and its statistics, coverage, lint, instantiation of used claims, the replay of a stored record, and the certifiers."""
