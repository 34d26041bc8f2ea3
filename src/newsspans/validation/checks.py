"""The checks of validation, as pure functions over data already read.

The file walk (validate.py) reads each file once through the store and hands the data
here; commands that hold new data in memory (adopt, revise, doccano push) check it here
too, before writing it, with no temporary copies and no second copy of any check.
"""

import unicodedata

from newsspans.store.compiled import fastcheck
from newsspans.model import labels
from newsspans.model.normalize import (NORMALIZER_VERSION, describe_control_character,
                                       first_control_character, nfc, normalize)
from newsspans.store.hashing import sha256_bytes
from newsspans.validation.problems import Problem, pinned, schema_problems


class Unreadable:
    """A file that could not be read or parsed, standing where its data would be."""

    def __init__(self, problem: Problem):
        self.problem = problem


def check_document_data(doc_id: str, doc, raw, version_bytes: dict, annotations: list,
                        registry) -> list:
    """Every problem of one document, from its data.

    `doc` is document.json parsed; `raw` the bytes of raw.txt; `version_bytes` maps a
    version number to the bytes of its text; `annotations` lists (file, data) of the
    gold and annotator files. Any of them may be an `Unreadable` instead.
    """
    file = f"corpus/{doc_id}/document.json"
    if isinstance(doc, Unreadable):
        return [doc.problem]
    found = schema_problems("document", doc, file)
    if found:
        return found
    problems = []
    if doc["id"] != doc_id:
        problems.append(Problem(file, f"id {doc['id']!r} differs from its folder {doc_id!r}", "$.id"))
    raw = _check_raw(doc_id, doc, raw, problems)
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
        text = _check_version_text(doc_id, entry, jpath, version_bytes.get(n), raw, problems)
        if text is not None:
            texts[n], shas[n] = text, entry["sha256"]
    latest = len(doc["versions"])
    pending = doc.get("reanchor_pending", False)
    for name, data in annotations:
        problems.extend(check_annotation_data(name, data, doc_id, texts, shas, registry, latest, pending))
    return problems


def _check_raw(doc_id, doc, data, problems):
    file = f"corpus/{doc_id}/document.json"
    if isinstance(data, Unreadable):
        problems.append(data.problem)
        return None
    if sha256_bytes(data) != doc["raw"]["sha256"]:
        problems.append(Problem(f"corpus/{doc_id}/raw.txt",
                                f"sha256 {sha256_bytes(data)} differs from {doc['raw']['sha256']} "
                                f"recorded in {file}: raw.txt was edited after ingest", "$.raw.sha256"))
    elif len(data) != doc["raw"]["bytes"]:
        problems.append(Problem(file, f"raw.bytes {doc['raw']['bytes']} but raw.txt has {len(data)} bytes",
                                "$.raw.bytes"))
    return data


def _check_version_text(doc_id, entry, jpath, data, raw, problems):
    n = entry["version"]
    file, where = f"corpus/{doc_id}/v{n}.txt", f"{doc_id}@{n}"
    if isinstance(data, Unreadable):
        problems.append(Problem(data.problem.file, data.problem.message, data.problem.path, where))
        return None
    if data is None:
        problems.append(Problem(file, "cannot read: No such file or directory", doc=where))
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
            raw_text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raw_text = None
        if raw_text is not None and fastcheck is not None and fastcheck.normalizes_to(raw_text, text, nfc):
            return text   # what the lines below find, without building the normalised text
        derived = None if raw_text is None else normalize(raw_text)
    if derived == text:
        return text   # normalize is idempotent: the normalised raw text is canonical
    if normalize(text) != text:
        problems.append(Problem(file, f"canonical text {_why_not_canonical(text)}", doc=where))
    elif derived is not None:
        problems.append(Problem(file, f"differs from raw.txt normalised by normaliser "
                                      f"{NORMALIZER_VERSION}", doc=where))
    return text


def _why_not_canonical(text: str) -> str:
    if text.startswith("\ufeff"):
        return "starts with a byte-order mark"
    if not unicodedata.is_normalized("NFC", text):
        first = next(i for i, c in enumerate(text)
                     if not unicodedata.is_normalized("NFC", text[max(0, i - 1):i + 2]))
        return f"is not in Unicode NFC (near offset {first})"
    return "differs from its normalised form (stray spaces, wrapped lines or extra blank lines)"



def check_annotation_data(file, data, doc_id, texts, shas, registry, latest, reanchor_pending) -> list:
    """Problems of one gold or annotator file of `doc_id`, from its parsed `data`.

    `texts` and `shas` map each readable version of the document to its text and sha256;
    `registry` is the entities by id (None when the registry is broken: links unchecked).
    """
    if isinstance(data, Unreadable):
        return [data.problem]
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
    check = _LayerChecks(file, where, texts[version], registry, links_required=not is_annotator_file(file))
    problems.extend(check.run(data))
    return problems


def is_annotator_file(file: str) -> bool:
    """An annotator's layer (annotations/<doc>/annotators/<user>.json), not gold."""
    parts = str(file).replace("\\", "/").split("/")
    return len(parts) >= 2 and parts[-2] == "annotators"


def link_findings(data, registry) -> list:
    """(JSON path, message) of each mention whose link departs from the registry's rules:
    a person, organisation or place left unlinked, or linked to an entity of another type.

    In gold these are validation problems; in an annotator's layer they are findings on
    the mention (the annotator's reading, kept as given). `data` is schema-valid
    annotation data; `registry` maps entity ids to entities (None: nothing is checked).
    """
    if registry is None:
        return []
    found = []
    for i, m in enumerate(data["entities"]):
        message = _link_policy(m, registry)
        if message:
            found.append((f"$.entities[{i}].entity", message))
    return found


def _link_policy(m, registry):
    entity, label = m["entity"], m["label"]
    if entity is None:
        if label in labels.LINK_REQUIRED_TYPES:
            return f"{label} mention {m['text']!r} [{m['start']}:{m['end']}] must link to a registry entity"
        return None
    target = registry.get(entity)
    if target is not None and target["type"] != label and label not in labels.VALUE_TYPES:
        return f"{label} mention {m['text']!r} links to {entity!r}, a {target['type']} in the registry"
    return None


_VALUE_TYPES = frozenset(labels.VALUE_TYPES)
_LINK_REQUIRED = frozenset(labels.LINK_REQUIRED_TYPES)
_SPEAKER_TYPES = frozenset(labels.SPEAKER_TYPES)


def _jpath(where) -> str:
    """'$.quotes[3]' of a (layer, index) pair."""
    layer, i = where
    return f"$.{layer}[{i}]"


def _elsewhere(ids, ref, wanted) -> str:
    """Why `ref` does not resolve: absent, or an id of the wrong layer."""
    if ref in ids:
        return f"is {_jpath(ids[ref])}, not {wanted}"
    return f"is not {wanted} id in this file"


class _LayerChecks:
    """Offsets, texts, ids and references of one annotation file."""

    def __init__(self, file, where, text, registry, links_required=True):
        self.file, self.where, self.text, self.registry = file, where, text, registry
        self.links_required = links_required
        self.problems = []
        self.ids = {}

    def add(self, path, message):
        self.problems.append(Problem(self.file, message, path, self.where))

    def run(self, data):
        # The compiled pass answers only "nothing to report"; on anything else the checks
        # below (the reference) run and explain, so the problems are the same either way.
        if fastcheck is not None and fastcheck.layers_sound(
                data, self.text, self.registry, _LINK_REQUIRED, _VALUE_TYPES, _SPEAKER_TYPES,
                labels.AUTHOR_ID):
            return self.problems
        ids, text = self.ids, self.text
        n = len(text)
        for layer in labels.LAYERS:
            inline = layer == "entities"
            for i, item in enumerate(data[layer]):
                item_id = item["id"]
                if item_id in ids:
                    self.add(f"$.{layer}[{i}].id", f"duplicate id {item_id!r} (first at {_jpath(ids[item_id])})")
                else:
                    ids[item_id] = (layer, i)   # its JSON path, written out only for a message
                # The span checks of `span`, all passed at once; `span` says what failed.
                start, end, expected = item["start"], item["end"], item["text"]
                if not (start < end <= n and text[start:end] == expected and expected == expected.strip()
                        and not (inline and "\n" in expected)):
                    self.span(f"$.{layer}[{i}]", item, inline)
        mentions = {m["id"]: m for m in data["entities"]}
        quotes = {q["id"]: q for q in data["quotes"]}
        registry = self.registry
        if registry is not None:
            for i, m in enumerate(data["entities"]):
                # The links `mention_link` accepts, decided at once; it explains the others.
                entity, label = m["entity"], m["label"]
                if entity is None:
                    if label not in _LINK_REQUIRED:
                        continue
                elif label not in _VALUE_TYPES:
                    target = registry.get(entity)
                    if target is not None and target["type"] == label:
                        continue
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
        if entity is not None and entity not in self.registry:
            self.add(f"{jpath}.entity", f"registry entity {entity!r} does not exist in "
                                        f"annotations/entities.json")
            return
        policy = _link_policy(m, self.registry) if self.links_required else None
        if policy:
            self.add(f"{jpath}.entity", policy)

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


def check_pending(doc, texts: dict, file: str, data, registry) -> list:
    """Problems of annotation `data` about to be written as `file` of the document `doc`.

    `doc` is its document.json data and `texts` its version texts by number: what adopt,
    pull and revise hold in memory, checked exactly as validate checks the file once written.
    """
    shas = {v["version"]: v["sha256"] for v in doc["versions"]}
    return check_annotation_data(file, data, doc["id"], texts, shas, registry,
                                 len(doc["versions"]), doc.get("reanchor_pending", False))
