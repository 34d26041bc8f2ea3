"""`newsspans render`: the corpus as a static, self-contained HTML site.

    <out>/index.html                    every document with its annotation counts
    <out>/documents/<doc_id>.html       the latest version of one document, gold drawn on it
    <out>/compare/<user>/...            the same for one annotator against gold (--compare)

Pages are produced one at a time (a large corpus never sits in memory) and are
byte-identical for the same corpus, so `check_site` can tell a stale page from a fresh one.
"""

from dataclasses import dataclass, field
from pathlib import Path

from newsspans.errors import CorpusError, StaleRender
from newsspans.model.corpus import Corpus
from newsspans.store.layout import Layout, check_user_name
from newsspans.store.outputs import check_output_dir
from newsspans.store.writing import atomic_write, check_inside
from newsspans.model.annotations import AnnotationFile
from newsspans.render.items import compare_items, counts, gold_items
from newsspans.render.page import GENERATOR, PageInfo, document_page, index_page

PAGES_DIR = "documents"


@dataclass
class RenderReport:
    """What `render_site` did, as paths relative to the output folder."""

    written: list = field(default_factory=list)
    unchanged: int = 0
    removed: list = field(default_factory=list)


def site_prefix(compare=None) -> str:
    """Where a site lives inside the output folder: '' for gold, compare/<user>/ otherwise."""
    return f"compare/{check_user_name(compare)}/" if compare else ""


def _pin_warning(corpus, path, annotations, version, sha256) -> str:
    """Why `annotations` cannot be drawn on the latest text, or '' when they can."""
    if annotations.version != version:
        return (f"{corpus.rel(path)} is pinned to v{annotations.version}, not to the latest version "
                f"v{version}: its annotations are not drawn (re-anchor them first).")
    if annotations.sha256 != sha256:
        return (f"{corpus.rel(path)} is pinned to a different text of v{version} "
                f"(sha256 {annotations.sha256[:12]}, the text has {sha256[:12]}): not drawn.")
    return ""


def _source_label(annotations, what) -> str:
    if annotations is None or annotations.provenance.get("method") == "empty":
        return f"no {what} annotations yet"
    who = ", ".join(annotations.provenance.get("annotators", ())) or "unknown"
    return f"{what} ({annotations.provenance.get('method')}; {who})"


def _document(corpus, doc, compare):
    """(PageInfo, text, items) for one Document, or None when `compare`'s user has no file."""
    layout, doc_id, latest = corpus.layout, doc.id, doc.latest
    version, sha256, text = latest.number, latest.sha256, latest.text
    gold, gold_path = doc.gold, layout.gold_path(doc_id)
    if compare and compare not in doc.annotators:
        return None
    mine = doc.annotators[compare] if compare else None
    mine_path = layout.annotator_path(doc_id, compare) if compare else None
    warnings = [_pin_warning(layout, p, a, version, sha256)
                for p, a in ((gold_path, gold), (mine_path, mine)) if a is not None]
    warning = " ".join(w for w in warnings if w)
    pinned = f"{doc_id}@{version}"
    registry = corpus.registry
    if warning:
        items = []
    elif compare:
        empty = AnnotationFile(doc_id, version, sha256, {})
        items = compare_items(gold or empty, mine, text, registry,
                              f"{layout.rel(gold_path)} ({pinned})", f"{layout.rel(mine_path)} ({pinned})")
    else:
        items = gold_items(gold, text, registry, f"{layout.rel(gold_path)} ({pinned})") if gold else []
    label = _source_label(gold, "gold")
    if compare:
        label = f"{_source_label(mine, compare)} against {label}"
    info = PageInfo(doc_id=doc_id, version=version, sha256=sha256, title=doc.title,
                    publisher=doc.publisher, published=doc.published, split=doc.split,
                    language=doc.language or "und", source_label=label, warning=warning)
    return info, text, items


def iter_pages(root, compare=None):
    """(path inside the output folder, bytes) for every page, the index last."""
    corpus = Corpus.of(root)
    if not corpus.layout.corpus_dir.is_dir():
        raise CorpusError(f"{corpus.layout.rel(corpus.layout.corpus_dir)}: no corpus/ folder here "
                          f"(is --root the corpus repository?)")
    # An invalid corpus is refused, not drawn: a published page must not show a span whose
    # text, hash or reference validation rejects.
    corpus.require_valid()
    if compare:
        corpus.check_annotator(compare)
    prefix = site_prefix(compare)
    rows = []
    for doc in corpus.documents():
        found = _document(corpus, doc, compare)
        if found is None:
            continue
        info, text, items = found
        href = f"{PAGES_DIR}/{doc.id}.html"
        html = document_page(info, text, items, "../index.html", compare=bool(compare))
        rows.append((info, href, counts(items)))
        yield prefix + href, html.encode("utf-8")
    title = f"{compare} against gold" if compare else "newsspans corpus"
    yield prefix + "index.html", index_page(title, rows, compare=bool(compare)).encode("utf-8")


def _owned_pages(out: Path, prefix: str):
    """Pages already in `out` that belong to this site (the ones a render may replace)."""
    found = [out / prefix / "index.html"] + sorted((out / prefix / PAGES_DIR).glob("*.html"))
    return {p.relative_to(out).as_posix() for p in found if p.is_file()}


def _is_ours(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}">'.encode() in head


def render_site(root, out, compare=None) -> RenderReport:
    """Write the site into `out`; pages already up to date are left untouched.

    Pages of documents that no longer exist are removed, but only files this renderer
    wrote (they carry its generator tag). `out` may not be one of the repository's own
    folders (store.outputs), and no page is written through a link out of `out`.
    """
    out = Path(out)
    check_output_dir(root, out)
    report = RenderReport()
    before = _owned_pages(out, site_prefix(compare))
    produced = set()
    for rel, data in iter_pages(root, compare):
        produced.add(rel)
        target = out / rel
        if target.is_file() and target.read_bytes() == data:
            report.unchanged += 1
            continue
        atomic_write(target, data, root=out)
        report.written.append(rel)
    for rel in sorted(before - produced):
        if _is_ours(out / rel):
            check_inside(out, out / rel)   # never a file behind a link out of `out`
            (out / rel).unlink()
            report.removed.append(rel)
    return report


def stale_pages(root, out, compare=None):
    """(path, reason) for every page in `out` that differs from what the corpus renders to."""
    out = Path(out)
    before = _owned_pages(out, site_prefix(compare))
    stale, produced = [], set()
    for rel, data in iter_pages(root, compare):
        produced.add(rel)
        target = out / rel
        if not target.is_file():
            stale.append((rel, "missing"))
        elif target.read_bytes() != data:
            stale.append((rel, "out of date"))
    stale.extend((rel, "left over: no such document") for rel in sorted(before - produced))
    return stale


def check_site(root, out, compare=None) -> int:
    """The number of fresh pages; StaleRender naming every stale page otherwise."""
    stale = stale_pages(root, out, compare)
    if stale:
        shown = Layout(root).rel(Path(out))
        listed = "; ".join(f"{shown}/{rel} ({why})" for rel, why in stale)
        raise StaleRender(f"{len(stale)} rendered page{'s are' if len(stale) != 1 else ' is'} stale "
                          f"(run `newsspans render`): {listed}")
    return len(_owned_pages(Path(out), site_prefix(compare)))
