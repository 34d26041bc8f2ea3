"""How the gold was made and how far its passes agreed, as text, from the committed reports.

What DATASHEET.md, the README and croissant.json's `rai:` fields say about the annotation
process (how many independent passes, whether and how they were adjudicated) and the
agreement figures is generated from each document's committed
`annotations/<doc>/agreement.json` (`newsspans agreement --write`; `agreement --check` keeps
it fresh), its `adjudication.jsonl` and its gold's provenance, never typed by hand.
`newsspans stats --write` rewrites the Markdown block between `BEGIN` and `END` (and
`stats --check` reports drift); croissant.json takes the plain-text sentences, and
`export --check` reports drift there.
"""

import json
from collections import Counter

from newsspans.curation.agreement import ADJUDICATED, GOLD, committed_reports, report_path
from newsspans.errors import CorpusError
from newsspans.model.corpus import Corpus

__all__ = ["ADJUDICATED", "BEGIN", "END", "documents", "markdown", "plain", "replace_block"]
BEGIN, END = "<!-- newsspans:agreement:begin -->", "<!-- newsspans:agreement:end -->"
LOG = "adjudication.jsonl"
_LAYER_NAMES = {"entities": "entity mentions", "quotes": "quotes", "cues": "cues", "claims": "claims"}


def documents(root) -> list:
    """One entry per document with a committed agreement report: the report, the gold's
    method and annotators, and the decisions of its adjudication log by value (or None)."""
    corpus = Corpus.of(root)
    found = []
    for doc_id in committed_reports(corpus):
        # Through the one reader (a regular file, size limit), parsed as the report it is:
        # its figures are fractions, which the annotation files' strict parser refuses.
        report = json.loads(corpus.layout.read_text(report_path(corpus, doc_id)))
        gold = corpus.document(doc_id).gold
        provenance = gold.provenance if gold is not None else {}
        found.append({"doc_id": doc_id, "report": report, "method": provenance.get("method"),
                      "annotators": list(provenance.get("annotators", [])),
                      "decisions": _decisions(corpus, doc_id)})
    return found


def _decisions(corpus, doc_id):
    path = corpus.layout.annotations_dir / doc_id / LOG
    if not path.is_file():
        return None
    counts = Counter()
    for number, line in enumerate(corpus.layout.read_text(path).splitlines(), 1):
        if line.strip():
            try:
                counts[json.loads(line)["decision"]] += 1
            except (ValueError, TypeError, KeyError):
                raise CorpusError(f"{corpus.layout.rel(path)} line {number}: not a decision "
                                  f"(newsspans adjudicate --check says what is wrong)") from None
    return counts


def _pairs(report):
    """(the pairs of independent annotators, the pairs of an annotator and gold)."""
    return ([p for p in report["pairs"] if p["b"] != GOLD], [p for p in report["pairs"] if p["b"] == GOLD])


def _f(value):
    return "–" if value is None else f"{value:.3f}"


def _ratio(row):
    return f"{row['agree']}/{row['compared']} ({_f(row['agreement'])})"


def _process(doc) -> str:
    """One sentence: how the gold of one document was made."""
    annotators = ", ".join(doc["annotators"]) or "none"
    passes, _ = _pairs(doc["report"])
    independent = sorted({name for p in passes for name in (p["a"], p["b"])})
    if doc["method"] != "adjudicated" or doc["decisions"] is None:
        return (f"{doc['doc_id']}: gold by {annotators} (method {doc['method']}), compared with "
                f"{len(independent)} annotator layer{'s' if len(independent) != 1 else ''}; not adjudicated.")
    counts = doc["decisions"]
    total = sum(counts.values())
    split = ", ".join(f"{counts[name]} for {name}" for name in independent)
    return (f"{doc['doc_id']}: gold adjudicated from {len(independent)} independent passes "
            f"({', '.join(independent)}). They differed in {total} place{'s' if total != 1 else ''} "
            f"(an item one pass has and the other has not, or has otherwise); each was decided in "
            f"annotations/{doc['doc_id']}/{LOG} ({split}, {counts['other']} other), with the "
            f"guideline section that decides it and a reason.")


def _label_exceptions(pair) -> str:
    below = [f"{layer} {label} {_f(row['exact_f1'])} ({row['a']}/{row['b']})"
             for layer, scores in pair["layers"].items() for label, row in scores["labels"].items()
             if row["exact_f1"] is not None and row["exact_f1"] < 1]
    if not below:
        return "Every label: exact F1 1.000."
    return f"Labels with exact F1 below 1: {', '.join(below)}; every other label 1.000."


def _attribution(pair) -> str:
    att = pair["attribution"]
    return (f"speaker agreement {_ratio(att['speaker'])}, claimant agreement {_ratio(att['claimant'])}, "
            f"link accuracy {_ratio(att['links'])}")


def _against_gold(golds) -> str:
    parts = [f"{p['a']}: " + ", ".join(f"{layer} {_f(s['all']['exact_f1'])}" for layer, s in p["layers"].items())
             for p in golds]
    return "Exact F1 of each pass against the final gold: " + "; ".join(parts) + "." if parts else ""


def markdown(root, docs=None) -> str:
    """The Markdown block of DATASHEET.md and the README (the text between the markers)."""
    docs = documents(root) if docs is None else docs
    if not docs:
        return ("No document has a second annotation yet: there is no agreement to report "
                "(`newsspans agreement --write --doc DOC` commits one).")
    out = []
    for doc in docs:
        out += [_process(doc), ""]
        passes, golds = _pairs(doc["report"])
        for pair in passes:
            out.append(f"Agreement of {pair['a']} and {pair['b']} (before adjudication), from "
                       f"`annotations/{doc['doc_id']}/agreement.json`:")
            out += ["", f"| Layer | Spans ({pair['a']} / {pair['b']}) | Exact F1 | Overlap F1 | Span F1 (any label) | Cohen's kappa | "
                        "Krippendorff's alpha |", "|---|---|---|---|---|---|---|"]
            for layer, s in pair["layers"].items():
                out.append(f"| {_LAYER_NAMES[layer]} | {s['all']['a']} / {s['all']['b']} | "
                           f"{_f(s['all']['exact_f1'])} | {_f(s['all']['overlap_f1'])} | "
                           f"{_f(s['span']['exact_f1'])} | {_f(s['kappa'])} | {_f(s['alpha'])} |")
            out += ["", f"Attribution: {_attribution(pair)}. {_label_exceptions(pair)}", ""]
        if golds:
            out += [_against_gold(golds), ""]
    out.append("The figures are defined in the README's \"Agreement and adoption\" section.")
    return "\n".join(out)


def plain(root) -> dict:
    """croissant.json's sentences: {"process": [...], "analysis": [...]}, one per document."""
    process, analysis = [], []
    for doc in documents(root):
        process.append(_process(doc))
        passes, golds = _pairs(doc["report"])
        for pair in passes:
            figures = "; ".join(
                f"{name} " + ", ".join(f"{layer} {_f(value(s))}" for layer, s in pair["layers"].items())
                for name, value in (("exact span F1", lambda s: s["all"]["exact_f1"]),
                                    ("overlap F1", lambda s: s["all"]["overlap_f1"]),
                                    ("span F1 whatever the label", lambda s: s["span"]["exact_f1"]),
                                    ("Cohen's kappa", lambda s: s["kappa"]),
                                    ("Krippendorff's alpha", lambda s: s["alpha"])))
            analysis.append(f"{doc['doc_id']}, {pair['a']} vs {pair['b']} before adjudication: {figures}; "
                            f"{_attribution(pair)}. {_label_exceptions(pair)} {_against_gold(golds)}".rstrip())
    return {"process": process, "analysis": analysis}


def replace_block(text: str, block: str, where: str, required=True) -> str:
    """`text` with the agreement block rewritten. A text without the markers is left alone
    unless the block is `required` (a report is committed): then a section holding the block
    is added at its end. Markers that are not exactly one pair are an error naming `where`."""
    if BEGIN not in text and END not in text:
        if not required:
            return text
        return f"{text.rstrip(chr(10))}\n\n## Inter-annotator agreement\n\n{BEGIN}\n{block}\n{END}\n"
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise CorpusError(f"{where}: needs exactly one {BEGIN} ... {END} block")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    return f"{head}{BEGIN}\n{block}\n{END}{tail}"
