"""The HTML view without a browser: structure, offsets, nesting, escaping, freshness."""

import json
import shutil
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest

from newsspans.model.normalize import normalize
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newsspans.cli import main
from newsspans.errors import InvalidCorpus, StaleRender
from newsspans.store.writing import dumps_json
from newsspans.store.hashing import sha256_text
from newsspans.render.site import check_site, iter_pages, render_site, stale_pages
from newsspans.render.spans import Mark, render_marked

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini"
VOID = {"meta", "link", "input", "br", "img", "hr"}


class Page(HTMLParser):
    """A strict reading of one page: tags must close in order; marks and text are collected."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.stack, self.article, self.in_article = [], [], False
        self.fragments = defaultdict(list)    # data-ann -> [(attrs, text, ancestors' data-ann)]
        self.ids, self.jumps = [], []
        self.feed(html)
        self.close()
        assert not self.stack, f"unclosed tags: {self.stack}"

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and "jump" in attrs.get("class", ""):
            self.jumps.append(attrs)
        if tag in VOID:
            return
        if tag == "article":
            self.in_article = True
        if self.in_article and "data-ann" in attrs:
            outer = [a["data-ann"] for _, a in self.stack if "data-ann" in a]
            self.fragments[attrs["data-ann"]].append([attrs, "", outer])
        self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack and self.stack[-1][0] == tag, f"</{tag}> closes <{self.stack[-1][0]}>"
        self.stack.pop()
        if tag == "article":
            self.in_article = False

    def handle_data(self, data):
        if not self.in_article:
            return
        self.article.append(data)
        for _, attrs in self.stack:
            if "data-ann" in attrs:
                self.fragments[attrs["data-ann"]][-1][1] += data

    @property
    def text(self):
        return "".join(self.article)

    def joined(self, key):
        return "".join(text for _, text, _ in self.fragments[key])

    def layer_keys(self, layer):
        return {k for k, frags in self.fragments.items() if frags[0][0]["data-layer"] == layer}


def pages(root, compare=None):
    return {rel: data.decode("utf-8") for rel, data in iter_pages(root, compare)}


def add_document(root, doc_id, text, gold_layers, registry_entities=()):
    """A document of one version written straight into a corpus, with its gold file.

    `text` must be canonical but for its final newline (which is added), so that offsets
    computed on it stay right.
    """
    assert normalize(text) == text.rstrip("\n") + "\n", "write the test text in canonical form"
    text = normalize(text)
    folder = root / "corpus" / doc_id
    folder.mkdir(parents=True)
    (folder / "v1.txt").write_text(text, encoding="utf-8")
    (folder / "raw.txt").write_text(text, encoding="utf-8")
    sha = sha256_text(text)
    doc = json.loads((MINI / "corpus" / "mini-brittany-storm" / "document.json").read_text("utf-8"))
    doc["id"], doc["title"] = doc_id, None
    doc["raw"] = {"file": "raw.txt", "sha256": sha, "bytes": len(text.encode("utf-8"))}
    doc["versions"][0]["sha256"] = sha
    (folder / "document.json").write_bytes(dumps_json(doc))
    gold = {"doc_id": doc_id, "version": 1, "sha256": sha,
            "provenance": {"annotators": ["test"], "method": "adjudicated", "created": "2026-11-28",
                           "modified": "2026-11-28"},
            "entities": [], "quotes": [], "claims": []}
    gold.update(gold_layers)
    (root / "annotations" / doc_id).mkdir(parents=True)
    (root / "annotations" / doc_id / "gold.json").write_bytes(dumps_json(gold))
    if registry_entities:
        path = root / "annotations" / "entities.json"
        registry = json.loads(path.read_text("utf-8"))
        registry["entities"].extend(registry_entities)
        path.write_bytes(dumps_json(registry))
    return doc_id


def span(text, needle, **fields):
    start = text.index(needle)
    return {"start": start, "end": start + len(needle), "text": needle, **fields}


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    return root


# Offsets and structure ----------------------------------------------------------------

@pytest.mark.parametrize("doc_id", ["mini-brittany-storm", "mini-tromso-schools"])
def test_page_text_is_the_canonical_text_and_every_annotation_joins_to_its_text(corpus, doc_id):
    page = Page(pages(corpus)[f"documents/{doc_id}.html"])
    text = (corpus / "corpus" / doc_id / "v1.txt").read_text("utf-8")
    gold = json.loads((corpus / "annotations" / doc_id / "gold.json").read_text("utf-8"))
    assert page.text == text
    for layer in ("entities", "quotes", "claims"):
        assert page.layer_keys(layer) == {a["id"] for a in gold[layer]}
        for ann in gold[layer]:
            frags = page.fragments[ann["id"]]
            assert page.joined(ann["id"]) == ann["text"]
            assert {(f[0]["data-start"], f[0]["data-end"]) for f in frags} == {(str(ann["start"]), str(ann["end"]))}
            assert [f[0]["data-frag"] for f in frags] == [str(i) for i in range(len(frags))]
            assert all(f[0]["data-frags"] == str(len(frags)) for f in frags)
    for quote in gold["quotes"]:
        assert page.joined(f"{quote['id']}/cue") == quote["cue"]["text"]
    assert len(page.ids) == len(set(page.ids)), "element ids repeat"
    assert {j["data-target"] for j in page.jumps} >= {f"ann-{a['id']}" for a in gold["quotes"] + gold["claims"]}
    assert all(t in page.ids for t in (j["data-target"] for j in page.jumps))


def test_a_quote_holds_its_claim_which_holds_its_mentions(corpus):
    page = Page(pages(corpus)["documents/mini-brittany-storm.html"])
    (attrs, text, outer), = page.fragments["m3"]    # "20,000" inside claim c1 inside quote q1
    assert outer == ["q1", "c1"] and text == "20,000"
    (_, _, outer), = page.fragments["c1"]
    assert outer == ["q1"]
    assert page.fragments["m5"][0][2] == ["m4"]     # "Enedis" inside "the utility Enedis"
    assert "Enedis · indirect" in page.fragments["q1"][0][0]["data-badge"]


def test_same_span_quote_and_claim_nest_quote_outside(corpus):
    page = Page(pages(corpus)["documents/mini-tromso-schools.html"])
    assert page.fragments["c1"][0][2] == ["q1"]     # identical spans: the quote is outermost
    assert "Zoë Ångström · indirect" == page.fragments["q1"][0][0]["data-badge"]


def test_overlapping_spans_are_split_into_fragments_sharing_one_id(corpus):
    text = "Officials said the bridge will close in May and reopen in 2026, the ministry added."
    add_document(corpus, "overlap-doc", text, {
        "entities": [dict(span(text, "the ministry", id="m1", label="ORG", mention="NOM", entity="ministry")),
                     dict(span(text, "May", id="m2", label="DATE", mention="NAM", entity=None))],
        "quotes": [dict(span(text, "the bridge will close in May", id="q1", kind="indirect", speaker="m1",
                             cue=span(text, "added")))],
        "claims": [dict(span(text, "close in May and reopen in 2026", id="c1", claimant="m1", quote=None,
                             checkworthy=True, category="prediction"))]},
        registry_entities=[{"id": "ministry", "name": "The ministry", "type": "ORG", "wikidata": None}])
    page = Page(pages(corpus)["documents/overlap-doc.html"])
    assert page.text == text + "\n"
    claim = page.fragments["c1"]
    assert [f[1] for f in claim] == ["close in May", " and reopen in 2026"]
    assert [f[2] for f in claim] == [["q1"], []]
    assert page.fragments["m2"][0][2] == ["q1", "c1"]
    assert len([i for i in page.ids if i == "ann-c1"]) == 1


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_spans_render_well_formed_with_exact_fragments(data):
    text = data.draw(st.text(alphabet=st.sampled_from(list("ab <>&\"'\n") + ["🎉", "é", "\u0301", "م"]),
                             min_size=1, max_size=40))
    layers = ["entities", "quotes", "claims", "cues"]
    marks = []
    for i in range(data.draw(st.integers(0, 8))):
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        marks.append(Mark(f"k{i}", data.draw(st.sampled_from(layers)), start, end, "ann", f"<t{i}>"))
    html = render_marked(text, marks)
    page = Page(f"<article>{html}</article>")
    assert page.text == text
    for mark in marks:
        assert page.joined(mark.key) == text[mark.start:mark.end]
        assert sum(1 for f in page.fragments[mark.key] if "id" in f[0]) == 1


# Escaping and determinism --------------------------------------------------------------

def test_everything_is_escaped(corpus):
    text = 'The <script>alert("x")</script> & <b>Bold</b> said "hi".'
    add_document(corpus, "escape-doc", text, {
        "entities": [dict(span(text, "<b>Bold</b>", id="m1", label="ORG", mention="NAM", entity="evil-org"))],
        "quotes": [dict(span(text, "hi", id="q1", kind="direct", speaker="m1", cue=span(text, "said")))],
        "claims": []},
        registry_entities=[{"id": "evil-org", "name": "<img src=x onerror=alert(1)>\"'", "type": "ORG",
                            "wikidata": None}])
    html = pages(corpus)["documents/escape-doc.html"]
    assert "<script>alert" not in html and "<img" not in html and "<b>Bold" not in html
    assert html.count("<script>") == 1
    page = Page(html)
    assert page.text == text + "\n"
    assert page.fragments["q1"][0][0]["data-badge"] == "<img src=x onerror=alert(1)>\"' · direct"


def test_output_is_byte_identical_for_the_same_corpus(corpus, tmp_path):
    render_site(corpus, tmp_path / "a")
    render_site(corpus, tmp_path / "b")
    a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.html"))
    assert a == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.html"))
    assert all((tmp_path / "a" / p).read_bytes() == (tmp_path / "b" / p).read_bytes() for p in a)
    assert len(a) == 3
    assert b"http://" not in (tmp_path / "a" / "index.html").read_bytes()
    assert all(b"https://" not in (tmp_path / "a" / p).read_bytes() and b"<link rel=\"stylesheet" not in
               (tmp_path / "a" / p).read_bytes() for p in a)


def test_index_lists_documents_with_counts(corpus):
    html = pages(corpus)["index.html"]
    assert '<a href="documents/mini-brittany-storm.html">' in html
    row = html.split('<tr data-doc="mini-tromso-schools">')[1].split("</tr>")[0]
    assert row.endswith('<td class="n">16</td><td class="n">4</td><td class="n">3</td>')
    assert '<td colspan="7">Total</td><td class="n">25</td><td class="n">6</td><td class="n">5</td>' in html


# Comparison with gold ----------------------------------------------------------------

def test_compare_distinguishes_agreed_missing_and_extra(corpus):
    site = pages(corpus, "alice")
    assert set(site) == {"compare/alice/index.html", "compare/alice/documents/mini-tromso-schools.html"}
    page = Page(site["compare/alice/documents/mini-tromso-schools.html"])
    status = {key: frags[0][0]["class"].split(" st-")[1].split()[0] for key, frags in page.fragments.items()
              if not key.endswith("/cue")}
    assert status["g:m1"] == "missing" and status["u:m1"] == "extra"    # "Zoë Ångström" vs "Mayor Zoë Ångström"
    assert status["g:m14"] == "missing" and status["g:c3"] == "missing"
    assert sorted(k for k, s in status.items() if s == "agreed") == sorted(
        [f"g:m{i}" for i in range(2, 14)] + ["g:m15", "g:m16", "g:q1", "g:q2", "g:q3", "g:q4",
                                                        "g:c1", "g:c2"])
    index = site["compare/alice/index.html"]
    assert ('<td class="n">14</td><td class="n">2</td><td class="n">1</td><td class="n">4</td><td class="n">0</td>'
            '<td class="n">0</td><td class="n">2</td><td class="n">1</td><td class="n">0</td>') in index


def test_compare_notes_what_an_agreed_span_disagrees_on(corpus):
    path = corpus / "annotations" / "mini-tromso-schools" / "annotators" / "alice.json"
    data = json.loads(path.read_text("utf-8"))
    data["claims"][1]["category"], data["claims"][1]["checkworthy"] = "statistic", False
    path.write_bytes(dumps_json(data))
    page = Page(pages(corpus, "alice")["compare/alice/documents/mini-tromso-schools.html"])
    title = page.fragments["g:c2"][0][0]["title"]
    assert title.endswith("annotator differs: category: statistic; check-worthy: no")


# Errors ------------------------------------------------------------------------------

def test_an_invalid_corpus_is_refused_with_every_problem_not_drawn(corpus):
    path = corpus / "annotations" / "mini-brittany-storm" / "gold.json"
    data = json.loads(path.read_text("utf-8"))
    data["claims"][1]["end"] = 235
    data["quotes"][0]["speaker"] = "m99"
    path.write_bytes(dumps_json(data))
    with pytest.raises(InvalidCorpus) as err:
        pages(corpus)
    assert [p.format() for p in err.value.problems] == [
        "annotations/mini-brittany-storm/gold.json (mini-brittany-storm@1) $.claims[1].text: "
        "text[202:235] is 'It was the second storm in a week', but the annotation says "
        "'It was the second storm in a week.'",
        "annotations/mini-brittany-storm/gold.json (mini-brittany-storm@1) $.quotes[0].speaker: "
        "speaker 'm99' is not a mention id in this file"]


def test_gold_pinned_to_an_older_version_is_not_drawn_and_says_why(corpus):
    folder = corpus / "corpus" / "mini-brittany-storm"
    doc = json.loads((folder / "document.json").read_text("utf-8"))
    text = (folder / "v1.txt").read_text("utf-8").replace("Tuesday", "Wednesday")
    (folder / "v2.txt").write_text(text, encoding="utf-8")
    doc["versions"].append({"version": 2, "file": "v2.txt", "sha256": sha256_text(text),
                            "created": "2026-11-28", "note": "corrected the day"})
    doc["reanchor_pending"] = True     # valid while the gold waits to be re-anchored
    (folder / "document.json").write_bytes(dumps_json(doc))
    html = pages(corpus)["documents/mini-brittany-storm.html"]
    assert not Page(html).fragments
    assert "is pinned to v1, not to the latest version v2" in html


# Freshness ----------------------------------------------------------------------------

def test_check_names_stale_missing_and_left_over_pages(corpus, tmp_path):
    out = corpus / "docs"
    render_site(corpus, out)
    assert check_site(corpus, out) == 3
    (out / "documents" / "mini-brittany-storm.html").write_text("old", encoding="utf-8")
    (out / "index.html").unlink()
    shutil.rmtree(corpus / "corpus" / "mini-tromso-schools")
    shutil.rmtree(corpus / "annotations" / "mini-tromso-schools")
    assert stale_pages(corpus, out) == [("documents/mini-brittany-storm.html", "out of date"),
                                        ("index.html", "missing"),
                                        ("documents/mini-tromso-schools.html", "left over: no such document")]
    with pytest.raises(StaleRender, match=r"^3 rendered pages are stale \(run `newsspans render`\): "
                                          r"docs/documents/mini-brittany-storm.html \(out of date\); "):
        check_site(corpus, out)
    (out / "documents" / "notes.html").write_text("<p>mine</p>", encoding="utf-8")
    report = render_site(corpus, out)
    assert report.removed == ["documents/mini-tromso-schools.html"]
    assert report.written == ["documents/mini-brittany-storm.html", "index.html"]
    assert (out / "documents" / "notes.html").is_file()    # not ours: never deleted


def test_cli_render_then_check(corpus):
    runner = CliRunner()
    result = runner.invoke(main, ["render", "--root", str(corpus)])
    assert result.exit_code == 0, result.output
    assert result.output == f"rendered 3 pages into {corpus.as_posix()}/docs/: 3 written, 0 unchanged, 0 removed\n"
    result = runner.invoke(main, ["render", "--root", str(corpus), "--check"])
    assert (result.exit_code, result.output) == (0, f"3 pages in {corpus.as_posix()}/docs/ are fresh\n")
    (corpus / "docs" / "index.html").write_text("stale", encoding="utf-8")
    result = runner.invoke(main, ["render", "--root", str(corpus), "--check"])
    assert result.exit_code == 1
    assert result.output == ("Error: 1 rendered page is stale (run `newsspans render`): "
                             "docs/index.html (out of date)\n")
    result = runner.invoke(main, ["render", "--root", str(corpus), "--compare", "../alice"])
    assert result.exit_code == 1 and result.output.startswith("Error: annotator name '../alice' is not allowed")


@pytest.mark.parametrize("command", ["render", "screenshot"])
def test_commands_have_help_with_an_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "--root" in result.output


def test_the_committed_site_is_fresh():
    """docs/ must be re-rendered whenever the corpus changes: `newsspans render --root .`."""
    result = CliRunner().invoke(main, ["render", "--root", str(REPO), "--check"])
    assert result.exit_code == 0, result.output


def test_a_document_without_gold_shows_its_text_alone(corpus):
    (corpus / "annotations" / "mini-brittany-storm" / "gold.json").unlink()
    html = pages(corpus)["documents/mini-brittany-storm.html"]
    page = Page(html)
    assert page.text == (corpus / "corpus" / "mini-brittany-storm" / "v1.txt").read_text("utf-8")
    assert not page.fragments and "no gold annotations yet" in html
    assert html.count('<p class="none">none</p>') == 2


def test_every_seed_gold_annotation_is_on_its_page():
    seed = "afp-20240619-putin-kim-defence-treaty"
    gold = json.loads((REPO / "annotations" / seed / "gold.json").read_text("utf-8"))
    page = Page(pages(REPO)[f"documents/{seed}.html"])
    assert page.text == (REPO / "corpus" / seed / "v1.txt").read_text("utf-8")
    for layer in ("entities", "quotes", "claims"):
        assert page.layer_keys(layer) == {a["id"] for a in gold[layer]}
        assert all(page.joined(a["id"]) == a["text"] for a in gold[layer])
    for claim in gold["claims"]:
        if claim["quote"]:
            quote = next(q for q in gold["quotes"] if q["id"] == claim["quote"])
            if quote["start"] <= claim["start"] and claim["end"] <= quote["end"]:
                assert all(claim["quote"] in outer for _, _, outer in page.fragments[claim["id"]])
