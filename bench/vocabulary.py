"""Word pools and the entity registry of the synthetic benchmark corpus.

The pools mix scripts on purpose: names with combining marks that survive NFC
("Ọ̀" is U+1ECC U+0300, which has no precomposed form), names outside the Basic
Multilingual Plane ("𠮷", U+20BB7) and right-to-left names, so every tool is measured on
the text it will meet, not on ASCII.
"""

import random
import unicodedata

FIRST_NAMES = (
    ("Zoë", "she"), ("Adébáyọ̀", "he"), ("Ọ̀ṣúnfúnkẹ́", "she"), ("Nguyễn Thị", "she"),
    ("محمد", "he"), ("فاطمة", "she"), ("דוד", "he"), ("שרה", "she"), ("𠮷田", "he"),
    ("Søren", "he"), ("Łucja", "she"), ("Chloé", "she"), ("Ngozi", "she"), ("Oluwaṣeun", "he"),
    ("Ingrid", "she"), ("Kwame", "he"), ("Aiyana", "she"), ("Mateus", "he"), ("Hana", "she"),
    ("Ilyas", "he"), ("Tàbítà", "she"), ("Björn", "he"), ("Amaru", "they"), ("Yusra", "she"),
    ("Dmitri", "he"), ("Priya", "she"), ("Kofi", "he"), ("Ayşe", "she"), ("Jonas", "he"),
    ("Mireille", "she"), ("Tevita", "he"), ("Quỳnh", "she"), ("Rafael", "he"), ("Sami", "they"),
)
LAST_NAMES = (
    "Ångström", "Okafor", "Adéyẹmí", "Ọ̀kọ̀", "حسن", "כהן", "𠮷野", "Kovač", "Nakamura",
    "Müller", "García", "Nowak", "O'Brien", "Haugen", "Mensah", "Trần", "Đặng", "Silva",
    "Yılmaz", "Petrov", "Abubakar", "Lindqvist", "Ferreira", "Tanaka", "Mbeki", "Dubois",
    "Rahman", "Kowalczyk", "Olsen", "Achebe", "Castillo", "Ivanova", "Bakr", "Eriksen",
)
ROLES = ("the minister", "the mayor", "the spokeswoman", "the spokesman", "the analyst",
         "the chief executive", "the governor", "the ambassador", "the researcher",
         "the union leader", "the prosecutor", "the commander")
ORG_HEADS = ("Nordic", "Ọ̀yọ́", "Atlantic", "Sahel", "Mekong", "Baltic", "Andes", "Harmattan",
             "Aurora", "Meridian", "Kestrel", "Savanna", "Fjord", "Delta", "Cedar", "Monsoon")
ORG_TAILS = ("Energy Group", "Radio", "Ministry of Finance", "Health Alliance", "Bank",
             "Shipping Company", "Teachers' Union", "Institute", "Airlines", "Water Authority",
             "Press Agency", "Football Club", "Court of Appeal", "Council")
ORG_NOMINALS = ("the company", "the agency", "the group", "the ministry", "the union", "the bank")
PLACES = ("Tromsø", "Ọ̀ṣun", "Pyongyang", "São Paulo", "Kraków", "Reykjavík", "القاهرة",
          "תל אביב", "Hà Nội", "Zürich", "Montréal", "Lagos", "Ọ̀yọ́", "Nairobi", "Kyiv",
          "Bergen", "Dakar", "Gdańsk", "Quito", "Tbilisi", "Mombasa", "Tromsø County",
          "بيروت", "Ibadan", "Nuuk", "Almaty", "Valparaíso", "Hué", "Ōsaka", "Accra")
GPE_NOMINALS = ("the city", "the country", "the region", "the capital", "the province")
NORPS = ("Norwegian", "Yoruba", "Vietnamese", "Brazilian", "Israeli", "Egyptian", "Sámi",
         "Ghanaian", "Polish", "Kenyan", "Ukrainian", "Lebanese", "Greenlandic", "Chilean")
FAC_KINDS = ("Bridge", "Airport", "Stadium", "Harbour", "Power Station", "Hospital", "Tunnel")
LOCS = ("the Barents Sea", "the Sahel", "the Mekong Delta", "the Niger Delta", "the Andes",
        "the Baltic coast", "Lake Volta", "the Rift Valley", "the Arctic Circle", "the Negev")
PRODUCTS = ("Falcon X4", "Aurora tablet", "Kestrel 9", "Ọ̀ṣun Solar panel", "Meridian EV",
            "Harmattan drone", "Fjord 2 ferry", "Cedar smartphone")
EVENTS = ("Summit", "Festival", "Games", "Conference", "Forum", "Expo", "Marathon")
WORKS = ("The Long Harvest", "Songs of Ọ̀ṣun", "Nights in Tromsø", "The Salt Road",
         "A River of 🌊 Light", "Letters to Kyiv", "The 𠮷 Garden", "Winter Ledger")
LAWS = ("Clean Water Act", "Press Freedom Act", "Fisheries Act", "Data Protection Law",
        "Climate Framework Act", "Housing Act", "Public Health Act")
LANGUAGES = ("Norwegian", "Yoruba", "Arabic", "Hebrew", "Vietnamese", "English", "Sámi",
             "Portuguese", "Polish", "Swahili", "Japanese", "French")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "tenth")
CARDINAL_WORDS = ("two", "three", "four", "five", "seven", "dozens of", "hundreds of")
UNITS = ("tonnes", "kilometres", "megawatts", "hectares", "litres", "barrels")
CURRENCIES = ("$", "€", "£", "₦", "¥")
EMOJI = ("🎉", "👨‍👩‍👧", "🌊", "📈", "🚢", "⚡", "🇳🇴")

REGISTRY_SIZES = {"PERSON": 2400, "ORG": 224, "GPE": 30, "NORP": 14, "FAC": 120, "LOC": 10,
                  "PRODUCT": 8, "EVENT": 60, "WORK_OF_ART": 8, "LAW": 7, "LANGUAGE": 12}
_PREFIX = {"PERSON": "per", "ORG": "org", "GPE": "gpe", "NORP": "norp", "FAC": "fac",
           "LOC": "loc", "PRODUCT": "prod", "EVENT": "evt", "WORK_OF_ART": "work",
           "LAW": "law", "LANGUAGE": "lang"}


def _names(kind, rng):
    """The candidate names of one registry type, in a seed-dependent order."""
    if kind == "PERSON":
        names = [f"{first} {last}" for first, _ in FIRST_NAMES for last in LAST_NAMES]
    elif kind == "ORG":
        names = [f"{head} {tail}" for head in ORG_HEADS for tail in ORG_TAILS]
    elif kind == "FAC":
        names = [f"{place} {what}" for place in PLACES[:20] for what in FAC_KINDS[:6]]
    elif kind == "EVENT":
        names = [f"{place} {what}" for place in PLACES[:20] for what in EVENTS[:3]]
    else:
        names = list({"GPE": PLACES, "NORP": NORPS, "LOC": LOCS, "PRODUCT": PRODUCTS,
                      "WORK_OF_ART": WORKS, "LAW": LAWS, "LANGUAGE": LANGUAGES}[kind])
    rng.shuffle(names)
    return names[:REGISTRY_SIZES[kind]]


def build_registry(seed: int) -> list:
    """The registry entities (dicts in the entities.json form), deterministic for `seed`.

    PERSON entities also carry the pronoun the articles use for them (under `_pronoun`,
    which is dropped before writing).
    """
    rng = random.Random(f"registry:{seed}")
    pronouns = {f"{first} {last}": pronoun for first, pronoun in FIRST_NAMES for last in LAST_NAMES}
    entities = []
    for kind, prefix in _PREFIX.items():
        for i, name in enumerate(_names(kind, rng)):
            entity = {"id": f"{prefix}-{i:05d}", "name": name, "type": kind,
                      "wikidata": f"Q{rng.randrange(1, 10**8)}" if rng.random() < 0.3 else None}
            if kind == "PERSON":
                entity["_pronoun"] = pronouns[name]
            entities.append(entity)
    return entities


def _check_nfc():
    """Every pool must already be NFC: the canonical text is NFC, offsets refer to it."""
    pools = [name for pool in (LAST_NAMES, ROLES, ORG_HEADS, ORG_TAILS, PLACES, NORPS, LOCS,
                               PRODUCTS, WORKS, LAWS, LANGUAGES, EMOJI, CURRENCIES)
             for name in pool] + [first for first, _ in FIRST_NAMES]
    bad = [name for name in pools if not unicodedata.is_normalized("NFC", name)]
    if bad:
        raise ValueError(f"vocabulary entries not in NFC: {bad}")


_check_nfc()

# Plain prose between the annotated sentences: real articles are mostly unannotated text.
BACKGROUND = (
    "The decision follows months of debate over how to pay for repairs after two hard winters.",
    "Officials did not say how the money would be divided between the districts.",
    "Critics argue that the plan leaves smaller towns without the support they were promised.",
    "The figures could not be independently verified.",
    "Talks are expected to resume after the holidays, although no date has been set.",
    "Local businesses have long complained about delays at the border crossings.",
    "Opposition lawmakers called for a public inquiry into the contracts.",
    "The announcement came as thousands of workers prepared to strike over pay.",
    "Residents interviewed on the waterfront were divided over what the deal would mean for them.",
    "Analysts cautioned that the timetable was ambitious given the state of the public finances.",
    "Schools in the area were closed for the day as a precaution.",
    "The government has faced mounting pressure to act since the floods of the spring.",
    "Several smaller parties have yet to say whether they will back the measure.",
    "Environmental groups welcomed the move but said it did not go far enough.",
    "The proposal must still be approved by parliament, where the coalition holds a slim majority.",
    "Shares in the region's largest employers rose sharply on the news 📈.",
    "Ferries resumed their normal schedule in the afternoon 🚢 after a morning of high winds.",
    "Power was restored to most homes by evening ⚡, the utility said in a brief update.",
    "Fans gathered outside the town hall waving flags 🇳🇴 and singing late into the night.",
    "It was not immediately clear how many people would be affected by the change.",
    "Diplomats described the atmosphere at the meeting as tense but constructive.",
    "The report runs to more than two hundred pages and includes dozens of recommendations.",
    "Previous attempts to reform the system collapsed amid disagreements over funding.",
    "Many families said they had heard about the plan only through social media.",
    "Some economists warned that higher borrowing costs could slow the recovery.",
    "The ministry published a summary of the agreement on its website late in the evening.",
)
