"""croissant.json's responsible-AI fields (the Croissant RAI vocabulary), from the datasheet's facts.

The statements are sentences that DATASHEET.md says word for word (markdown marks aside):
`DATASHEET_SENTENCES` lists them and tests/test_rai.py checks each one against the
datasheet. The figures (documents, annotations, gold files and their annotators) come from
the export summary, so they are the data's own, as are the datasheet's generated tables.
"""

from newsspans.model import labels
from newsspans.model.normalize import NORMALIZER_VERSION

RAI = "http://mlcommons.org/croissant/RAI/"

COLLECTION = (
    "The article was received by the curators as a plain-text file (000_20f75d47f5764936.txt, "
    "recorded as source.received_as), already stripped of headline and byline.")
RAW_DATA = "raw.txt is never edited."
PREPROCESSING = (
    f"The canonical text (v1.txt) is derived by newsspans.normalize.normalize, versioned as "
    f"normaliser {NORMALIZER_VERSION} and recorded per version")
PUBLICATION_DATE = "Publication date. 2024-06-19, inferred, not stated"
ANNOTATION_PROTOCOL = (
    f"entity mentions of all {len(labels.ENTITY_TYPES)} types (every name and value; "
    "descriptions and pronouns where they speak or claim), every direct, indirect and mixed "
    "quote with speaker and cue, every checkable claim with claimant.")
SINGLE_ANNOTATOR = "Single annotator, no adjudication yet"
ANNOTATOR = (
    "The annotation was made by one annotator, newsspans-llm-1, an AI language model, "
    "working from annotations/GUIDELINES.md (version 1), with offsets computed by a script "
    "from the surface strings and checked by newsspans validate and newsspans lint.")
NO_CROWD = "No crowd workers were involved; nobody was paid for the annotation."
MACHINE_ANNOTATOR = "newsspans-llm-1, an AI language model"
EVALUATION_ONLY = (
    "With one document, the corpus is an evaluation and demonstration set, not training "
    "data: every figure measured on it has a very wide uncertainty, and a model tuned to it "
    "learns one article.")
USES = (
    "Evaluating quotation-attribution and claim-detection systems on an exactly specified "
    "example; checking that a pipeline keeps offsets right through Unicode, versions and "
    "tools; teaching the annotation guidelines.")
NOT_FOR = "Training, or any claim about model quality beyond this one article."
BIASES = (
    "A single Western news agency's framing of a geopolitical event (for instance \"illegal "
    "invasion\", quoted from an expert) is one perspective; claim categories such as "
    "accusation and evaluation are judgements of the annotator and may encode a bias.")
FIRST_PASS = "The gold is a first pass by one annotator, not yet reviewed by a second or adjudicated"
PARTIAL_ENTITIES = (
    "Nominal and pronoun mentions are annotated only where they speak or claim (guidelines, "
    "section 2.2), so the entity layer is not a full coreference layer.")
PEOPLE = (
    "Yes, by design: the people named are public figures (two heads of state) and three "
    "named experts quoted in their professional roles.")
SENSITIVE = "Political opinions of public figures, as published. Nothing else."
NO_SPECIAL_CATEGORIES = "No individual's race, religion, health or sexuality is recorded."
MISATTRIBUTION = (
    "the annotations record what the article reports, not what anyone verifiably said, and "
    "a claim annotation is not a fact-check verdict")
RELEASES = (
    "Releases are semantic versions with data meanings: PATCH re-serialises the same "
    "records, MINOR adds records, MAJOR changes, removes or moves records between splits.")

DATASHEET_SENTENCES = (
    COLLECTION, RAW_DATA, PREPROCESSING, PUBLICATION_DATE, ANNOTATION_PROTOCOL,
    SINGLE_ANNOTATOR, ANNOTATOR, NO_CROWD, MACHINE_ANNOTATOR, EVALUATION_ONLY, USES, NOT_FOR,
    BIASES, FIRST_PASS, PARTIAL_ENTITIES, PEOPLE, SENSITIVE, NO_SPECIAL_CATEGORIES,
    MISATTRIBUTION, RELEASES)


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


def _annotations_per_item(summary) -> str:
    per_file = {len(annotators.split(", ")) if annotators != "none" else 0
                for (_, annotators), _ in summary.provenance}
    adjudicated = any(method == "adjudicated" for (method, _), _ in summary.provenance)
    if per_file == {1} and not adjudicated:
        head = f"1 annotator per document. {SINGLE_ANNOTATOR}."
    else:
        counts = ", ".join(str(n) for n in sorted(per_file)) or "0"
        head = f"Annotators per gold file: {counts}."
    return " ".join([head] + [f"{line}." for line in _gold_files(summary)])


def rai_fields(summary) -> dict:
    """The `rai:` properties of croissant.json for the export `summary`."""
    figures = (f"{_plural(summary.documents, 'document')}; gold annotations: "
               f"{_plural(_total(summary, 'entities'), 'entity mention')}, "
               f"{_plural(_total(summary, 'quotes'), 'quote')}, "
               f"{_plural(_total(summary, 'claims'), 'claim')}.")
    return {
        "rai:dataCollection": f"{figures} {COLLECTION} {PUBLICATION_DATE} (see DATASHEET.md).",
        "rai:dataCollectionType": ["Manual Human Curator"],
        "rai:dataCollectionRawData": f"{RAW_DATA} It is kept as corpus/<doc_id>/raw.txt with its sha256.",
        "rai:dataPreprocessingProtocol": [f"{PREPROCESSING}."],
        "rai:dataAnnotationProtocol": [
            f"Following annotations/GUIDELINES.md: {ANNOTATION_PROTOCOL}"],
        "rai:annotationsPerItem": _annotations_per_item(summary),
        "rai:annotatorDemographics": [f"{ANNOTATOR} {NO_CROWD}"],
        "rai:machineAnnotationTools": [MACHINE_ANNOTATOR],
        "rai:dataUseCases": [EVALUATION_ONLY, USES, f"Not for: {NOT_FOR}"],
        "rai:dataBiases": [BIASES],
        "rai:dataLimitations": [f"{FIRST_PASS}.", PARTIAL_ENTITIES, EVALUATION_ONLY],
        "rai:personalSensitiveInformation": [PEOPLE, SENSITIVE, NO_SPECIAL_CATEGORIES],
        "rai:dataSocialImpact": f"The main risk is misattribution: {MISATTRIBUTION}.",
        "rai:dataReleaseMaintenancePlan": RELEASES,
    }
