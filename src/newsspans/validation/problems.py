"""Problems: what is wrong with the corpus, and where (file, document@version, JSON path)."""

from dataclasses import dataclass
from typing import Optional

from newsspans.errors import JsonError
from newsspans.validation.schemas import is_valid, validator


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the corpus, and where."""

    file: str
    message: str
    path: str = "$"
    doc: Optional[str] = None

    def format(self) -> str:
        where = f"{self.file} ({self.doc})" if self.doc else self.file
        return f"{where} {self.path}: {self.message}"

    def asdict(self) -> dict:
        return {"file": self.file, "doc": self.doc, "path": self.path, "message": self.message}


def schema_problems(kind, data, file, doc=None):
    """The schema errors of `data`: the compiled validator decides, the reference explains."""
    if is_valid(kind, data):
        return []
    from jsonschema.exceptions import best_match
    errors = [best_match([e]) if e.context else e for e in validator(kind).iter_errors(data)]
    if not errors:   # the two validators disagree: never let that pass silently
        return [Problem(file, f"rejected by the compiled {kind} schema validator, but the "
                              f"reference finds no error: please report this newsspans bug", "$", doc)]
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    return [Problem(file, _message(e) + _span_context(data, e.absolute_path), e.json_path, doc)
            for e in errors]


def _message(error) -> str:
    """jsonschema's message, with JSON's null, true and false for Python's None, True, False."""
    for python, json_name in ((None, "null"), (True, "true"), (False, "false")):
        shown = repr(python)
        if error.instance is python and error.message.startswith(shown + " "):
            return json_name + error.message[len(shown):]
    return error.message


def read_problem(file, exc, doc=None):
    """A file that cannot be read or parsed, as a Problem."""
    if isinstance(exc, JsonError):
        return Problem(file, exc.detail, exc.path, doc)
    return Problem(file, str(exc).split(": ", 1)[-1], doc=doc)


def _span_context(data, path) -> str:
    """' (span [s:e] 'text')' for the innermost annotation around `path`, if there is one."""
    node, found = data, None
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and all(type(node.get(k)) is int for k in ("start", "end")):
            found = node
    if found is None:
        return ""
    text = found.get("text")
    shown = f" {text!r}" if isinstance(text, str) else ""
    return f" (span [{found['start']}:{found['end']}]{shown})"


def pinned(doc_id, data) -> str:
    """`doc@version` of an annotation file, as far as it can be read."""
    version = data.get("version") if isinstance(data, dict) else None
    return f"{doc_id}@{version}" if type(version) is int else doc_id
