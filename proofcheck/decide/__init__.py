"""The deciders: the engine's pipeline, the search, the probabilistic layer and its statistics, coverage, lint, instantiation of used claims, and the certifiers."""
