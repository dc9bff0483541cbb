"""The park2019 tests' shared settings."""

#: The pinned seed-0 runs are quick, except s1's: 15 examples refute it at about 70% of seeds (74/100 on
#: main 69c5dd8, 70/100 with the integer-coded strategies), the default budget at every seed tried
#: (30/30 on both), so a pinned verdict of s1 at quick tested the seed's luck, not the engine.
PINNED_BUDGET = {"thm3.4.s1": "default"}
