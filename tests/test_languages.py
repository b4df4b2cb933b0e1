"""Language tags: known ones get their English name, unknown ones a proposal that works."""

from __future__ import annotations

import pytest

from briefgen.languages import Language, Unknown, language

from .conftest import Project


@pytest.mark.parametrize(
    ("written", "tag", "name"),
    [
        ("en", "en", "English"),
        ("EN", "en", "English"),
        ("eng", "en", "English"),
        ("ru", "ru", "Russian"),
        ("pt-BR", "pt-BR", "Portuguese (Brazil)"),
        ("en-gb", "en-GB", "English (United Kingdom)"),
        ("zh-Hant", "zh-Hant", "Chinese (Traditional)"),
        ("iw", "he", "Hebrew"),
    ],
)
def test_known_tags_are_named_in_english(written: str, tag: str, name: str) -> None:
    assert language(written) == Language(tag, name)


@pytest.mark.parametrize(
    ("written", "message", "hint"),
    [
        (
            "English",
            "'language' must be a language tag, not 'English'",
            "did you mean 'en', the tag for English?",
        ),
        (
            "Farsi",
            "'language' must be a language tag, not 'Farsi'",
            "did you mean 'fa', the tag for Persian?",
        ),
        (
            "jp",
            "unknown language tag 'jp'",
            "'JP' is the country code of Japan; did you mean 'ja', the tag for Japanese?",
        ),
        ("xx", "unknown language tag 'xx'", "write a language tag such as 'en', 'ru' or 'pt-BR'"),
        ("e n", "unknown language tag 'e n'", "write a language tag such as 'en', 'ru' or 'pt-BR'"),
    ],
)
def test_unknown_values_get_a_proposal(written: str, message: str, hint: str) -> None:
    assert language(written) == Unknown(message, hint)


@pytest.mark.parametrize("written", ["English", "Farsi", "jp", "ua", "russian"])
def test_every_proposed_tag_is_itself_known(written: str) -> None:
    found = language(written)
    assert isinstance(found, Unknown)
    proposed = found.hint.split("did you mean '")[1].split("'")[0]
    assert isinstance(language(proposed), Language)


def test_source_page_shows_the_language_name(project: Project) -> None:
    project.write(
        "content/sources/ft-2017-01-17.md",
        "---\ntitle: Russia invites US\npublication: Financial Times\nlanguage: EN\n---\n",
    )
    project.build()
    page = project.page("sources/ft-2017-01-17/index.html")
    assert "<dt>Language</dt><dd>English</dd>" in page
