"""pickling.by_fields: the site's frozen objects survive a warm build's save and load."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

import pytest

from briefgen.markdown import Rendered
from briefgen.markdown.document import Link
from briefgen.model import Citation, Location, Mention, PartialDate, Statement
from briefgen.pickling import by_fields


def test_a_round_trip_gives_equal_objects_of_the_same_class() -> None:
    where = Location("content/briefs/a.md", 4, 7)
    citation = Citation("wire", 2, "cite-2-1", "para. 3", where)
    copied = pickle.loads(pickle.dumps([citation, where, PartialDate(2017)]))
    assert copied == [citation, where, PartialDate(2017)]
    assert type(copied[0]) is Citation
    assert copied[0].where is copied[1]  # shared objects stay shared


def test_a_one_field_class_round_trips() -> None:
    @by_fields
    @dataclass(frozen=True, slots=True)
    class One:
        value: str

    # pickle finds classes by name: a class made in a test is found through its module
    globals()["One"] = One
    One.__qualname__ = "One"
    try:
        assert pickle.loads(pickle.dumps(One("x"))) == One("x")
    finally:
        del globals()["One"]


def test_a_class_it_would_copy_wrongly_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot be pickled by its fields"):

        @by_fields
        @dataclass(frozen=True)
        class Derived:
            value: int
            twice: int = field(init=False, default=0)

    with pytest.raises(TypeError, match="cannot be pickled by its fields"):

        @by_fields
        @dataclass(frozen=True)
        class Checked:
            value: int

            def __post_init__(self) -> None:
                pass


def test_a_rendered_body_pickles_its_mentions_and_citations_as_plain_tuples() -> None:
    here = Location("content/briefs/a.md", 9, 4)
    body = Rendered(
        "<p>x</p>",
        (Mention("sergei-lavrov", here), Mention("rex-tillerson", Location("b.md", 2, 1))),
        (
            Citation("tass-2017", 1, "cite-1-1", "para. 3", here, 2),
            Citation("ap-2017", 2, "cite-2-1", "", Location("content/briefs/a.md", 11, 7)),
        ),
        (Statement("sergei-lavrov", "tass-2017", "", "<p>said</p>", "statement-1", here),),
        (Link("https://example.org/", here),),
        frozenset({"cite-1-1", "cite-2-1", "statement-1"}),
        (),
    )
    data = pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL)
    back = pickle.loads(data)
    assert back == body and type(back) is Rendered
    assert type(back.citations[0].where) is Location and back.citations[1].credibility == 0
    # Mentions and citations go as plain tuples: neither class is named in the pickle.
    assert data.count(b"Mention") == 0 and data.count(b"Citation") == 0
