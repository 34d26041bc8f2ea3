"""The lines of a Doccano export, checked before anything converts them.

A server is not trusted to send what Doccano 1.8 sends: every line of a `<user>.jsonl`
must be UTF-8, one JSON object, valid against schema/doccano-export.schema.json, with
integers where Doccano writes integers (not 3.0), each span, relation and comment id
once, and every relation joining two spans of its example. A line that is not is a
Problem located by file, line, example and JSON path, and is left out of the records,
so that conversion never meets it: never a traceback, never a silent loss.
"""

from collections import Counter
from functools import lru_cache

import orjson
from jsonschema import validators

from newsspans.validation.problems import Problem, _message
from newsspans.validation.schemas import is_valid, load_schema, validator

KIND = "doccano-export"
# Keys Doccano writes itself; every other key of a line is a meta key of the example.
_OWN = ("id", "text", "entities", "relations", "Comments")
MAX_META_DEPTH = 32


class Export(dict):
    """{user: [record, ...]} of the lines that passed; `.problems` {user: [Problem, ...]}
    of the others, and `.refused` {user: {example id, ...}} where a refused line's example
    id could be read (an example someone worked on, though it cannot be converted)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.problems, self.refused = {}, {}


def parse_export(name: str, data: bytes):
    """([record, ...], [Problem, ...], {refused example id, ...}) of one `<user>.jsonl`
    member of the export zip."""
    records, problems, lines_of, refused = [], [], {}, set()
    for number, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        where = f"Doccano export {name} line {number}"
        value, found = _parse(line, where)
        found = found or check_record(value, where)
        if not found and value["id"] in lines_of:
            found = [Problem(where, f"example {value['id']} again (first on line {lines_of[value['id']]}); "
                                    f"neither line can be trusted", "$.id", f"example {value['id']}")]
            records = [r for r in records if r["id"] != value["id"]]
        if found:
            problems.extend(found)
            if isinstance(value, dict) and type(value.get("id")) is int:
                refused.add(value["id"])
            continue
        lines_of[value["id"]] = number
        records.append(value)
    return records, problems, refused


def _parse(line: bytes, where):
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(where, f"not UTF-8 (byte {exc.start + 1} of the line is "
                                     f"0x{line[exc.start]:02x})")]
    try:
        return orjson.loads(line), []
    except orjson.JSONDecodeError as exc:
        # orjson's own words ("depth limit exceeded", "unexpected character", "lone leading
        # surrogate"), without echoing the line.
        return None, [Problem(where, f"not JSON: {str(exc).split(': line ')[0]} (column {exc.colno})")]


def check_record(record, where: str):
    """The problems of one parsed line; [] when conversion may use it."""
    if not isinstance(record, dict):
        return [Problem(where, f"a JSON {_json_type(record)}, not an object (an example)")]
    doc = _example(record)
    if is_valid(KIND, record) and not _floats(record):
        problems = []
    else:
        errors = sorted(_strict().iter_errors(record), key=lambda e: [str(p) for p in e.absolute_path])
        problems = [Problem(where, _short(_message(e)), e.json_path, doc) for e in errors]
    problems += _too_deep(record, where, doc)
    if problems:
        return problems
    return _ids(record, where, doc)


def _example(record):
    number = record.get("id")
    if type(number) is not int:
        return None
    doc_id, version = record.get("doc_id"), record.get("version")
    if isinstance(doc_id, str) and isinstance(version, (int, float)):
        return f"example {number}, {doc_id}@{version:g}"
    return f"example {number}"


def _floats(record) -> bool:
    """Whether a number Doccano writes as an integer came as a float (the fast schema
    validator, like the JSON Schema standard, takes 3.0 for an integer)."""
    if type(record.get("id")) is float:
        return True
    for key in ("entities", "relations", "Comments"):
        items = record.get(key)
        if isinstance(items, list) and any(type(v) is float for item in items if isinstance(item, dict)
                                           for v in item.values()):
            return True
    return False


def _too_deep(record, where, doc):
    """Meta values nested past MAX_META_DEPTH (the schema constrains every other key)."""
    stack = [(value, 1, f"$.{key}") for key, value in record.items() if key not in _OWN]
    while stack:
        value, depth, path = stack.pop()
        if depth > MAX_META_DEPTH:
            return [Problem(where, f"nested deeper than {MAX_META_DEPTH} levels", path, doc)]
        if isinstance(value, dict):
            stack.extend((v, depth + 1, path) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, path) for v in value)
    return []


def _ids(record, where, doc):
    """Each id once per example, and every relation between two of its spans."""
    problems = []
    for key in ("entities", "relations", "Comments"):
        counts = Counter(item["id"] for item in record[key])
        for index, item in enumerate(record[key]):
            if counts[item["id"]] > 1:
                problems.append(Problem(where, f"id {item['id']} is used by {counts[item['id']]} items of "
                                               f"{key}; each must have its own",
                                        f"$.{key}[{index}].id", doc))
    spans = {span["id"] for span in record["entities"]}
    for index, relation in enumerate(record["relations"]):
        for end in ("from_id", "to_id"):
            if relation[end] not in spans:
                problems.append(Problem(where, f"relation {relation['type']!r} points at span "
                                               f"{relation[end]}, which this example does not have",
                                        f"$.relations[{index}].{end}", doc))
    return problems


# The REST lists the sync reads, by their last path segment, and the schema of an item.
_REST_ITEMS = {"examples": "rest_example", "projects": "rest_project"}


def check_list_item(path: str, item):
    """Problems of one item of the paginated list at `path` (an object with an integer id;
    for examples and projects, what the sync reads of them)."""
    name = _REST_ITEMS.get(path.rstrip("/").rsplit("/", 1)[-1])
    if name is None:
        if isinstance(item, dict) and type(item.get("id")) is int:
            return []
        return [Problem(path, "a list item that is not an object with an integer id")]
    errors = sorted(_item_validator(name).iter_errors(item), key=lambda e: [str(p) for p in e.absolute_path])
    return [Problem(path, _short(_message(e)), e.json_path) for e in errors]


@lru_cache(maxsize=None)
def _item_validator(name):
    schema = load_schema(KIND)
    return _strict_class()({"$defs": schema["$defs"], "$ref": f"#/$defs/{name}"})


def _short(message, length=200):
    return message if len(message) <= length else message[:length - 1] + "…"


def _json_type(value):
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
            float: "number", type(None): "null"}[type(value)]


@lru_cache(maxsize=None)
def _strict_class():
    """The reference validator class, with `integer` meaning a JSON integer, not 3.0."""
    base = type(validator(KIND))
    return validators.extend(base, type_checker=base.TYPE_CHECKER.redefine("integer",
                                                                           lambda _, value: type(value) is int))


@lru_cache(maxsize=None)
def _strict():
    return _strict_class()(load_schema(KIND))
