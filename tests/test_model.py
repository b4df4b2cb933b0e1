"""The content model's own rules: actor sort order, link labels, the CSL mapping."""

from __future__ import annotations

import re

from briefgen.model import CSL_TYPES, SOURCE_KINDS, Actor, ActorKind, Body, Location, link_label

from .conftest import REPO


def actor(name: str, kind: ActorKind = "person", sort_name: str = "") -> Actor:
    where = Location("content/actors/x.md", 2, 7)
    return Actor(
        id=name.lower().replace(" ", "-"),
        name=name,
        kind=kind,
        role="",
        affiliation=None,
        aliases=(),
        links=(),
        body=Body("", "content/actors/x.md", 3),
        name_where=where,
        sort_name=sort_name,
    )


def test_people_sort_by_last_name_others_by_name() -> None:
    people = [
        actor("Vladimir Putin"),
        actor("Sergei Lavrov"),
        actor("Bashar al-Assad", sort_name="Assad, Bashar al-"),
        actor("Émile Zola"),
        actor("Recep Tayyip Erdoğan"),
        actor("Donald Trump"),
    ]
    ordered = [a.name for a in sorted(people, key=lambda a: a.sort_key)]
    assert ordered == [
        "Bashar al-Assad",
        "Recep Tayyip Erdoğan",
        "Sergei Lavrov",
        "Vladimir Putin",
        "Donald Trump",
        "Émile Zola",  # accents are ignored: Zola sorts under Z
    ]
    states = [actor("United States", "state"), actor("Russia", "state"), actor("Iran", "state")]
    assert [a.name for a in sorted(states, key=lambda a: a.sort_key)] == [
        "Iran",
        "Russia",
        "United States",
    ]


def test_link_labels_read_as_names() -> None:
    assert link_label("wikipedia") == "Wikipedia"
    assert link_label("Wikipedia") == "Wikipedia"
    assert link_label("linkedin") == "LinkedIn"
    assert link_label("foreign ministry") == "Foreign Ministry"
    assert link_label("MFA") == "MFA"  # capitals the writer chose are kept
    assert link_label("kremlin.ru") == "Kremlin.ru"


def test_readme_states_the_csl_type_of_every_source_kind() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `([a-z]+)` \| `([a-z-]+)` \|$", readme, re.MULTILINE))
    assert table == {kind: CSL_TYPES[kind] for kind in SOURCE_KINDS}
    assert f"kind: news              # {' | '.join(SOURCE_KINDS)}; default news" in readme
