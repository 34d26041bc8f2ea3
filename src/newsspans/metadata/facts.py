"""The corpus's facts: `dataset.yaml` at the root, checked against schema/dataset.schema.json.

What the card and croissant.json say about a corpus (its license, rights, collection and
annotation story, responsible-AI statements) belongs to that corpus, not to the tool, so
it is read from the corpus repository; the figures stay computed from the data. The file is
read with yaml's safe loader, as strictly as the JSON files: UTF-8 without a BOM, no key
twice, only JSON's types (an unquoted date is refused), no lone surrogate; every defect is
a located Problem and nothing is written.
"""

import os
import re

from newsspans.errors import CorpusError, InvalidCorpus
from newsspans.model import labels
from newsspans.model.normalize import NORMALIZER_VERSION
from newsspans.store.layout import Layout
from newsspans.store.reading import decode_utf8
from newsspans.validation.problems import Problem, read_problem, schema_problems

FACTS = "dataset.yaml"
# The tool's own figures a statement may name in braces: a corpus states its facts once,
# and the figures follow the tool when it changes.
_FIGURES = {
    "entity_types": str(len(labels.ENTITY_TYPES)),
    "normalizer_version": NORMALIZER_VERSION,
    "author_id": labels.AUTHOR_ID,
    "author_name": labels.AUTHOR_NAME,
}
_PLACEHOLDER = re.compile(r"\{(" + "|".join(_FIGURES) + r")\}")
_SURROGATE = re.compile("[\ud800-\udfff]")


# A composed YAML node says what it is by its `id` ("scalar", "sequence", "mapping"): the
# walks below need no yaml import of their own (yaml is imported only to read the file).
_COLLECTIONS = ("mapping", "sequence")


def _duplicate_key(node, seen=None):
    """(key, mark) of the first key a mapping of the composed YAML has twice, else None.

    safe_load keeps the last of two equal keys silently; the node graph still has both.
    Each node is visited once, so aliases cannot make the walk explode.
    """
    seen = set() if seen is None else seen
    if id(node) in seen:
        return None
    seen.add(id(node))
    if node.id == "mapping":
        keys = set()
        for key, _ in node.value:
            if key.id == "scalar":
                if (key.tag, key.value) in keys:
                    return key.value, key.start_mark
                keys.add((key.tag, key.value))
    children = node.value if node.id in _COLLECTIONS else ()
    for child in children:
        for item in (child if isinstance(child, tuple) else (child,)):
            found = _duplicate_key(item, seen)
            if found:
                return found
    return None


# A facts file has a few hundred values; aliases may repeat a sentence, never multiply the
# file (nine lists of nine aliases, eleven deep, are 3e11 values to walk).
_MAX_VALUES = 100_000


def _expanded_size(node, sizes=None) -> int:
    """How many values the composed YAML has once its aliases are expanded: each node is
    counted once and its size kept, so a bomb is measured without being expanded."""
    sizes = {} if sizes is None else sizes
    if id(node) not in sizes:
        sizes[id(node)] = 1   # a node inside itself is a RecursionError at load: counted once
        children = node.value if node.id in _COLLECTIONS else ()
        sizes[id(node)] = 1 + sum(_expanded_size(item, sizes) for child in children
                                  for item in (child if isinstance(child, tuple) else (child,)))
    return sizes[id(node)]


def facts_problems(root) -> list:
    """Problems of `dataset.yaml`; none when there is no such file (export asks for it)."""
    path = Layout(root).root / FACTS
    if not os.path.lexists(path):
        return []
    return _read(root)[1]


def load_facts(root) -> dict:
    """The facts of the corpus at `root`, figures filled in; InvalidCorpus when missing or bad."""
    path = Layout(root).root / FACTS
    if not os.path.lexists(path):
        raise InvalidCorpus([Problem(FACTS, "missing: the dataset card and croissant.json are "
                                            "written from this file (see schema/dataset.schema.json)")])
    data, problems = _read(root)
    if problems:
        raise InvalidCorpus(problems)
    return _fill(data)


def _read(root):
    """(data, problems) of dataset.yaml: parsed, JSON-typed and schema-checked."""
    import yaml   # here, not at the top: a corpus without dataset.yaml never pays for it
    corpus = Layout(root)
    try:
        text = decode_utf8(corpus.read_bytes(corpus.root / FACTS), FACTS)
    except CorpusError as exc:
        return None, [read_problem(FACTS, exc)]
    loader = None
    try:
        # Composed once: the node graph is checked, then constructed (what safe_load does).
        loader = yaml.SafeLoader(text)   # its reader refuses a character YAML does not allow
        composed = loader.get_single_node()
        size = _expanded_size(composed) if composed is not None else 0
        if size > _MAX_VALUES:
            return None, [Problem(FACTS, f"its aliases expand it to {size:,} values, over the limit "
                                         f"of {_MAX_VALUES:,} (an alias bomb?)")]
        duplicate = _duplicate_key(composed) if composed is not None else None
        if duplicate:
            key, mark = duplicate
            return None, [Problem(FACTS, f"duplicate key {key!r} at line {mark.line + 1} "
                                         f"column {mark.column + 1}")]
        data = loader.construct_document(composed) if composed is not None else None
        problems = _json_problems(data)
    except yaml.YAMLError as exc:
        return None, [Problem(FACTS, f"invalid YAML: {_yaml_message(exc)}")]
    except RecursionError:
        return None, [Problem(FACTS, "YAML nested too deeply, or an alias inside itself")]
    finally:
        if loader is not None:
            loader.dispose()
    return data, problems or schema_problems("dataset", data, FACTS)


def _yaml_message(exc) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return problem
    return f"{problem} at line {mark.line + 1} column {mark.column + 1}"


def _json_problems(obj, path="$") -> list:
    """What JSON could not hold (a non-string key, a binary or set value, a lone surrogate)."""
    if isinstance(obj, dict):
        found = []
        for key, value in obj.items():
            if not isinstance(key, str):
                found.append(Problem(FACTS, f"key {key!r} is not a string", path))
            elif _SURROGATE.search(key):   # located at its mapping: the key cannot be printed
                found.extend(_json_problems(key, path))
            else:
                found.extend(_json_problems(value, f"{path}.{key}"))
        return found
    if isinstance(obj, list):
        return [p for i, item in enumerate(obj) for p in _json_problems(item, f"{path}[{i}]")]
    if isinstance(obj, str):
        match = _SURROGATE.search(obj)
        return [Problem(FACTS, f"lone surrogate U+{ord(match.group()):04X} at character "
                               f"{match.start()}: not Unicode text", path)] if match else []
    if obj is None or isinstance(obj, (bool, int, float)):
        return []
    return [Problem(FACTS, f"a YAML {type(obj).__name__} has no JSON equivalent (quote it "
                           f"if it is text)", path)]


def _fill(obj):
    """`obj` with every {figure} of `_FIGURES` replaced by the tool's value."""
    if isinstance(obj, dict):
        return {key: _fill(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [_fill(item) for item in obj]
    if isinstance(obj, str):
        return _PLACEHOLDER.sub(lambda m: _FIGURES[m.group(1)], obj)
    return obj
