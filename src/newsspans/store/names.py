"""Names given on the command line (a document, an annotator) that must exist.

A name that exists nowhere is a typo, not an empty result: `render --compare ghost` or
`agreement --doc ../../etc` is an error listing the names that do exist. A name is looked
up among the folders and files that are there, never joined into a path first, so no
name can reach outside the repository.
"""

import os

from newsspans.errors import CorpusError
from newsspans.store.layout import Layout

_SHOWN = 20   # names listed in a message; a large corpus gets "... and N more"


def _listing(names) -> str:
    names = sorted(names)
    if not names:
        return "none"
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" ... and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def annotators(root, doc_id=None) -> list:
    """The annotators with a file in annotations/<doc>/annotators/ (of one document, or any)."""
    corpus = Layout(root)
    docs = [doc_id] if doc_id is not None else _annotated_docs(corpus)
    found = set()
    for doc in docs:
        folder = os.path.join(corpus.annotations_dir, doc, "annotators")
        if os.path.isdir(folder):
            found.update(name[:-5] for name in os.listdir(folder)
                         if name.endswith(".json") and not name.startswith("."))
    return sorted(found)


def _annotated_docs(corpus) -> list:
    if not corpus.annotations_dir.is_dir():
        return []
    return sorted(p.name for p in corpus.annotations_dir.iterdir() if p.is_dir())


def require_documents(root, doc_ids) -> list:
    """`doc_ids` if each is a document in corpus/; CorpusError naming the first that is not."""
    existing = Layout(root).doc_ids()
    for doc_id in doc_ids:
        if doc_id not in existing:
            raise CorpusError(f"no document {doc_id!r} in corpus/; documents: {_listing(existing)}")
    return list(doc_ids)


def require_annotator(root, user, doc_id=None) -> str:
    """`user` if some document (or `doc_id`) has annotators/<user>.json; CorpusError otherwise."""
    existing = annotators(root, doc_id)
    if user not in existing:
        where = f"annotations/{doc_id}/annotators/" if doc_id else "annotations/*/annotators/"
        raise CorpusError(f"no annotator {user!r} in {where}; annotators: {_listing(existing)}")
    return user
