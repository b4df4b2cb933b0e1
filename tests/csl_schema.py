"""The CSL-JSON input schema (csl-data.json), vendored for the tests.

Written here from the published schema of the Citation Style Language project
(schemas/input/csl-data.json, JSON Schema draft-07), not downloaded: tests reach no
public site. It keeps what decides whether a file is valid CSL-JSON: an array of
items, each an object with a required ``type`` (one of CSL's item types) and ``id``,
no key that is not a CSL variable, names as name objects and dates as date objects
(or EDTF strings). The variables are listed by the type of value they take.
"""

from __future__ import annotations

from typing import Any

ITEM_TYPES = [
    "article",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "bill",
    "book",
    "broadcast",
    "chapter",
    "classic",
    "collection",
    "dataset",
    "document",
    "entry",
    "entry-dictionary",
    "entry-encyclopedia",
    "figure",
    "graphic",
    "hearing",
    "interview",
    "legal_case",
    "legislation",
    "manuscript",
    "map",
    "motion_picture",
    "musical_score",
    "pamphlet",
    "paper-conference",
    "patent",
    "performance",
    "periodical",
    "personal_communication",
    "post",
    "post-weblog",
    "regulation",
    "report",
    "review",
    "review-book",
    "software",
    "song",
    "speech",
    "standard",
    "thesis",
    "treaty",
    "webpage",
]

NAME_VARIABLES = [
    "author",
    "chair",
    "collection-editor",
    "compiler",
    "composer",
    "container-author",
    "contributor",
    "curator",
    "director",
    "editor",
    "editorial-director",
    "executive-producer",
    "interviewer",
    "illustrator",
    "organizer",
    "original-author",
    "performer",
    "producer",
    "recipient",
    "reviewed-author",
    "translator",
]

DATE_VARIABLES = [
    "accessed",
    "available-date",
    "container",
    "event-date",
    "issued",
    "original-date",
    "submitted",
]

NUMBER_OR_TEXT_VARIABLES = [
    "chapter-number",
    "citation-number",
    "collection-number",
    "edition",
    "first-reference-note-number",
    "issue",
    "locator",
    "number",
    "number-of-pages",
    "number-of-volumes",
    "page",
    "page-first",
    "part",
    "printing",
    "supplement",
    "volume",
    "id",
]

TEXT_VARIABLES = [
    "language",
    "journalAbbreviation",
    "shortTitle",
    "abstract",
    "annote",
    "archive",
    "archive_collection",
    "archive_location",
    "archive-place",
    "authority",
    "call-number",
    "citation-label",
    "collection-title",
    "container-title",
    "container-title-short",
    "dimensions",
    "division",
    "DOI",
    "event",
    "event-place",
    "genre",
    "ISAN",
    "ISBN",
    "ISCI",
    "ISMN",
    "ISRC",
    "ISSN",
    "ISWC",
    "jurisdiction",
    "keyword",
    "medium",
    "note",
    "original-publisher",
    "original-publisher-place",
    "original-title",
    "part-title",
    "PMCID",
    "PMID",
    "publisher",
    "publisher-place",
    "references",
    "reviewed-title",
    "scale",
    "section",
    "source",
    "status",
    "title",
    "title-short",
    "translated-title",
    "translated-title-short",
    "URL",
    "version",
    "year-suffix",
]

_LOOSE = {"type": ["string", "number", "boolean"]}
_EDTF = {"type": "string", "pattern": "[0-9,-,%,~,X,?,..,/]"}

NAME = {
    "anyOf": [
        {
            "properties": {
                **{
                    key: {"type": "string"}
                    for key in (
                        "family",
                        "given",
                        "dropping-particle",
                        "non-dropping-particle",
                        "suffix",
                        "literal",
                    )
                },
                **{key: _LOOSE for key in ("comma-suffix", "static-ordering", "parse-names")},
            },
            "additionalProperties": False,
        }
    ]
}

DATE = {
    "anyOf": [
        _EDTF,
        {
            "properties": {
                "date-parts": {
                    "type": "array",
                    "items": {
                        "type": "array",
                        "items": {"type": ["string", "number"]},
                        "minItems": 1,
                        "maxItems": 3,
                    },
                    "minItems": 1,
                    "maxItems": 2,
                },
                "season": {"type": ["string", "number"]},
                "circa": _LOOSE,
                "literal": {"type": "string"},
                "raw": {"type": "string"},
                "edtf": _EDTF,
            },
            "additionalProperties": False,
        },
    ]
}

SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "description": "JSON schema for CSL input data",
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ITEM_TYPES},
            "categories": {"type": "array", "items": {"type": "string"}},
            "custom": {"type": "object"},
            **{key: {"type": "array", "items": NAME} for key in NAME_VARIABLES},
            **{key: DATE for key in DATE_VARIABLES},
            **{key: {"type": ["string", "number"]} for key in NUMBER_OR_TEXT_VARIABLES},
            **{key: {"type": "string"} for key in TEXT_VARIABLES},
        },
        "required": ["type", "id"],
        "additionalProperties": False,
    },
}
