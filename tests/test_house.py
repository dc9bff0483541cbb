"""The house rules of issue 20, read from the source (the AST of every module; nothing is imported).

* The import graph of ``proofcheck`` and ``lemmas`` has no cycle and no arrow up: each layer imports
  only itself and the layers below it, in the order docs/ARCHITECTURE.md documents (model < store <
  decide, report < interfaces; ml, the paper models and the lemmas above, :data:`MAY_IMPORT`); the engine core
  (``proofcheck.{model,decide,store,interfaces,report}``) never imports ``proofcheck.ml`` or a paper;
  ``proofcheck.ml`` never imports the claim model, the deciders, the interfaces, the report or a
  paper; a lemma never imports the engine (``proofcheck.decide.engine``). Every import counts, the
  ones inside functions included, and a module's dotted name given to a call as a literal
  (``importlib.import_module("proofcheck.decide.certify.interval")``, or a helper that does it).
* No procedure (``check=``) in ``lemmas/``, no function over 80 lines outside the report templates,
  one decoder of the store's tags.

Each rule is read from the source of the tree as it is; none is marked as expected to fail.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("proofcheck", "lemmas")
CORE = tuple(f"proofcheck.{layer}" for layer in ("model", "decide", "store", "interfaces", "report"))
MAX_FUNCTION_LINES = 80


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


MODULES = source_modules()
TREES = {name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in MODULES.items()}


def resolve(name: str) -> str | None:
    """The module of the tree a dotted name refers to (``a.b.func`` -> ``a.b``), or None outside it."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imported_names(module: str, tree: ast.AST) -> set[str]:
    """Every dotted name the module imports, wherever the import stands."""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            names |= {f"{base}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Call):  # importlib.import_module("a.b"), or a helper given a module's name
            names |= {arg.value for arg in node.args if isinstance(arg, ast.Constant) and arg.value in MODULES
                      and not module.startswith(arg.value + ".")}  # not its own package (templates it reads)
    return names


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the tree it imports (a package's ``__init__`` is not an arrow of its
    submodules: importing ``proofcheck.model.num`` is an arrow to ``num`` only)."""
    graph = {}
    for module, tree in TREES.items():
        targets = {resolve(name) for name in imported_names(module, tree)}
        graph[module] = {t for t in targets if t and t != module}
    return graph


GRAPH = import_graph()


def under(module: str, prefixes) -> bool:
    prefixes = [prefixes] if isinstance(prefixes, str) else prefixes
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def arrows(source, target) -> list[str]:
    return sorted(f"{a} -> {b}" for a, targets in GRAPH.items() if under(a, source)
                  for b in targets if under(b, target))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_is_read_from_the_tree():
    """The reader sees the layers (so the rules below are not vacuous)."""
    assert "proofcheck.decide.engine" in GRAPH and "proofcheck.ml.strategies" in GRAPH
    assert {"proofcheck.model.claim", "proofcheck.decide.certify"} <= GRAPH["proofcheck.decide.engine"]
    assert arrows("lemmas", "proofcheck.ml") and arrows("proofcheck.ml", "proofcheck.model.num")


def test_the_import_graph_has_no_cycle():
    assert cycles(GRAPH) == []


def test_the_engine_core_imports_no_network_mathematics_and_no_paper():
    assert arrows(CORE, ("proofcheck.ml", "lemmas")) == []


def test_network_mathematics_imports_no_claim_model_decider_interface_report_or_paper():
    assert arrows("proofcheck.ml", ("proofcheck.model.claim", "proofcheck.decide", "proofcheck.interfaces",
                                    "proofcheck.report", "lemmas")) == []


def test_no_lemma_imports_the_engine():
    assert arrows("lemmas", "proofcheck.decide.engine") == []


#: The layers, lowest first, as docs/ARCHITECTURE.md draws them: a module may import its own layer and the
#: layers listed for it, nothing else. ``api`` is ``proofcheck/__init__.py`` (the claim model's public names);
#: ``entry`` is ``python -m proofcheck`` and the deprecated 0.1 modules at the package root.
MAY_IMPORT = {
    "model": set(),
    "api": {"model"},
    "store": {"model"},
    "decide": {"model", "store"},
    "report": {"model", "store"},
    "interfaces": {"model", "api", "store", "decide", "report"},
    "entry": {"model", "api", "store", "decide", "report", "interfaces"},
    "ml": {"model", "store"},                          # the numbers and the codec; not the claim model (below)
    "paper models": {"model", "api", "store", "ml"},
    "lemmas": {"model", "api", "store", "decide", "ml", "paper models"},  # not the engine (below)
}
#: A paper's own model: ``lemmas/<paper>/model.py``, and du2019's dynamics beside it; with them the paper's
#: declarations (its package ``lemmas/<paper>/__init__.py``: the source, the printed constants, the
#: definitions), which its model may use as its lemmas do.
PAPER_MODELS = {m for m in MODULES if m.startswith("lemmas.") and m.count(".") == 2 and m.endswith(".model")} | {
    "lemmas.du2019.dynamics"} | {m for m in MODULES if m.startswith("lemmas.") and m.count(".") == 1}


def layer(module: str) -> str:
    if module in PAPER_MODELS:
        return "paper models"
    if under(module, "lemmas"):
        return "lemmas"
    if module == "proofcheck":
        return "api"
    folder = module.split(".")[1]
    return folder if folder in MAY_IMPORT else "entry"


def layer_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MAY_IMPORT}
    for a, targets in GRAPH.items():
        graph[layer(a)] |= {layer(b) for b in targets} - {layer(a)}
    return graph


def test_every_module_has_a_layer():
    assert {layer(m) for m in MODULES} == set(MAY_IMPORT)
    assert PAPER_MODELS >= {"lemmas.park2019.model", "lemmas.du2019.model", "lemmas.du2019.dynamics"}
    entries = sorted(m for m in MODULES if layer(m) == "entry")
    assert entries == ["proofcheck.__main__", "proofcheck.claim", "proofcheck.codec", "proofcheck.num",
                       "proofcheck.probabilistic", "proofcheck.stats"]


def arrows_up(graph: dict[str, set[str]]) -> list[str]:
    """Each arrow to a layer its module may not import, named module by module."""
    return sorted(f"{a} -> {b}  ({layer(a)} -> {layer(b)})" for a, targets in graph.items() for b in targets
                  if layer(b) != layer(a) and layer(b) not in MAY_IMPORT[layer(a)])


def test_each_layer_imports_only_itself_and_the_layers_below():
    """No arrow up and none sideways (the deciders and the report know nothing of each other)."""
    assert arrows_up(GRAPH) == []


def test_the_layers_have_no_cycle():
    assert cycles(layer_graph()) == []


def test_imports_inside_functions_and_relative_ones_count():
    tree = ast.parse("import numpy\n"
                     "def late():\n    from proofcheck.decide.search import run_search\n"
                     "class Late:\n    def method(self):\n        from ..store import codec\n"
                     "importlib.import_module('proofcheck.decide.certify.interval')\n")
    assert imported_names("proofcheck.model.claim", tree) == {
        "numpy", "proofcheck.decide.search.run_search", "proofcheck.store.codec",
        "proofcheck.decide.certify.interval"}


def test_the_layer_rule_finds_arrows_up_and_sideways():
    planted = {"proofcheck.model.claim": {"proofcheck.decide.search", "proofcheck.model.num"},
               "proofcheck.report.html": {"proofcheck.decide.engine", "proofcheck.store.codec"},
               "proofcheck.ml.gram": {"proofcheck.model.num", "lemmas.du2019.model"},
               "lemmas.du2019.model": {"proofcheck.ml.flow", "lemmas.du2019.lemma_2_2"}}
    assert arrows_up(planted) == [
        "lemmas.du2019.model -> lemmas.du2019.lemma_2_2  (paper models -> lemmas)",
        "proofcheck.ml.gram -> lemmas.du2019.model  (ml -> paper models)",
        "proofcheck.model.claim -> proofcheck.decide.search  (model -> decide)",
        "proofcheck.report.html -> proofcheck.decide.engine  (report -> decide)"]


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


# ---------------------------------------------------------------- rules the other items of issue 20 bring
def procedures_in_lemmas() -> list[str]:
    return sorted(f"{MODULES[m].relative_to(ROOT)}:{node.lineno}" for m, tree in TREES.items() if under(m, "lemmas")
                  for node in ast.walk(tree) if isinstance(node, ast.Call)
                  for kw in node.keywords if kw.arg == "check")


def long_functions() -> list[str]:
    """Functions (methods and nested ones included) over the limit, in the Python of the tree; the
    report templates are not Python, so they are not read."""
    return sorted(f"{MODULES[m].relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1})"
                  for m, tree in TREES.items() for node in ast.walk(tree)
                  if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES)


def tag_decoders() -> list[str]:
    """Modules that compare against or look up a store tag (``"$q" in data``, ``data["$num"]``):
    the readers of the store format."""
    tags = {"$q", "$num", "$array", "$obj"}
    readers = set()
    for m, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(isinstance(c, ast.Constant) and c.value in tags
                                                     for c in [node.left, *node.comparators]):
                readers.add(m)
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value in tags:
                readers.add(m)
            elif (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get" and node.args
                  and isinstance(node.args[0], ast.Constant) and node.args[0].value in tags):
                readers.add(m)
    return sorted(readers)


def test_no_procedure_in_lemmas():
    assert procedures_in_lemmas() == []


def test_no_function_over_80_lines():
    assert long_functions() == []


def test_one_decoder_of_the_store_tags():
    assert tag_decoders() == ["proofcheck.store.codec"]
