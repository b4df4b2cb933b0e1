"""grades.py: credibility written in a citation, combined grades, the ICD 203 scale."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.grades import (
    LIKELIHOOD,
    OFF_SCALE,
    TERMS,
    grade,
    grade_label,
    is_weak,
    off_scale_phrases,
    split_credibility,
)


@pytest.mark.parametrize(
    ("written", "locator", "credibility"),
    [
        ("para. 3, cred. 2", "para. 3", 2),
        ("cred. 2", "", 2),
        ("cred.2", "", 2),
        ("Cred. 6, p. 2", "p. 2", 6),
        ("p. 3, para. 2,  cred. 1", "p. 3, para. 2", 1),
        # Without credibility a locator is kept as it was written (spaces made one).
        ("p. 3,para. 2", "p. 3,para. 2", 0),
        ("para.  3", "para. 3", 0),
        ("col. 2", "col. 2", 0),
        ("line 4", "line 4", 0),
    ],
)
def test_credibility_is_read_after_the_locator(
    written: str, locator: str, credibility: int
) -> None:
    assert split_credibility(written) == (locator, credibility, None)


@pytest.mark.parametrize(
    ("written", "offset", "message", "hint"),
    [
        ("cred. 7", 0, "credibility 'cred. 7' is not on the scale of 1 to 6", "write cred. 1"),
        ("para. 3, cred. 0", 9, "credibility 'cred. 0' is not on the scale", "write cred. 1"),
        ("crd. 2", 0, "'crd. 2' is not how credibility is written", "write 'cred. 2'"),
        ("p. 4, cerd 3", 6, "'cerd 3' is not how credibility is written", "write 'cred. 3'"),
        ("credibility: 2", 0, "'credibility: 2' is not how", "write 'cred. 2'"),
        ("para. 5 cred. 2", 8, "'cred. 2' needs a comma before it", "write 'para. 5, cred. 2'"),
        ("cred. 2, cred. 3", 9, "credibility is given twice", "keep one of the two"),
    ],
)
def test_credibility_written_wrong(written: str, offset: int, message: str, hint: str) -> None:
    _, _, problem = split_credibility(written)
    assert problem is not None
    assert problem.offset == offset
    assert problem.message.startswith(message)
    assert problem.hint.startswith(hint)


def test_combined_grades_and_their_words() -> None:
    assert grade("B", 2) == "B2"
    assert grade("B", 0) == "B"
    assert grade("", 3) == "?3"
    assert grade("", 0) == ""
    assert grade_label("B", 2) == "Grade B2: source usually reliable, information probably true"
    assert grade_label("F", 0) == "Grade F: source reliability cannot be judged"
    assert [is_weak(r, c) for r, c in [("E", 1), ("F", 0), ("A", 5), ("B", 6), ("D", 4)]] == [
        True,
        True,
        True,
        True,
        False,
    ]


def test_the_likelihood_scale_has_icd_203s_bands_in_order() -> None:
    bands = [(t.low, t.high) for t in LIKELIHOOD]
    assert bands == [(1, 5), (5, 20), (20, 45), (45, 55), (55, 80), (80, 95), (95, 99)]
    assert TERMS["roughly even chance"].band == "45\u201355 %"
    # Every proposal for a word off the scale is a term of the scale.
    assert {nearest for nearest in OFF_SCALE.values() if nearest} <= set(TERMS)


def test_words_off_the_scale_are_found_with_the_nearest_term() -> None:
    text = (
        "Russia will probably stay; it is highly likely, Moscow may well agree, almost certainly."
    )
    assert off_scale_phrases(text) == [
        (12, "probably", "likely"),
        (33, "highly likely", "very likely"),
        (55, "may well", "likely"),
    ]
    assert off_scale_phrases("It is likely, very unlikely and almost certain.") == []


def test_the_readme_lists_every_word_off_the_scale_with_its_proposal() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| written | proposed |") :].split("\n\n")[0]
    listed = {}
    for row in table.splitlines()[2:]:
        words, proposed = (cell.strip() for cell in row.strip("|").split("|"))
        listed.update(dict.fromkeys(words.split(", "), proposed))
    assert listed == {word: term for word, term in OFF_SCALE.items() if term}
