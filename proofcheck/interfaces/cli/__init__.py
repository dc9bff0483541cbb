"""``proofcheck``: list, audit, check, bisect (frontier) and replay claims; one module per command
(``listing``, ``audit``, ``check``, ``frontier``, ``replay``), the parser and :func:`main` in
``program``, the shared options in ``args``, where output goes in ``output``, the JSON report in
``contract``.

Exit codes: 0 the command ran (whatever the verdicts, unless ``--fail-on`` names one that
occurred: then 1); ``replay`` exits 0 only when some stored counterexample still refutes, 1 when
none is stored or none still refutes; 2 a usage error (unknown id or constant, a value that does
not parse, a lemma package that cannot be imported, an output that cannot be written, a store
that is not a folder), reported before any work; 1 an internal error, reported in one line (set
PROOFCHECK_DEBUG=1 for the traceback); 141 the reader of stdout went away (``| head``).
"""
from proofcheck.interfaces.cli.program import main

__all__ = ["main"]
