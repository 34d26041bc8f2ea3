"""Keeping an annotator's good work when some of it cannot be written as it stands.

A problem in one annotation never blocks the rest of the file: the annotation file built
from Doccano is checked exactly as validate checks it; each annotation a problem points
at is moved to the file's `rejected` list (with the reason and what Doccano sent), and a
reference a problem points at (a speaker, a claimant, a quote, a registry link, a cue)
is cut and rejected while its annotation stays. The check runs again until the file is
clean, so a reference to an annotation rejected in one round is cut in the next. A
problem of the whole file (its pin, its schema) cannot be salvaged: it is returned.
"""

import re

from newsspans.model.labels import LAYERS

_ITEM = re.compile(r"^\$\.(entities|quotes|claims)\[(\d+)\](?:\.(\w+))?")
_KIND_OF_REFERENCE = {"speaker": "relation", "claimant": "relation", "quote": "relation",
                      "entity": "link", "cue": "span"}
_MAX_ROUNDS = 8   # each round cuts at least one reference or annotation; chains are short


def salvage(data: dict, origins: dict, check, rejected=()):
    """(data, rejected, problems): `data` with what `check(data)` objects to moved out.

    `check` returns Problems (validation.problems.Problem) of an annotation file's data;
    `origins` maps (layer, id) and (layer, id, field) to what Doccano sent for it
    (convert.Converted.origins). `problems` is empty unless the file itself is at fault.
    """
    rejected = list(rejected)
    for _ in range(_MAX_ROUNDS):
        problems = check(data)
        if not problems:
            return data, rejected, []
        located = [(p, _ITEM.match(p.path)) for p in problems]
        if any(m is None for _, m in located):
            return data, rejected, [p for p, m in located if m is None]
        drop, cut = {}, {}
        for problem, match in located:
            layer, index, field = match[1], int(match[2]), match[3]
            if field in _KIND_OF_REFERENCE:
                cut.setdefault((layer, index, field), problem.message)
            else:
                drop.setdefault((layer, index), problem.message)
        layers = {k: list(data[k]) for k in LAYERS}
        for (layer, index, field), reason in sorted(cut.items()):
            if (layer, index) in drop:
                continue
            item = dict(layers[layer][index])
            rejected.append({"kind": _KIND_OF_REFERENCE[field], "reason": reason,
                             "doccano": origins.get((layer, item["id"], field)),
                             "annotation": {"layer": layer, "id": item["id"], field: item[field]}})
            item[field] = None
            layers[layer][index] = item
        for (layer, index), reason in sorted(drop.items()):
            item = layers[layer][index]
            rejected.append({"kind": "span", "reason": reason, "doccano": origins.get((layer, item["id"])),
                             "annotation": {"layer": layer, **item}})
        for layer in LAYERS:
            gone = {index for (dropped_layer, index) in drop if dropped_layer == layer}
            if gone:
                layers[layer] = [item for i, item in enumerate(layers[layer]) if i not in gone]
        data = {**data, **layers}
    return data, rejected, check(data)
