"""The `ner` config: sentences, tokens and BIO tags over named and value mentions.

Tokens and sentences come from spaCy's blank English pipeline (its rule-based tokenizer)
with the rule-based `sentencizer`: no model is downloaded. Each paragraph is processed on
its own, so a sentence never crosses a paragraph. Two adjustments keep the tags exact:
- a spaCy token that a mention starts or ends inside is split at the mention's offset
  (e.g. "ACME's" stays one token unless a mention ends after "ACME");
- sentences that a tagged mention would straddle are joined into one row.
White-space tokens are dropped. Offsets are code points into the version's text.

Tagged mentions are the names (`mention` NAM) and the values (DATE, TIME, PERCENT, MONEY,
QUANTITY, ORDINAL, CARDINAL). BIO cannot nest: of overlapping mentions, the one that starts
first is tagged (the longest when two start together), so the outermost wins.
"""

from bisect import bisect_right
from functools import lru_cache

from newsspans.model import labels
from newsspans.export.features import NER_TAG_INDEX


@lru_cache(maxsize=None)
def _nlp():
    import spacy
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def is_tagged_kind(m) -> bool:
    """A name or a value: the mentions the `ner` config tags."""
    return m.mention == "NAM" or m.label in labels.VALUE_TYPES


def tagged_mentions(mentions) -> list:
    """The named and value mentions BIO can carry: outermost first, overlaps dropped."""
    kept, last_end = [], -1
    for m in sorted((m for m in mentions if is_tagged_kind(m)), key=lambda m: (m.start, -m.end)):
        if m.start >= last_end:
            kept.append(m)
            last_end = m.end
    return kept


def _paragraphs(text: str):
    """(start, paragraph text) for each paragraph; paragraphs are split by a blank line."""
    start = 0
    for part in text.split("\n\n"):
        stripped = part.rstrip("\n")
        if stripped.strip():
            yield start, stripped
        start += len(part) + 2


def spacy_sentences(text: str) -> list:
    """spaCy's sentences of `text` as lists of (start, end) token offsets, paragraph by paragraph."""
    from spacy.attrs import IDX, IS_SPACE, LENGTH, SENT_START
    nlp = _nlp()
    sentencizer = nlp.get_pipe("sentencizer")
    sentences = []
    for offset, paragraph in _paragraphs(text):
        doc = sentencizer(nlp.make_doc(paragraph))
        current = []
        # Token attributes as one array: much faster than a Token object per token.
        for idx, length, space, start in doc.to_array([IDX, LENGTH, IS_SPACE, SENT_START]).tolist():
            if start == 1 and current:
                sentences.append(current)
                current = []
            if not space:
                current.append((idx + offset, idx + offset + length))
        if current:
            sentences.append(current)
    return sentences


def misaligned_mentions(text: str, mentions) -> list:
    """(mention, offset) for each tagged-kind mention boundary inside one spaCy token."""
    starts, ends = set(), set()
    for sentence in spacy_sentences(text):
        for s, e in sentence:
            starts.add(s)
            ends.add(e)
    found = []
    for m in mentions:
        if not is_tagged_kind(m):
            continue
        if m.start not in starts:
            found.append((m, m.start))
        if m.end not in ends:
            found.append((m, m.end))
    return found


def _split_tokens(tokens, cuts):
    """`tokens` with every token that contains a cut offset strictly inside split there."""
    out, i, n = [], bisect_right(cuts, tokens[0][0]), len(cuts)
    for s, e in tokens:
        while i < n and cuts[i] <= s:
            i += 1
        if i == n or cuts[i] >= e:
            out.append((s, e))
            continue
        edges = [s]
        while i < n and cuts[i] < e:
            edges.append(cuts[i])
            i += 1
        edges.append(e)
        out.extend(zip(edges, edges[1:]))
    return out


def _join_straddled(sentences, mentions):
    """Join consecutive sentences that one mention runs across."""
    starts = [tokens[0][0] for tokens in sentences]
    bridged = set()
    for m in mentions:
        i = bisect_right(starts, m.start)
        while i < len(starts) and starts[i] < m.end:
            bridged.add(i)
            i += 1
    joined = []
    for i, tokens in enumerate(sentences):
        if i in bridged and joined:
            joined[-1] = joined[-1] + tokens
        else:
            joined.append(tokens)
    return joined


def ner_rows(text: str, mentions) -> list:
    """One dict per sentence: sentence, tokens, token_starts, token_ends, ner_tags (indices)."""
    tagged = tagged_mentions(mentions)
    cuts = sorted({m.start for m in tagged} | {m.end for m in tagged})
    sentences = [_split_tokens(tokens, cuts) for tokens in spacy_sentences(text)]
    sentences = _join_straddled(sentences, tagged)
    rows, i = [], 0
    for n, tokens in enumerate(sentences):
        tags = []
        for s, _ in tokens:
            # Tagged mentions are sorted and disjoint: advance past those that ended.
            while i < len(tagged) and tagged[i].end <= s:
                i += 1
            m = tagged[i] if i < len(tagged) and tagged[i].start <= s else None
            tag = "O" if m is None else ("B-" if s == m.start else "I-") + m.label
            tags.append(NER_TAG_INDEX[tag])
        rows.append({"sentence": n, "tokens": [text[s:e] for s, e in tokens],
                     "token_starts": [s for s, _ in tokens],
                     "token_ends": [e for _, e in tokens], "ner_tags": tags})
    return rows
