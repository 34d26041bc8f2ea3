"""newsspans: an annotated news corpus and the tools that keep it correct.

The library's handle is `Corpus`: `Corpus.open(root)` reads a corpus repository through
one strict reader; `validate()` lists every problem, `require_valid()` raises one
`InvalidCorpus` carrying them; `documents()` and `document(id)` give typed, immutable
objects. The `newsspans` command is a thin layer over it.
"""

__version__ = "0.1.0"

from newsspans.errors import CorpusError, InvalidCorpus, NewsspansError  # noqa: E402

# The other public names are imported when first asked for (PEP 562), so that `import
# newsspans` (and every command) does not pay for the model and the schema validators.
_LAZY = {"Corpus": "newsspans.model.corpus", "Document": "newsspans.model.corpus",
         "Version": "newsspans.model.corpus", "AnnotationFile": "newsspans.model.annotations",
         "Mention": "newsspans.model.annotations", "Quote": "newsspans.model.annotations",
         "Claim": "newsspans.model.annotations", "Cue": "newsspans.model.annotations",
         "Problem": "newsspans.validation.problems"}

__all__ = ["Corpus", "Document", "Version", "AnnotationFile", "Mention", "Quote", "Claim", "Cue",
           "Problem", "NewsspansError", "CorpusError", "InvalidCorpus", "__version__"]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module
    value = getattr(import_module(_LAZY[name]), name)
    globals()[name] = value   # asked once: later lookups do not come here
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
