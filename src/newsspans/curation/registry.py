"""The entity registry (annotations/entities.json): adding an entity, checked first."""

from newsspans.errors import AnnotateError, InvalidCorpus
from newsspans.model.corpus import Corpus
from newsspans.store.writing import atomic_write, dumps_json
from newsspans.validation.problems import schema_problems


def add_entity(root, entity_id, name, entity_type, *, wikidata=None, description=None,
               id_policy=None) -> dict:
    """Add one entity to the registry and return it; AnnotateError for an id already there,
    InvalidCorpus for an entity (or registry) the schema refuses. Nothing is written then.

    A corpus without a registry gets one; it needs `id_policy` (how ids and Wikidata links
    are assigned), which the schema requires.
    """
    corpus = Corpus.of(root)
    layout = corpus.layout
    path, file = layout.registry_path, layout.rel(layout.registry_path)
    if path.is_file():
        data = layout.read_json(path)
    elif id_policy:
        data = {"id_policy": id_policy, "entities": []}
    else:
        raise AnnotateError(f"{file} does not exist yet: give --id-policy (how ids and Wikidata "
                            f"links are assigned) to create it")
    problems = schema_problems("entities", data, file)
    if problems:
        raise InvalidCorpus(problems)
    for i, existing in enumerate(data["entities"]):
        if existing["id"] == entity_id:
            raise AnnotateError(f"{file} $.entities[{i}]: entity {entity_id!r} exists already "
                                f"({existing['type']} {existing['name']!r}); nothing was written")
        if wikidata and existing.get("wikidata") == wikidata:
            raise AnnotateError(f"{file} $.entities[{i}]: {wikidata} is already entity "
                                f"{existing['id']!r} ({existing['name']!r}); nothing was written")
    entity = {"id": entity_id, "name": name, "type": entity_type, "wikidata": wikidata}
    if description:
        entity["description"] = description
    new = dict(data, entities=data["entities"] + [entity])
    problems = schema_problems("entities", new, file)
    if problems:
        raise InvalidCorpus(problems)
    atomic_write(path, dumps_json(new), root=layout.root)
    corpus.refresh()
    return entity
