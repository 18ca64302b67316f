"""Words that are never part of a person's name, and the names of places.

Shared by the label reader (``labels``) and the reader of names in titles and leads
(``people``); office words are ``labels``' own.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

TITLE_CASE_WORDS = {
    "after", "before", "meeting", "meetings", "with", "on", "at", "by", "for", "about", "during",
    "following", "officials", "visit", "trip", "joint", "regular", "daily", "online", "weekly",
    "special", "new", "year", "session", "summit", "talks", "press", "news", "the", "and",
}  # fmt: skip

# Title-case words that end one name and may start another ("... Jay Carney Aboard Air Force One
# En Route Oso"): a run is cut there and each piece read on its own.
CONNECTORS = {
    "aboard", "onboard", "en", "route", "via", "upon", "from", "to", "in", "into", "on", "at",
    "by", "with", "after", "before", "during", "following", "for", "about", "and", "&",
}  # fmt: skip

# Words of things, places, bodies and events, never of a person's name ("Air Force One", "Great
# Patriotic War", "International Economic Forum", "Direct Line", "Kremlin Palace").
NOT_NAME_WORDS = {
    "air", "force", "forces", "armed", "one", "two", "three", "cup", "international",
    "competition", "championship", "games", "olympic", "olympics", "war", "patriotic", "great",
    "treaty", "organisation", "organization", "line", "direct", "palace", "kremlin", "address",
    "forum", "economic", "order", "no", "all", "base", "st", "city", "union", "committee",
    "court", "bank", "party", "university", "museum", "centre", "center", "day", "festival",
    "world", "house", "white", "congress", "assembly", "parliament", "duma", "government",
    "company", "corporation", "foundation", "fund", "institute", "academy", "school", "society",
    "association", "commission", "department", "board", "region", "district", "territory",
    "province", "oblast", "krai", "north", "south", "east", "west", "central", "northern",
    "southern", "eastern", "western", "plant", "station", "port", "airport", "cathedral",
    "church", "monastery", "square", "street", "avenue", "bridge", "hall", "theatre", "theater",
    "stadium", "park", "island", "sea", "ocean", "river", "lake", "coast", "gulf", "business",
    "presidential", "federal", "russian", "russia", "european", "asian", "african", "american",
    "pacific", "atlantic", "arctic", "eurasian", "energy", "security", "defence",
    "defense", "development", "cooperation", "relations", "programme", "program", "project",
    "agreement", "declaration", "initiative", "strategy", "policy", "reform", "act", "law",
    "bill", "code", "decree", "anniversary", "victory", "memorial", "monument", "tomb",
    "unknown", "soldier", "hero", "heroes", "prize", "award", "medal", "honour", "honor",
    "exhibition", "expo", "fair", "show", "tournament", "match", "final", "league", "team",
    "club", "federation", "republic", "kingdom", "emirates", "states", "nations", "group",
    "ministry", "agency", "service", "office", "council", "people's", "peoples", "climate",
    "change", "health", "education", "labor", "labour", "commerce", "trade", "finance",
    "treasury", "justice", "homeland", "transportation", "agriculture", "interior", "veterans",
    "housing", "budget", "natural", "resources", "strategic", "public", "science", "technology",
    "culture", "sport", "sports", "emergencies", "industry", "economy", "national", "global",
    "peace", "diplomacy", "environment", "administrator", "commissioner", "advisers", "nato",
    "speaker", "rights", "chamber", "relief", "reduction", "bureau", "guard", "navy", "army",
    "police", "customs", "prosecutor", "investigative", "audit", "media", "press",
}  # fmt: skip

# Job nouns that open a name run without being office words of a label ("Speechwriter Ben
# Rhodes", "Editor Lionel Barber", "CEO Igor Sechin").
JOB_WORDS = {
    "speechwriter", "writer", "editor", "editor-in-chief", "correspondent", "columnist",
    "anchor", "host", "presenter", "reporter", "commentator", "author", "economist", "aide",
    "counselor", "counsellor", "coordinator", "czar", "negotiator", "ceo", "cfo", "coo",
    "founder", "chair", "chairperson", "communications", "communication", "spokesman",
    "spokeswoman", "patriarch", "metropolitan", "archbishop", "bishop", "cosmonaut", "coach",
    "director", "manager", "professor", "academician", "general", "admiral", "colonel",
    "captain", "major", "lieutenant", "sergeant", "senator", "congressman", "congresswoman",
    "governor", "mayor", "ambassador", "sheikh", "sheik",
}  # fmt: skip

# Nouns that end office titles and are never names ("Communications", "Development").
NOUN_ENDING = re.compile(r"(?:ment|tions?|sions?|ism|ics|acy|ship|ogy)$")

MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
}  # fmt: skip


def plain_word(token: str) -> bool:
    """A word of things, places, bodies, events, jobs or months, never of a person's name
    (office words aside: ``structure.labels`` knows those)."""
    low = token.casefold().strip(".,")
    return (
        low in NOT_NAME_WORDS
        or (low.endswith("s") and low[:-1] in NOT_NAME_WORDS | JOB_WORDS)  # "Unions", "Services"
        or low in JOB_WORDS
        or low in MONTHS
        or low in TITLE_CASE_WORDS
        or low in CONNECTORS
        or (len(low) >= 6 and bool(NOUN_ENDING.search(low)))
    )


@lru_cache(maxsize=1)
def places() -> frozenset[str]:
    """Country names in their usual English forms, folded."""
    names: set[str] = set()
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            v = getattr(c, attr, None)
            if v:
                names.add(v.casefold())
                names.add(re.sub(r",.*$", "", v).casefold())  # "Korea, Republic of" -> "korea"
    names.update({
        "russia", "the russian federation", "britain", "great britain", "the united kingdom",
        "the united states", "the united states of america", "united states", "america",
        "south korea", "north korea", "the republic of korea", "republic of korea", "korea",
        "turkey", "iran", "syria", "venezuela", "bolivia", "vietnam", "laos", "moldova",
        "czech republic", "the czech republic", "macedonia", "north macedonia", "palestine",
        "the state of palestine", "state of palestine", "taiwan", "kosovo", "abkhazia",
        "south ossetia", "the republic of south ossetia", "the republic of abkhazia",
        "the uae", "uae", "the united arab emirates", "abu dhabi", "dubai", "the netherlands",
        "the philippines", "the argentine republic", "argentine republic", "ivory coast",
        "cote d'ivoire", "the vatican", "vatican", "the holy see", "brunei", "cape verde",
        "swaziland", "burma", "the european commission", "the european council",
        "the european union", "european union", "european commission", "european council",
        "sri lanka", "sierra leone", "saudi arabia", "south africa", "the south african republic",
        "south african republic", "new zealand", "the dominican republic",
    })  # fmt: skip
    return frozenset(names)
