"""One synthetic news article: canonical text and gold annotations, built together.

Text is appended piece by piece and every span records the code-point offset at which it
was appended, so offsets are right by construction (the benchmark's `validate` run then
checks them the long way). An article is a heading and paragraphs of a few sentences:
one lead, ten quotes (direct, indirect, mixed) with speakers and cues, claims inside
quotes, claims by the author, claims attributed to an organisation, and colour sentences
carrying the remaining entity types.
"""

import random

import vocabulary as v
from textbuilder import TextBuilder

TARGET_CHARS = 4150


class Article:
    """The cast of one article and the sentences about it."""

    def __init__(self, rng: random.Random, by_type: dict):
        self.rng, self.b = rng, TextBuilder()
        pick = lambda kind, n: rng.sample(by_type[kind], n)  # noqa: E731
        self.people = pick("PERSON", 4)
        self.roles = rng.sample(v.ROLES, 4)
        self.orgs, self.places = pick("ORG", 2), pick("GPE", 3)
        self.one = {kind: pick(kind, 1)[0] for kind in
                    ("NORP", "FAC", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE")}
        self.introduced = set()
        self.prose = []

    # Mentions -----------------------------------------------------------------------------
    def person(self, i, capital=False, allow_pronoun=True):
        """A mention of person i: full name first, then surname, role or pronoun."""
        p, b = self.people[i], self.b
        if p["id"] not in self.introduced:
            self.introduced.add(p["id"])
            return b.m(p["name"], "PERSON", "NAM", p["id"])
        choice = self.rng.random()
        if choice < 0.4 or not allow_pronoun:
            return b.m(p["name"].split(" ")[-1], "PERSON", "NAM", p["id"])
        if choice < 0.7:
            role = self.roles[i]
            return b.m(role.capitalize() if capital else role, "PERSON", "NOM", p["id"])
        pronoun = p["_pronoun"]
        return b.m(pronoun.capitalize() if capital else pronoun, "PERSON", "PRO", p["id"])

    def org(self, i, nominal_ok=True, capital=False):
        o = self.orgs[i]
        if o["id"] in self.introduced and nominal_ok and self.rng.random() < 0.3:
            nominal = self.rng.choice(v.ORG_NOMINALS)
            return self.b.m(nominal.capitalize() if capital else nominal, "ORG", "NOM", o["id"])
        self.introduced.add(o["id"])
        return self.b.m(o["name"], "ORG", "NAM", o["id"])

    def place(self, i, nominal_ok=True):
        g = self.places[i]
        if g["id"] in self.introduced and nominal_ok and self.rng.random() < 0.25:
            return self.b.m(self.rng.choice(v.GPE_NOMINALS), "GPE", "NOM", g["id"])
        self.introduced.add(g["id"])
        return self.b.m(g["name"], "GPE", "NAM", g["id"])

    def named(self, kind):
        e = self.one[kind]
        # Products, events, works, laws and languages need no link; leave some unlinked.
        linked = kind in ("NORP", "FAC", "LOC") or self.rng.random() < 0.8
        return self.b.m(e["name"], kind, "NAM", e["id"] if linked else None)

    def date(self):
        """A DATE mention with the preposition it takes ("on Monday", "in March 2024")."""
        r, b = self.rng, self.b
        form = r.randrange(4)
        if form == 0:
            b.t("on ")
            return b.m(r.choice(v.WEEKDAYS), "DATE")
        if form == 1:
            b.t("in ")
            return b.m(f"{r.choice(v.MONTHS)} {r.randrange(2015, 2027)}", "DATE")
        if form == 2:
            b.t("on ")
            return b.m(f"{r.randrange(1, 29)} {r.choice(v.MONTHS)}", "DATE")
        return b.m("last year", "DATE")

    def value(self, label):
        r = self.rng
        text = {
            "MONEY": lambda: f"{r.choice(v.CURRENCIES)}{r.randrange(2, 900)} million",
            "PERCENT": lambda: f"{r.randrange(1, 60)}.{r.randrange(10)}%",
            "QUANTITY": lambda: f"{r.randrange(2, 9000):,} {r.choice(v.UNITS)}",
            "CARDINAL": lambda: r.choice((r.choice(v.CARDINAL_WORDS), f"{r.randrange(11, 5000):,}")),
            "ORDINAL": lambda: r.choice(v.ORDINALS),
            "TIME": lambda: f"{r.randrange(1, 12)}:{r.choice(('00', '15', '30', '45'))} "
                            f"{r.choice(('a.m.', 'p.m.'))}",
        }[label]()
        return self.b.m(text, label)

    # Sentences ------------------------------------------------------------------------------
    def heading(self):
        b = self.b
        self.org(0, nominal_ok=False)
        b.t(" to spend ")
        self.value("MONEY")
        b.t(" in ")
        self.place(0, nominal_ok=False)

    def lead(self):
        """An indirect quote of person 0, with a claim filling it."""
        b = self.b
        speaker = self.person(0)
        b.t(", ")
        b.m(self.roles[0], "PERSON", "NOM", self.people[0]["id"])
        b.t(" of ")
        self.org(0, nominal_ok=False)
        b.t(", ")
        cue = b.cue("said")
        b.t(" ")
        self.date()
        b.t(" that ")
        start = b.mark()
        self.place(0, nominal_ok=False)
        b.t(" would spend ")
        self.value("MONEY")
        b.t(" on ")
        self.value("QUANTITY")
        b.t(" of ")
        self.named("PRODUCT")
        qid = b.quote(start, b.pos, "indirect", speaker, cue)
        b.claim(start, b.pos, speaker, qid, "prediction")
        b.t(".")

    def _quoted_content(self):
        """Content of a direct quote; returns (claim_start, claim_end) of its first clause."""
        r, b = self.rng, self.b
        start = b.mark()
        form = r.randrange(4)
        if form == 0:
            b.t("We will build ")
            self.value("CARDINAL")
            b.t(" new schools in ")
            self.place(1)
        elif form == 1:
            b.t("Prices rose ")
            self.value("PERCENT")
            b.t(" in ")
            self.place(2)
            b.t(" since ")
            b.m(f"{self.rng.choice(v.MONTHS)} {self.rng.randrange(2015, 2027)}", "DATE")
        elif form == 2:
            b.t("The ")
            self.named("LAW")
            b.t(" was broken ")
            self.value("CARDINAL")
            b.t(" times by ")
            self.org(1)
        else:
            b.t("Our ")
            self.named("NORP")
            b.t(" partners paid ")
            self.value("MONEY")
            b.t(" for the ")
            self.named("FAC")
        end = b.pos
        if r.random() < 0.5:
            b.t(f", and people are celebrating {r.choice(v.EMOJI)}")
        return start, end

    def direct_quote(self, with_claim):
        r, b = self.rng, self.b
        i = r.randrange(4)
        open_, close = r.choice((("“", "”"), ('"', '"')))
        b.t(open_)
        start = b.mark()
        claim_start, claim_end = self._quoted_content()
        end = b.pos
        b.t(f",{close} ")
        speaker = self.person(i)
        b.t(" ")
        if r.random() < 0.4:
            cue_start = b.mark()
            b.t("told ")
            self.org(1, nominal_ok=False)
            cue = {"start": cue_start, "end": b.pos, "text": b.text()[cue_start:b.pos]}
        else:
            cue = b.cue(r.choice(("said", "added", "insisted", "warned")))
        b.t(".")
        qid = b.quote(start, end, "direct", speaker, cue)
        if with_claim:
            b.claim(claim_start, claim_end, speaker, qid, r.choice(("statistic", "event", "accusation")))

    def mixed_quote(self):
        r, b = self.rng, self.b
        speaker = self.person(r.randrange(4), capital=True, allow_pronoun=False)
        b.t(" ")
        cue = b.cue(r.choice(("described", "called")))
        b.t(" the plan as “")
        start = b.mark()
        b.t(r.choice(("a turning point for ", "a betrayal of ", "long overdue in ")))
        self.place(r.randrange(3))
        end = b.pos
        b.t("”.")
        b.quote(start, end, "mixed", speaker, cue)

    def indirect_quote(self, with_claim):
        r, b = self.rng, self.b
        speaker = self.org(r.randrange(2), capital=True)
        b.t(" ")
        cue = b.cue(r.choice(("said in a statement", "announced", "confirmed")))
        b.t(" that ")
        start = b.mark()
        b.t("the ")
        self.value("ORDINAL")
        b.t(" phase would open ")
        self.date()
        end = b.pos
        b.t(".")
        qid = b.quote(start, end, "indirect", speaker, cue)
        if with_claim:
            b.claim(start, end, speaker, qid, "event")

    def author_statistic(self):
        r, b = self.rng, self.b
        start = b.mark()
        self.org(r.randrange(2), capital=True)
        b.t(" exported ")
        self.value("QUANTITY")
        b.t(" ")
        self.date()
        b.t(", up ")
        self.value("PERCENT")
        b.t(" from a year earlier")
        b.claim(start, b.pos, "@author", None, "statistic")
        b.t(".")

    def author_history(self):
        b = self.b
        start = b.mark()
        b.t("The ")
        self.named("LAW")
        b.t(" was adopted ")
        self.date()
        b.t(" after the ")
        self.named("EVENT")
        b.t(", the ")
        self.value("ORDINAL")
        b.t(" such meeting in ")
        self.named("LOC")
        b.claim(start, b.pos, "@author", None, "historical")
        b.t(".")

    def attributed_claim(self):
        b = self.b
        b.t("According to ")
        claimant = self.org(self.rng.randrange(2), nominal_ok=False)
        b.t(", ")
        start = b.mark()
        self.value("CARDINAL")
        b.t(" families in ")
        self.place(self.rng.randrange(3))
        b.t(" lost their homes")
        b.claim(start, b.pos, claimant, None, "event")
        b.t(".")

    def background(self):
        """A sentence of plain prose: length without annotations, as real articles have."""
        if not self.prose:
            self.prose = list(v.BACKGROUND)
            self.rng.shuffle(self.prose)
        self.b.t(self.prose.pop())

    def colour(self, form):
        r, b = self.rng, self.b
        if form == 0:
            b.t("At ")
            self.value("TIME")
            b.t(", ")
            self.value("CARDINAL")
            b.t(" people gathered at ")
            self.named("FAC")
            b.t(" near ")
            self.named("LOC")
            b.t(" to watch ")
            self.named("WORK_OF_ART")
            b.t(", performed in ")
            self.named("LANGUAGE")
            b.t(".")
        elif form == 1:
            self.named("NORP")
            b.t(" officials in ")
            self.place(r.randrange(3))
            b.t(f" welcomed the news {r.choice(v.EMOJI)}, while ")
            self.person(r.randrange(4))
            b.t(" stayed silent for the ")
            self.value("ORDINAL")
            b.t(" time.")
        else:
            b.t("The ")
            self.named("EVENT")
            b.t(" drew ")
            self.value("CARDINAL")
            b.t(" visitors to ")
            self.place(r.randrange(3))
            b.t(" ")
            self.date()
            b.t(", ")
            self.person(r.randrange(4))
            b.t(" said.")


def build(rng: random.Random, by_type: dict):
    """(text, entities, quotes, claims) of one article; text is canonical (normalised)."""
    art = Article(rng, by_type)
    b = art.b
    art.heading()
    b.t("\n\n")
    art.lead()
    # Ten quotes (the lead is one), claims in seven of them, three claims outside quotes.
    plan = ([lambda: art.direct_quote(True)] * 5 + [lambda: art.direct_quote(False)]
            + [art.mixed_quote] * 2 + [lambda: art.indirect_quote(True)]
            + [art.author_statistic, art.author_history, art.attributed_claim]
            + [lambda: art.colour(0), lambda: art.colour(1), lambda: art.colour(2)])
    rng.shuffle(plan)
    sentence_in_paragraph = 1
    for step in plan:
        if sentence_in_paragraph >= rng.choice((2, 3)):
            b.t("\n\n")
            sentence_in_paragraph = 0
        else:
            b.t(" ")
        step()
        sentence_in_paragraph += 1
    while b.pos < TARGET_CHARS - 150:
        b.t("\n\n" if rng.random() < 0.3 else " ")
        art.background()
    b.t("\n")
    return b.text(), b.entities, b.quotes, b.claims
