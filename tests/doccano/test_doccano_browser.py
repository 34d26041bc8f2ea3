"""Doccano's own web UI in headless Chromium (Debian's chromium and chromium-driver): an
annotator logs in, opens the seed article's annotation page and the guideline.

Checked: every label under a span shows whole (Doccano cuts after 12 characters) in the
colour `setup` gave it, the label chips carry those colours and shortcut keys, and every
`<placeholder>` of the guideline is visible in Doccano's Markdown viewer.

The README's screenshot of the annotation page is written by this test when asked:
    NEWSSPANS_DOCCANO_SCREENSHOT=docs/doccano-annotation.png \\
        .venv/bin/python -m pytest tests/doccano/test_doccano_browser.py
(`make doccano-screenshot` does this).
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsspans.cli import main
from newsspans.doccano import accounts, scheme
from newsspans.doccano.client import Connection
from newsspans.doccano.convert import to_doccano
from newsspans.doccano.project import find_project, guideline, type_ids
from newsspans.doccano.push import example_key
from newsspans.model.corpus import Corpus
from newsspans.render.browser import chromium, missing_browser
from newsspans.store.writing import atomic_write

from tests.doccano.conftest import REPO

WHY_NOT = missing_browser()
if WHY_NOT and os.environ.get("CI"):
    raise RuntimeError(f"browser tests cannot run in CI: {WHY_NOT} (`make test` installs them)")
pytestmark = [pytest.mark.doccano, pytest.mark.skipif(bool(WHY_NOT), reason=WHY_NOT)]

PROJECT = "browser"
ANNOTATOR = "ui-alice"
SEED = "afp-20240619-putin-kim-defence-treaty"
WIDTH, HEIGHT = 1400, 1000
# The icon of Doccano's guideline button (Material Design's "book-open-variant" path).
GUIDELINE_ICON = "M21,4H3A2,2 0 0,0 1,6V19"

SPAN_LABELS = """
const found = [];
for (const g of document.querySelectorAll("svg g")) {
  const line = g.querySelector(":scope > line"), text = g.querySelector(":scope > g > text");
  if (line && text) {
    found.push([text.textContent, line.getAttribute("stroke"),
                text.parentNode.querySelector("circle").getAttribute("fill")]);
  }
}
return found;
"""

CHIPS = """
return Array.from(document.querySelectorAll(".v-chip")).map(chip => {
  const avatar = chip.querySelector(".v-avatar");
  const label = Array.from(chip.querySelector(".v-chip__content").childNodes)
    .filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join("").trim();
  return [label, getComputedStyle(chip).backgroundColor, avatar ? avatar.textContent.trim() : null];
});
"""


def run(server, *args):
    environment = {"NEWSSPANS_DOCCANO_HOME": str(server["state"]), "DOCCANO_URL": server["url"],
                   "DOCCANO_USERNAME": server["username"], "DOCCANO_PASSWORD": server["password"]}
    return CliRunner().invoke(main, [str(a) for a in args], env=environment)


def _copy_repository_data(dest: Path) -> Path:
    for name in ("corpus", "annotations", "schema"):
        shutil.copytree(REPO / name, dest / name)
    shutil.copy2(REPO / "dataset.yaml", dest / "dataset.yaml")
    return dest


def _label_as(conn: Connection, pid: int, example: dict, records: dict):
    """Post one user's spans, relations and comment on an example, as the annotator would."""
    span_types, relation_types = type_ids(conn, pid, "span-types"), type_ids(conn, pid, "relation-types")
    base = f"/v1/projects/{pid}/examples/{example['id']}"
    ids = {}
    for span in records["entities"]:
        ids[span["id"]] = conn.post(f"{base}/spans", json={
            "start_offset": span["start_offset"], "end_offset": span["end_offset"],
            "label": span_types[span["label"]]})["id"]
    for rel in records["relations"]:
        conn.post(f"{base}/relations", json={"from_id": ids[rel["from_id"]], "to_id": ids[rel["to_id"]],
                                             "type": relation_types[rel["type"]]})
    if records["comment"]:
        conn.post(f"/v1/projects/{pid}/comments", params={"example": example["id"]}, json={"text": records["comment"]})


@pytest.fixture(scope="module")
def labelled(tmp_path_factory, doccano_server):
    """The repository's seed article in a project, labelled by an annotator (gold's spans)."""
    server = doccano_server
    root = _copy_repository_data(tmp_path_factory.mktemp("browser"))
    for args in (("setup",), ("push", "--doc", SEED), ("annotator", "add", ANNOTATOR)):
        done = run(server, "doccano", *args, "--project", PROJECT, "--root", root)
        assert done.exit_code == 0, done.output
    username, password = accounts.load(ANNOTATOR, server["state"])
    alice = Connection(server["url"], username, password).login()
    pid = find_project(alice, PROJECT)["id"]
    (example,) = [e for e in alice.paginate(f"/v1/projects/{pid}/examples") if example_key(e) == (SEED, 1)]
    document = Corpus.open(root).document(SEED)
    records = to_doccano(document.gold, document.latest.text)
    _label_as(alice, pid, example, records)
    return {"root": root, "pid": pid, "records": records, "username": username, "password": password,
            "url": server["url"]}


def _wait(driver, condition, timeout=60, what="the page"):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, timeout).until(lambda d: condition(d), message=f"waiting for {what}")


@pytest.fixture(scope="module")
def page(labelled):
    """Chromium on the annotation page of the seed article, logged in as the annotator."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    with chromium(WIDTH, HEIGHT) as driver:
        driver.get(labelled["url"] + "/auth")
        _wait(driver, lambda d: d.find_elements(By.NAME, "password"), what="the login form")
        driver.find_element(By.NAME, "username").send_keys(labelled["username"])
        field = driver.find_element(By.NAME, "password")
        field.send_keys(labelled["password"])
        field.send_keys(Keys.ENTER)
        _wait(driver, lambda d: "/projects" in d.current_url and "/auth" not in d.current_url, what="the login")
        # The annotation page needs the project loaded by the app: go through its home page.
        driver.get(f"{labelled['url']}/projects/{labelled['pid']}")
        # The project is loaded when its name shows in the app bar; a click before that
        # opens an empty annotation page.
        _wait(driver, lambda d: d.find_elements(By.XPATH, f"//header//*[normalize-space(text())='{PROJECT}']"),
              what="the project page")
        driver.find_element(By.XPATH, "//*[contains(text(),'Start Annotation')]").click()
        try:
            _wait(driver, lambda d: len(d.execute_script(SPAN_LABELS)) > 0, what="the spans")
        except Exception:
            atomic_write(Path(os.environ.get("TMPDIR", "/tmp")) / "newsspans-doccano-page.png",
                         driver.get_screenshot_as_png())
            raise
        driver.execute_script("window.scrollTo(0, 0)")
        yield driver


def _hex(rgb: str) -> str:
    return "#" + "".join(f"{int(c):02x}" for c in re.findall(r"\d+", rgb)[:3])


def _all_span_labels(driver):
    """The labels under the spans of the whole text: Doccano draws only what is in view, so
    the page is scrolled down a half screen at a time."""
    import time
    seen, position = set(), 0
    while True:
        driver.execute_script("window.scrollTo(0, arguments[0])", position)
        time.sleep(0.3)
        seen.update(tuple(label) for label in driver.execute_script(SPAN_LABELS))
        height = driver.execute_script("return document.scrollingElement.scrollHeight")
        if position + HEIGHT >= height:
            break
        position += HEIGHT // 2
    driver.execute_script("window.scrollTo(0, 0)")
    return seen


def test_every_span_label_shows_whole_in_its_own_colour(page, labelled):
    shown = _all_span_labels(page)
    wanted = {s["label"] for s in labelled["records"]["entities"]}
    assert {text for text, _, _ in shown} == wanted  # every label of the seed, none cut ("...")
    for text, stroke, dot in shown:
        assert stroke == dot == scheme.label_colour(text), text
    # No two mention, quote or cue labels on the page look alike (claims are told apart by
    # name: one red for the check-worthy, a lighter one for the others).
    colours = {text: stroke for text, stroke, _ in shown if scheme.parse_label(text)[0] != "claims"}
    assert len(set(colours.values())) == len(colours)
    assert len(wanted) >= 15


def test_label_chips_have_the_colours_and_shortcut_keys(page):
    chips = {label: (_hex(background), key) for label, background, key in page.execute_script(CHIPS)
             if label in set(scheme.span_labels())}
    assert set(chips) == set(scheme.span_labels())
    for name, (background, key) in chips.items():
        assert background == scheme.label_colour(name), name
        assert key == scheme.shortcut_key(name), name


def test_screenshot_of_the_annotation_page(page, tmp_path):
    """A PNG of the page as the annotator sees it; written where NEWSSPANS_DOCCANO_SCREENSHOT says."""
    from selenium.webdriver.common.by import By
    assert not page.find_elements(By.CSS_SELECTOR, ".v-dialog--active")  # runs before the guideline opens
    page.execute_script("window.scrollTo(0, 0)")
    png = page.get_screenshot_as_png()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    target = os.environ.get("NEWSSPANS_DOCCANO_SCREENSHOT")
    atomic_write(Path(target) if target else tmp_path / "doccano-annotation.png", png)


def test_the_guidelines_placeholders_are_visible(page, labelled):
    from selenium.webdriver.common.by import By
    sent = guideline(labelled["root"])
    source = (labelled["root"] / "annotations" / "GUIDELINES.md").read_text("utf-8") + scheme.guideline_appendix()
    placeholders = sorted(set(re.findall(r"<[A-Za-z][^<>`\n]*>", source)))
    assert {"<entity-id>", "<mention text>", "<start>", "<end>", "<claim text>", "<category>"} <= set(placeholders)
    assert sent  # what setup stored
    (button,) = [b for b in page.find_elements(By.CSS_SELECTOR, "main button")
                 if (b.find_elements(By.CSS_SELECTOR, "path") or [None])[0] is not None
                 and b.find_element(By.CSS_SELECTOR, "path").get_attribute("d").startswith(GUIDELINE_ICON)]
    button.click()
    dialog = _wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, ".v-dialog--active"), what="the guideline")[0]
    _wait(page, lambda d: "Labelling in Doccano" in dialog.get_attribute("innerText"), what="the guideline text")
    visible = dialog.get_attribute("innerText")
    missing = [p for p in placeholders if p not in visible]
    assert missing == []
    assert "link <entity-id> = <mention text>" in visible  # the line that used to read "link = ..."
    assert "&lt;" not in visible
