"""HTML for one document page and for the index: self-contained, escaped, deterministic."""

from dataclasses import dataclass
from functools import lru_cache
from html import escape
from importlib import resources
from typing import Optional

from newsspans.model.labels import CLAIM_CATEGORIES, ENTITY_TYPES, QUOTE_KINDS
from newsspans.render.items import LAYERS, STATUSES, counts
from newsspans.render.spans import Mark, dom_id, render_marked

GENERATOR = "newsspans render"
LAYER_TITLES = {"entities": "Entities", "quotes": "Quotes", "claims": "Claims"}
RTL_LANGUAGES = ("ar", "fa", "he", "ur", "yi", "ps", "dv")
EXCERPT = 90


@dataclass(frozen=True)
class PageInfo:
    """What a document page says about its document, besides the annotations."""

    doc_id: str
    version: int
    sha256: str
    title: Optional[str]
    publisher: Optional[str]
    published: Optional[str]
    split: str
    language: str
    source_label: str
    warning: str = ""


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return (resources.files("newsspans.render") / "templates" / name).read_text(encoding="utf-8")


def _e(value) -> str:
    return escape(str(value), quote=True)


def _head(title: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"generator\" content=\"{GENERATOR}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            # An empty inline icon: otherwise the browser asks the server for one (no network).
            "<link rel=\"icon\" href=\"data:,\">\n"
            f"<title>{_e(title)}</title>\n<style>\n{_asset('render.css')}</style>\n</head>\n")


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT - 1].rstrip() + "…"


def _status_prefix(item) -> str:
    return f"[{item.status}] " if item.status else ""


def _marks(item):
    """The marks one item draws: the span itself, and a quote's cue."""
    ann, status = item.ann, f" st-{item.status}" if item.status else ""
    note = f"\nannotator differs: {item.note}" if item.note else ""
    if item.layer == "entities":
        link = f" → {item.who}" if ann.entity else ""
        title = f"{_status_prefix(item)}{ann.label} {ann.mention} {ann.id}{link}: {ann.text}{note}"
        return [Mark(item.key, "entities", ann.start, ann.end, f"ann ent t-{ann.label} m-{ann.mention}{status}",
                     title, (("data-label", ann.label),))]
    if item.layer == "quotes":
        cue = f"; cue: {ann.cue.text}" if ann.cue else "; no cue"
        title = f"{_status_prefix(item)}{ann.kind} quote {ann.id}; speaker: {item.who}{cue}{note}"
        marks = [Mark(item.key, "quotes", ann.start, ann.end, f"ann quote kind-{ann.kind}{status}", title,
                      (("data-badge", f"{item.who} · {ann.kind}"),))]
        if ann.cue:
            marks.append(Mark(f"{item.key}/cue", "cues", ann.cue.start, ann.cue.end, f"ann cue{status}",
                              f"cue of {ann.id} ({item.who}): {ann.cue.text}"))
        return marks
    worthy = "yes" if ann.checkworthy else "no"
    in_quote = f"; in quote {ann.quote}" if ann.quote else ""
    title = (f"{_status_prefix(item)}claim {ann.id}; claimant: {item.who}; category: {ann.category}; "
             f"check-worthy: {worthy}{in_quote}{note}")
    return [Mark(item.key, "claims", ann.start, ann.end, f"ann claim cat-{ann.category} cw-{worthy}{status}",
                 title, (("data-badge", f"{ann.category}{' ✓' if ann.checkworthy else ''}"),))]


def _toggles(tally) -> str:
    boxes = "".join(
        f'<label><input type="checkbox" class="layer-toggle" id="toggle-{layer}" data-layer="{layer}" checked> '
        f'{LAYER_TITLES[layer]} <span class="count">({tally[layer]})</span></label>' for layer in LAYERS)
    return f'<div class="toggles">{boxes}</div>\n'


def _legend(items, compare: bool) -> str:
    labels = {i.ann.label for i in items if i.layer == "entities"}
    kinds = {i.ann.kind for i in items if i.layer == "quotes"}
    cats = {i.ann.category for i in items if i.layer == "claims"}
    parts = ["<b>Entities</b>"] + [f'<span class="key t-{t}">{t}</span>' for t in ENTITY_TYPES if t in labels]
    parts += ["<b>Quotes</b>"] + [f'<span class="key badge kind-{k}">{k}</span>' for k in QUOTE_KINDS if k in kinds]
    parts += ['<span class="key cue-key">cue</span>', "<b>Claims</b>"]
    parts += [f'<span class="key claim-key">{c}</span>' for c in CLAIM_CATEGORIES if c in cats]
    parts += ["<span class=\"key\">✓ check-worthy</span>"]
    if compare:
        parts += ["<b>Against gold</b>"] + [f'<span class="key st-{s}">{s}</span>' for s in STATUSES]
    return f'<div class="legend">{" ".join(parts)}</div>\n'


def _grouped(items, layer):
    """(name, items) groups of one layer, in order of each group's first span."""
    groups = {}
    for item in sorted((i for i in items if i.layer == layer), key=lambda i: (i.start, i.end, i.key)):
        groups.setdefault(item.who, []).append(item)
    return list(groups.items())


def _entry(item) -> str:
    ann = item.ann
    badges = f'<span class="badge">{_e(item.status)}</span>' if item.status else ""
    if item.layer == "quotes":
        badges += f'<span class="badge kind-{ann.kind}">{ann.kind}</span>'
        tail = f' <span class="count">— {_e(ann.cue.text)}</span>' if ann.cue else ""
    elif item.layer == "claims":
        badges += f'<span class="badge">{ann.category}{" ✓" if ann.checkworthy else ""}</span>'
        tail = ""
    else:
        badges += f'<span class="badge t-{ann.label}">{ann.label}</span>'
        tail = ""
    target = _e(dom_id(item.key))
    return (f'<li><a class="jump" href="#{target}" data-target="{target}">{badges}'
            f'{_e(_excerpt(ann.text))}{tail}</a></li>')


def _panel_section(items, layer, heading) -> str:
    groups = _grouped(items, layer)
    body = "".join(f'<h3>{_e(name)} <span class="count">({len(group)})</span></h3>\n'
                   f'<ul>{"".join(_entry(i) for i in group)}</ul>\n' for name, group in groups)
    if not groups:
        body = '<p class="none">none</p>\n'
    return f'<section id="panel-{layer}" data-layer="{layer}">\n<h2>{heading}</h2>\n{body}</section>\n'


def _panel(items, compare: bool) -> str:
    sections = ['<section id="details">\n<h2>Selected</h2>\n<p class="hint">Click a marked span to list '
                'the annotations covering it.</p>\n<ul id="details-list"></ul>\n</section>\n',
                _panel_section(items, "quotes", "Quotes by speaker"),
                _panel_section(items, "claims", "Claims by claimant")]
    if compare:
        sections.append(_panel_section([i for i in items if i.status != "agreed"], "entities",
                                       "Entity disagreements"))
    return f'<aside class="panel">\n{"".join(sections)}</aside>\n'


def document_page(info: PageInfo, text: str, items, index_href: str, compare: bool = False) -> str:
    """The page of one document version: marked text, toggles, legend, side panel."""
    tally = counts(items)
    heading = info.title or info.doc_id
    meta = [info.doc_id, f"v{info.version}", f"sha256 {info.sha256[:12]}", info.publisher,
            info.published, f"split: {info.split}", info.source_label]
    direction = ' dir="rtl"' if info.language.split("-")[0] in RTL_LANGUAGES else ""
    marks = [mark for item in items for mark in _marks(item)]
    warning = f'<p class="warning">{_e(info.warning)}</p>\n' if info.warning else ""
    return (_head(f"{heading} — newsspans")
            + f'<body data-doc="{_e(info.doc_id)}" data-version="{info.version}">\n'
            + '<header class="bar">\n'
            + f'<a href="{_e(index_href)}">← all documents</a>\n<h1>{_e(heading)}</h1>\n'
            + f'<p class="meta">{" · ".join(_e(m) for m in meta if m)}</p>\n' + warning
            + _toggles(tally) + _legend(items, compare) + "</header>\n"
            + '<div class="layout">\n<main>\n'
            + f'<article class="text" lang="{_e(info.language)}"{direction}>{render_marked(text, marks)}</article>\n'
            + "</main>\n" + _panel(items, compare) + "</div>\n"
            + f"<script>\n{_asset('render.js')}</script>\n</body>\n</html>\n")


def index_page(title: str, rows, compare: bool = False) -> str:
    """The table of documents: `rows` are (PageInfo, href, counts) in display order."""
    columns = [f"{layer}.{s}" for layer in LAYERS for s in STATUSES] if compare else list(LAYERS)
    head = "".join(f'<th class="n">{LAYER_TITLES[c.split(".")[0]]}{" " + c.split(".")[1] if "." in c else ""}</th>'
                   for c in columns)
    body, totals = [], dict.fromkeys(columns, 0)
    for info, href, tally in rows:
        cells = "".join(f'<td class="n">{tally.get(c, 0)}</td>' for c in columns)
        for c in columns:
            totals[c] += tally.get(c, 0)
        body.append(f'<tr data-doc="{_e(info.doc_id)}"><td><a href="{_e(href)}">{_e(info.doc_id)}</a></td>'
                    f'<td>{_e(info.title or "")}</td><td>{_e(info.publisher or "")}</td>'
                    f'<td>{_e(info.published or "")}</td><td>{_e(info.split)}</td>'
                    f'<td class="n">v{info.version}</td><td>{_e(info.source_label)}</td>{cells}</tr>\n')
    foot = "".join(f'<td class="n">{totals[c]}</td>' for c in columns)
    return (_head(f"{title} — newsspans") + "<body>\n<header class=\"bar\">\n"
            + f"<h1>{_e(title)}</h1>\n<p class=\"meta\">{len(rows)} document{'s' if len(rows) != 1 else ''}; "
            + "each page shows the latest version of its document.</p>\n</header>\n"
            + '<table class="docs">\n<thead><tr><th>Document</th><th>Title</th><th>Publisher</th>'
            + f'<th>Published</th><th>Split</th><th class="n">Version</th><th>Annotations</th>{head}</tr></thead>\n'
            + f"<tbody>\n{''.join(body)}</tbody>\n"
            + f'<tfoot><tr><td colspan="7">Total</td>{foot}</tr></tfoot>\n</table>\n</body>\n</html>\n')
