import json

import pytest
from jsonschema import Draft202012Validator

from newsspans.model import labels
from newsspans.validation.schemas import KINDS, load_schema, schema_dir, validator

from conftest import MINI, REPO


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_valid_draft_2020_12_with_an_id(kind):
    schema = load_schema(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"/{kind}.schema.json")


def test_the_package_reads_the_repository_schema_folder():
    for kind in KINDS:
        assert (schema_dir() / f"{kind}.schema.json").read_bytes() == \
            (REPO / "schema" / f"{kind}.schema.json").read_bytes()


def test_label_sets_in_schemas_equal_the_code():
    defs = load_schema("annotations")["$defs"]
    assert tuple(defs["mention"]["properties"]["label"]["enum"]) == labels.ENTITY_TYPES
    assert tuple(defs["mention"]["properties"]["mention"]["enum"]) == labels.MENTION_KINDS
    assert tuple(defs["quote"]["properties"]["kind"]["enum"]) == labels.QUOTE_KINDS
    assert tuple(defs["claim"]["properties"]["category"]["enum"]) == labels.CLAIM_CATEGORIES
    registry_types = load_schema("entities")["properties"]["entities"]["items"]["properties"]["type"]["enum"]
    assert tuple(registry_types) == labels.REGISTRY_TYPES


@pytest.mark.parametrize("root", [REPO, MINI], ids=["repository", "mini"])
def test_every_committed_file_matches_its_schema(root):
    files = [(p, "document") for p in root.glob("corpus/*/document.json")]
    files += [(p, "annotations") for p in root.glob("annotations/*/gold.json")]
    files += [(p, "annotations") for p in root.glob("annotations/*/annotators/*.json")]
    files += [(p, "entities") for p in root.glob("annotations/entities.json")]
    assert files
    for path, kind in files:
        errors = list(validator(kind).iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert errors == [], path


def test_the_annotation_schema_reaches_into_the_document_schema():
    # doc_id is defined once, in document.schema.json, and referenced from annotations.
    bad = {"doc_id": "../x", "version": 1, "sha256": "0" * 64,
           "provenance": {"annotators": [], "method": "empty", "created": "2026-01-01",
                          "modified": "2026-01-01"},
           "entities": [], "quotes": [], "claims": []}
    [error] = validator("annotations").iter_errors(bad)
    assert error.json_path == "$.doc_id"
