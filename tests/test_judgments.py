"""Key judgments: where what they hold is placed, their numbering, their box, their checks."""

from __future__ import annotations

import pytest

from briefgen.errors import ContentError

from .conftest import Project

BRIEF = "content/briefs/invitation.md"


def judged(project: Project, judgments: str, body: str | None = None) -> None:
    """The base project's invitation brief with these key_judgments (YAML lines)."""
    text = (project.root / BRIEF).read_text()
    text = text.replace("events:", f"key_judgments:\n{judgments}events:", 1)
    if body is not None:
        head, rule, _ = text.rpartition("---\n")
        text = head + rule + body
    project.write(BRIEF, text)


def problems(project: Project) -> list[str]:
    with pytest.raises(ContentError) as raised:
        project.build()
    return [d.format() for d in raised.value.diagnostics]


@pytest.mark.parametrize(
    ("judgments", "line", "col"),
    [
        # On the key's line, plain.
        ("  - text: Talks go on [@nope].\n", 8, 24),
        # Plain, folded over lines by YAML: each line is placed as written.
        ("  - text: Talks go on\n      with Russia [@nope].\n", 9, 20),
        # A folded block.
        ("  - text: >-\n      Talks go on\n      and on [@nope].\n", 10, 15),
        # A literal block.
        ("  - text: |\n      Talks go on\n        [@nope] and on.\n", 10, 10),
        # Quoted (it starts with a bracket): found on its line.
        ('  - text: "[[russia]] talks [@nope]."\n', 8, 30),
    ],
)
def test_what_a_judgment_holds_is_placed_at_its_line_and_column(
    project: Project, judgments: str, line: int, col: int
) -> None:
    judged(project, judgments + "    likelihood: likely\n    confidence: low\n")
    found = [p for p in problems(project) if "unknown source 'nope'" in p]
    assert found == [
        f"content/briefs/invitation.md:{line}:{col}: error: unknown source 'nope' "
        "(add it under content/sources/)"
    ]


def test_judgments_share_the_bodys_reference_numbers(project: Project) -> None:
    judged(
        project,
        "  - text: Talks go on [@ft-2017-01-17, cred. 2; @haaretz-2017-01-17, cred. 5].\n"
        "    likelihood: very likely\n    confidence: moderate\n",
        "[[Lavrov]] invited them [@haaretz-2017-01-17, para. 2].\n",
    )
    project.build()
    page = project.page("briefs/invitation/index.html")
    box = page[page.index('class="key-judgments"') : page.index("</section>")]
    # Haaretz is [1] in the body; the FT, first cited in the judgment, is [2].
    assert 'href="#ref-2" id="cite-2-1"' in box and 'href="#ref-1" id="cite-1-2"' in box
    assert "Likelihood: <strong>Very likely</strong> (80\u201395 %)" in box
    assert "Confidence: <strong>moderate</strong>" in box
    assert ">?2</a>" in box  # the FT has no reliability: its credibility alone
    assert 'title="Grade B5: source usually reliable, information improbable"' in box
    # The references list the FT, with a backlink to the judgment's citation.
    assert '<li id="ref-2" value="2">' in page and 'href="#cite-2-1"' in page
    # The legend page explains every grade.
    legend = project.page("grades/index.html")
    assert "Usually reliable" in legend and "Probably true" in legend and "80\u201395 %" in legend


def test_an_actor_mentioned_only_in_a_judgment_counts_as_mentioned(project: Project) -> None:
    # Donald Trump is mentioned in the base brief's body; here only in a judgment.
    judged(
        project,
        "  - text: Talks go on with [[donald-trump]] [@ft-2017-01-17].\n"
        "    likelihood: likely\n    confidence: low\n",
        "[[Lavrov]] invited them [@haaretz-2017-01-17, para. 2].\n\nMore [@ft-2017-01-17].\n",
    )
    result = project.build(strict=True)
    assert result.diagnostics == ()
    assert "/briefs/invitation/" in project.page("actors/donald-trump/index.html")


def test_checks_can_be_turned_off_one_by_one(project: Project) -> None:
    judged(
        project,
        "  - text: Talks will probably go on.\n    likelihood: likely\n    confidence: low\n",
    )
    found = [d.message for d in project.build().diagnostics]
    assert found == [
        "key judgment 1 cites no source",
        "'probably' in key judgment 1 is not a term of the ICD 203 likelihood scale",
    ]
    config = project.root / "briefgen.toml"
    config.write_text(config.read_text() + "\n[lint]\nestimative_language = false\n")
    assert [d.message for d in project.build().diagnostics] == ["key judgment 1 cites no source"]


def test_a_judgment_cannot_hold_a_footnote(project: Project) -> None:
    judged(
        project,
        '  - text: "Talks go on [@ft-2017-01-17].[^1]\\n\\n[^1]: A note."\n'
        "    likelihood: likely\n    confidence: low\n",
    )
    assert any("a key judgment cannot hold a footnote" in p for p in problems(project))


def test_a_body_heading_never_takes_the_id_of_a_judgment(project: Project) -> None:
    judged(
        project,
        "  - text: Talks go on [@ft-2017-01-17].\n    likelihood: likely\n    confidence: low\n",
        "## Judgment 1\n\n## Judgments heading\n\n[[Lavrov]] said so [@haaretz-2017-01-17].\n",
    )
    project.build()
    page = project.page("briefs/invitation/index.html")
    assert page.count('id="judgment-1"') == 1 and page.count('id="judgments-heading"') == 1
    assert 'id="judgment-1-section"' in page and 'id="judgments-heading-section"' in page
