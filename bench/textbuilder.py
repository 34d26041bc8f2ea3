"""Text appended piece by piece, with spans anchored at the offsets where they were appended.

Offsets are code points into the final text (Python string indices), so a span's text is
the slice it claims by construction.
"""


class TextBuilder:
    """The text so far and the annotations anchored in it."""

    def __init__(self):
        self.parts, self.pos = [], 0
        self.entities, self.quotes, self.claims = [], [], []
        self._next = {"m": 0, "q": 0, "c": 0}

    def _id(self, kind):
        self._next[kind] += 1
        return f"{kind}{self._next[kind]}"

    def t(self, text):
        self.parts.append(text)
        self.pos += len(text)

    def m(self, text, label, kind="NAM", entity=None):
        """Append `text` as a mention; returns its id."""
        mid = self._id("m")
        self.entities.append({"id": mid, "start": self.pos, "end": self.pos + len(text),
                              "text": text, "label": label, "mention": kind, "entity": entity})
        self.t(text)
        return mid

    def mark(self):
        return self.pos

    def quote(self, start, end, kind, speaker, cue):
        qid = self._id("q")
        text = self.text()[start:end]
        self.quotes.append({"id": qid, "start": start, "end": end, "text": text, "kind": kind,
                            "speaker": speaker, "cue": cue})
        return qid

    def claim(self, start, end, claimant, quote, category, checkworthy=True):
        text = self.text()[start:end]
        self.claims.append({"id": self._id("c"), "start": start, "end": end, "text": text,
                            "claimant": claimant, "quote": quote, "checkworthy": checkworthy,
                            "category": category})

    def cue(self, text):
        start = self.pos
        self.t(text)
        return {"start": start, "end": self.pos, "text": text}

    def text(self):
        if len(self.parts) > 1:
            self.parts[:] = ["".join(self.parts)]
        return self.parts[0] if self.parts else ""
