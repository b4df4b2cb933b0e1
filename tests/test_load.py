"""Loading content files: front matter, body position, and every error with its place."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from briefgen.errors import Diagnostic, did_you_mean
from briefgen.front_matter import Parsed, parse_file
from briefgen.load import load_content
from briefgen.model import Brief, PartialDate
from briefgen.readers import read_actor, read_brief, read_source


def parse(text: str) -> tuple[Parsed | None, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    parsed = parse_file(textwrap.dedent(text).lstrip("\n"), "content/briefs/x.md", diagnostics)
    return parsed, diagnostics


def brief(text: str) -> tuple[Brief, list[str]]:
    diagnostics: list[Diagnostic] = []
    parsed = parse_file(textwrap.dedent(text).lstrip("\n"), "content/briefs/x.md", diagnostics)
    assert parsed is not None
    result = read_brief("x", parsed, diagnostics)
    return result, [d.format() for d in diagnostics]


GOOD = """
---
title: A brief
date: 2017-01-17
summary: One sentence.
actors: [sergei-lavrov]
tags: syria
events:
  - date: 2016-09
    title: Ceasefire
    actors: [russia]
---

Body line.
"""


def test_brief_fields_are_typed() -> None:
    result, problems = brief(GOOD)
    assert problems == []
    assert result.title == "A brief"
    assert result.date == dt.date(2017, 1, 17)
    assert result.tags == ("syria",)  # a single string is taken as a list of one
    (event,) = result.events
    assert event.date == PartialDate(2016, 9)
    assert [a.id for a in event.actors] == ["russia"]
    assert (event.actors[0].where.line, event.actors[0].where.col) == (10, 14)


def test_body_keeps_file_line_numbers() -> None:
    parsed, _ = parse(GOOD)
    assert parsed is not None
    body = parsed.body
    lines = body.text.split("\n")
    index = lines.index("Body line.")
    # Line 13 of the file (1-based) is "Body line.": first_line + index + 1 must say so.
    assert body.first_line + index + 1 == 13


def test_dates_stay_text_until_checked() -> None:
    _, problems = brief(GOOD.replace("2017-01-17", "2017-02-30"))
    assert problems == [
        "content/briefs/x.md:3:7: error: '2017-02-30' is not a real date (day is out of range for month)"
    ]


def test_unknown_and_duplicate_keys() -> None:
    _, problems = brief(GOOD.replace("tags: syria", "tags: syria\ntgas: [x]\ntitle: Again"))
    assert problems == [
        "content/briefs/x.md:8:1: error: duplicate key 'title' (keep only one of them)",
        "content/briefs/x.md:7:1: error: unknown brief key 'tgas' (did you mean 'tags'?)",
    ]


def test_wrong_types_are_quoted() -> None:
    text = GOOD.replace("tags: syria", "tags: {a: b}\ndraft: maybe")
    _, problems = brief(text)
    assert problems == [
        "content/briefs/x.md:6:7: error: 'tags' must be a list, not a mapping",
        "content/briefs/x.md:7:8: error: 'draft' must be true or false, not 'maybe'",
    ]


def test_front_matter_must_be_a_mapping() -> None:
    parsed, problems = parse("---\n- a\n- b\n---\nBody\n")
    assert parsed is None
    assert [d.message for d in problems] == ["front matter must be a mapping of keys to values"]


def test_unclosed_front_matter() -> None:
    parsed, problems = parse("---\ntitle: x\n")
    assert parsed is None
    assert problems[0].format() == (
        "content/briefs/x.md:1:1: error: front matter is not closed (add a line '---' after line 2)"
    )


def test_byte_order_mark_is_ignored() -> None:
    parsed, problems = parse("\ufeff---\ntitle: x\n---\nBody\n")
    assert parsed is not None and problems == []


def test_actor_and_source_fields() -> None:
    diagnostics: list[Diagnostic] = []
    text = "---\nname: Sergei Lavrov\nkind: state\nlinks:\n  wikipedia: https://en.wikipedia.org/wiki/Sergey_Lavrov\n  bad: nowhere\n---\n"
    parsed = parse_file(text, "content/actors/a.md", diagnostics)
    assert parsed is not None
    actor = read_actor("a", parsed, diagnostics)
    assert actor.kind == "state"
    assert actor.links == (("wikipedia", "https://en.wikipedia.org/wiki/Sergey_Lavrov"),)
    assert [d.format() for d in diagnostics] == [
        "content/actors/a.md:6:8: error: 'bad' must be a web address, not 'nowhere' (start it with https://)"
    ]
    diagnostics.clear()
    text = "---\ntitle: T\npublished: 2017-01-17\nreliability: b\n---\n"
    parsed = parse_file(text, "content/sources/s.md", diagnostics)
    assert parsed is not None
    source = read_source("s", parsed, diagnostics)
    assert source.published == dt.date(2017, 1, 17)
    assert [d.message for d in diagnostics] == [
        "'reliability' must be one letter from A to F, not 'b'"
    ]


def test_load_content_reads_every_folder(tmp_path: Path) -> None:
    (tmp_path / "content" / "briefs").mkdir(parents=True)
    (tmp_path / "content" / "briefs" / "b.md").write_text(textwrap.dedent(GOOD).lstrip())
    (tmp_path / "content" / "briefs" / "notes.txt").write_text("ignored")
    (tmp_path / "content" / "actors").mkdir()
    (tmp_path / "content" / "actors" / "bad.md").write_bytes(b"---\nname: \xff\n---\n")
    content, problems = load_content(tmp_path)
    assert [b.id for b in content.briefs] == ["b"]
    assert content.actors == ()
    assert content.pages == ()
    assert [d.format() for d in problems] == [
        "content/actors/bad.md:1:1: error: file is not UTF-8 text (invalid start byte) (save it as UTF-8 in your editor; if it is not text, move it out of content/)",
        "content/briefs/notes.txt: warning: 'notes.txt' is not a Markdown file (.md), so it is"
        " not part of the site (move it out of content/; images and downloads go in static/)",
    ]


def test_unreadable_file_is_reported_and_a_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "content" / "briefs" / "odd.md").mkdir(parents=True)
    (tmp_path / "content" / "briefs" / "odd.md" / "inside.md").write_text(
        textwrap.dedent(GOOD).lstrip()
    )
    (tmp_path / "content" / "briefs" / "gone.md").symlink_to(tmp_path / "nowhere.md")
    content, problems = load_content(tmp_path)
    assert [b.id for b in content.briefs] == ["inside"]
    assert [d.format() for d in problems] == [
        "content/briefs/gone.md:1:1: error: 'gone.md' cannot be read: No such file or directory (move or rename it)",
    ]


def _files(root: Path, names: dict[str, str]) -> None:
    for rel, text in names.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


def test_subfolders_and_markdown_endings_are_read_with_the_file_name_as_id(
    tmp_path: Path,
) -> None:
    _files(
        tmp_path,
        {
            "briefs/2015/roadmap-2.md": GOOD,
            "briefs/2016/q3/deep.md": GOOD,
            "briefs/long.markdown": GOOD,
            "briefs/upper.MD": GOOD,
            "actors/people/x.md": "---\nname: X\n---\n",
        },
    )
    content, problems = load_content(tmp_path)
    assert problems == []
    assert sorted(b.id for b in content.briefs) == ["deep", "long", "roadmap-2", "upper"]
    assert [a.id for a in content.actors] == ["x"]
    assert [b.body.path for b in content.briefs if b.id == "roadmap-2"] == [
        "content/briefs/2015/roadmap-2.md"
    ]


def test_same_id_twice_in_one_section_names_both_files(tmp_path: Path) -> None:
    _files(
        tmp_path,
        {
            "briefs/2015/roadmap.md": GOOD,
            "briefs/roadmap.md": GOOD,
            "briefs/x.markdown": GOOD,
            "briefs/x.md": GOOD,
        },
    )
    content, problems = load_content(tmp_path)
    assert sorted(b.id for b in content.briefs) == ["roadmap", "x"]
    assert [d.format() for d in problems] == [
        "content/briefs/roadmap.md:1:1: error: brief id 'roadmap' is already taken by"
        " content/briefs/2015/roadmap.md (the id is the file name, whatever the subfolder:"
        " rename one of the two)",
        "content/briefs/x.md:1:1: error: brief id 'x' is already taken by"
        " content/briefs/x.markdown (the id is the file name, whatever the subfolder:"
        " rename one of the two)",
    ]


def test_unknown_folder_loose_file_and_stray_file_are_reported_leftovers_are_not(
    tmp_path: Path,
) -> None:
    _files(
        tmp_path,
        {
            "brief/x.md": GOOD,
            "brief/y.md": GOOD,
            "Sources/z.md": GOOD,
            "drafts/w.md": GOOD,
            "loose.md": GOOD,
            "briefs/photo.jpg": "",
            "briefs/x.md~": "",
            "briefs/.#x.md": "",
            "briefs/.x.md.swp": "",
            "briefs/#x.md#": "",
            "briefs/x.tmp": "",
            "briefs/.hidden/a.md": "",
            ".DS_Store": "",
        },
    )
    content, problems = load_content(tmp_path)
    assert content.briefs == ()
    assert [d.format() for d in problems] == [
        "content/Sources/: error: unknown content folder 'Sources' (did you mean 'sources'?)",
        "content/brief/: error: unknown content folder 'brief' (did you mean 'briefs'?)",
        "content/briefs/photo.jpg: warning: 'photo.jpg' is not a Markdown file (.md), so it is"
        " not part of the site (move it out of content/; images and downloads go in static/)",
        "content/drafts/: error: unknown content folder 'drafts' (the content folders are"
        " briefs, actors, sources, pages)",
        "content/loose.md:1:1: error: 'loose.md' is not in a content folder, so it is not read"
        " (move it into content/briefs/, content/actors/, content/sources/ or content/pages/)",
    ]


def test_proposed_file_name_that_is_taken_is_not_proposed_blindly(tmp_path: Path) -> None:
    actor = "---\nname: IAEA\n---\n"
    _files(
        tmp_path,
        {"actors/IAEA.md": actor, "actors/iaea.md": actor, "actors/Rex Tillerson.md": actor},
    )
    content, problems = load_content(tmp_path)
    assert [a.id for a in content.actors] == ["iaea"]
    assert [d.format() for d in problems] == [
        "content/actors/IAEA.md:1:1: error: invalid id 'IAEA': ids are lowercase letters, digits"
        " and hyphens (the proposed name 'iaea.md' is taken by content/actors/iaea.md:"
        " merge the two files or choose another name)",
        "content/actors/Rex Tillerson.md:1:1: error: invalid id 'Rex Tillerson': ids are"
        " lowercase letters, digits and hyphens (rename the file to 'rex-tillerson.md')",
    ]


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("14 July 2015", "write date: 2015-07-14"),
        ("July 14, 2015", "write date: 2015-07-14"),
        ("14 Jul 2015", "write date: 2015-07-14"),
        ("2015/07/14", "write date: 2015-07-14"),
        ("2015-7-14", "write date: 2015-07-14"),
        ("14/07/2015", "write date: 2015-07-14"),  # no 14th month: the order is certain
        ("03/07/2015", "write date: 2015-07-03 or date: 2015-03-07, whichever is meant"),
        ("31/02/2015", None),
        ("yesterday", None),
    ],
)
def test_a_date_written_another_way_gets_a_working_proposal(written: str, hint: str | None) -> None:
    _, problems = brief(f"---\ntitle: T\ndate: {written}\nsummary: S.\n---\n")
    message = (
        f"content/briefs/x.md:3:7: error: 'date' must be a date written YYYY-MM-DD, not '{written}'"
    )
    assert problems == [f"{message} ({hint})" if hint else message]


def test_events_may_be_dated_by_day_month_or_year() -> None:
    result, problems = brief(
        """
        ---
        title: T
        date: 2015-07-14
        summary: S.
        events:
          - {date: 2015-07-14, title: Deal}
          - {date: 2015-07, title: Talks}
          - {date: 2015, title: Negotiations}
          - {date: July 2015, title: Written out}
          - {date: soon, title: Unknown}
        ---
        """
    )
    assert [e.date for e in result.events] == [
        PartialDate(2015, 7, 14),
        PartialDate(2015, 7),
        PartialDate(2015),
    ]
    assert PartialDate(2015).iso == "2015" and PartialDate(2015).label == "2015"
    assert problems == [
        "content/briefs/x.md:9:12: error: 'date' must be written YYYY-MM-DD, YYYY-MM or YYYY,"
        " not 'July 2015' (write date: 2015-07)",
        "content/briefs/x.md:10:12: error: 'date' must be written YYYY-MM-DD, YYYY-MM or YYYY,"
        " not 'soon'",
    ]


def test_a_list_written_without_brackets_is_refused_with_the_list_to_write() -> None:
    result, problems = brief(
        "---\ntitle: T\ndate: 2015-07-14\nsummary: S.\nactors: iaea, yukiya-amano\n"
        "tags: iran, nuclear\n---\n"
    )
    assert [r.id for r in result.actors] == ["iaea", "yukiya-amano"]
    assert sorted(problems) == [
        "content/briefs/x.md:5:9: error: 'actors' is one text, 'iaea, yukiya-amano', not a list"
        " (write a list: [iaea, yukiya-amano])",
        "content/briefs/x.md:6:7: error: 'tags' is one text, 'iran, nuclear', not a list"
        " (write a list: [iran, nuclear])",
    ]


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("titel", " (did you mean 'title'?)"),
        ("darft", " (did you mean 'draft'?)"),
        ("sumary", " (did you mean 'summary'?)"),
        ("alias", " (did you mean 'aliases'?)"),
        (
            "writer",
            " (known keys: title, date, updated, summary, authors, actors, sources, tags, draft, events, aliases, image, key_judgments)",
        ),
        # Now real keys, so a near miss proposes them.
        ("author", " (did you mean 'authors'?)"),
        ("update", " (did you mean 'updated'?)"),
        (
            "publisher",
            " (known keys: title, date, updated, summary, authors, actors, sources, tags, draft, events, aliases, image, key_judgments)",
        ),
    ],
)
def test_unknown_key_proposes_only_a_close_match(key: str, hint: str) -> None:
    _, problems = brief(f"---\ntitle: T\ndate: 2015-07-14\nsummary: S.\n{key}: x\n---\n")
    assert problems == [f"content/briefs/x.md:5:1: error: unknown brief key '{key}'{hint}"]


def test_did_you_mean_counts_slips_not_shared_letters() -> None:
    assert did_you_mean("haaretz-2017-01-71", ["haaretz-2017-01-17", "ft-2017-01-17"]) == (
        "did you mean 'haaretz-2017-01-17'?"
    )
    assert did_you_mean("updated", ["date", "draft"]) is None
    assert did_you_mean("author", ["actors", "authors"]) == "did you mean 'authors'?"
    assert did_you_mean("newspaper", ["news", "report"]) == "did you mean 'news'?"


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        (
            "title: Iran: the deal\n",
            "2:12: error: invalid YAML in front matter: a value with ': ' in it must be in quotes"
            ' (write title: "Iran: the deal")',
        ),
        (
            'title: Iran: the "deal"\n',
            "2:12: error: invalid YAML in front matter: a value with ': ' in it must be in quotes"
            " (write title: 'Iran: the \"deal\"')",
        ),
        (
            "title: T\nactors:\n\t- iran\n",
            "4:1: error: invalid YAML in front matter: a tab in the indentation: YAML indents with"
            " spaces only (replace the tab with spaces)",
        ),
        (
            "actors:\n  - iran\n  usa\n",
            "4:1: error: invalid YAML in front matter: line 4 is not 'key: value' (write key:"
            " value; a list item starts with '- '; a value going on over more lines is indented)",
        ),
        (
            "events:\n  - date: 2015\n    title: y\n  title: z\n",
            "5:3: error: invalid YAML in front matter: line 5 breaks the list that starts on line 3"
            " (start each item with '- ', and indent an item's other keys under its first key)",
        ),
        (
            "title: T\n  date: 2015\n",
            "3:7: error: invalid YAML in front matter: line 3 is indented under a value that is"
            " not a mapping (indent the keys of one mapping alike)",
        ),
    ],
)
def test_yaml_mistakes_are_said_plainly_with_a_fix(front: str, expected: str) -> None:
    _, problems = parse(f"---\n{front}---\nBody\n")
    assert [d.format() for d in problems] == [f"content/briefs/x.md:{expected}"]


def test_quoted_value_proposed_for_a_colon_is_valid_yaml() -> None:
    _, problems = parse('---\ntitle: Iran: the "deal" isn\'t done\n---\n')
    assert problems[0].hint is not None
    proposal = problems[0].hint.removeprefix("write ")
    fixed, again = parse(f"---\n{proposal}\n---\n")
    assert again == [] and fixed is not None
    assert fixed.data == {"title": 'Iran: the "deal" isn\'t done'}


def test_front_matter_never_closed_is_told_from_the_body_rule_it_ran_into() -> None:
    text = """
    ---
    title: Roadmap
    date: 2015-07-14
    summary: S.

    The agreement was signed in Vienna.

    ## Key points

    ---

    More.
    """
    parsed, problems = parse(text)
    assert parsed is None
    assert [d.format() for d in problems] == [
        "content/briefs/x.md:6:1: error: front matter is not closed: the text from line 6 on was"
        " read as YAML, up to the '---' on line 10 (add a line '---' after line 4)"
    ]
    # Prose that happens to read as "key: value" is no better than prose that does not.
    _, problems = parse("---\ntitle: R\n\nThe deal: signed.\nIn Vienna.\n---\nMore.\n")
    assert [d.format() for d in problems] == [
        "content/briefs/x.md:4:1: error: front matter is not closed: the text from line 4 on was"
        " read as YAML, up to the '---' on line 6 (add a line '---' after line 2)"
    ]
    # One line that is not YAML in closed front matter is a slip, not a lost closing line.
    _, problems = parse("---\ntitle: R\n\nsummary One sentence.\n---\nMore.\n")
    assert [d.format() for d in problems] == [
        "content/briefs/x.md:4:1: error: invalid YAML in front matter: line 4 is not 'key: value'"
        " (write key: value; a list item starts with '- '; a value going on over more lines is"
        " indented)"
    ]
    # A blank line inside well-formed front matter is not mistaken for the end of it.
    parsed, problems = parse("---\ntitle: R\n\n# a comment\ndate: 2015-07-14\n---\nMore.\n")
    assert problems == [] and parsed is not None


def test_a_file_with_no_closing_line_is_told_where_to_close() -> None:
    _, problems = parse("---\ntitle: R\ndate: 2015-07-14\n\nThe deal was signed.\n")
    assert [d.format() for d in problems] == [
        "content/briefs/x.md:1:1: error: front matter is not closed (add a line '---' after line 3)"
    ]
