"""The corpus as typed, immutable objects: the handle a Python user holds.

    corpus = Corpus.open(".")
    corpus.require_valid()                  # InvalidCorpus listing every problem otherwise
    doc = corpus.document("some-doc")       # Document: versions, gold, annotators
    doc.gold.speaker(doc.gold.quotes[0])    # the Mention that speaks the first quote

(The README's "Python API" section runs the same steps as a doctest.) `Corpus.open` reads
nothing; the registry and the list of documents are read when first asked for, and each
document when it is asked for, through the store's strict reader. Commands call
`require_valid()` first, so the objects they use hold data that passed every check; the
result is kept, so a command that validates and then exports does not check the corpus
twice. A Corpus is a view as of its last read: the library's writers (ingest, revise,
adopt, pull) refresh the Corpus they were given, and code that edits files itself calls
`refresh()`.
"""

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from collections.abc import Iterator, Mapping
from typing import Optional

from newsspans.errors import CorpusError, InvalidCorpus
from newsspans.model.annotations import AnnotationFile
from newsspans.store.layout import Layout, check_doc_id, check_user_name


@dataclass(frozen=True)
class Version:
    """One version of a document: its canonical text and what document.json records of it."""

    number: int
    text: str
    sha256: str
    created: str
    note: str


@dataclass(frozen=True)
class Document:
    """A document with its versions, its gold annotations and each annotator's layers."""

    id: str
    metadata: Mapping = field(repr=False)   # document.json, read-only
    versions: tuple = field(repr=False)
    gold: Optional[AnnotationFile] = field(default=None, repr=False)
    # user -> AnnotationFile; each file is read when first asked for, so a command that
    # needs only gold (export, push, pull) reads no annotator's file.
    annotators: Mapping = field(default_factory=dict, repr=False)

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    def version(self, number: int) -> Version:
        if not 1 <= number <= len(self.versions):
            raise CorpusError(f"{self.id} has no version {number} (versions 1 to {len(self.versions)})")
        return self.versions[number - 1]

    @property
    def split(self) -> str:
        return self.metadata["split"]

    @property
    def language(self) -> str:
        return self.metadata["language"]

    @property
    def title(self) -> Optional[str]:
        title = self.metadata.get("title")
        return title["text"] if title else None

    @property
    def publisher(self) -> Optional[str]:
        return self.metadata["source"]["publisher"]

    @property
    def published(self) -> Optional[str]:
        return self.metadata["published"]["date"]

    def check_annotator(self, user: str) -> str:
        """`user` when this document has their file (nothing is read); a CorpusError naming
        the annotators there are otherwise."""
        if user not in self.annotators:
            known = ", ".join(sorted(self.annotators)) or "none"
            raise CorpusError(f"no annotator {user!r} in annotations/{self.id}/annotators/ "
                              f"(annotators: {known})")
        return user

    def annotator(self, user: str) -> AnnotationFile:
        """One annotator's file, read now; a CorpusError naming those that exist when there is none."""
        return self.annotators[self.check_annotator(user)]


class _AnnotatorFiles(Mapping):
    """user -> AnnotationFile of one document, each file read on first access and kept."""

    def __init__(self, layout: Layout, paths):
        self._layout, self._paths, self._read = layout, {p.stem: p for p in paths}, {}

    def __getitem__(self, user) -> AnnotationFile:
        if user not in self._read:
            self._read[user] = _annotation_file(self._layout, self._paths[user])   # KeyError: no such user
        return self._read[user]

    def __contains__(self, user) -> bool:
        return user in self._paths   # Mapping's own would read the file to answer

    def __iter__(self):
        return iter(sorted(self._paths))

    def __len__(self):
        return len(self._paths)


def _annotation_file(layout: Layout, path) -> AnnotationFile:
    """The objects of one annotation file; a CorpusError naming the file when it is malformed."""
    data = layout.read_json(path)
    try:
        return AnnotationFile.fromdict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CorpusError(f"{layout.rel(path)}: not an annotation file ({exc!r} missing or malformed); "
                          f"run `newsspans validate`") from None


class Corpus:
    """A corpus repository: documents, their annotations and the entity registry."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self._problems = {}   # None (the whole corpus) or a tuple of doc ids -> problems

    @classmethod
    def open(cls, root) -> "Corpus":
        """The corpus at `root` (a folder, or none yet: ingest creates it; nothing is read here)."""
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise CorpusError(f"{root}: not a folder (is --root the corpus repository?)")
        return cls(Layout(root))

    @classmethod
    def of(cls, corpus_or_root) -> "Corpus":
        """`corpus_or_root` as a Corpus: library functions take either."""
        return corpus_or_root if isinstance(corpus_or_root, Corpus) else cls.open(corpus_or_root)

    @property
    def root(self) -> Path:
        return self.layout.root

    def refresh(self) -> "Corpus":
        """Forget what was read and checked: the library's writers call it after writing, and
        so should code that edits the files of an open corpus itself."""
        self._problems.clear()
        self.__dict__.pop("doc_ids", None)
        self.__dict__.pop("registry", None)
        return self

    def __fspath__(self) -> str:
        # A corpus is its repository folder: functions that only need paths take it as one.
        return str(self.root)

    def __repr__(self):
        return f"Corpus({str(self.root)!r})"

    # Validation -----------------------------------------------------------------------
    def validate(self, docs=None) -> list:
        """Every problem of the corpus, or of the registry and the documents `docs`.

        Results are kept: asked again, the same files are not read again.
        """
        from newsspans.validation.validate import validate_corpus, validate_documents
        key = None if docs is None else tuple(docs)
        if key not in self._problems:
            self._problems[key] = tuple(
                validate_corpus(self.layout) if key is None
                else validate_documents(self.layout, [self.check_doc_id(d) for d in key]))
        return list(self._problems[key])

    def require_valid(self, docs=None) -> "Corpus":
        """This corpus when it (or `docs`) is valid; InvalidCorpus carrying every problem otherwise."""
        problems = self.validate(docs)
        if problems:
            raise InvalidCorpus(problems)
        return self

    # Contents -------------------------------------------------------------------------
    @cached_property
    def doc_ids(self) -> tuple:
        return tuple(self.layout.doc_ids())

    @cached_property
    def registry(self) -> Mapping:
        """Registry entities by id, read-only ({} when there is no registry file)."""
        return MappingProxyType(self.layout.registry())

    def check_doc_id(self, doc_id: str) -> str:
        """`doc_id` when it is a document of this corpus; a CorpusError listing them otherwise."""
        try:
            check_doc_id(doc_id)
        except CorpusError as exc:
            raise CorpusError(f"{exc} (documents: {self._listed()})") from None
        # A stat, not a listing: one document of 100,000 is checked without reading the rest.
        if not self.layout.document_path(doc_id).is_file():
            if self.layout.doc_dir(doc_id).is_dir():
                raise CorpusError(f"corpus/{doc_id}/document.json is missing (run `newsspans validate`)")
            raise CorpusError(f"no document {doc_id!r} in corpus/ (documents: {self._listed()})")
        return doc_id

    def _listed(self, shown=20) -> str:
        """The first document ids, for an error about one that does not exist."""
        ids = self.doc_ids
        more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
        return (", ".join(ids[:shown]) or "none") + more

    def annotator_names(self) -> tuple:
        """Every annotator with a file under annotations/*/annotators/, sorted."""
        names = set()
        for doc_id in self.doc_ids:
            for path in self.layout.annotation_paths(doc_id):
                if path.parent.name == "annotators":
                    names.add(path.stem)
        return tuple(sorted(names))

    def check_annotator(self, user: str) -> str:
        """`user` when some document has their file; a CorpusError listing annotators otherwise."""
        check_user_name(user)
        names = self.annotator_names()
        if user not in names:
            raise CorpusError(f"no annotator {user!r} in annotations/*/annotators/ "
                              f"(annotators: {', '.join(names) or 'none'})")
        return user

    def document(self, doc_id: str) -> Document:
        """One document, read from disk once per call (a large corpus never sits in memory)."""
        self.check_doc_id(doc_id)
        layout = self.layout
        meta = layout.document(doc_id)
        try:
            versions = tuple(Version(e["version"], layout.text(doc_id, e["version"]), e["sha256"],
                                     e["created"], e["note"]) for e in meta["versions"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CorpusError(f"corpus/{doc_id}/document.json: malformed ({exc!r}); "
                              f"run `newsspans validate`") from None
        gold_path = layout.gold_path(doc_id)
        gold = _annotation_file(layout, gold_path) if gold_path.is_file() else None
        annotators = _AnnotatorFiles(layout, [path for path in layout.annotation_paths(doc_id)
                                              if path.parent.name == "annotators"])
        return Document(doc_id, MappingProxyType(meta), versions, gold, annotators)

    def documents(self) -> Iterator[Document]:
        """Every document, sorted by id, one at a time."""
        for doc_id in self.doc_ids:
            yield self.document(doc_id)
