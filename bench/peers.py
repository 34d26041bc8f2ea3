"""What a user would run instead, on the same data, in the same run (for the table's peer column).

- check_jsonschema: `check-jsonschema` (python-jsonschema) with the annotation schema on
  every annotation file, schema-only, beside `validate`;
- datasets_export: the rows of every config built as the export floor builds them, written
  with `datasets.Dataset.from_list(rows).to_parquet`, beside `export`.
"""

import shutil
import sys
from pathlib import Path

import measure

BENCH = Path(__file__).resolve().parent
PY = sys.executable
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def _files(root: Path) -> list:
    annotations = root / "annotations"
    return sorted(p for p in annotations.glob("*/gold.json")) + sorted(annotations.glob("*/annotators/*.json"))


def check_jsonschema(root: Path, schema_dir: Path) -> dict:
    if not CHECK_JSONSCHEMA.exists():
        return {"skipped": "check-jsonschema is not installed (pip install -e '.[test]')"}
    files = _files(root)
    m = measure.run([CHECK_JSONSCHEMA, "--schemafile", schema_dir / "annotations.schema.json",
                     "--base-uri", schema_dir.resolve().as_uri() + "/", *files])
    if not m.ok:
        return {"error": (m.stderr or m.stdout).strip()[-300:]}
    return {"name": "check-jsonschema (schema only)", "files": len(files), "seconds": round(m.seconds, 3),
            "cpu_seconds": round(m.cpu_seconds, 2), "peak_rss_mb": round(m.peak_rss_mb, 1)}


def datasets_export(root: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    m = measure.run([PY, BENCH / "floors.py", "datasets", root, out])
    shutil.rmtree(out, ignore_errors=True)
    if not m.ok:
        return {"error": (m.stderr or m.stdout).strip()[-300:]}
    return {"name": "datasets.Dataset.from_list(rows).to_parquet", "seconds": round(m.seconds, 3),
            "cpu_seconds": round(m.cpu_seconds, 2), "peak_rss_mb": round(m.peak_rss_mb, 1)}
