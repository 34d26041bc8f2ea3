"""Agreement on attribution, the point of this corpus: who said it, who claims it, which
registry entity a name is; and Krippendorff's alpha over every annotator at once.

- **Speaker agreement**: quotes of the two sources are matched by overlapping span (their
  kind may differ); a matched pair agrees when both speakers are the same person: mentions
  linked to the same registry entity, or, when unlinked, mentions whose spans overlap (no
  speaker on either side also agrees).
- **Claimant agreement**: the same for claims and their claimants (the author, `@author`,
  is a claimant of its own).
- **Link accuracy**: mentions with exactly the same span on both sides, at least one side
  linked; they agree when both name the same registry entity.
- **Krippendorff's alpha** (nominal): each source is a coder and each token of each
  document a unit whose value is the token's label (its innermost span's label, "O"
  outside spans); a source that did not annotate a document is missing there, not "O".
"""

from collections import Counter

from newsspans.model.labels import AUTHOR_ID


def _overlap_pairs(a, b):
    """Greedy one-to-one matching of overlapping (start, end) spans, largest overlap first."""
    candidates = sorted((-(min(x.end, y.end) - max(x.start, y.start)), i, j)
                        for i, x in enumerate(a) for j, y in enumerate(b)
                        if min(x.end, y.end) > max(x.start, y.start))
    used_a, used_b, pairs = set(), set(), []
    for _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((a[i], b[j]))
    return pairs


def _who(annotations, ref):
    """What a speaker or claimant reference names: the author, a registry entity, a span, or nobody."""
    if ref is None:
        return None
    if ref == AUTHOR_ID:
        return ("author",)
    mention = annotations.mentions_by_id().get(ref)
    if mention is None:
        return None
    return ("entity", mention.entity) if mention.entity else ("span", mention.start, mention.end)


def _same(x, y) -> bool:
    if x is None or y is None or x[0] != "span" or y[0] != "span":
        return x == y
    return min(x[2], y[2]) > max(x[1], y[1])


def _ratio(agree, total):
    return {"compared": total, "agree": agree, "agreement": None if total == 0 else round(agree / total, 4)}


def attribution_counts(a, b) -> Counter:
    """Counts of one document annotated by both `a` and `b` (AnnotationFile each)."""
    counts = Counter()
    for qa, qb in _overlap_pairs(a.quotes, b.quotes):
        counts["speaker_compared"] += 1
        counts["speaker_agree"] += _same(_who(a, qa.speaker), _who(b, qb.speaker))
    for ca, cb in _overlap_pairs(a.claims, b.claims):
        counts["claimant_compared"] += 1
        counts["claimant_agree"] += _same(_who(a, ca.claimant), _who(b, cb.claimant))
    spans_b = {(m.start, m.end): m for m in b.entities}
    for m in a.entities:
        other = spans_b.get((m.start, m.end))
        if other is not None and (m.entity or other.entity):
            counts["links_compared"] += 1
            counts["links_agree"] += m.entity == other.entity
    return counts


def attribution(docs_a: dict, docs_b: dict) -> dict:
    """Speaker, claimant and link agreement pooled over the documents both sources annotated."""
    counts = Counter()
    for doc_id in sorted(docs_a.keys() & docs_b.keys()):
        counts += attribution_counts(docs_a[doc_id], docs_b[doc_id])
    return {name: _ratio(counts[f"{name}_agree"], counts[f"{name}_compared"])
            for name in ("speaker", "claimant", "links")}


def krippendorff_alpha(units) -> float:
    """Nominal Krippendorff's alpha. `units` is a list of lists: the values the coders gave
    one unit (missing values left out). Units with fewer than two values are not pairable
    and are dropped. None when alpha is undefined (fewer than two pairable values, or a
    single value used throughout)."""
    coincidences, totals = Counter(), Counter()
    for values in units:
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_k - (c == k))
                if pairs:
                    coincidences[c, k] += pairs / (m - 1)
        for c, n_c in counts.items():
            totals[c] += n_c
    n = sum(totals.values())
    if n < 2:
        return None
    observed = sum(v for (c, k), v in coincidences.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k) / (n - 1)
    if expected == 0:
        return None
    return round(1 - observed / expected, 4)
