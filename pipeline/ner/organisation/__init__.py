"""Organisations: ministries, agencies, councils, networks, parties, media, companies.

Patterns in `models/patterns/organisation/`: `gazetteer.jsonl` (generated from `models/gazetteers/` by
`make patterns`) and `rules.jsonl` (names with an organisation head word, `ministerie van …`, acronyms
before `-raad`). `naming` decides what an organisation-looking name really is and how a new one is named.
"""

from pipeline.ner.organisation.factory import FACTORY, SPANS_KEY, pattern_files
from pipeline.ner.organisation.naming import (
    COUNCIL_OF_PLACE,
    MINISTER_OF_PERSON,
    MINISTRY_RULE,
    council_of_place,
    cut_ministry,
    listed_ministries,
    ministry_of_minister,
    names_an_event,
    new_organisation_name,
)

__all__ = [
    "COUNCIL_OF_PLACE",
    "FACTORY",
    "MINISTER_OF_PERSON",
    "MINISTRY_RULE",
    "SPANS_KEY",
    "council_of_place",
    "cut_ministry",
    "listed_ministries",
    "ministry_of_minister",
    "names_an_event",
    "new_organisation_name",
    "pattern_files",
]
