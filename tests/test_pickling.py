"""pickling.by_fields: the site's frozen objects survive a warm build's save and load."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

import pytest

from briefgen.model import Citation, Location, PartialDate
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
