"""The JSON Schemas, loaded once, and two validators per file kind.

`validator(kind)` is the reference (python-jsonschema): it explains every error with its
path. `is_valid(kind, data)` is the fast path (the compiled jsonschema-rs validator):
validation asks it first and calls the reference only for data it rejects. A test checks
that both agree on valid and invalid data.
"""

import json
import re
from functools import lru_cache
from pathlib import Path

KINDS = ("document", "entities", "annotations", "dataset", "releases", "doccano-export")


def schema_dir() -> Path:
    """The schema folder: shipped inside the wheel (newsspans/schema), or the checkout's
    `schema/`. Looked up on the file system, as every file of the package is read
    (importlib.resources would cost 5 ms of imports at start-up for the same answer)."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "schema"
    if packaged.is_dir():
        return packaged
    return package.parents[1] / "schema"


@lru_cache(maxsize=None)
def load_schema(kind: str) -> dict:
    return json.loads((schema_dir() / f"{kind}.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _registry():
    from referencing import Registry, Resource
    resources_ = [(load_schema(k)["$id"], Resource.from_contents(load_schema(k))) for k in KINDS]
    return Registry().with_resources(resources_)


@lru_cache(maxsize=None)
def _python_regex(pattern: str):
    # JSON Schema patterns are ECMA-262: a final `$` is the end of the string. In Python's
    # `re` it also matches before a final newline, so "m1\n" would pass `^m[0-9]+$`.
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _ecma_pattern(validator_, pattern, instance, schema):
    from jsonschema import ValidationError
    if validator_.is_type(instance, "string") and not _python_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@lru_cache(maxsize=None)
def _reference_class():
    # python-jsonschema is imported only to explain a rejection: a valid corpus never needs it.
    from jsonschema import Draft202012Validator, validators
    return validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})


@lru_cache(maxsize=None)
def validator(kind: str):
    """The reference validator (python-jsonschema's Draft202012Validator, ECMA patterns)."""
    return _reference_class()(load_schema(kind), registry=_registry())


@lru_cache(maxsize=None)
def _fast_validator(kind: str):
    import jsonschema_rs   # imported with the first validator: a run that checks no file never needs it
    registry = jsonschema_rs.Registry([(load_schema(k)["$id"], load_schema(k)) for k in KINDS])
    return jsonschema_rs.validator_for(load_schema(kind), registry=registry)


def is_valid(kind: str, data) -> bool:
    """Whether `data` is valid against the `kind` schema, by the compiled validator."""
    return _fast_validator(kind).is_valid(data)
