"""newsspans: an annotated news corpus and the tools that keep it correct.

The library's handle is `Corpus`: `Corpus.open(root)` reads a corpus repository through
one strict reader; `validate()` lists every problem, `require_valid()` raises one
`InvalidCorpus` carrying them; `documents()` and `document(id)` give typed, immutable
objects. The `newsspans` command is a thin layer over it.
"""

__version__ = "0.1.0"

from newsspans.errors import CorpusError, InvalidCorpus, NewsspansError  # noqa: E402
from newsspans.model.annotations import AnnotationFile, Claim, Cue, Mention, Quote  # noqa: E402
from newsspans.model.corpus import Corpus, Document, Version  # noqa: E402
from newsspans.validation.problems import Problem  # noqa: E402

__all__ = ["Corpus", "Document", "Version", "AnnotationFile", "Mention", "Quote", "Claim", "Cue",
           "Problem", "NewsspansError", "CorpusError", "InvalidCorpus", "__version__"]
