"""Moving documents and annotations between the repository and a Doccano 1.8 server.

- `client`: the connection (env vars or the local server's credentials file), token login,
  bounded timeouts, retries with backoff for connection errors and 5xx (a POST only when
  the server cannot have acted on it), messages without passwords.
- `offsets`: code points (the corpus) <-> UTF-16 code units (Doccano's browser widget).
- `scheme`: how entities, quotes, cues and claims are spelled as Doccano span labels,
  relation types and comment lines; what an annotator must do (also pushed as the
  project guideline).
- `convert`: an annotation file <-> Doccano records; whatever cannot be carried over
  faithfully is reported, never dropped.
- `project`: `setup` (project, labels, relation types, guideline) and the pre-annotation
  user, whose password is derived from the admin's so no second secret is stored.
- `transfer`: Doccano's own bulk paths, the JSONL import and export tasks.
- `accounts`: annotator users with generated passwords kept in private files, and
  project membership (`newsspans doccano annotator add|list`).
- `ledger`: what push gave whom (gold's links and author claimants), kept on the
  repository side, never where annotators can read it.
- `salvage`: what validation refuses in a pulled file moves to its `rejected` list; the
  rest is written.
- `push`, `pull`, `status`: the sync itself.

Each annotator labels independently (the project is not collaborative): they start from
an empty page, or from a copy of gold in their own layer (push --preannotate review), and
agreement compares people with gold and each other.
"""
