"""Roles that hold for a time (roles.py): which holds on a day, what briefs and actor
pages show."""

from __future__ import annotations

import datetime as dt
import json
import re

from briefgen.model import Actor, Body, Location, PartialDate, Role
from briefgen.roles import role_on

from .conftest import Project

HERE = Location("content/actors/x.md", 1, 1)


def _actor(*roles: Role, role: str = "") -> Actor:
    return Actor("x", "X", "person", role, None, (), (), Body("", "x", 0), HERE, roles=tuple(roles))


def test_a_role_holds_from_its_start_until_the_day_it_ends() -> None:
    elect = Role("President-elect", PartialDate(2016, 11, 9), PartialDate(2017, 1, 20), None, HERE)
    president = Role("President", PartialDate(2017, 1, 20), None, None, HERE)
    actor = _actor(elect, president, role="Businessman")
    assert role_on(actor, dt.date(2016, 11, 8)) == ""
    assert role_on(actor, dt.date(2016, 11, 9)) == "President-elect"
    assert role_on(actor, dt.date(2017, 1, 19)) == "President-elect"
    assert role_on(actor, dt.date(2017, 1, 20)) == "President"
    assert role_on(actor, dt.date(2030, 1, 1)) == "President"
    # Without roles, the single role shows whatever the date.
    assert role_on(_actor(role="Businessman"), dt.date(2017, 1, 1)) == "Businessman"


def test_a_month_or_year_until_holds_through_its_end() -> None:
    ceo = Role("CEO", PartialDate(2006), PartialDate(2016), None, HERE)
    nominee = Role("Nominee", PartialDate(2016, 12), None, None, HERE)
    actor = _actor(ceo, nominee)
    assert role_on(actor, dt.date(2005, 12, 31)) == ""
    assert role_on(actor, dt.date(2006, 1, 1)) == "CEO"
    assert role_on(actor, dt.date(2016, 12, 31)) == "CEO; Nominee"
    assert role_on(actor, dt.date(2017, 1, 1)) == "Nominee"


TRUMP = """
---
name: Donald Trump
kind: person
role: Businessman
aliases: [Trump]
roles:
  - {title: President-elect of the United States, from: 2016-11-09, until: 2017-01-20}
  - {title: President of the United States, from: 2017-01-20, affiliation: russia}
wikidata: Q22686
---
"""


def test_a_brief_shows_the_role_as_of_its_date(project: Project) -> None:
    project.write("content/actors/donald-trump.md", TRUMP)
    project.build(strict=True)
    # sanctions.md is of 2017-01-16 and mentions [[Trump]].
    page = project.page("briefs/sanctions/index.html")
    chip = re.search(r'<a class="chip chip-person" href="/actors/donald-trump/"[^>]*>.*?</a>', page)
    assert chip is not None
    assert 'title="President-elect of the United States"' in chip.group()
    assert '<span class="chip-role">President-elect of the United States</span>' in chip.group()
    # A role given with `role` alone shows as it is.
    assert '<span class="chip-role">Foreign Minister of Russia</span>' in page


def test_the_actor_page_shows_the_roles_and_wikidata(project: Project) -> None:
    project.write("content/actors/donald-trump.md", TRUMP)
    project.build(strict=True)
    page = project.page("actors/donald-trump/index.html")
    roles = page[
        page.index('<ol class="role-timeline">') : page.index("</ol>", page.index("role-timeline"))
    ]
    assert re.findall(r'<span class="role-title">([^<]+)</span>', roles) == [
        "President-elect of the United States",
        "President of the United States",
    ]
    assert (
        '<time datetime="2016-11-09">9 November 2016</time> \u2013 '
        '<time datetime="2017-01-20">20 January 2017</time>'
    ) in roles
    assert 'since <time datetime="2017-01-20">20 January 2017</time>' in roles
    assert '<li class="role-entry role-open">' in roles
    assert 'at <a href="/actors/russia/">Russia</a>' in roles
    assert '<a class="wikidata" href="https://www.wikidata.org/wiki/Q22686">Q22686</a>' in page
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert script is not None
    ld = json.loads(script.group(1))
    person = next(n for n in ld["@graph"] if n.get("@type") == "Person")
    assert person["sameAs"][0] == "https://www.wikidata.org/wiki/Q22686"
    actors = json.loads(project.page("data/actors.json"))
    trump = next(a for a in actors if a["id"] == "donald-trump")
    assert trump["sameAs"] == ["https://www.wikidata.org/wiki/Q22686"]
    assert "https://www.wikidata.org/wiki/Q22686" in project.page("data/actors.csv")
