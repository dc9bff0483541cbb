"""The claim model and its numbers: claims, constants, exact and Arb numbers, the number grammar, verdicts, the registry."""
