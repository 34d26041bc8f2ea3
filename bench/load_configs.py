"""Load every export config with `datasets.load_dataset`, as an ML team would.

    python bench/load_configs.py ROOT CACHE_DIR

Offline, with the given cache folder: the first run builds the Arrow cache, a second run
with the same folder measures loading from it (the Arrow files are memory-mapped, as a
user gets them; the Parquet floor decodes every column). Prints one JSON object: the time
inside load_dataset per config (imports excluded) and the row counts.
"""

import json
import os
import sys
import time

os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"


def main(root: str, cache: str) -> int:
    import datasets
    from newsspans.export.features import CONFIGS
    datasets.disable_progress_bars()
    datasets.utils.logging.set_verbosity_error()
    seconds, rows = {}, {}
    started = time.perf_counter()
    for config in CONFIGS:
        t0 = time.perf_counter()
        loaded = datasets.load_dataset(root, config, cache_dir=cache)
        rows[config] = sum(split.num_rows for split in loaded.values())
        seconds[config] = time.perf_counter() - t0
    print(json.dumps({"inner_seconds": time.perf_counter() - started,
                      "config_seconds": seconds, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
