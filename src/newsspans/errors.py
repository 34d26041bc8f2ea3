"""The exceptions newsspans raises."""


class NewsspansError(Exception):
    """Base class of every error newsspans raises on purpose."""


class CorpusError(NewsspansError):
    """The corpus folder or one of its files cannot be read or is malformed."""


class JsonError(CorpusError):
    """A JSON file cannot be parsed, or holds what no newsspans file may (NaN, 1.5, a key twice)."""

    def __init__(self, where, path, detail):
        self.where, self.path, self.detail = where, path, detail
        super().__init__(f"{where}: {detail}" if path == "$" else f"{where} {path}: {detail}")


class InvalidCorpus(NewsspansError):
    """Validation found problems; `problems` holds every one of them."""

    def __init__(self, problems):
        self.problems = list(problems)
        first = self.problems[0].format() if self.problems else "no details"
        more = len(self.problems) - 1
        suffix = f" (and {more} more)" if more > 0 else ""
        super().__init__(f"corpus is invalid: {first}{suffix}")


class IngestError(NewsspansError):
    """A raw file cannot be ingested as a corpus document."""


class RenderError(NewsspansError):
    """The corpus cannot be drawn as HTML (a span that does not fit its text, a dangling reference)."""


class StaleRender(NewsspansError):
    """Rendered pages on disk differ from what the corpus renders to now."""


class ExportError(NewsspansError):
    """The exports (Parquet, card, croissant.json) cannot be produced or are stale."""


class PublishError(NewsspansError):
    """The dataset cannot be published to the hub (no token, no network, refused)."""


class RevisionError(NewsspansError):
    """A new version of a document cannot be added, or its annotations cannot be re-anchored."""


class ReleaseError(NewsspansError):
    """A dataset release cannot be made (no exports, or a bump too small for the changes)."""


class BrowserUnavailable(NewsspansError):
    """Chromium, chromedriver or selenium is not installed (`make test` installs them)."""


class DoccanoError(NewsspansError):
    """The Doccano server cannot be reached, refused a request, or answered unexpectedly."""


class DoccanoUnavailable(DoccanoError):
    """The Doccano server could not be reached or answered a server error (5xx) after the
    retries: a state that may pass, unlike a refusal or a malformed answer."""


class DoccanoBusy(DoccanoUnavailable):
    """The Doccano server answered, with a server error (5xx): it is up but busy (SQLite's
    lock), unlike a server that cannot be reached at all."""


class RehydrateError(NewsspansError):
    """The full exports cannot be rebuilt: a text is missing or does not match its sha256."""


class AnnotateError(NewsspansError):
    """An annotation or a registry entity cannot be added as asked (text not found, ambiguous, unknown id)."""
