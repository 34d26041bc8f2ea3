"""croissant.json's `rai:` fields say what dataset.yaml and DATASHEET.md say, with the data's own figures."""

import json
import re

import mlcroissant as mlc
import pytest

from newsspans.model import labels

from newsspans.metadata import rai
from newsspans.metadata.facts import load_facts
from newsspans.export.build import dataset_version, export_corpus
from newsspans.metadata.stats import compute_stats

from conftest import REPO

RAI_KEYS = {
    "rai:dataCollection", "rai:dataCollectionType", "rai:dataCollectionRawData",
    "rai:dataPreprocessingProtocol", "rai:dataAnnotationProtocol", "rai:annotationsPerItem",
    "rai:annotatorDemographics", "rai:machineAnnotationTools", "rai:dataUseCases",
    "rai:dataBiases", "rai:dataLimitations", "rai:personalSensitiveInformation",
    "rai:dataSocialImpact", "rai:dataReleaseMaintenancePlan", "rai:dataAnnotationAnalysis"}


def _plain(markdown: str) -> str:
    """Markdown without emphasis and code marks, white space collapsed."""
    return " ".join(re.sub(r"\*\*|`", "", markdown).split())


@pytest.fixture(scope="module")
def fields():
    metadata = json.loads((REPO / "croissant.json").read_text(encoding="utf-8"))
    return {k: v for k, v in metadata.items() if k.startswith("rai:")}


@pytest.fixture(scope="module")
def facts():
    return load_facts(REPO)


@pytest.fixture(scope="module")
def datasheet():
    return _plain((REPO / "DATASHEET.md").read_text(encoding="utf-8"))


def _text(value) -> str:
    return " ".join(value) if isinstance(value, list) else value


def test_every_rai_field_is_filled(fields):
    assert set(fields) == RAI_KEYS
    assert all(_text(v).strip() for v in fields.values())


def _claim(sentence: str) -> str:
    """A statement as the datasheet may continue it: without its final period."""
    return sentence[:-1] if sentence.endswith(".") else sentence


def test_every_statement_of_dataset_yaml_is_in_the_datasheet_and_in_croissant(facts, fields, datasheet):
    everything = " ".join(_text(v) for v in fields.values())
    sentences = rai.statements(facts)
    assert len(sentences) >= 20
    for sentence in sentences:
        assert _claim(sentence) in datasheet, f"DATASHEET.md does not say (dataset.yaml does): {sentence}"
        if sentence == facts["rai"]["single_annotator"] and \
                not fields["rai:annotationsPerItem"].startswith("1 annotator per document"):
            continue   # said in croissant.json only while every gold file has one annotator
        assert sentence in everything, f"croissant.json's rai: fields do not say: {sentence}"


def test_the_key_statements_are_where_a_reader_looks(facts, fields):
    statements = facts["rai"]
    assert statements["annotators"][0] in fields["rai:annotatorDemographics"][0]
    assert statements["annotation_protocol"] in fields["rai:dataAnnotationProtocol"][0]
    evaluation_only = statements["use_cases"][0]
    assert evaluation_only in fields["rai:dataUseCases"]
    assert evaluation_only in fields["rai:dataLimitations"]
    assert "not training data" in evaluation_only
    assert fields["rai:dataBiases"] == statements["biases"]


def test_counts_agree_with_the_datasheet_and_the_data(fields, datasheet):
    stats = compute_stats(REPO)
    block = re.search(r"Documents: (\d+) .*?entity mentions: (\d+); quotes: (\d+); claims: (\d+)", datasheet)
    assert tuple(map(int, block.groups())) == (stats["documents"], stats["mentions"], stats["quotes"], stats["claims"])
    collection = fields["rai:dataCollection"]
    n = stats["documents"]
    assert collection.startswith(f"{n} document{'s' if n != 1 else ''}; gold annotations: "
                                 f"{stats['mentions']} entity mentions, {stats['quotes']} quotes, "
                                 f"{stats['claims']} claims.")
    # "With one document" (croissant and datasheet) and "One document today" stay true.
    assert (n == 1) == ("One document today" in datasheet)
    assert f"all {len(labels.ENTITY_TYPES)} types" in datasheet


def test_annotators_agree_with_the_gold_provenance(facts, fields, datasheet):
    gold = json.loads((REPO / "annotations" / "afp-20240619-putin-kim-defence-treaty" / "gold.json").read_text())
    annotators = gold["provenance"]["annotators"]
    per_item = fields["rai:annotationsPerItem"]
    single = facts["rai"]["single_annotator"]
    if len(annotators) == 1 and gold["provenance"]["method"] != "adjudicated":
        assert per_item.startswith(f"1 annotator per document. {single}")
    else:
        assert per_item.startswith(f"Annotators per gold file: {len(annotators)}.")
    assert f"method {gold['provenance']['method']}, annotators: {', '.join(annotators)}." in per_item
    for name in annotators:   # every annotator of the data is described, here and in the datasheet
        assert name in fields["rai:annotatorDemographics"][0]
        assert name in datasheet
    assert _claim(single) in datasheet


def test_the_annotation_process_and_agreement_come_from_the_committed_report(fields, datasheet):
    from newsspans.metadata import agreement_text
    report = json.loads((REPO / "annotations" / "afp-20240619-putin-kim-defence-treaty" / "agreement.json")
                        .read_text(encoding="utf-8"))
    pair = next(p for p in report["pairs"] if p["b"] != "gold")
    claims = pair["layers"]["claims"]["all"]["exact_f1"]
    assert any(f"claims {claims:.3f}" in line for line in fields["rai:dataAnnotationAnalysis"])
    assert f"| claims | {pair['layers']['claims']['all']['a']} / " in (REPO / "DATASHEET.md").read_text(encoding="utf-8")
    process = agreement_text.plain(REPO)["process"]
    assert process and all(sentence in fields["rai:dataAnnotationProtocol"] for sentence in process)
    assert all(_plain(sentence) in datasheet for sentence in process)


def test_the_fields_are_generated_by_export(tmp_path):
    """A stale or hand-edited rai: field is caught by `export --check`."""
    import shutil
    root = tmp_path / "repo"
    for folder in ("corpus", "annotations", "exports", "releases"):
        shutil.copytree(REPO / folder, root / folder)
    for name in ("croissant.json", "README.md", "dataset.yaml"):
        shutil.copy2(REPO / name, root / name)
    assert export_corpus(root, check=True) == []
    data = json.loads((root / "croissant.json").read_text(encoding="utf-8"))
    data["rai:dataBiases"] = ["none"]
    (root / "croissant.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert export_corpus(root, check=True) == ["croissant.json: stale"]


def test_mlcroissant_reads_the_rai_fields_without_errors(facts):
    dataset = mlc.Dataset(jsonld=str(REPO / "croissant.json"))
    metadata = dataset.metadata
    assert not metadata.ctx.issues.errors
    assert metadata.annotations_per_item.startswith("Annotators per gold file: 2.")
    assert metadata.data_annotation_analysis == json.loads((REPO / "croissant.json").read_text(
        encoding="utf-8"))["rai:dataAnnotationAnalysis"]
    assert metadata.data_biases == facts["rai"]["biases"]
    assert metadata.version == dataset_version(REPO)
