"""croissant.json's responsible-AI fields (the Croissant RAI vocabulary), from the corpus's facts.

The statements are the `rai:` section of dataset.yaml (see metadata/facts.py), which
DATASHEET.md says word for word (tests/test_rai.py checks it); the tool adds only the
figures (documents, annotations, gold files and their annotators), taken from the export
summary so they are the data's own, and the repository's layout (where the raw text and
the guidelines are). The annotation process and the agreement figures come from the
committed agreement reports (metadata/agreement_text.py).
"""

from newsspans.metadata import agreement_text

RAI = "http://mlcommons.org/croissant/RAI/"
# The statements that are not said word for word in DATASHEET.md: Croissant vocabulary terms.
VOCABULARY_KEYS = ("collection_type",)


def statements(facts) -> list:
    """Every statement of dataset.yaml's rai section that DATASHEET.md must say, in order."""
    out = []
    for key, value in facts["rai"].items():
        if key not in VOCABULARY_KEYS:
            out.extend(value if isinstance(value, list) else [value])
    return out


def _plural(n, word):
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _total(summary, config):
    return sum(summary.rows(config, split) for split in summary.splits())


def _gold_files(summary) -> list:
    """One line per (method, annotators) group of exported gold files."""
    lines = []
    for (method, annotators), n in summary.provenance:
        lines.append(f"{_plural(n, 'gold file')}, method {method}, annotators: {annotators}")
    return lines


def _annotations_per_item(summary, single_annotator) -> str:
    per_file = {len(annotators.split(", ")) if annotators != "none" else 0
                for (_, annotators), _ in summary.provenance}
    adjudicated = any(method == "adjudicated" for (method, _), _ in summary.provenance)
    if per_file == {1} and not adjudicated:
        head = f"1 annotator per document. {single_annotator}"
    else:
        counts = ", ".join(str(n) for n in sorted(per_file)) or "0"
        head = f"Annotators per gold file: {counts}."
    return " ".join([head] + [f"{line}." for line in _gold_files(summary)])


def _figures(summary) -> str:
    return (f"{_plural(summary.documents, 'document')}; gold annotations: "
            f"{_plural(_total(summary, 'entities'), 'entity mention')}, "
            f"{_plural(_total(summary, 'quotes'), 'quote')}, "
            f"{_plural(_total(summary, 'claims'), 'claim')}.")


def rai_fields(summary, facts, root=None) -> dict:
    """The `rai:` properties of croissant.json for the export `summary` and the corpus `facts`;
    with `root`, the annotation process and agreement figures of its committed reports."""
    rai = facts["rai"]
    agreement = agreement_text.plain(root) if root is not None else {"process": [], "analysis": []}
    fields = {
        "rai:dataCollection": (f"{_figures(summary)} {rai['collection']} "
                               f"{rai['publication_date']} (see DATASHEET.md)."),
        "rai:dataCollectionType": list(rai["collection_type"]),
        "rai:dataCollectionRawData": (f"{rai['raw_data']} It is kept as "
                                      f"corpus/<doc_id>/raw.txt with its sha256."),
        "rai:dataPreprocessingProtocol": list(rai["preprocessing"]),
        "rai:dataAnnotationProtocol": [
            f"Following annotations/GUIDELINES.md: {rai['annotation_protocol']}", *agreement["process"]],
        "rai:annotationsPerItem": _annotations_per_item(summary, rai["single_annotator"]),
        "rai:annotatorDemographics": [" ".join(rai["annotators"])],
        "rai:machineAnnotationTools": list(rai["machine_annotation_tools"]),
        "rai:dataUseCases": [*rai["use_cases"], f"Not for: {rai['not_for']}"],
        "rai:dataBiases": list(rai["biases"]),
        "rai:dataLimitations": list(rai["limitations"]),
        "rai:personalSensitiveInformation": list(rai["personal_information"]),
        "rai:dataSocialImpact": rai["social_impact"],
        "rai:dataReleaseMaintenancePlan": rai["release_plan"],
    }
    if agreement["analysis"]:
        fields["rai:dataAnnotationAnalysis"] = agreement["analysis"]
    return fields
