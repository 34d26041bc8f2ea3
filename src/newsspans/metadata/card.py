"""The dataset card: README.md's YAML front matter and its generated blocks.

The front matter is a Hugging Face dataset card header: configs with their data files per
split, and `dataset_info` with the Features (from features.py) and the row counts. The
rest of the README is prose written by people; only the text between
`<!-- newsspans:generated:NAME:begin -->` and `<!-- newsspans:generated:NAME:end -->` is
rewritten. What the card says about the corpus (name, license, how it was made) comes from
its facts (dataset.yaml, see metadata/facts.py); the counts come from the export.
"""

import re

import yaml

from newsspans.export.features import CONFIGS, DEFAULT_CONFIG, features

_FRONT = re.compile(r"\A---\n(.*?\n)?---\n", re.S)


def _marker(name, end):
    return f"<!-- newsspans:generated:{name}:{'end' if end else 'begin'} -->"


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M"


_CARD_LISTS = ("task_categories", "task_ids", "annotations_creators", "language_creators",
               "source_datasets", "tags")


def _card_facts(facts, text_free) -> dict:
    """The card's keys that come before `language`, from the facts, in the card's order."""
    own = facts["text_free"] if text_free else facts
    details = own["license_details"] if text_free else facts["license"]["details"]
    # license_link: the hub asks for one when the license is `other`; it is the
    # annotations' license (the details say what else applies).
    return {"pretty_name": own["pretty_name"], "license": facts["license"]["hub_id"],
            "license_name": facts["license"]["name"], "license_link": facts["license"]["url"],
            "license_details": details}


def front_matter(summary, facts, folder="exports/", config_features=features,
                 text_free=False) -> str:
    """The YAML front matter, `---` lines included.

    `folder` holds the config folders (relative to the card) and `config_features` gives
    each config's Features: the text-free card passes its own, and its own name and license
    details (`text_free`).
    """
    configs, infos = [], []
    # Only what has rows is declared: `datasets` cannot load a split with no rows.
    for config in summary.configs():
        splits = summary.config_splits(config)
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
    card = {**_card_facts(facts, text_free),
            "language": list(summary.languages),
            "multilinguality": facts["card"]["multilinguality"],
            "size_categories": [_size_category(summary.documents)]}
    card.update((key, list(facts["card"][key])) for key in _CARD_LISTS)
    card.update(configs=configs, dataset_info=infos)
    body = yaml.safe_dump(card, sort_keys=False, allow_unicode=True, width=88)
    return f"---\n{body}---\n"


TEXT_FREE_BODY = """# {name} (text-free)

The {name} annotations without the article texts: the configs of the full dataset with
the same rows, offsets (Unicode code points), span lengths and the sha256 of each
document version's text and title, but no document, span, cue or token text.
{rights}

Dataset version **{version}**.

To get the full dataset, put the articles (as received, or their canonical texts) as
`*.txt` files in a folder and run:

```sh
newsspans rehydrate --from . --text-dir articles/ --out exports/
```

Each text is matched to its document version by sha256; a missing or different text is
named and nothing is written. See the {name} README, "Text-free distribution".
"""


def text_free_card(summary, facts) -> str:
    """README.md of a text-free distribution: its own configs, and how to rehydrate it."""
    from newsspans.export.textfree import features as text_free_features
    body = TEXT_FREE_BODY.format(version=summary.version, name=facts["name"],
                                 rights=facts["text_free"]["rights"])
    return (front_matter(summary, facts, folder="", config_features=text_free_features,
                         text_free=True) + "\n" + body)


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
    empty = []
    for config in CONFIGS:
        if config not in summary.configs():
            empty.append(f"`{config}` (no rows at all: the config is absent)")
        else:
            empty += [f"`{config}` {split}" for split in summary.splits()
                      if not summary.rows(config, split)]
    if empty:
        lines.append(f"Not declared in the card, having no rows (`datasets` cannot load an "
                     f"empty split): {', '.join(empty)}.")
    columns = []
    for config in CONFIGS:
        fields = ", ".join(f"`{name}` ({_type(f)})" for name, f in features(config).items())
        columns.append(f"- `{config}`: {fields}")
    provenance = [f"- {n:,} gold file{'s' if n != 1 else ''}: method `{method}`, "
                  f"annotators {annotators}" for (method, annotators), n in summary.provenance]
    version = (f"Dataset version **{summary.version}** (from the release record, "
               f"`releases/releases.json`; `newsspans release` records the next release and "
               f"prints its tag).")
    return {"version": version, "splits": "\n".join(lines), "columns": "\n".join(columns),
            "provenance": "\n".join(provenance) or "- no gold annotations yet"}


def _block_text(name, content):
    return f"{_marker(name, False)}\n{content}\n{_marker(name, True)}"


def _find_block(text, name):
    begin, end = text.find(_marker(name, False)), text.find(_marker(name, True))
    if begin < 0 or end < begin:
        return None
    return begin, end + len(_marker(name, True))


def render_readme(current, summary, facts) -> str:
    """`current` README text with its front matter and generated blocks regenerated."""
    body = _FRONT.sub("", current, count=1) if current else "# newsspans\n"
    for name, content in blocks(summary).items():
        where = _find_block(body, name)
        if where is None:
            body = body.rstrip("\n") + "\n\n" + _block_text(name, content) + "\n"
        else:
            body = body[:where[0]] + _block_text(name, content) + body[where[1]:]
    return front_matter(summary, facts) + body


def stale_readme_parts(current, summary, facts) -> list:
    """What in `current` differs from what `render_readme` would write."""
    if current is None:
        return ["missing"]
    stale = []
    match = _FRONT.match(current)
    if match is None:
        stale.append("YAML front matter missing")
    elif match.group(0) != front_matter(summary, facts):
        stale.append("YAML front matter stale")
    for name, content in blocks(summary).items():
        where = _find_block(current, name)
        if where is None:
            stale.append(f"generated block {name!r} missing")
        elif current[where[0]:where[1]] != _block_text(name, content):
            stale.append(f"generated block {name!r} stale")
    return stale
