"""Validation: JSON Schema plus the semantic checks no schema can express.

Every check yields Problems instead of raising, so one run reports all of them, each
located by file, document@version, JSON path and offsets.
"""

import os
from concurrent.futures import ProcessPoolExecutor

from newsspans.store.layout import DOC_ID, USER_NAME, Layout, check_doc_id
from newsspans.store.reading import loads_json, read_file, resolves_inside
from newsspans.errors import CorpusError
from newsspans.validation.cache import ValidationCache, linked_ids
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
    store = ValidationCache(corpus.root, schema_dir()) if cache else None
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
        with ProcessPoolExecutor(jobs, initializer=_start_worker,
                                 initargs=(str(corpus.root), registry, links)) as pool:
            for checked in pool.map(_validate_chunk, chunks):
                yield from checked
    else:
        for doc_id in doc_ids:
            yield (doc_id, *_check_one(corpus, doc_id, registry, links))


_worker = {}


def _start_worker(root, registry, links):
    _worker.update(corpus=Layout(root), registry=registry, links=links)


def _validate_chunk(doc_ids):
    return [(d, *_check_one(_worker["corpus"], d, _worker["registry"], _worker["links"])) for d in doc_ids]


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


def _check_one(corpus: Layout, doc_id: str, registry, links=False) -> tuple:
    """(problems, registry ids its mentions link to, when `links` is asked for) of one document."""
    if not DOC_ID.fullmatch(doc_id):
        return [Problem(f"corpus/{doc_id}", f"folder name {doc_id!r} is not a document id "
                                            f"matching {DOC_ID.pattern}")], []
    folder = os.path.join(os.fspath(corpus.root), "corpus", doc_id)
    if os.path.islink(folder):
        return [Problem(f"corpus/{doc_id}", "is a symbolic link; document folders must be real folders")], []
    files = read_document_files(corpus, doc_id)
    return check_document_data(doc_id, *files, registry), linked_ids(files[3]) if links else []


def read_document_files(corpus: Layout, doc_id: str) -> tuple:
    """(document.json, raw bytes, {version: bytes}, [(file, data)]) of `doc_id`, each read once.

    What cannot be read stands as an `Unreadable` holding its Problem.
    """
    check_doc_id(doc_id)
    base = os.fspath(corpus.root)

    checked = {}   # folder -> inside the root: checked once for all of its files

    def read(rel, parse=False, doc=None):   # plain strings: a Path per file costs more than its read
        path = os.path.join(base, rel)
        folder = os.path.dirname(path)
        if folder not in checked:
            checked[folder] = resolves_inside(folder, base)
        try:
            data = read_file(path, root=corpus.root, name=rel, folder_checked=checked[folder])
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
    folder = corpus.annotations_dir / doc_id / "annotators"
    broken = os.path.lexists(folder) and (os.path.islink(folder) or not os.path.isdir(folder))
    if broken:
        name = corpus.rel(folder)
        annotations.append((name, Unreadable(Problem(
            name, "is not a folder: annotators' files belong in a real folder annotators/", doc=doc_id))))
    for path in corpus.annotation_paths(doc_id):
        if broken and path.parent.name == "annotators":
            continue
        name = corpus.rel(path)
        if path.parent.name == "annotators" and (not USER_NAME.fullmatch(path.stem) or ".." in path.stem):
            annotations.append((name, Unreadable(Problem(
                name, f"annotator name {path.stem!r} is not allowed as a file name"))))
            continue
        annotations.append((name, read(name, parse=True, doc=doc_id)))
    return doc, raw, texts, annotations

