"""The dataset card: README.md's YAML front matter and its generated blocks.

The front matter is a Hugging Face dataset card header: configs with their data files per
split, and `dataset_info` with the Features (from features.py) and the row counts. The
rest of the README is prose written by people; only the text between
`<!-- newsspans:generated:NAME:begin -->` and `<!-- newsspans:generated:NAME:end -->` is
rewritten.
"""

import re

import yaml

from newsspans.export.features import CONFIGS, DEFAULT_CONFIG, features

LICENSE_DETAILS = (
    "The annotations are licensed CC-BY-4.0 and the code MIT. The article texts remain "
    "the copyright of their publishers (the seed article: Agence France-Presse, all rights "
    "reserved; see each corpus/<doc_id>/document.json `rights`); they are included only so "
    "that the annotations can be read and checked.")
TEXT_FREE_LICENSE_DETAILS = (
    "The annotations are licensed CC-BY-4.0 and the code MIT. The article texts are not "
    "included: they remain the copyright of their publishers (the seed article: Agence "
    "France-Presse, all rights reserved).")
_FRONT = re.compile(r"\A---\n(.*?\n)?---\n", re.S)


def _marker(name, end):
    return f"<!-- newsspans:generated:{name}:{'end' if end else 'begin'} -->"


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M"


def front_matter(summary, folder="exports/", config_features=features,
                 pretty_name="newsspans: entities, quotes and claims in news",
                 license_details=LICENSE_DETAILS) -> str:
    """The YAML front matter, `---` lines included.

    `folder` holds the config folders (relative to the card) and `config_features` gives
    each config's Features: the text-free card passes its own.
    """
    splits = summary.splits()
    configs, infos = [], []
    for config in CONFIGS:
        entry = {"config_name": config,
                 "data_files": [{"split": s, "path": f"{folder}{config}/{s}-*.parquet"}
                                for s in splits]}
        if config == DEFAULT_CONFIG:
            entry["default"] = True
        configs.append(entry)
        split_info = [{"name": s, "num_bytes": summary.num_bytes(config, s),
                       "num_examples": summary.rows(config, s)} for s in splits]
        files = [shard for s in splits for shard in summary.by_config[config][s]]
        infos.append({"config_name": config,
                      "features": config_features(config)._to_yaml_list(),
                      "splits": split_info,
                      "download_size": sum(f.file_bytes for f in files),
                      "dataset_size": sum(i["num_bytes"] for i in split_info)})
    card = {
        "pretty_name": pretty_name,
        "license": "other",
        "license_name": "cc-by-4.0-annotations-publisher-copyright-texts",
        "license_details": license_details,
        "language": list(summary.languages),
        "multilinguality": "monolingual",
        "size_categories": [_size_category(summary.documents)],
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition", "fact-checking"],
        # The gold so far was made in one pass by an AI language model following the
        # guidelines (see each gold.json provenance); change this once people review it.
        "annotations_creators": ["machine-generated"],
        "language_creators": ["found"],
        "source_datasets": ["original"],
        "tags": ["news", "quotation-attribution", "claim-detection", "entity-linking"],
        "configs": configs,
        "dataset_info": infos,
    }
    body = yaml.safe_dump(card, sort_keys=False, allow_unicode=True, width=88)
    return f"---\n{body}---\n"


TEXT_FREE_BODY = """# newsspans (text-free)

The newsspans annotations without the article texts: the configs of the full dataset with
the same rows, offsets (Unicode code points), span lengths and the sha256 of each
document version's text and title, but no document, span, cue or token text. The texts are
the copyright of their publishers; the annotations are CC-BY-4.0.

Dataset version **{version}**.

To get the full dataset, put the articles (as received, or their canonical texts) as
`*.txt` files in a folder and run:

```sh
newsspans rehydrate --from . --text-dir articles/ --out exports/
```

Each text is matched to its document version by sha256; a missing or different text is
named and nothing is written. See the newsspans README, "Text-free distribution".
"""


def text_free_card(summary) -> str:
    """README.md of a text-free distribution: its own configs, and how to rehydrate it."""
    from newsspans.export.textfree import features as text_free_features
    return (front_matter(summary, folder="", config_features=text_free_features,
                         pretty_name="newsspans (text-free): entities, quotes and claims in news",
                         license_details=TEXT_FREE_LICENSE_DETAILS)
            + "\n" + TEXT_FREE_BODY.format(version=summary.version))


def _type(feature) -> str:
    kind = type(feature).__name__
    if kind == "Value":
        return feature.dtype
    if kind == "ClassLabel":
        return f"ClassLabel({len(feature.names)})"
    if kind in ("List", "LargeList", "Sequence"):
        inner = feature.feature
        if isinstance(inner, dict):
            return "list of {" + ", ".join(f"{k}: {_type(v)}" for k, v in inner.items()) + "}"
        return f"list of {_type(inner)}"
    return kind


def blocks(summary) -> dict:
    """The generated blocks' contents, by name."""
    lines = ["| config | " + " | ".join(summary.splits()) + " |",
             "|---|" + "---|" * len(summary.splits())]
    for config in CONFIGS:
        counts = " | ".join(f"{summary.rows(config, s):,}" for s in summary.splits())
        lines.append(f"| `{config}` | {counts} |")
    lines.append("")
    lines.append(f"{summary.documents:,} document{'s' if summary.documents != 1 else ''}; "
                 f"rows per config and split.")
    columns = []
    for config in CONFIGS:
        fields = ", ".join(f"`{name}` ({_type(f)})" for name, f in features(config).items())
        columns.append(f"- `{config}`: {fields}")
    provenance = [f"- {n:,} gold file{'s' if n != 1 else ''}: method `{method}`, "
                  f"annotators {annotators}" for (method, annotators), n in summary.provenance]
    version = (f"Dataset version **{summary.version}** (croissant.json `version`; "
               f"`newsspans release` sets it and tags the release `v{summary.version}`).")
    return {"version": version, "splits": "\n".join(lines), "columns": "\n".join(columns),
            "provenance": "\n".join(provenance) or "- no gold annotations yet"}


def _block_text(name, content):
    return f"{_marker(name, False)}\n{content}\n{_marker(name, True)}"


def _find_block(text, name):
    begin, end = text.find(_marker(name, False)), text.find(_marker(name, True))
    if begin < 0 or end < begin:
        return None
    return begin, end + len(_marker(name, True))


def render_readme(current, summary) -> str:
    """`current` README text with its front matter and generated blocks regenerated."""
    body = _FRONT.sub("", current, count=1) if current else "# newsspans\n"
    for name, content in blocks(summary).items():
        where = _find_block(body, name)
        if where is None:
            body = body.rstrip("\n") + "\n\n" + _block_text(name, content) + "\n"
        else:
            body = body[:where[0]] + _block_text(name, content) + body[where[1]:]
    return front_matter(summary) + body


def stale_readme_parts(current, summary) -> list:
    """What in `current` differs from what `render_readme` would write."""
    if current is None:
        return ["missing"]
    stale = []
    match = _FRONT.match(current)
    if match is None:
        stale.append("YAML front matter missing")
    elif match.group(0) != front_matter(summary):
        stale.append("YAML front matter stale")
    for name, content in blocks(summary).items():
        where = _find_block(current, name)
        if where is None:
            stale.append(f"generated block {name!r} missing")
        elif current[where[0]:where[1]] != _block_text(name, content):
            stale.append(f"generated block {name!r} stale")
    return stale
