"""A third-party paper package written against the API documented at proofcheck 0.1.0 (2ca0df7's
docs/WRITING_CLAIMS.md and its predecessor's ``proofcheck.probabilistic``), kept as it was: the test
``tests/engine/test_public_api.py`` loads and audits it with the current proofcheck."""
from proofcheck import Definition, Source

CITATION = "B. Author, An Old Package, 2023"

sigma = Definition("sigma", 1, "the ReLU activation", Source("oldapi2024", "Section 2", CITATION),
                   paper="oldapi2024")
