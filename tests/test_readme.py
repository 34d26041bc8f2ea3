import re

from conftest import REPO


def test_the_readme_opens_with_the_two_newcomer_commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    body = text.split("\n---\n", 1)[1]
    sections = re.split(r"^## ", body, flags=re.M)
    assert sections[0].strip() == "# newsspans"
    quick = sections[1]
    assert quick.startswith("Quick start")
    assert "make build" in quick and "make test" in quick


def test_ci_runs_the_readme_test_command():
    run = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", run, flags=re.M)


def test_the_readme_python_example_runs(monkeypatch):
    """The README's API example is a doctest, run on the repository's own corpus."""
    import doctest
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## The Python API", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert examples, "the Python API section has no example"
    monkeypatch.chdir(REPO)
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for i, example in enumerate(examples):
        test = parser.get_doctest(example, {}, f"README.md example {i + 1}", "README.md", 0)
        assert test.examples, "an example with no >>> lines tests nothing"
        runner.run(test)
    assert runner.failures == 0


def _curating_commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Curating\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_the_curating_section_runs_as_written_on_a_copy_of_the_fixture(gaps):
    """Every command of "Curating", verbatim, in order, each exiting 0, and the outcome the
    prose describes: the headline kept in the text, a document without claims released,
    then revised with its annotations carried over and released again."""
    import json
    import os
    import subprocess
    import sys
    commands = _curating_commands()
    assert sum(c.startswith("newsspans ") for c in commands) >= 14
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    outputs = []
    for command in commands:
        done = subprocess.run(["bash", "-c", command], cwd=gaps, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        outputs.append(done.stdout)
    doc = gaps / "corpus" / "harbour-reopens"
    assert (doc / "v1.txt").read_text(encoding="utf-8").splitlines()[0] == "Harbour Report"
    assert json.loads((doc / "document.json").read_text(encoding="utf-8"))["title"] == \
        {"text": "Harbour Report", "assigned_by": "publisher"}
    gold = json.loads((gaps / "annotations" / "harbour-reopens" / "gold.json").read_text(encoding="utf-8"))
    v2 = (doc / "v2.txt").read_text(encoding="utf-8")
    assert (gold["version"], gold["claims"], "orphans" in gold) == (2, [], False)
    assert [(m["id"], v2[m["start"]:m["end"]]) for m in gold["entities"]] == \
        [("m1", "Brest"), ("m2", "Friday"), ("m3", "Yann Le Gall")]
    assert v2[gold["quotes"][0]["cue"]["start"]:gold["quotes"][0]["cue"]["end"]] == "said"
    lint = outputs[commands.index("newsspans lint --doc harbour-reopens")]
    assert lint == ""   # clean (the word goes to stderr)
    releases = [out.splitlines()[0] for c, out in zip(commands, outputs) if c.startswith("newsspans release")]
    assert releases[0] == "release v0.1.0 (initial)"
    assert releases[1].startswith("release v1.0.0 (major")
