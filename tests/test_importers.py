"""``briefgen import``: CSL-JSON, BibTeX and RIS files into content/sources/, and back out."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.sourcecheck import TODAY_VARIABLE

from .conftest import FIXTURES, Project

IMPORTS = FIXTURES / "import"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The source checks' today, fixed: the fixtures were accessed in November 2026."""
    monkeypatch.setenv(TODAY_VARIABLE, "2026-12-01")


def _import(project: Project, name: str, *options: str) -> tuple[int, list[str], list[str]]:
    result = project.cli("import", str(IMPORTS / name), *options)
    shown = str(IMPORTS / name)
    out = [line.replace(shown, name) for line in result.stdout.splitlines()]
    err = [line.replace(shown, name) for line in result.stderr.splitlines()]
    return result.exit_code, out, err


def _source(project: Project, source_id: str) -> str:
    return (project.root / "content" / "sources" / f"{source_id}.md").read_text(encoding="utf-8")


def test_a_zotero_csl_json_export_becomes_one_source_per_item(project: Project) -> None:
    code, out, err = _import(project, "zotero.json")
    assert code == 0, err
    assert out == [
        "zotero.json:3: citation key 'http://zotero.org/users/local/k8Qz2mWd/items/7YQJ4N2B' "
        "becomes the id 'luhn-2017-russia-invites-trump'",
        "content/sources/luhn-2017-russia-invites-trump.md: new, from zotero.json:3",
        "zotero.json:15: citation key 'Lavrov2017Press' becomes the id 'lavrov2017press'",
        "content/sources/lavrov2017press.md: new, from zotero.json:15",
        "zotero.json:28: citation key 'Allison2013' becomes the id 'allison2013'",
        "content/sources/allison2013.md: new, from zotero.json:28",
    ]
    assert err == ["wrote 3 sources"]
    assert _source(project, "luhn-2017-russia-invites-trump") == (
        "---\n"
        'title: "Russia Invites Trump Team to Syria Talks Amid Anticipated Warming of Relations"\n'
        'publication: "Haaretz"\n'
        'authors: ["Luhn, Alec"]\n'
        "published: 2017-01-17\n"
        'url: "https://www.haaretz.com/world-news/europe/2017-01-17/ty-article/'
        'russia-invites-trump-team-to-syria-talks"\n'
        "accessed: 2026-11-24\n"
        'kind: "news"\n'
        'language: "en"\n'
        "---\n\n"
        "Datelined Moscow; Lavrov's press conference of 17 January.\n"
    )
    # A body's name with a comma stays one name; the abstract is the body.
    lavrov = _source(project, "lavrov2017press")
    assert 'authors: ["Ministry of Foreign Affairs of the Russian Federation"]' in lavrov
    assert 'place: "Moscow"' in lavrov and 'kind: "speech"' in lavrov
    assert lavrov.endswith("---\n\nTranscript of the annual press conference.\n")
    allison = _source(project, "allison2013")
    assert "published: 2013-07\n" in allison and 'kind: "article"' in allison
    assert 'doi: "10.1111/1468-2346.12046"' in allison
    assert 'volume: "89"\nissue: "4"\npages: "795-823"' in allison


def test_bibtex_accents_braces_and_a_corporate_author(project: Project) -> None:
    code, out, err = _import(project, "library.bib")
    assert code == 1
    assert "library.bib:3: language 'english' is written as its tag, 'en'" in out
    assert err == [
        "library.bib:25:1: error: entry 'NoTitle2015' has no title; it is not imported "
        "(give it a title in your reference manager and export again)",
        "library.bib:31:1: error: citation key 'Muller2016Nahost' is used twice; this entry "
        "is not imported (give each entry its own key, then import again)",
        "wrote 2 sources; 2 entries not imported",
    ]
    world_bank = _source(project, "worldbank2017syria")
    assert world_bank.startswith(
        "---\n"
        'title: "The Toll of War: The Economic and Social Consequences of the Conflict in Syria"\n'
        'authors: ["World Bank"]\n'
        "published: 2017-07-10\n"
    )
    assert 'publisher: "World Bank Group"\nplace: "Washington, DC"' in world_bank
    muller = _source(project, "muller2016nahost")
    # The first of the two entries with one key; LaTeX accents as letters; braces gone.
    assert 'title: "Der Nahe Osten und die großen Mächte"' in muller
    assert 'authors: ["Müller, Jörg", "Lévy, Émilie"]' in muller
    assert 'editors: ["Dupont, François"]' in muller
    assert "published: 2016\n" in muller and 'place: "München"' in muller
    assert 'isbn: "978-3-16-148410-0"' in muller
    sources = sorted(p.name for p in (project.root / "content" / "sources").iterdir())
    assert "notitle2015.md" not in sources


def test_ris_references_with_a_doi_written_as_a_link(project: Project) -> None:
    code, out, err = _import(project, "export.ris")
    assert code == 0, err
    assert out == [
        "content/sources/crisisgroup-2017.md: new, from export.ris:1",
        "export.ris:11: citation key 'Lund 2018' becomes the id 'lund-2018'",
        "content/sources/lund-2018.md: new, from export.ris:11",
    ]
    crisis = _source(project, "crisisgroup-2017")
    assert 'authors: ["International Crisis Group"]' in crisis
    assert "published: 2017-04-28\n" in crisis and 'kind: "report"' in crisis
    assert crisis.endswith("---\n\nMiddle East Briefing No. 53.\n")
    lund = _source(project, "lund-2018")
    assert 'doi: "10.1234/ui.2019.7"' in lund and 'pages: "1-44"' in lund


def test_imported_sources_build_clean_under_strict(project: Project) -> None:
    for name in ("zotero.json", "library.bib", "export.ris"):
        _import(project, name)
    ids = sorted(p.stem for p in (project.root / "content" / "sources").glob("*.md"))
    project.write(
        "content/briefs/reading.md",
        "---\ntitle: Reading list\ndate: 2026-11-30\nsummary: All of it.\n---\n\n"
        + " ".join(f"See [@{source_id}]." for source_id in ids)
        + "\n",
    )
    project.build(strict=True)
    lund = project.page("sources/lund-2018/index.html")
    # The DOI is a link, on the source page and in its citation.
    assert '<a class="doi" href="https://doi.org/10.1234/ui.2019.7">10.1234/ui.2019.7</a>' in lund
    assert '<dt>Published</dt><dd><time datetime="2019">2019</time></dd>' in lund
    muller = project.page("sources/muller2016nahost/index.html")
    assert "<dt>Editor</dt><dd>Dupont, François</dd>" in muller
    assert "<dt>Publisher</dt><dd>Verlag für Politik, München</dd>" in muller


def test_a_source_edited_by_its_writer_is_kept_and_update_rewrites_only_imported_fields(
    project: Project,
) -> None:
    _import(project, "zotero.json")
    path = project.root / "content" / "sources" / "allison2013.md"
    edited = (
        path.read_text(encoding="utf-8")
        .replace('title: "Russia and Syria', 'title: "RUSSIA AND SYRIA')
        .replace('kind: "article"\n', 'kind: "article"\nreliability: B\n')
        .replace("---\n", "---\n", 1)
        + "\nMy own note on the article.\n"
    )
    path.write_text(edited, encoding="utf-8")

    code, out, _ = _import(project, "zotero.json")
    assert code == 0
    assert (
        "content/sources/allison2013.md: differs from zotero.json:28 in title; kept as it is "
        "(import with --update to rewrite the imported fields)"
    ) in out
    assert "content/sources/lavrov2017press.md: unchanged" in out
    assert path.read_text(encoding="utf-8") == edited

    code, out, _ = _import(project, "zotero.json", "--update", "--dry-run")
    assert (
        "content/sources/allison2013.md: would update title from zotero.json:28; "
        "kept reliability and the body"
    ) in out
    assert path.read_text(encoding="utf-8") == edited

    code, out, _ = _import(project, "zotero.json", "--update")
    assert code == 0
    updated = path.read_text(encoding="utf-8")
    assert 'title: "Russia and Syria: Explaining alignment with a regime in crisis"' in updated
    assert "reliability: B\n" in updated
    assert updated.endswith("\nMy own note on the article.\n")
    assert updated.split("\n---\n", 1)[1] == edited.split("\n---\n", 1)[1]


def test_a_dry_run_writes_nothing(project: Project) -> None:
    code, out, err = _import(project, "export.ris", "--dry-run")
    assert code == 0
    assert "content/sources/lund-2018.md: would write, from export.ris:11" in out
    assert err == ["would write 2 sources"]
    assert not (project.root / "content" / "sources" / "lund-2018.md").exists()


def test_a_file_of_another_format_is_refused(project: Project, tmp_path: Path) -> None:
    other = tmp_path / "refs.txt"
    other.write_text("nothing", encoding="utf-8")
    result = project.cli("import", str(other))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{other.as_posix()}: error: 'refs.txt' is not a bibliography briefgen reads "
        "(export CSL JSON (.json), BibTeX (.bib) or RIS (.ris) from your reference manager)"
    )
