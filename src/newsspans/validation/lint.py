"""Lint: departures from the annotation guidelines that are not format errors.

`newsspans validate` says whether a file is well formed; lint says whether it follows
annotations/GUIDELINES.md (section 6 lists the checks). Like validation, every check
yields findings instead of raising, each located by file, document@version, JSON path and
offsets. A file that does not pass the schema is reported once and not linted further:
its problems belong to `newsspans validate`.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from newsspans.model import labels
from newsspans.errors import CorpusError
from newsspans.model.corpus import Corpus

OPENING_MARKS = '"\u201c'
QUOTATION_MARKS = '"\u201c\u201d'
_PRONOUNS = frozenset(
    "i me my mine myself you your yours yourself yourselves he him his himself she her hers "
    "herself it its itself we us our ours ourselves they them their theirs themselves "
    "this that these those".split())
_RELATIVE_PRONOUNS = frozenset(("who", "whom", "whose", "which"))
_TITLES = ("President ", "Prime Minister ", "Minister ", "Mr ", "Mr. ", "Mrs ", "Mrs. ", "Ms ",
           "Ms. ", "Dr ", "Dr. ", "Professor ", "Prof. ", "General ", "Gen. ", "King ", "Queen ",
           "Pope ", "Chancellor ", "Senator ", "Sen. ", "Secretary ", "Leader ", "Chairman ")
_VALUE_PREFIXES = ("roughly ", "about ", "around ", "some ", "nearly ", "almost ", "approximately ",
                   "more than ", "less than ", "fewer than ", "over ", "under ", "up to ", "at least ",
                   "in ", "on ", "at ", "since ", "before ", "after ", "until ", "during ", "from ")


@dataclass(frozen=True)
class Finding:
    """One departure from the guidelines, named by its check, and where it is."""

    check: str
    file: str
    message: str
    path: str = "$"
    doc: Optional[str] = None

    def format(self) -> str:
        where = f"{self.file} ({self.doc})" if self.doc else self.file
        return f"{where} {self.path}: [{self.check}] {self.message}"

    def asdict(self) -> dict:
        return {"check": self.check, "file": self.file, "doc": self.doc, "path": self.path,
                "message": self.message}


def lint_corpus(root, docs=None, files=None) -> list:
    """Every finding of every annotation file and of the registry at `root`, in a stable order.

    `docs` (document ids) or `files` (annotation files, as lint names them) limit the
    findings to those documents' files or to those files, and leave out the registry's;
    an id or a file that does not exist is a CorpusError naming those that do. The
    corpus (or those documents) is validated first: the guidelines are checked on
    well-formed data only.
    """
    corpus = Corpus.of(root)
    layout = corpus.layout
    if not layout.corpus_dir.is_dir():
        raise CorpusError(f"{root}: no corpus/ folder here (is --root the corpus repository?)")
    scoped = docs is not None or files is not None
    wanted = _scope(corpus, docs or (), files or ()) if scoped else None
    corpus.require_valid(sorted(wanted) if scoped else None)
    findings, linked = [], set()
    for doc in (corpus.document(d) for d in sorted(wanted)) if scoped else corpus.documents():
        files_ = [(layout.gold_path(doc.id), "gold")] if doc.gold is not None else []
        files_ += [(layout.annotator_path(doc.id, user), user) for user in sorted(doc.annotators)]
        for path, who in files_:
            name = layout.rel(path)
            if scoped and wanted[doc.id] is not None and name not in wanted[doc.id]:
                continue
            annotations = doc.gold if who == "gold" else doc.annotators[who]
            linked.update(m.entity for m in annotations.entities if m.entity)
            findings.extend(lint_annotations(annotations.asdict(), doc.version(annotations.version).text,
                                             name, f"{doc.id}@{annotations.version}"))
    if not scoped:
        findings.extend(_lint_registry(corpus, linked))
    return findings


def _scope(corpus, docs, files) -> dict:
    """{doc id: None (all its files) or the set of its files to lint}; CorpusError for an
    unknown document or a file that is not an annotation file of the corpus."""
    layout, wanted = corpus.layout, {}
    for doc_id in docs:
        wanted[corpus.check_doc_id(doc_id)] = None
    for file in files:
        name = _relative(layout.root, file)
        parts = name.split("/")
        doc_id = parts[1] if len(parts) >= 3 and parts[0] == "annotations" else None
        known = [layout.rel(p) for p in layout.annotation_paths(doc_id)] if doc_id in corpus.doc_ids else []
        if name not in known:
            listed = known or [layout.rel(p) for d in corpus.doc_ids[:5] for p in layout.annotation_paths(d)]
            more = "" if known or len(corpus.doc_ids) <= 5 else ", ..."
            raise CorpusError(f"--file {file}: not an annotation file of the corpus (annotation files: "
                              f"{', '.join(listed) or 'none'}{more})")
        if wanted.get(doc_id, ()) is not None:
            wanted.setdefault(doc_id, set()).add(name)
    return wanted


def _relative(root, file) -> str:
    """`file` as a path inside the repository: as given when it names one from the root
    (as lint prints them), else resolved from the working folder."""
    path, top = Path(file), Path(root).resolve()
    candidates = (top / path, path.resolve()) if not path.is_absolute() else (path,)
    names = []
    for candidate in sorted(candidates, key=lambda c: not c.is_file()):
        try:
            names.append(candidate.resolve().relative_to(top).as_posix())
        except (ValueError, OSError):
            continue
    return names[0] if names else str(file)


def lint_annotations(data: dict, text: str, file: str = "<annotations>", where: Optional[str] = None) -> list:
    """Findings of one schema-valid annotation file `data` whose offsets refer to `text`."""
    return _FileLint(data, text, file, where).run()


def _lint_registry(corpus, linked) -> list:
    file = corpus.layout.rel(corpus.layout.registry_path)
    return [Finding("unmentioned-entity", file,
                    f"{e['type']} {e['id']!r} ({e['name']}) is not linked by any "
                    f"mention in the corpus: remove it or annotate its mentions", f"$.entities[{i}]")
            for i, e in enumerate(corpus.registry.values()) if e["id"] not in linked]


def quotation_pairs(text: str):
    """(open, close) offsets of each pair of double quotation marks, and unmatched marks.

    Straight quotes pair in order within a paragraph (one line of canonical text); a curly
    opening mark pairs with the next curly closing mark. Returns (pairs, unmatched).
    """
    pairs, unmatched, start = [], [], 0
    for line in text.split("\n"):
        straight = [start + i for i, ch in enumerate(line) if ch == '"']
        pairs.extend(zip(straight[0::2], straight[1::2]))
        if len(straight) % 2:
            unmatched.append(straight[-1])
        opened = None
        for i, ch in enumerate(line):
            if ch == "\u201c":
                if opened is not None:
                    unmatched.append(opened)
                opened = start + i
            elif ch == "\u201d":
                if opened is None:
                    unmatched.append(start + i)
                else:
                    pairs.append((opened, start + i))
                    opened = None
        if opened is not None:
            unmatched.append(opened)
        start += len(line) + 1
    return sorted(pairs), sorted(unmatched)


def _core(text, open_, close):
    """The words between a pair of marks, without white space and trailing , . ; :"""
    start, end = open_ + 1, close
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",.;:"):
        end -= 1
    return start, end


def _contains(outer, inner_start, inner_end):
    return outer["start"] <= inner_start and inner_end <= outer["end"]


class _FileLint:
    """The checks of one annotation file, collecting findings."""

    def __init__(self, data, text, file, where):
        self.data, self.text, self.file, self.where = data, text, file, where
        self.mentions = {m["id"]: (i, m) for i, m in enumerate(data["entities"])}
        self.pairs, self.unmatched = quotation_pairs(text)
        self.findings = []

    def add(self, check, path, message):
        self.findings.append(Finding(check, self.file, message, path, self.where))

    def run(self):
        self.type_conflicts()
        self.mention_rules()
        self.quotation_coverage()
        self.quote_rules()
        self.claim_rules()
        self.duplicates()
        return self.findings

    def _line(self, offset):
        return self.text.count("\n", 0, offset)

    # Entities ---------------------------------------------------------------------------
    def type_conflicts(self):
        by_text = defaultdict(list)
        for i, m in enumerate(self.data["entities"]):
            by_text[m["text"]].append((i, m))
        for surface, group in by_text.items():
            counts = Counter(m["label"] for _, m in group)
            if len(counts) < 2:
                continue
            usual = max(counts, key=lambda lab: (counts[lab], -min(i for i, m in group if m["label"] == lab)))
            first = next(i for i, m in group if m["label"] == usual)
            for i, m in group:
                if m["label"] != usual:
                    self.add("type-conflict", f"$.entities[{i}].label",
                             f"{surface!r} [{m['start']}:{m['end']}] is {m['label']} here but {usual} "
                             f"at $.entities[{first}] ({counts[usual]} of {len(group)} mentions)")

    def mention_rules(self):
        used = {q["speaker"] for q in self.data["quotes"]} | {c["claimant"] for c in self.data["claims"]}
        for i, m in enumerate(self.data["entities"]):
            jpath, span, surface = f"$.entities[{i}]", f"[{m['start']}:{m['end']}]", m["text"]
            lower = surface.lower()
            if m["label"] in labels.VALUE_TYPES:
                if m["mention"] != "NAM":
                    self.add("mention-kind", f"{jpath}.mention",
                             f"{m['label']} {surface!r} {span} is a value and must be NAM, not {m['mention']}")
                prefix = next((p for p in _VALUE_PREFIXES if lower.startswith(p)), None)
                if prefix:
                    self.add("boundary", jpath, f"{m['label']} {surface!r} {span} starts with {prefix.strip()!r}: "
                                                f"approximators and prepositions stay outside a value")
            elif m["mention"] == "NAM":
                self._name_boundary(jpath, span, m)
            if m["mention"] == "PRO" and lower not in _PRONOUNS:
                what = "a relative pronoun, which is never annotated" if lower in _RELATIVE_PRONOUNS \
                    else "not a personal or demonstrative pronoun"
                self.add("mention-kind", f"{jpath}.mention", f"PRO mention {surface!r} {span} is {what}")
            if m["mention"] == "NOM" and lower in _PRONOUNS | _RELATIVE_PRONOUNS:
                self.add("mention-kind", f"{jpath}.mention", f"NOM mention {surface!r} {span} is a pronoun: PRO")
            if m["mention"] in ("NOM", "PRO") and m["id"] not in used:
                self.add("unused-mention", jpath,
                         f"{m['mention']} mention {surface!r} {span} is neither a speaker nor a claimant: "
                         f"descriptions and pronouns are annotated only where they are")

    def _name_boundary(self, jpath, span, m):
        surface = m["text"]
        if surface.startswith(("the ", "The ")):
            self.add("boundary", jpath, f"{m['label']} name {surface!r} {span} starts with 'the'")
        if surface.endswith(("'s", "\u2019s")):
            self.add("boundary", jpath, f"{m['label']} name {surface!r} {span} ends with a possessive 's")
        title = next((t for t in _TITLES if surface.startswith(t)), None)
        if m["label"] == "PERSON" and title:
            self.add("boundary", jpath, f"PERSON name {surface!r} {span} starts with the title "
                                        f"{title.strip()!r}, which stays outside the name")

    # Quotes ------------------------------------------------------------------------------
    def quotation_coverage(self):
        for offset in self.unmatched:
            line = self._line(offset)
            self.add("unbalanced-quotation", "$.quotes",
                     f"quotation mark {self.text[offset]!r} at offset {offset} (paragraph {line + 1}) "
                     f"has no partner in its paragraph")
        for open_, close in self.pairs:
            start, end = _core(self.text, open_, close)
            if start >= end:
                continue
            if not any(_contains(q, start, end) for q in self.data["quotes"]):
                words = self.text[open_:close + 1]
                shown = words if len(words) <= 60 else words[:57] + "..."
                self.add("uncovered-quotation", "$.quotes",
                         f"quotation marks [{open_}:{close + 1}] {shown!r} are not covered by any quote")

    def quote_rules(self):
        quotes = self.data["quotes"]
        for i, q in enumerate(quotes):
            jpath, span = f"$.quotes[{i}]", f"[{q['start']}:{q['end']}]"
            if q["speaker"] is None:
                self.add("no-speaker", f"{jpath}.speaker", f"{q['kind']} quote {span} has no speaker")
            else:
                self._speaker(jpath, q, f"{jpath}.speaker", q["speaker"], "speaker")
            cue = q["cue"]
            if cue is None:
                self.add("no-cue", f"{jpath}.cue", f"{q['kind']} quote {span} has no cue")
            elif cue["start"] < q["end"] and q["start"] < cue["end"]:
                self.add("cue-in-quote", f"{jpath}.cue", f"cue {cue['text']!r} [{cue['start']}:{cue['end']}] "
                                                         f"overlaps its own quote {span}")
            self._kind(jpath, span, q, quotes)

    def _speaker(self, jpath, q, ref_path, ref, role):
        found = self.mentions.get(ref)
        if found is None:
            return  # a dangling reference is a validation problem
        _, m = found
        if m["label"] not in labels.SPEAKER_TYPES:
            self.add("speaker-type", ref_path, f"{role} {ref!r} is a {m['label']} mention ({m['text']!r}), "
                                               f"which cannot speak")
        if q is None:
            return
        if _contains(q, m["start"], m["end"]):
            self.add("speaker-in-quote", ref_path, f"speaker {ref!r} {m['text']!r} [{m['start']}:{m['end']}] "
                                                   f"lies inside the quote it speaks")
        anchor = q["cue"]["start"] if q["cue"] else q["start"]
        if self._line(m["start"]) != self._line(anchor):
            self.add("speaker-distance", ref_path,
                     f"speaker {ref!r} {m['text']!r} [{m['start']}:{m['end']}] is in paragraph "
                     f"{self._line(m['start']) + 1}, the {'cue' if q['cue'] else 'quote'} in paragraph "
                     f"{self._line(anchor) + 1}")

    def _kind(self, jpath, span, q, quotes):
        body, kind = q["text"], q["kind"]
        if kind == "direct":
            if q["start"] == 0 or self.text[q["start"] - 1] not in OPENING_MARKS:
                self.add("quote-kind", f"{jpath}.kind", f"direct quote {span} does not start right after "
                                                        f"an opening quotation mark")
            if body[:1] in QUOTATION_MARKS or body[-1:] in QUOTATION_MARKS:
                self.add("quote-kind", jpath, f"direct quote {span} includes its quotation marks")
            if body.endswith(","):
                self.add("direct-comma", f"{jpath}.end", f"direct quote {span} ends with the framing comma")
        elif kind == "mixed" and not any(ch in QUOTATION_MARKS for ch in body):
            self.add("quote-kind", f"{jpath}.kind", f"mixed quote {span} contains no quotation mark: indirect?")
        elif kind == "indirect":
            for open_, close in self.pairs:
                if not (q["start"] <= open_ and close < q["end"]):
                    continue
                start, end = _core(self.text, open_, close)
                nested = any(o is not q and _contains(o, start, end) and _contains(q, o["start"], o["end"])
                             for o in quotes)
                if not nested:
                    self.add("quote-kind", f"{jpath}.kind",
                             f"indirect quote {span} contains quoted words [{open_}:{close + 1}] that no "
                             f"quote inside it covers: mixed?")

    # Claims ------------------------------------------------------------------------------
    def claim_rules(self):
        quotes = {q["id"]: q for q in self.data["quotes"]}
        for i, c in enumerate(self.data["claims"]):
            jpath, span = f"$.claims[{i}]", f"[{c['start']}:{c['end']}]"
            if c["claimant"] not in (None, labels.AUTHOR_ID):
                self._speaker(jpath, None, f"{jpath}.claimant", c["claimant"], "claimant")
            if c["category"] == "evaluation" and c["checkworthy"]:
                self.add("checkworthy", f"{jpath}.checkworthy",
                         f"evaluation claim {span} is marked check-worthy: an arguable characterisation "
                         f"cannot be settled with evidence")
            around = [q for q in self.data["quotes"] if _contains(q, c["start"], c["end"])]
            if not around:
                continue
            innermost = min(q["end"] - q["start"] for q in around)
            inner_ids = sorted(q["id"] for q in around if q["end"] - q["start"] == innermost)
            if c["quote"] is None:
                self.add("claim-quote", f"{jpath}.quote", f"claim {span} lies inside quote "
                                                          f"{inner_ids[0]!r} but names no quote")
            elif c["quote"] in quotes and c["quote"] not in inner_ids:
                self.add("claim-quote", f"{jpath}.quote", f"claim {span} names quote {c['quote']!r}, but the "
                                                          f"innermost quote around it is {inner_ids[0]!r}")
            quote = quotes.get(c["quote"]) if c["quote"] else None
            if quote is not None and c["claimant"] != quote["speaker"]:
                self.add("claim-quote", f"{jpath}.claimant",
                         f"claim {span} sits in quote {quote['id']!r} spoken by {quote['speaker']!r}, "
                         f"but its claimant is {c['claimant']!r}")

    def duplicates(self):
        keys = {"entities": ("start", "end", "label"), "quotes": ("start", "end", "speaker"),
                "claims": ("start", "end", "claimant")}
        for layer, fields in keys.items():
            seen = {}
            for i, item in enumerate(self.data[layer]):
                key = tuple(item[f] for f in fields)
                if key in seen:
                    self.add("duplicate", f"$.{layer}[{i}]",
                             f"same {', '.join(fields)} as $.{layer}[{seen[key]}] "
                             f"([{item['start']}:{item['end']}] {item['text'][:40]!r})")
                else:
                    seen[key] = i
