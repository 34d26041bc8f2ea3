"""Inter-annotator agreement: pairwise span F1 (exact and overlapping) per layer and label,
and whatever the label (the span alone), Cohen's kappa and Krippendorff's alpha on token
labels, and agreement on attribution (speakers, claimants, registry links), between
annotators and against gold; Krippendorff's alpha over every source at once.

The adjudicated layer (annotators/adjudicated.json, which `adjudicate` makes from two
annotators' layers) is not a source: it is not independent of the layers it reconciles.

Only files pinned to the same document version are compared. A pair's scores pool every
document both sources annotated. The attribution figures are defined in
curation/attribution.py and explained in the README.
"""

import re
from collections import Counter, defaultdict
from itertools import combinations

from newsspans.curation.attribution import attribution, krippendorff_alpha
from newsspans.errors import CorpusError
from newsspans.store.writing import atomic_write, dumps_json
from newsspans.model.corpus import Corpus
from newsspans.model.annotations import AnnotationFile

LAYERS = ("entities", "quotes", "cues", "claims")
TOKEN = re.compile(r"\w+|[^\w\s]")
GOLD = "gold"
ADJUDICATED = "adjudicated"


def spans_of(annotations: AnnotationFile, layer: str):
    """(start, end, label) of one layer; the label is the type, kind or category."""
    if layer == "entities":
        return [(m.start, m.end, m.label) for m in annotations.entities]
    if layer == "quotes":
        return [(q.start, q.end, q.kind) for q in annotations.quotes]
    if layer == "cues":
        return sorted({(q.cue.start, q.cue.end, "CUE") for q in annotations.quotes if q.cue})
    return [(c.start, c.end, c.category) for c in annotations.claims]


def _load_sources(corpus, docs):
    """({doc_id: {source name: AnnotationFile}} with every file pinned to one version,
    {doc_id: Document}, notes on what was skipped)."""
    found, documents, skipped = {}, {}, []
    for doc_id in docs or corpus.doc_ids:
        doc = documents[doc_id] = corpus.document(doc_id)
        files = {}
        if doc.gold is not None and doc.gold.provenance.get("method") != "empty":
            files[GOLD] = doc.gold
        for user, annotations in doc.annotators.items():
            if user == ADJUDICATED:
                continue   # made from other sources' layers: not an independent source
            # An annotator may be called "gold": keep the two apart.
            files[user if user != GOLD else f"annotators/{GOLD}"] = annotations
        versions = Counter((a.version, a.sha256) for a in files.values())
        if len(versions) > 1:
            pinned = max(versions, key=lambda v: (versions[v], v[0]))
            for name, a in list(files.items()):
                if (a.version, a.sha256) != pinned:
                    skipped.append(f"{doc_id}: {name} is pinned to version {a.version}, others to {pinned[0]}")
                    del files[name]
        if files:
            found[doc_id] = files
    return found, documents, skipped


def _overlap_matches(a, b):
    """Greedy one-to-one matching of same-label spans that overlap, largest overlap first."""
    pairs = []
    for i, (s1, e1, l1) in enumerate(a):
        for j, (s2, e2, l2) in enumerate(b):
            overlap = min(e1, e2) - max(s1, s2)
            if l1 == l2 and overlap > 0:
                pairs.append((-overlap, i, j))
    used_a, used_b, matches = set(), set(), []
    for _, i, j in sorted(pairs):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            matches.append((i, j))
    return matches


def _f1(matches, n_a, n_b):
    return None if n_a + n_b == 0 else round(2 * matches / (n_a + n_b), 4)


def token_labels(text, spans):
    """The label of each token: its innermost covering span's label, else "O"."""
    labels = []
    for match in TOKEN.finditer(text):
        covering = [(e - s, label) for s, e, label in spans if s <= match.start() and match.end() <= e]
        labels.append(min(covering)[1] if covering else "O")
    return labels


def cohen_kappa(a, b):
    """Cohen's kappa of two equally long label sequences (None when undefined)."""
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if expected == 1:
        return 1.0 if observed == 1 else None
    return round((observed - expected) / (1 - expected), 4)


def _compare(texts, docs_a, docs_b):
    """Scores of one pair over the documents both annotated."""
    result = {}
    for layer in LAYERS:
        per_label = defaultdict(lambda: {"a": 0, "b": 0, "exact": 0, "overlap": 0})
        unlabelled = {"a": 0, "b": 0, "exact": 0, "overlap": 0}
        tokens_a, tokens_b = [], []
        for doc_id in sorted(docs_a.keys() & docs_b.keys()):
            a, b = spans_of(docs_a[doc_id], layer), spans_of(docs_b[doc_id], layer)
            for s in a:
                per_label[s[2]]["a"] += 1
            for s in b:
                per_label[s[2]]["b"] += 1
            for s in set(a) & set(b):
                per_label[s[2]]["exact"] += min(a.count(s), b.count(s))
            for i, _ in _overlap_matches(a, b):
                per_label[a[i][2]]["overlap"] += 1
            _count_unlabelled(unlabelled, a, b)
            tokens_a += token_labels(texts[doc_id], a)
            tokens_b += token_labels(texts[doc_id], b)
        total = {k: sum(v[k] for v in per_label.values()) for k in ("a", "b", "exact", "overlap")}
        rows = {label: _row(v) for label, v in sorted(per_label.items())}
        result[layer] = {"labels": rows, "all": _row(total), "span": _row(unlabelled),
                         "kappa": cohen_kappa(tokens_a, tokens_b), "tokens": len(tokens_a),
                         "alpha": krippendorff_alpha([list(pair) for pair in zip(tokens_a, tokens_b)])}
    return result


def _count_unlabelled(counts, a, b):
    """Span agreement whatever the label (type, kind, category): the same text delimited."""
    plain_a, plain_b = [(s, e, "") for s, e, _ in a], [(s, e, "") for s, e, _ in b]
    counts["a"] += len(plain_a)
    counts["b"] += len(plain_b)
    counts["exact"] += sum(min(plain_a.count(s), plain_b.count(s)) for s in set(plain_a) & set(plain_b))
    counts["overlap"] += len(_overlap_matches(plain_a, plain_b))


def _row(counts):
    return {"a": counts["a"], "b": counts["b"],
            "exact_f1": _f1(counts["exact"], counts["a"], counts["b"]),
            "overlap_f1": _f1(counts["overlap"], counts["a"], counts["b"])}


def agreement(root, docs=None) -> dict:
    """Every pair of sources (annotators, and each annotator against gold) with its scores."""
    corpus = Corpus.of(root).require_valid()
    found, documents, skipped = _load_sources(corpus, docs)
    by_source = defaultdict(dict)
    for doc_id, files in found.items():
        for name, annotations in files.items():
            by_source[name][doc_id] = annotations
    texts = {doc_id: documents[doc_id].version(next(iter(files.values())).version).text
             for doc_id, files in found.items()}
    annotators = sorted(n for n in by_source if n != GOLD)
    pairs = list(combinations(annotators, 2))
    if GOLD in by_source:
        pairs += [(name, GOLD) for name in annotators]
    results = []
    for a, b in pairs:
        shared = sorted(by_source[a].keys() & by_source[b].keys())
        if shared:
            results.append({"a": a, "b": b, "documents": shared,
                            "layers": _compare(texts, by_source[a], by_source[b]),
                            "attribution": attribution(by_source[a], by_source[b])})
    return {"documents": sorted(found), "sources": sorted(by_source), "pairs": results,
            "alpha": _alpha(texts, found), "skipped": skipped}


def _alpha(texts, found) -> dict:
    """Krippendorff's alpha per layer over every source (annotators and gold) at once: one
    unit per token of each document, one value per source that annotated the document."""
    alpha = {}
    for layer in LAYERS:
        units = []
        for doc_id, files in sorted(found.items()):
            columns = [token_labels(texts[doc_id], spans_of(files[name], layer)) for name in sorted(files)]
            units.extend(list(values) for values in zip(*columns))
        alpha[layer] = krippendorff_alpha(units)
    return alpha


def format_table(report: dict) -> str:
    """The report as a plain-text table, one block per pair."""
    if not report["pairs"]:
        return "no two sources annotated the same document version: nothing to compare"
    lines = []
    for pair in report["pairs"]:
        lines.append(f"{pair['a']} vs {pair['b']} ({len(pair['documents'])} document"
                     f"{'s' if len(pair['documents']) != 1 else ''})")
        lines.append(f"  {'layer':<9}{'label':<14}{pair['a'][:8]:>9}{pair['b'][:8]:>9}"
                     f"{'exact F1':>10}{'overlap F1':>12}{'kappa':>8}")
        for layer, scores in pair["layers"].items():
            rows = [("ALL", scores["all"], scores["kappa"]), ("(any label)", scores["span"], None)]
            rows += [(label, row, None) for label, row in scores["labels"].items()]
            for label, row, kappa in rows:
                lines.append(f"  {layer:<9}{label[:13]:<14}{row['a']:>9}{row['b']:>9}"
                             f"{_fmt(row['exact_f1']):>10}{_fmt(row['overlap_f1']):>12}"
                             f"{_fmt(kappa) if label == 'ALL' else '':>8}")
        for name, label in (("speaker", "speaker agreement"), ("claimant", "claimant agreement"),
                            ("links", "link accuracy")):
            row = pair["attribution"][name]
            lines.append(f"  {label:<20}{row['agree']:>5} of {row['compared']:<5}{_fmt(row['agreement']):>8}")
        lines.append("  Krippendorff's alpha of the pair: " +
                     ", ".join(f"{layer} {_fmt(scores['alpha'])}" for layer, scores in pair["layers"].items()))
        lines.append("")
    sources = len(report["sources"])
    lines.append(f"Krippendorff's alpha over all {sources} sources (tokens, nominal): " +
                 ", ".join(f"{layer} {_fmt(value)}" for layer, value in report["alpha"].items()))
    for note in report["skipped"]:
        lines.append(f"skipped: {note}")
    return "\n".join(lines).rstrip("\n")


def _fmt(value):
    return "-" if value is None else f"{value:.3f}"


REPORT = "agreement.json"


def report_path(corpus, doc_id):
    """annotations/<doc>/agreement.json: the committed agreement report of one document."""
    return corpus.layout.annotations_dir / doc_id / REPORT


def committed_reports(corpus) -> list:
    """The documents that have a committed agreement report."""
    return [doc_id for doc_id in corpus.doc_ids if report_path(corpus, doc_id).is_file()]


def write_reports(root, docs) -> list:
    """Write annotations/<doc>/agreement.json for each of `docs`; returns the paths written."""
    corpus = Corpus.of(root)
    written = []
    for doc_id in docs:
        corpus.check_doc_id(doc_id)
        report = agreement(corpus, [doc_id])
        if not report["pairs"]:
            raise CorpusError(f"{doc_id}: no two sources annotated the same version: no agreement to report")
        path = report_path(corpus, doc_id)
        atomic_write(path, dumps_json(report), root=corpus.layout.root)
        written.append(corpus.layout.rel(path))
    return written


def stale_reports(root) -> list:
    """The committed agreement reports that differ from what the annotations give now."""
    corpus = Corpus.of(root)
    stale = []
    for doc_id in committed_reports(corpus):
        path = report_path(corpus, doc_id)
        if corpus.layout.read_bytes(path) != dumps_json(agreement(corpus, [doc_id])):
            stale.append(corpus.layout.rel(path))
    return stale
