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
