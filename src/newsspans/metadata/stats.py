"""Corpus statistics, and the generated tables in DATASHEET.md and README.md.

The tables live between `<!-- newsspans:stats:begin -->` and `<!-- newsspans:stats:end -->`;
`write_stats` rewrites them from the data and `stale_stats` says which differ, so the
documented figures cannot drift from the corpus. The agreement block beside them
(metadata/agreement_text.py) is rewritten and checked with them.
"""

from collections import Counter
from pathlib import Path

from newsspans.metadata import agreement_text
from newsspans.model import labels
from newsspans.model.corpus import Corpus
from newsspans.errors import NewsspansError
from newsspans.store.writing import atomic_write
from newsspans.store.reading import read_text

BEGIN, END = "<!-- newsspans:stats:begin -->", "<!-- newsspans:stats:end -->"
DOCUMENTED = ("DATASHEET.md", "README.md")


class StaleStats(NewsspansError):
    """The statistics written in the documentation differ from the data."""


def compute_stats(root) -> dict:
    """Counts over the gold of each document's latest version, and per annotator.

    The corpus is validated first: figures of an invalid corpus would be wrong.
    """
    from newsspans.export.ner import spacy_sentences  # spaCy loads only when statistics are asked for

    corpus = Corpus.of(root).require_valid()
    registry = corpus.registry
    docs, splits, tokens = 0, Counter(), Counter()
    by_label = {label: Counter() for label in labels.ENTITY_TYPES}
    quote_kinds, speakers = Counter(), Counter()
    categories, claimants, checkworthy = Counter(), Counter(), Counter()
    annotators = {}
    for doc in corpus.documents():
        latest = doc.latest
        docs += 1
        splits[doc.split] += 1
        tokens[doc.split] += sum(len(s) for s in spacy_sentences(latest.text))
        gold = doc.gold
        if gold is not None:
            if gold.version == latest.number:
                names = _agent_names(gold, registry)
                for m in gold.entities:
                    by_label[m.label][m.mention] += 1
                for q in gold.quotes:
                    quote_kinds[q.kind] += 1
                    speakers[names.get(q.speaker, "(none)")] += 1
                for c in gold.claims:
                    categories[c.category] += 1
                    claimants[names.get(c.claimant, "(none)")] += 1
                    checkworthy[c.checkworthy] += 1
        for user, layer in doc.annotators.items():
            if user == agreement_text.ADJUDICATED:
                continue   # made from the others' layers: no annotator's work
            row = annotators.setdefault(user, Counter())
            row.update(documents=1, entities=len(layer.entities), quotes=len(layer.quotes),
                       claims=len(layer.claims))
    return {
        "documents": docs,
        "documents_per_split": dict(sorted(splits.items())),
        "tokens": sum(tokens.values()),
        "tokens_per_split": dict(sorted(tokens.items())),
        "mentions": sum(sum(c.values()) for c in by_label.values()),
        "mentions_per_label": {label: {kind: by_label[label][kind] for kind in labels.MENTION_KINDS}
                               for label in labels.ENTITY_TYPES},
        "quotes": sum(quote_kinds.values()),
        "quotes_per_kind": {kind: quote_kinds[kind] for kind in labels.QUOTE_KINDS},
        "quotes_per_speaker": _ranked(speakers),
        "claims": sum(categories.values()),
        "claims_per_category": {cat: categories[cat] for cat in labels.CLAIM_CATEGORIES},
        "claims_per_claimant": _ranked(claimants),
        "claims_checkworthy": checkworthy[True],
        "annotators": {user: dict(counts) for user, counts in sorted(annotators.items())},
    }


def _agent_names(gold, registry) -> dict:
    """mention id -> the registry's canonical name of what it refers to."""
    names = {labels.AUTHOR_ID: labels.AUTHOR_NAME}
    for m in gold.entities:
        entity = registry.get(m.entity) if m.entity else None
        names[m.id] = entity["name"] if entity else m.text
    return names


def _ranked(counter) -> dict:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _table(header, rows) -> list:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def stats_markdown(stats: dict) -> str:
    """The statistics as Markdown tables (the text between the markers)."""
    splits = ", ".join(f"{n} {split}" for split, n in stats["documents_per_split"].items())
    out = [f"Documents: **{stats['documents']}** ({splits or 'none'}); tokens: "
           f"**{stats['tokens']}**; entity mentions: **{stats['mentions']}**; quotes: "
           f"**{stats['quotes']}**; claims: **{stats['claims']}** "
           f"({stats['claims_checkworthy']} check-worthy). Figures are for the gold "
           f"annotations of each document's latest version; tokens are spaCy tokens.", ""]
    rows = [(label, *(kinds[k] for k in labels.MENTION_KINDS), sum(kinds.values()))
            for label, kinds in stats["mentions_per_label"].items()]
    out += _table(("Entity type", *labels.MENTION_KINDS, "Total"), rows)
    out += _table(("Quote kind", "Quotes"), stats["quotes_per_kind"].items())
    out += _table(("Speaker", "Quotes"), stats["quotes_per_speaker"].items() or [("(none)", 0)])
    out += _table(("Claim category", "Claims"), stats["claims_per_category"].items())
    out += _table(("Claimant", "Claims"), stats["claims_per_claimant"].items() or [("(none)", 0)])
    annotators = [(user, c.get("documents", 0), c.get("entities", 0), c.get("quotes", 0),
                   c.get("claims", 0)) for user, c in stats["annotators"].items()]
    out += _table(("Annotator layer", "Documents", "Mentions", "Quotes", "Claims"),
                  annotators or [("(none pulled yet)", 0, 0, 0, 0)])
    return "\n".join(out)


def _replace_block(text: str, block: str, where: str) -> str:
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise StaleStats(f"{where}: needs exactly one {BEGIN} ... {END} block")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    return f"{head}{BEGIN}\n{block}\n{END}{tail}"


def _rendered(root) -> dict:
    block = stats_markdown(compute_stats(root))
    reports = agreement_text.documents(root)   # the agreement block is required once there are reports
    agreement = agreement_text.markdown(root, reports)
    out = {}
    for name in DOCUMENTED:
        path = Path(root) / name
        if not path.is_file():
            raise StaleStats(f"{name}: missing")
        current = read_text(root, name)
        fresh = agreement_text.replace_block(_replace_block(current, block, name), agreement, name,
                                             required=bool(reports))
        out[name] = (current, fresh)
    return out


def stale_stats(root) -> list:
    """Names of the documentation files whose statistics differ from the data."""
    return [name for name, (now, fresh) in _rendered(root).items() if now != fresh]


def write_stats(root) -> list:
    """Rewrite the statistics blocks; return the names of the files that changed."""
    changed = []
    for name, (now, fresh) in _rendered(root).items():
        if now != fresh:
            atomic_write(Path(root) / name, fresh.encode("utf-8"), root=root)
            changed.append(name)
    return changed
