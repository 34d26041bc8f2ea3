"""The package's shape: no import cycle, small modules, no facts of one corpus in the tool."""

import ast
import re

import pytest

from conftest import REPO

PACKAGE = REPO / "src" / "newsspans"
MAX_LINES = 400
# Words of the seed article: the tool must know none of them (its facts live in the repository).
SEED_WORDS = re.compile(r"putin|kim jong|pyongyang|\bafp\b|agence france|000_20f75d47f5764936|"
                        r"heads of state|defence-treaty", re.I)


def _module_name(path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imports(path, name, modules) -> set:
    """The package modules `path` imports, at any depth of its code (lazy imports count)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import mod` imports the module pkg.mod; `from mod import name` imports mod.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            # A package's parents are imported before it anyway: no edge, no cycle through them.
            if target in modules and target != name and not name.startswith(target + "."):
                found.add(target)
    return found


def _cycles(graph) -> list:
    """Every strongly connected component with more than one module (Tarjan)."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_import_graph_has_no_cycle():
    modules = _modules()
    graph = {name: _imports(path, name, modules) for name, path in modules.items()}
    assert "newsspans.cli.options" in graph["newsspans.cli.export"]   # the walk sees imports
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_is_over_400_lines():
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_package_is_split_by_concern():
    top = sorted(p.name for p in PACKAGE.iterdir() if p.suffix == ".py")
    assert top == ["__init__.py", "__main__.py", "errors.py"]
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} >= {
        "cli", "curation", "doccano", "export", "metadata", "model", "render", "store", "validation"}


def test_no_word_of_the_seed_article_is_in_the_tool():
    found = [f"{path.relative_to(REPO)}:{i}: {line.strip()}"
             for path in PACKAGE.rglob("*") if path.is_file() and path.suffix in (".py", ".css", ".js")
             for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if SEED_WORDS.search(line)]
    assert found == []


def test_the_public_api_is_small_and_importable():
    import newsspans
    from newsspans import Corpus, InvalidCorpus
    assert Corpus.__module__ == "newsspans.model.corpus" and issubclass(InvalidCorpus, Exception)
    assert set(newsspans.__all__) == {
        "Corpus", "Document", "Version", "AnnotationFile", "Mention", "Quote", "Claim", "Cue",
        "Problem", "NewsspansError", "CorpusError", "InvalidCorpus", "__version__"}


def test_every_third_party_import_is_declared():
    import sys
    from importlib.metadata import packages_distributions
    tomllib = pytest.importorskip("tomllib")   # Python 3.11+
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.split(r"[<>=!~\[ ]", d, maxsplit=1)[0].lower().replace("_", "-")
                for d in project["dependencies"] + project["optional-dependencies"]["browser"]}
    distributions = packages_distributions()
    used = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                used.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                used.add(node.module.split(".")[0])
    third_party = used - set(sys.stdlib_module_names) - {"newsspans"}
    missing = {name for name in third_party
               if not {d.lower().replace("_", "-") for d in distributions.get(name, [name])} & declared}
    assert "yaml" in third_party and missing == set()
