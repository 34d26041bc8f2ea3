"""Validation: JSON Schema plus the semantic checks no schema can express.

Every check yields Problems instead of raising, so one run reports all of them, each
located by file, document@version, JSON path and offsets.
"""

import os
import stat

from newsspans.store.layout import DOC_ID, USER_NAME, Layout, check_doc_id
from newsspans.store.reading import loads_json, read_file, resolves_inside
from newsspans.errors import CorpusError
from newsspans.validation.checks import Unreadable, check_document_data
from newsspans.validation.problems import Problem, read_problem, schema_problems
from newsspans.validation.schemas import is_valid, schema_dir
from newsspans.metadata.facts import facts_problems

__all__ = ["Problem", "validate_corpus", "validate_documents", "validate_document", "registry_problems"]


# Below this many documents, starting worker processes costs more than it saves.
_PARALLEL_FROM = 200


def validate_corpus(root, jobs=None, cache=False, progress=None) -> list:
    """Every problem of the corpus at `root`, in a stable order.

    Documents are independent, so they are checked in `jobs` processes (default: one per
    core) when there are enough of them to pay for the processes. With `cache`, each
    document's problems are kept in the corpus's validation cache and a document is
    checked again only when something it depends on changed (validation.cache).
    `progress` wraps the iterable of checked documents (a progress bar).
    """
    corpus = root if isinstance(root, Layout) else Layout(root)
    if not corpus.corpus_dir.is_dir():
        return [Problem("corpus", "no corpus/ folder here (is --root the corpus repository?)")]
    problems = []
    registry = _check_registry(corpus, problems)
    doc_ids = _folders(corpus.corpus_dir)   # what Layout.doc_ids lists, without a stat per folder
    store = None
    if cache:   # the cache module (and the writer, tempfile, zlib) is imported only then
        from newsspans.validation.cache import ValidationCache
        store = ValidationCache(corpus.root, schema_dir())
    found = {}
    if store is not None:
        for doc_id in doc_ids:
            cached = store.lookup(doc_id, registry) if DOC_ID.fullmatch(doc_id) else None
            if cached is not None:
                found[doc_id] = cached
    todo = [d for d in doc_ids if d not in found]
    checked = _check_all(corpus, todo, registry, jobs, links=store is not None)
    for doc_id, doc_problems, links in (progress or _same)(checked, total=len(todo)):
        found[doc_id] = doc_problems
        if store is not None:
            store.store(doc_id, doc_problems, links, registry)
    if store is not None:
        store.save(doc_ids)
    for doc_id in doc_ids:
        problems.extend(found[doc_id])
    if corpus.annotations_dir.is_dir():
        known = set(doc_ids)
        for name in _folders(corpus.annotations_dir):   # names: sorting Paths costs more than listing them
            if name not in known:
                problems.append(Problem(f"annotations/{name}",
                                        f"annotations for {name!r}, which is not a document in corpus/"))
    problems.extend(facts_problems(corpus.root))   # dataset.yaml, when there is one
    return problems


def _folders(folder) -> list:
    """The names of the folders in `folder` (links to folders included), sorted."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            try:
                if entry.is_dir():
                    found.append(entry.name)
            except OSError:
                pass
    return sorted(found)


def _same(iterable, total=None):
    return iterable


def _check_all(corpus, doc_ids, registry, jobs, links=False):
    """(doc id, problems, linked registry ids) of each of `doc_ids`, in order."""
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(doc_ids) >= _PARALLEL_FROM:
        size = max(16, min(256, len(doc_ids) // (jobs * 8)))
        chunks = [doc_ids[i:i + size] for i in range(0, len(doc_ids), size)]
        from concurrent.futures import ProcessPoolExecutor   # multiprocessing and co.: only when a pool starts
        with ProcessPoolExecutor(jobs, initializer=_start_worker,
                                 initargs=(str(corpus.root), registry, links)) as pool:
            for checked in pool.map(_validate_chunk, chunks):
                yield from checked
    else:
        folders = _Folders(corpus)
        for doc_id in doc_ids:
            yield (doc_id, *_check_one(corpus, doc_id, registry, links, folders))


_worker = {}


def _start_worker(root, registry, links):
    corpus = Layout(root)
    _worker.update(corpus=corpus, registry=registry, links=links, folders=_Folders(corpus))


def _validate_chunk(doc_ids):
    w = _worker
    return [(d, *_check_one(w["corpus"], d, w["registry"], w["links"], w["folders"])) for d in doc_ids]


def validate_documents(corpus: Layout, doc_ids) -> list:
    """The problems of the registry and of the documents `doc_ids` only."""
    problems = []
    registry = _check_registry(corpus, problems)
    for doc_id in doc_ids:
        problems.extend(validate_document(corpus, doc_id, registry))
    return problems


def registry_problems(corpus: Layout) -> list:
    """Every problem of the entity registry: unreadable, off-schema, an id twice."""
    problems = []
    _check_registry(corpus, problems)
    return problems


def _check_registry(corpus, problems):
    """Registry entities by id; None when the registry is broken (links are then not checked)."""
    path = corpus.registry_path
    if not path.is_file():
        return {}
    file = corpus.rel(path)
    try:
        data = corpus.read_json(path)
    except CorpusError as exc:
        problems.append(read_problem(file, exc))
        return None
    found = schema_problems("entities", data, file)
    problems.extend(found)
    if found:
        return None
    registry = {}
    for i, entity in enumerate(data["entities"]):
        if entity["id"] in registry:
            problems.append(Problem(file, f"duplicate entity id {entity['id']!r}", f"$.entities[{i}].id"))
        registry[entity["id"]] = entity
    return registry


def validate_document(corpus: Layout, doc_id: str, registry) -> list:
    """Problems of one document folder and of every annotation file that points at it."""
    return _check_one(corpus, doc_id, registry)[0]


def _check_one(corpus: Layout, doc_id: str, registry, links=False, folders=None) -> tuple:
    """(problems, registry ids its mentions link to, when `links` is asked for) of one document.

    `folders` remembers, across the documents of one run, which folders were found inside
    the repository (`_Folders`).
    """
    if not DOC_ID.fullmatch(doc_id):
        return [Problem(f"corpus/{doc_id}", f"folder name {doc_id!r} is not a document id "
                                            f"matching {DOC_ID.pattern}")], []
    folders = folders or _Folders(corpus)
    if folders.is_link(f"corpus/{doc_id}"):
        return [Problem(f"corpus/{doc_id}", "is a symbolic link; document folders must be real folders")], []
    files = read_document_files(corpus, doc_id, folders)
    if not links:
        return check_document_data(doc_id, *files, registry), []
    from newsspans.validation.cache import linked_ids   # links are asked for only with a cache
    return check_document_data(doc_id, *files, registry), linked_ids(files[3])


class _Folders:
    """Which folders of one repository resolve inside it, each found out once per run.

    A folder whose parent is known to be inside, and which is not itself a symbolic link,
    is inside: one lstat instead of one per component. Anything else (a link on the way)
    is decided by `resolves_inside` in full.
    """

    def __init__(self, corpus: Layout):
        self.base = os.fspath(corpus.root)
        self.prefix = os.path.join(self.base, "")
        self.inside = {}   # relative folder -> resolves inside the root
        self.links = {}    # relative folder -> is a symbolic link itself

    def is_link(self, rel) -> bool:
        """Whether the folder `rel` itself is a symbolic link (lstat, remembered)."""
        found = self.links.get(rel)
        if found is None:
            try:
                found = stat.S_ISLNK(os.lstat(self.prefix + rel).st_mode)
            except OSError:
                found = False
            self.links[rel] = found
        return found

    def holds(self, rel) -> bool:
        """Whether the folder `rel` ('corpus/doc') resolves inside the root."""
        found = self.inside.get(rel)
        if found is None:
            parent, _, name = rel.rpartition("/")
            if parent and name not in ("", ".", "..") and self.holds(parent) and not self.is_link(rel):
                found = True
            else:
                found = resolves_inside(self.prefix + rel, self.base)
            self.inside[rel] = found
        return found


def read_document_files(corpus: Layout, doc_id: str, folders=None) -> tuple:
    """(document.json, raw bytes, {version: bytes}, [(file, data)]) of `doc_id`, each read once.

    What cannot be read stands as an `Unreadable` holding its Problem.
    """
    check_doc_id(doc_id)
    folders = folders or _Folders(corpus)
    prefix, root = folders.prefix, corpus.root

    def read(rel, parse=False, doc=None):   # plain strings: a Path per file costs more than its read
        try:
            data = read_file(prefix + rel, root=root, name=rel,
                             folder_checked=folders.holds(rel.rpartition("/")[0]))
            return loads_json(data, rel) if parse else data
        except CorpusError as exc:
            return Unreadable(read_problem(rel, exc, doc))

    doc = read(f"corpus/{doc_id}/document.json", parse=True)
    if isinstance(doc, Unreadable) or not is_valid("document", doc):
        return doc, None, {}, []
    raw = read(f"corpus/{doc_id}/raw.txt")
    texts = {}
    for entry in doc["versions"]:
        n = entry["version"]
        texts[n] = read(f"corpus/{doc_id}/v{int(n)}.txt", doc=f"{doc_id}@{n}")
    annotations = []
    annotators = f"annotations/{doc_id}/annotators"
    broken = os.path.lexists(prefix + annotators) and (folders.is_link(annotators)
                                                        or not os.path.isdir(prefix + annotators))
    if broken:
        annotations.append((annotators, Unreadable(Problem(
            annotators, "is not a folder: annotators' files belong in a real folder annotators/", doc=doc_id))))
    for rel in corpus.annotation_files(doc_id):
        folder, _, name = rel.rpartition("/")
        if folder == annotators:
            if broken:
                continue
            user = name[:-len(".json")] or name   # Path(name).stem
            if not USER_NAME.fullmatch(user) or ".." in user:
                annotations.append((rel, Unreadable(Problem(
                    rel, f"annotator name {user!r} is not allowed as a file name"))))
                continue
        annotations.append((rel, read(rel, parse=True, doc=doc_id)))
    return doc, raw, texts, annotations
