"""The rendered pages in headless Chromium (Debian's chromium and chromium-driver)."""

import json
import os
import shutil
import struct

import pytest
from test_render import MINI, REPO, add_document, span

from newsspans.render.browser import chromium, missing_browser, screenshot, serve
from newsspans.render.site import render_site

WHY_NOT = missing_browser()
if WHY_NOT and os.environ.get("CI"):
    raise RuntimeError(f"browser tests cannot run in CI: {WHY_NOT} (`make test` installs them)")
pytestmark = pytest.mark.skipif(bool(WHY_NOT), reason=WHY_NOT)

LONG_ID = "long-dam-report"
DOCS = ("mini-brittany-storm", "mini-tromso-schools", LONG_ID)

COUNT_MARKS = """
const ids = {}, fragments = {}, texts = {};
for (const el of document.querySelectorAll("article [data-ann]")) {
  const layer = el.getAttribute("data-layer"), key = el.getAttribute("data-ann");
  (ids[layer] = ids[layer] || new Set()).add(key);
  fragments[layer] = (fragments[layer] || 0) + 1;
  texts[key] = (texts[key] || "") + el.textContent;
}
const sizes = {};
for (const layer in ids) { sizes[layer] = ids[layer].size; }
return {ids: sizes, fragments: fragments, texts: texts,
        text: document.querySelector("article").textContent};
"""

STYLES = """
return Array.from(document.querySelectorAll(arguments[0])).map(el => {
  const s = getComputedStyle(el);
  return {background: s.backgroundColor, shadow: s.boxShadow, border: s.borderBottomStyle,
          after: getComputedStyle(el, "::after").content, before: getComputedStyle(el, "::before").content};
});
"""

IN_VIEW = """
const r = arguments[0].getBoundingClientRect();
return {top: r.top, bottom: r.bottom, height: window.innerHeight};
"""


def _long_text():
    filler = [f"Paragraph {i} describes the valley, its farms and the road along the river." for i in range(60)]
    return "\n\n".join(filler + ["Far downstream, the minister said the dam will open in 2030, "
                                 "years after the first plan."])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser") / "mini"
    shutil.copytree(MINI, root)
    text = _long_text()
    add_document(root, LONG_ID, text, {
        "entities": [span(text, "the minister", id="m1", label="PERSON", mention="NOM", entity="the-minister"),
                     span(text, "2030", id="m2", label="DATE", mention="NAM", entity=None)],
        "quotes": [span(text, "the dam will open in 2030", id="q1", kind="indirect", speaker="m1",
                        cue=span(text, "said"))],
        # The claim overlaps the quote without nesting in it (so it is not "in" the quote).
        "claims": [span(text, "open in 2030, years after the first plan", id="c1", claimant="m1",
                        quote=None, checkworthy=True, category="prediction")]},
        registry_entities=[{"id": "the-minister", "name": "The minister", "type": "PERSON", "wikidata": None}])
    render_site(root, root / "docs")
    render_site(root, root / "docs", compare="alice")
    return root


@pytest.fixture(scope="module")
def browser(site):
    with serve(site / "docs") as base, chromium(1280, 800) as driver:
        driver.base = base
        yield driver


def _load(driver, page):
    driver.get(driver.base + page)
    assert driver.execute_script("return document.readyState") == "complete"
    return driver


def _errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]


def _gold(site, doc_id):
    return json.loads((site / "annotations" / doc_id / "gold.json").read_text("utf-8"))


def test_console_errors_are_seen(browser):
    _load(browser, "index.html")
    browser.get_log("browser")
    browser.execute_script("console.error('probe 0b1f')")
    assert any("probe 0b1f" in e["message"] for e in _errors(browser))


@pytest.mark.parametrize("page", ["index.html"] + [f"documents/{d}.html" for d in DOCS]
                         + ["compare/alice/index.html", "compare/alice/documents/mini-tromso-schools.html"])
def test_pages_load_without_console_errors(browser, page):
    browser.get_log("browser")
    _load(browser, page)
    assert _errors(browser) == []
    assert browser.title.endswith("— newsspans")


@pytest.mark.parametrize("doc_id", DOCS)
def test_marked_annotations_per_layer_equal_the_gold_counts(browser, site, doc_id):
    found = _load(browser, f"documents/{doc_id}.html").execute_script(COUNT_MARKS)
    gold = _gold(site, doc_id)
    text = (site / "corpus" / doc_id / "v1.txt").read_text("utf-8")
    assert found["text"] == text
    for layer in ("entities", "quotes", "claims"):
        assert found["ids"].get(layer, 0) == len(gold[layer]), layer
        for ann in gold[layer]:
            assert found["texts"][ann["id"]] == ann["text"]
    assert found["ids"].get("cues", 0) == sum(1 for q in gold["quotes"] if q["cue"])
    assert _errors(browser) == []


def test_overlap_is_drawn_as_more_fragments_than_annotations(browser):
    found = _load(browser, f"documents/{LONG_ID}.html").execute_script(COUNT_MARKS)
    assert found["ids"]["claims"] == 1 and found["fragments"]["claims"] == 2


def test_compare_page_marks_agreed_missing_and_extra(browser):
    _load(browser, "compare/alice/documents/mini-tromso-schools.html")
    counts = browser.execute_script("""
        const out = {};
        for (const s of ["agreed", "missing", "extra"]) {
          out[s] = new Set(Array.from(document.querySelectorAll("article .st-" + s + ":not(.cue)"),
                                      el => el.getAttribute("data-ann"))).size;
        }
        return out;""")
    assert counts == {"agreed": 20, "missing": 3, "extra": 1}
    missing = browser.execute_script(STYLES, "article .ent.st-missing")
    assert missing and all("224, 49, 49" in s["shadow"] for s in missing)


@pytest.mark.parametrize("layer,selector", [("entities", "article .ann.ent"), ("quotes", "article .ann.quote"),
                                            ("claims", "article .ann.claim")])
def test_a_toggle_hides_its_layer_and_only_it(browser, layer, selector):
    _load(browser, "documents/mini-brittany-storm.html")
    others = {"entities": "article .ann.quote", "quotes": "article .ann.ent", "claims": "article .ann.quote"}[layer]
    before = browser.execute_script(STYLES, selector)
    assert before and all(s["background"] != "rgba(0, 0, 0, 0)" or s["border"] != "none" for s in before)
    other_before = browser.execute_script(STYLES, others)
    browser.find_element("id", f"toggle-{layer}").click()
    after = browser.execute_script(STYLES, selector)
    assert all(s["background"] == "rgba(0, 0, 0, 0)" and s["shadow"] == "none" and s["border"] == "none"
               and s["after"] == "none" and s["before"] == "none" for s in after)
    assert browser.execute_script(STYLES, others) == other_before
    panel = browser.find_elements("id", f"panel-{layer}")
    assert all(not p.is_displayed() for p in panel)
    browser.find_element("id", f"toggle-{layer}").click()
    assert browser.execute_script(STYLES, selector) == before
    assert _errors(browser) == []


def test_clicking_a_side_panel_entry_brings_its_span_into_view(browser):
    _load(browser, f"documents/{LONG_ID}.html")
    target = browser.find_element("id", "ann-c1")
    box = browser.execute_script(IN_VIEW, target)
    assert box["top"] > box["height"], "the claim should start out of view"
    browser.find_element("css selector", 'aside a.jump[data-target="ann-c1"]').click()
    box = browser.execute_script(IN_VIEW, target)
    assert 0 <= box["top"] and box["bottom"] <= box["height"], box
    flashed = browser.execute_script(
        "return Array.from(document.querySelectorAll('article .flash'), el => el.getAttribute('data-ann'))")
    assert flashed == ["c1", "c1"]
    assert _errors(browser) == []


def test_screenshot(site, tmp_path):
    png = screenshot(site / "docs", "documents/mini-tromso-schools.html", tmp_path / "page.png", 1200, 700)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1200, 700)
    assert len(data) > 20_000


def test_the_committed_seed_page_shows_every_annotation():
    seed = "afp-20240619-putin-kim-defence-treaty"
    gold = json.loads((REPO / "annotations" / seed / "gold.json").read_text("utf-8"))
    with serve(REPO / "docs") as base, chromium(1400, 1000) as driver:
        driver.get(base + f"documents/{seed}.html")
        found = driver.execute_script(COUNT_MARKS)
        hidden = driver.execute_script("""
            return Array.from(document.querySelectorAll("article [data-ann]")).filter(el => {
              const r = el.getBoundingClientRect();
              return r.width <= 0 || r.height <= 0 || getComputedStyle(el).visibility !== "visible";
            }).map(el => el.getAttribute("data-ann"));""")
        assert _errors(driver) == []
    assert found["text"] == (REPO / "corpus" / seed / "v1.txt").read_text("utf-8")
    for layer in ("entities", "quotes", "claims"):
        assert found["ids"].get(layer, 0) == len(gold[layer])
        assert all(found["texts"][a["id"]] == a["text"] for a in gold[layer])
    assert hidden == []


def test_clicking_the_text_lists_the_annotations_covering_it(browser):
    _load(browser, "documents/mini-brittany-storm.html")
    browser.find_element("id", "ann-m3").click()     # "20,000", in claim c1, in quote q1
    listed = [li.text for li in browser.find_elements("css selector", "#details-list li")]
    titles = [browser.find_element("id", f"ann-{k}").get_attribute("title") for k in ("m3", "c1", "q1")]
    assert listed == titles
    assert listed[1] == "claim c1; claimant: Enedis; category: statistic; check-worthy: yes; in quote q1"
    assert listed[2] == "indirect quote q1; speaker: Enedis; cue: said"
