"""`newsspans check-load`: load every config back with the real `datasets` library.

What an ML team does on a fresh clone, offline, with a throw-away cache: the README's
YAML must be enough to type every column, and every split must have the row count the
card declares.
"""

import os
import tempfile
from pathlib import Path

from newsspans.errors import ExportError
from newsspans.export.features import CONFIGS, features
from newsspans.store.reading import read_text


def _offline():
    # datasets reads these when it is first imported; set both before that import.
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["HF_HUB_OFFLINE"] = "1"
    import datasets
    datasets.config.HF_HUB_OFFLINE = True
    datasets.config.HF_DATASETS_OFFLINE = True
    datasets.disable_progress_bars()
    return datasets


def declared_counts(root) -> dict:
    """{(config, split): num_examples} from the README's dataset_info."""
    import yaml
    text = read_text(root, "README.md")
    if not text.startswith("---\n"):
        raise ExportError("README.md has no YAML front matter: run `newsspans export`")
    card = yaml.safe_load(text[4:text.index("\n---\n", 4)])
    return {(info["config_name"], split["name"]): split["num_examples"]
            for info in card["dataset_info"] for split in info["splits"]}


def check_load(root) -> list:
    """Load each declared config (and stream it); one line per config and split.

    ExportError on a mismatch. A config the card does not declare (it has no rows) gets
    one line saying so.
    """
    datasets = _offline()
    root = Path(root).resolve()
    declared = declared_counts(root)
    lines, problems, seen = [], [], set()
    declared_configs = {config for config, _ in declared}
    with tempfile.TemporaryDirectory(prefix="newsspans-load-") as cache:
        # A config with no rows at all is not declared (and cannot be loaded): skipped.
        for config in (c for c in CONFIGS if c in declared_configs):
            try:
                loaded = datasets.load_dataset(str(root), config, cache_dir=cache)
                streamed = datasets.load_dataset(str(root), config, streaming=True)
            except (datasets.exceptions.DatasetsError, ValueError, OSError) as exc:
                problems.append(f"{config}: datasets cannot load it: {type(exc).__name__}: {exc}")
                continue
            for split, ds in sorted(loaded.items()):
                expected = declared.get((config, split))
                streamed_rows = sum(1 for _ in streamed[split])
                if ds.features != features(config):
                    problems.append(f"{config}/{split}: features differ from the declared ones")
                if streamed[split].features != features(config):
                    problems.append(f"{config}/{split}: streamed features differ from the declared ones")
                if not (ds.num_rows == streamed_rows == expected):
                    problems.append(f"{config}/{split}: {ds.num_rows} rows loaded, "
                                    f"{streamed_rows} streamed, {expected} declared in README.md")
                seen.add((config, split))
                lines.append(f"{config}/{split}: {ds.num_rows} rows")
        lines += [f"{config}: no rows, not declared" for config in CONFIGS
                  if config not in declared_configs]
        for config, split in sorted(set(declared) - seen):
            problems.append(f"{config}/{split}: declared in README.md but not loaded")
    if problems:
        raise ExportError("loading the exports back failed: " + "; ".join(problems))
    return lines
