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
