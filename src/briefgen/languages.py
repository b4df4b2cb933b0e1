"""Language tags and their English names: the only module that imports langcodes.

A source's ``language`` is an IETF language tag (``en``, ``ru``, ``pt-BR``,
``zh-Hant``). langcodes checks it against the IANA registry and names it from
CLDR's data (the package language-data), so a reader sees "English" or
"Portuguese (Brazil)" rather than a code. Imported only when a source has a
language: loading the names costs about 0.2 s.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Language:
    """A known language tag."""

    tag: str
    """In its standard form: ``EN`` -> ``en``, ``eng`` -> ``en``, ``iw`` -> ``he``."""
    name: str
    """Its English name, e.g. 'English' or 'Portuguese (Brazil)'."""


@dataclass(frozen=True, slots=True)
class Unknown:
    """Why a value is not a language tag, and what to write instead."""

    message: str
    hint: str


def language(value: str) -> Language | Unknown:
    """The language a tag names, or why it names none, with a proposal."""
    import langcodes

    if langcodes.tag_is_valid(value):
        tag = langcodes.standardize_tag(value)
        return Language(tag, langcodes.Language.get(tag).display_name("en"))
    return Unknown(*_proposal(value))


def _proposal(value: str) -> tuple[str, str]:
    import langcodes

    example = "write a language tag such as 'en', 'ru' or 'pt-BR'"
    # A language's name written instead of its code: 'English', 'russian', 'Deutsch'.
    if len(value) > 3 and value.replace(" ", "").isalpha():
        try:
            found = langcodes.find(value)
        except LookupError:
            pass
        else:
            return (
                f"'language' must be a language tag, not '{value}'",
                f"did you mean '{found.to_tag()}', the tag for {found.display_name('en')}?",
            )
    # A country code written for a language: 'jp' for Japanese, 'ua' for Ukrainian.
    region = value.upper()
    if len(value) == 2 and value.isalpha() and langcodes.tag_is_valid(f"und-{region}"):
        country = langcodes.Language.get(f"und-{region}").territory_name("en")
        likely = langcodes.Language.get(f"und-{region}").maximize()
        # Private-use codes (XX, ZZ) are valid regions that CLDR calls 'Unknown Region'.
        if not country.startswith("Unknown") and likely.language not in (None, "und"):
            name = langcodes.Language.get(likely.language).display_name("en")
            return (
                f"unknown language tag '{value}'",
                f"'{region}' is the country code of {country}; "
                f"did you mean '{likely.language}', the tag for {name}?",
            )
    return f"unknown language tag '{value}'", example
