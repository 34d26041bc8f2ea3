"""Validation: JSON Schema plus the semantic checks no schema can express.

Every check yields Problems instead of raising, so one run reports all of them, each
located by file, document@version, JSON path and offsets.
"""

import os
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from newsspans.model import labels
from newsspans.store.layout import DOC_ID, USER_NAME, Layout
from newsspans.errors import CorpusError
from newsspans.store.hashing import sha256_bytes
from newsspans.model.normalize import (NORMALIZER_VERSION, describe_control_character,
                                       first_control_character, normalize)
from newsspans.validation.problems import Problem, pinned, read_problem, schema_problems

__all__ = ["Problem", "validate_corpus", "validate_document", "validate_annotation_file",
           "registry_problems"]


# Below this many documents, starting worker processes costs more than it saves.
_PARALLEL_FROM = 200


def validate_corpus(root, jobs=None) -> list:
    """Every problem of the corpus at `root`, in a stable order.

    Documents are independent, so they are checked in `jobs` processes (default: one per
    core) when there are enough of them to pay for the processes.
    """
    corpus = Layout(root)
    if not corpus.corpus_dir.is_dir():
        return [Problem("corpus", "no corpus/ folder here (is --root the corpus repository?)")]
    problems = []
    registry = _check_registry(corpus, problems)
    doc_ids = corpus.doc_ids()
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(doc_ids) >= _PARALLEL_FROM:
        size = max(16, len(doc_ids) // (jobs * 8))
        chunks = [doc_ids[i:i + size] for i in range(0, len(doc_ids), size)]
        with ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(str(root), registry)) as pool:
            for found in pool.map(_validate_chunk, chunks):
                problems.extend(found)
    else:
        for doc_id in doc_ids:
            problems.extend(validate_document(corpus, doc_id, registry))
    if corpus.annotations_dir.is_dir():
        known = set(doc_ids)
        for folder in sorted(corpus.annotations_dir.iterdir()):
            if folder.is_dir() and folder.name not in known:
                problems.append(Problem(corpus.rel(folder),
                                        f"annotations for {folder.name!r}, which is not a document in corpus/"))
    return problems


_worker = {}


def _start_worker(root, registry):
    _worker.update(corpus=Layout(root), registry=registry)


def _validate_chunk(doc_ids):
    return [p for d in doc_ids for p in validate_document(_worker["corpus"], d, _worker["registry"])]


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


def _why_not_canonical(text: str) -> str:
    if text.startswith("\ufeff"):
        return "starts with a byte-order mark"
    if "\r" in text:
        return f"has a carriage return (CRLF line ends?) at offset {text.index(chr(13))}"
    if not unicodedata.is_normalized("NFC", text):
        first = next(i for i, c in enumerate(text)
                     if not unicodedata.is_normalized("NFC", text[max(0, i - 1):i + 2]))
        return f"is not in Unicode NFC (near offset {first})"
    return "differs from its normalised form (stray spaces, wrapped lines or extra blank lines)"


def validate_document(corpus: Layout, doc_id: str, registry: dict) -> list:
    """Problems of one document folder and of every annotation file that points at it."""
    problems = []
    if not DOC_ID.fullmatch(doc_id):
        return [Problem(f"corpus/{doc_id}", f"folder name {doc_id!r} is not a document id "
                                            f"matching {DOC_ID.pattern}")]
    folder = os.path.join(os.fspath(corpus.root), "corpus", doc_id)
    if os.path.islink(folder):
        return [Problem(f"corpus/{doc_id}", "is a symbolic link; document folders must be real folders")]
    doc_path = os.path.join(folder, "document.json")
    file = f"corpus/{doc_id}/document.json"
    try:
        doc = corpus.read_json(doc_path)
    except CorpusError as exc:
        return [read_problem(file, exc)]
    found = schema_problems("document", doc, file)
    if found:
        return found
    if doc["id"] != doc_id:
        problems.append(Problem(file, f"id {doc['id']!r} differs from its folder {doc_id!r}", "$.id"))
    raw = _check_raw(corpus, doc_id, doc, problems)
    texts, shas = {}, {}
    for i, entry in enumerate(doc["versions"]):
        n = entry["version"]
        jpath = f"$.versions[{i}]"
        if n != i + 1:
            problems.append(Problem(file, f"version {n} at position {i + 1}: versions must be "
                                          f"numbered 1, 2, 3, ... without gaps", f"{jpath}.version"))
            continue
        if entry["file"] != f"v{n}.txt":
            problems.append(Problem(file, f"version {n} must be stored as v{n}.txt, not {entry['file']}",
                                    f"{jpath}.file"))
            continue
        text = _check_version_text(corpus, doc_id, entry, jpath, raw, problems)
        if text is not None:
            texts[n], shas[n] = text, entry["sha256"]
    latest = len(doc["versions"])
    for path in corpus.annotation_paths(doc_id):
        problems.extend(validate_annotation_file(
            corpus, path, doc_id, texts, shas, registry, latest, doc.get("reanchor_pending", False)))
    return problems


def _check_raw(corpus, doc_id, doc, problems):
    path = os.path.join(os.fspath(corpus.root), "corpus", doc_id, "raw.txt")
    file = f"corpus/{doc_id}/document.json"
    try:
        data = corpus.read_bytes(path)
    except CorpusError as exc:
        problems.append(read_problem(corpus.rel(path), exc))
        return None
    if sha256_bytes(data) != doc["raw"]["sha256"]:
        problems.append(Problem(corpus.rel(path), f"sha256 {sha256_bytes(data)} differs from "
                                                  f"{doc['raw']['sha256']} recorded in {file}: "
                                                  f"raw.txt was edited after ingest", "$.raw.sha256"))
    elif len(data) != doc["raw"]["bytes"]:
        problems.append(Problem(file, f"raw.bytes {doc['raw']['bytes']} but raw.txt has {len(data)} bytes",
                                "$.raw.bytes"))
    return data


def _check_version_text(corpus, doc_id, entry, jpath, raw, problems):
    n = entry["version"]
    path = os.path.join(os.fspath(corpus.root), "corpus", doc_id, f"v{n}.txt")
    file, where = f"corpus/{doc_id}/v{n}.txt", f"{doc_id}@{n}"
    try:
        data = corpus.read_bytes(path)
    except CorpusError as exc:
        problems.append(read_problem(file, exc, where))
        return None
    if sha256_bytes(data) != entry["sha256"]:
        problems.append(Problem(file, f"sha256 {sha256_bytes(data)} differs from {entry['sha256']} "
                                      f"recorded in document.json {jpath}.sha256", doc=where))
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(file, "canonical text starts with a byte-order mark", doc=where))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(file, f"invalid UTF-8 at byte {exc.start}", doc=where))
        return None
    control = first_control_character(text)
    if control is not None:
        problems.append(Problem(file, f"canonical text has {describe_control_character(text, control)}",
                                doc=where))
        return text
    derived = None
    if entry.get("normalization") == NORMALIZER_VERSION and raw is not None:
        try:
            derived = normalize(raw.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    if derived == text:
        return text   # normalize is idempotent: the normalised raw text is canonical
    if normalize(text) != text:
        problems.append(Problem(file, f"canonical text {_why_not_canonical(text)}", doc=where))
    elif derived is not None:
        problems.append(Problem(file, f"differs from raw.txt normalised by normaliser "
                                      f"{NORMALIZER_VERSION}", doc=where))
    return text


def validate_annotation_file(corpus, path, doc_id, texts, shas, registry, latest, reanchor_pending):
    """Problems of one gold or annotator file of `doc_id`."""
    file = corpus.rel(path)
    if path.parent.name == "annotators" and (not USER_NAME.fullmatch(path.stem) or ".." in path.stem):
        return [Problem(file, f"annotator name {path.stem!r} is not allowed as a file name")]
    try:
        data = corpus.read_json(path)
    except CorpusError as exc:
        return [read_problem(file, exc, doc_id)]
    found = schema_problems("annotations", data, file, pinned(doc_id, data))
    if found:
        return found
    version, where = data["version"], f"{doc_id}@{data['version']}"
    problems = []
    if data["doc_id"] != doc_id:
        problems.append(Problem(file, f"doc_id {data['doc_id']!r} but the file is under {doc_id!r}",
                                "$.doc_id", where))
    if version not in texts:
        problems.append(Problem(file, f"pinned to version {version}, which {doc_id} does not have "
                                      f"(or whose text is broken)", "$.version", where))
        return problems
    if data["sha256"] != shas[version]:
        problems.append(Problem(file, f"pinned sha256 {data['sha256']} differs from v{version}.txt "
                                      f"sha256 {shas[version]}", "$.sha256", where))
    if version != latest and not reanchor_pending:
        problems.append(Problem(file, f"pinned to version {version}, but the latest is {latest}: "
                                      f"re-anchor it (newsspans revise) or mark the document "
                                      f"reanchor_pending", "$.version", where))
    check = _LayerChecks(file, where, texts[version], registry)
    problems.extend(check.run(data))
    return problems


def _elsewhere(ids, ref, wanted) -> str:
    """Why `ref` does not resolve: absent, or an id of the wrong layer."""
    if ref in ids:
        return f"is {ids[ref]}, not {wanted}"
    return f"is not {wanted} id in this file"


class _LayerChecks:
    """Offsets, texts, ids and references of one annotation file."""

    def __init__(self, file, where, text, registry):
        self.file, self.where, self.text, self.registry = file, where, text, registry
        self.problems = []
        self.ids = {}

    def add(self, path, message):
        self.problems.append(Problem(self.file, message, path, self.where))

    def run(self, data):
        ids = self.ids
        for layer in ("entities", "quotes", "claims"):
            for i, item in enumerate(data[layer]):
                jpath = f"$.{layer}[{i}]"
                if item["id"] in ids:
                    self.add(f"{jpath}.id", f"duplicate id {item['id']!r} (first at {ids[item['id']]})")
                else:
                    ids[item["id"]] = jpath
                self.span(jpath, item, inline=layer == "entities")
        mentions = {m["id"]: m for m in data["entities"]}
        quotes = {q["id"]: q for q in data["quotes"]}
        for i, m in enumerate(data["entities"]):
            self.mention_link(f"$.entities[{i}]", m)
        for i, q in enumerate(data["quotes"]):
            jpath = f"$.quotes[{i}]"
            if q["cue"] is not None:
                self.span(f"{jpath}.cue", q["cue"], inline=True)
            self.agent(f"{jpath}.speaker", q["speaker"], mentions, "speaker", allow_author=False)
        for i, c in enumerate(data["claims"]):
            jpath = f"$.claims[{i}]"
            self.agent(f"{jpath}.claimant", c["claimant"], mentions, "claimant", allow_author=True)
            if c["quote"] is not None:
                quote = quotes.get(c["quote"])
                if quote is None:
                    self.add(f"{jpath}.quote", f"quote {c['quote']!r} {_elsewhere(ids, c['quote'], 'a quote')}")
                elif not (quote["start"] <= c["start"] and c["end"] <= quote["end"]):
                    self.add(f"{jpath}.quote", f"claim [{c['start']}:{c['end']}] is not inside its quote "
                                               f"{c['quote']!r} [{quote['start']}:{quote['end']}]")
        for i, orphan in enumerate(data.get("orphans", ())):
            old = orphan["annotation"]
            self.add(f"$.orphans[{i}]", f"orphaned {orphan['layer']} annotation {old.get('id')!r} "
                                        f"({old.get('text')!r} in version {orphan['old_version']}): "
                                        f"{orphan['reason']}; a person must re-annotate or drop it")
        return self.problems

    def span(self, jpath, item, inline):
        start, end, expected, n = item["start"], item["end"], item["text"], len(self.text)
        if start >= end:
            self.add(jpath, f"start {start} >= end {end}: a span must be non-empty and not reversed")
        elif end > n:
            self.add(f"{jpath}.end", f"end {end} > len(text) {n}")
        elif self.text[start:end] != expected:
            self.add(f"{jpath}.text", f"text[{start}:{end}] is {self.text[start:end]!r}, "
                                      f"but the annotation says {expected!r}")
        elif expected != expected.strip():
            self.add(jpath, f"span [{start}:{end}] {expected!r} starts or ends with white space")
        elif inline and "\n" in expected:
            self.add(jpath, f"span [{start}:{end}] crosses a paragraph boundary, which mentions "
                            f"and cues may not")

    def mention_link(self, jpath, m):
        entity, label = m["entity"], m["label"]
        if self.registry is None:
            return
        if label in labels.VALUE_TYPES:
            if entity is not None:
                self.add(f"{jpath}.entity", f"{label} mention [{m['start']}:{m['end']}] is a value "
                                            f"and cannot link to registry entity {entity!r}")
            return
        if entity is None:
            if label in labels.LINK_REQUIRED_TYPES:
                self.add(f"{jpath}.entity", f"{label} mention {m['text']!r} [{m['start']}:{m['end']}] "
                                            f"must link to a registry entity")
            return
        target = self.registry.get(entity)
        if target is None:
            self.add(f"{jpath}.entity", f"registry entity {entity!r} does not exist in "
                                        f"annotations/entities.json")
        elif target["type"] != label:
            self.add(f"{jpath}.entity", f"{label} mention {m['text']!r} links to {entity!r}, "
                                        f"a {target['type']} in the registry")

    def agent(self, jpath, ref, mentions, role, allow_author):
        if ref is None:
            return
        if allow_author and ref == labels.AUTHOR_ID:
            return
        mention = mentions.get(ref)
        if mention is None:
            self.add(jpath, f"{role} {ref!r} {_elsewhere(self.ids, ref, 'a mention')}")
        elif mention["label"] not in labels.SPEAKER_TYPES:
            self.add(jpath, f"{role} {ref!r} is a {mention['label']} mention ({mention['text']!r}); "
                            f"a {role} must be one of {', '.join(labels.SPEAKER_TYPES)}")
