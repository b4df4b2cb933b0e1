"""Write a generated briefgen project as equivalent corpora for Hugo, Pelican and MkDocs.

::

    python bench/peers.py PROJECT OUT_DIR [--peers hugo,pelican,mkdocs]

reads a project made by ``bench/generate.py`` and writes ``OUT_DIR/hugo``,
``OUT_DIR/pelican`` and ``OUT_DIR/mkdocs``, each a complete site source for that
tool, so ``bench/run.py`` can time the same briefs through each of them:

- **Hugo**: ``content/briefs/*.md`` with ``title``, ``date``, ``summary``,
  ``actors``, ``sources`` and ``tags`` in front matter, the last three as
  taxonomies; every actor and source has a term page (``content/actors/ID/_index.md``)
  with its profile or note; minimal layouts for the home page, sections, briefs,
  taxonomy lists and term pages; no RSS, no sitemap.
- **Pelican**: ``content/*.md`` with Pelican metadata. Pelican has one free
  taxonomy, so actors (by name) and tags are both *tags* and sources are *authors*;
  actor and source profiles have no page. No feeds, the default theme.
- **MkDocs**: ``docs/briefs/*.md`` and an index listing every brief; no taxonomy
  pages, so mentions and citations stay plain text. Default theme, no plugins.

Mentions (``[[id]]``, ``[[alias]]``, ``[[Name]]``, ``[[id|text]]``, ``[[id\\|text]]``
in tables) become plain Markdown links to the actor's term page, showing the actor's
name or the given text; citations (``[@id, para. 3; @other]``) become ``[1, para. 3]``
numbered by first citation in the brief, linked to the source's term page, and each
brief ends with its reference list. This is benchmark glue: regular expressions
over the generator's own syntax, not briefgen's parser. Files are written in sorted
order from sorted input, so the same project always gives byte-identical corpora.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.build import load_files
from briefgen.config import load_config
from briefgen.errors import has_errors
from briefgen.load import assemble

PEERS = ("hugo", "pelican", "mkdocs")

_MENTION = re.compile(r"(?<!\\)\[\[([^\]\n]+?)\]\]")
_CITATION = re.compile(r"(?<!\\)\[(@[^\]\n]*)\]")
_LABEL_SEPARATOR = re.compile(r"\\?\|")
_ITEM = re.compile(r"\s*@([A-Za-z0-9-]+)\s*(?:,\s*(.*?))?\s*")


# ---------------------------------------------------------------------------
# Reading the generated project.


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    kind: str
    role: str
    affiliation: str | None
    aliases: tuple[str, ...]
    body: str


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publication: str
    authors: tuple[str, ...]
    published: str
    url: str
    reliability: str
    body: str


@dataclass(frozen=True, slots=True)
class Brief:
    id: str
    title: str
    date: str
    summary: str
    actors: tuple[str, ...]
    sources: tuple[str, ...]
    tags: tuple[str, ...]
    body: str


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    title: str
    summary: str
    body: str


@dataclass(slots=True)
class Corpus:
    """Everything in a generated project, read once, in file-name order."""

    title: str
    briefs: list[Brief]
    actors: dict[str, Actor]
    sources: dict[str, Source]
    pages: list[Page]
    names: dict[str, str] = field(default_factory=dict)
    """Folded id, name or alias -> actor id, as briefgen resolves mentions."""

    def actor_id(self, key: str) -> str | None:
        return self.names.get(fold(key))


def fold(text: str) -> str:
    """How briefgen compares ids, names and aliases: lower case, single spaces."""
    return " ".join(text.lower().split())


def _body(text: str) -> str:
    return text.lstrip("\n")


def read_project(project: Path) -> Corpus:
    """Read a project written by ``bench/generate.py``, with briefgen's own loader."""
    config = load_config(project)
    content, problems = assemble(load_files(project).values())
    if has_errors(problems):
        raise ValueError("\n".join(d.format() for d in problems))
    actors = {
        a.id: Actor(
            id=a.id,
            name=a.name,
            kind=a.kind,
            role=a.role,
            affiliation=a.affiliation.id if a.affiliation else None,
            aliases=a.aliases,
            body=_body(a.body.text),
        )
        for a in content.actors
    }
    sources = {
        s.id: Source(
            id=s.id,
            title=s.title,
            publication=s.publication,
            authors=s.authors,
            published=s.published.isoformat() if s.published else "",
            url=s.url,
            reliability=s.reliability,
            body=_body(s.body.text),
        )
        for s in content.sources
    }
    briefs = [
        Brief(
            id=b.id,
            title=b.title,
            date=b.date.isoformat(),
            summary=b.summary,
            actors=tuple(ref.id for ref in b.actors),
            sources=tuple(ref.id for ref in b.sources),
            tags=b.tags,
            body=_body(b.body.text),
        )
        for b in content.briefs
    ]
    pages = [Page(p.id, p.title, p.summary, _body(p.body.text)) for p in content.pages]
    corpus = Corpus(config.title, briefs, actors, sources, pages)
    # Names and aliases first, ids last: an id always wins, as in briefgen.
    for actor in actors.values():
        for key in (actor.name, *actor.aliases):
            corpus.names.setdefault(fold(key), actor.id)
    for actor in actors.values():
        corpus.names[fold(actor.id)] = actor.id
    return corpus


# ---------------------------------------------------------------------------
# Converting Markdown bodies.

Link = Callable[[str], str | None]
"""An id to the URL of its page, or None for plain text."""


@dataclass(slots=True)
class Converted:
    """A body with mentions and citations rewritten, and the sources in citation order."""

    text: str
    cited: list[str]


def _escape(text: str) -> str:
    """Text safe inside Markdown link text or a paragraph."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def convert_body(
    corpus: Corpus, text: str, actor_url: Link, source_url: Link, cited: list[str] | None = None
) -> Converted:
    """``text`` with every mention and citation rewritten as plain Markdown."""
    numbers: list[str] = [] if cited is None else cited

    def mention(match: re.Match[str]) -> str:
        key, *label = _LABEL_SEPARATOR.split(match.group(1), maxsplit=1)
        actor_id = corpus.actor_id(key)
        if actor_id is None:  # not the generator's; keep the text, drop the brackets
            return _escape(label[0] if label else key)
        shown = _escape(label[0] if label else corpus.actors[actor_id].name)
        url = actor_url(actor_id)
        return f"[{shown}]({url})" if url else shown

    def citation(match: re.Match[str]) -> str:
        parts: list[str] = []
        for item in match.group(1).split(";"):
            found = _ITEM.fullmatch(item)
            if found is None:
                parts.append(_escape(item.strip()))
                continue
            source_id, locator = found.group(1), found.group(2)
            if source_id not in numbers:
                numbers.append(source_id)
            shown = f"\\[{numbers.index(source_id) + 1}"
            shown += f", {_escape(locator)}\\]" if locator else "\\]"
            url = source_url(source_id)
            parts.append(f"[{shown}]({url})" if url else shown)
        return " ".join(parts)

    return Converted(_CITATION.sub(citation, _MENTION.sub(mention, text)), numbers)


def references(corpus: Corpus, cited: Sequence[str], source_url: Link) -> str:
    """A numbered reference list, like the one briefgen puts under each brief."""
    if not cited:
        return ""
    lines = ["", "## References", ""]
    for number, source_id in enumerate(cited, start=1):
        source = corpus.sources.get(source_id)
        title = _escape(source.title if source else source_id)
        url = source_url(source_id)
        entry = f"[{title}]({url})" if url else title
        if source is not None:
            entry += f", *{_escape(source.publication)}*, {source.published}"
        lines.append(f"{number}. {entry}")
    return "\n".join(lines) + "\n"


def _brief_body(corpus: Corpus, brief: Brief, actor_url: Link, source_url: Link) -> str:
    converted = convert_body(corpus, brief.body, actor_url, source_url)
    return converted.text.rstrip("\n") + "\n" + references(corpus, converted.cited, source_url)


def _yaml(value: str | Sequence[str]) -> str:
    """A YAML flow value (JSON is YAML)."""
    return json.dumps(value if isinstance(value, str) else list(value))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def _fresh(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


# ---------------------------------------------------------------------------
# Hugo.

HUGO_LAYOUTS = Path(__file__).resolve().parent / "hugo-layouts"
"""The minimal Hugo templates (Hugo 0.146+ names: home, single, list, taxonomy, term)."""


def hugo_actor_url(actor_id: str) -> str:
    return f"/actors/{actor_id}/"


def hugo_source_url(source_id: str) -> str:
    return f"/sources/{source_id}/"


def write_hugo(corpus: Corpus, out: Path) -> int:
    """A Hugo site in ``out`` (replaced); returns the number of files written."""
    _fresh(out)
    files: dict[str, str] = {}
    files["hugo.toml"] = (
        'baseURL = "https://example.org/"\n'
        'locale = "en-GB"\n'
        f"title = {json.dumps(corpus.title)}\n"
        'disableKinds = ["rss", "sitemap", "robotsTXT"]\n'
        "\n[taxonomies]\n"
        'actor = "actors"\nsource = "sources"\ntag = "tags"\n'
    )
    for layout in sorted(HUGO_LAYOUTS.rglob("*.html")):
        files[f"layouts/{layout.relative_to(HUGO_LAYOUTS).as_posix()}"] = layout.read_text(
            encoding="utf-8"
        )
    files["content/briefs/_index.md"] = '---\ntitle: "Briefs"\n---\n'
    for brief in corpus.briefs:
        files[f"content/briefs/{brief.id}.md"] = (
            "---\n"
            f"title: {_yaml(brief.title)}\n"
            f"date: {brief.date}\n"
            f"summary: {_yaml(brief.summary)}\n"
            f"actors: {_yaml(brief.actors)}\n"
            f"sources: {_yaml(brief.sources)}\n"
            f"tags: {_yaml(brief.tags)}\n"
            "---\n\n" + _brief_body(corpus, brief, hugo_actor_url, hugo_source_url)
        )
    for actor in corpus.actors.values():
        body = convert_body(corpus, actor.body, hugo_actor_url, hugo_source_url).text
        files[f"content/actors/{actor.id}/_index.md"] = (
            "---\n"
            f"title: {_yaml(actor.name)}\n"
            f"kind: {actor.kind}\n"
            f"role: {_yaml(actor.role)}\n"
            "---\n\n" + body
        )
    for source in corpus.sources.values():
        body = convert_body(corpus, source.body, hugo_actor_url, hugo_source_url).text
        files[f"content/sources/{source.id}/_index.md"] = (
            "---\n"
            f"title: {_yaml(source.title)}\n"
            f"publication: {_yaml(source.publication)}\n"
            f"published: {_yaml(source.published)}\n"
            f"link: {_yaml(source.url)}\n"
            f"reliability: {_yaml(source.reliability)}\n"
            "---\n\n" + body
        )
    for page in corpus.pages:
        body = convert_body(corpus, page.body, hugo_actor_url, hugo_source_url).text
        files[f"content/{page.id}.md"] = (
            f"---\ntitle: {_yaml(page.title)}\nsummary: {_yaml(page.summary)}\n---\n\n{body}"
        )
    for name in sorted(files):
        _write(out / name, files[name])
    return len(files)


# ---------------------------------------------------------------------------
# Pelican.

PELICAN_CONF = """\
# Pelican settings for the briefgen benchmark corpus: no feeds, the default theme.
AUTHOR = "briefgen bench"
SITENAME = {title}
SITEURL = ""
PATH = "content"
PAGE_PATHS = ["pages"]
ARTICLE_PATHS = [""]
ARTICLE_EXCLUDES = ["pages"]
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
RELATIVE_URLS = False
DEFAULT_PAGINATION = False
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
LINKS = ()
SOCIAL = ()
"""


def pelican_actor_url(actor_id: str) -> str:
    return f"/tag/{actor_id}.html"


def pelican_source_url(source_id: str) -> str:
    return f"/author/{source_id}.html"


def _meta(value: str) -> str:
    """A Pelican metadata value: one line."""
    return " ".join(value.split())


def write_pelican(corpus: Corpus, out: Path) -> int:
    """A Pelican site in ``out`` (replaced); returns the number of files written.

    Actors (by name, whose slug is the actor's id) and tags are Pelican tags,
    sources (by id) are Pelican authors, every brief is in the category "briefs".
    """
    _fresh(out)
    files: dict[str, str] = {"pelicanconf.py": PELICAN_CONF.format(title=repr(corpus.title))}
    for brief in corpus.briefs:
        tags = [corpus.actors[a].name if a in corpus.actors else a for a in brief.actors]
        tags += [tag for tag in brief.tags if tag not in tags]
        files[f"content/{brief.id}.md"] = (
            f"Title: {_meta(brief.title)}\n"
            f"Date: {brief.date}\n"
            f"Slug: {brief.id}\n"
            "Category: briefs\n"
            f"Tags: {', '.join(_meta(t) for t in tags)}\n"
            f"Authors: {', '.join(brief.sources)}\n"
            f"Summary: {_meta(brief.summary)}\n\n"
            + _brief_body(corpus, brief, pelican_actor_url, pelican_source_url)
        )
    for page in corpus.pages:
        body = convert_body(corpus, page.body, pelican_actor_url, pelican_source_url).text
        files[f"content/pages/{page.id}.md"] = (
            f"Title: {_meta(page.title)}\nSlug: {page.id}\nSummary: {_meta(page.summary)}\n\n{body}"
        )
    for name in sorted(files):
        _write(out / name, files[name])
    return len(files)


# ---------------------------------------------------------------------------
# MkDocs.


def _no_link(_: str) -> None:
    return None


def write_mkdocs(corpus: Corpus, out: Path) -> int:
    """An MkDocs project in ``out`` (replaced); returns the number of files written.

    Briefs only, under ``docs/briefs/``, and ``docs/index.md`` listing them newest
    first. The navigation holds the index alone: a navigation of every brief would
    be printed on every page, making the site quadratic in size.
    """
    _fresh(out)
    files: dict[str, str] = {}
    files["mkdocs.yml"] = (
        f"site_name: {_yaml(corpus.title)}\n"
        "site_url: https://example.org/briefing/\n"
        "docs_dir: docs\n"
        "theme:\n  name: mkdocs\n"
        "plugins: []\n"
        "markdown_extensions:\n  - toc\n  - tables\n  - footnotes\n"
        "nav:\n  - Home: index.md\n"
        "validation:\n  omitted_files: ignore\n  absolute_links: ignore\n"
        "  unrecognized_links: ignore\n"
    )
    lines = [f"# {_escape(corpus.title)}", "", f"{len(corpus.briefs)} briefs, newest first.", ""]
    for brief in sorted(corpus.briefs, key=lambda b: (b.date, b.id), reverse=True):
        lines.append(f"- {brief.date}: [{_escape(brief.title)}](briefs/{brief.id}.md)")
    files["docs/index.md"] = "\n".join(lines) + "\n"
    for brief in corpus.briefs:
        names = [corpus.actors[a].name if a in corpus.actors else a for a in brief.actors]
        files[f"docs/briefs/{brief.id}.md"] = (
            "---\n"
            f"title: {_yaml(brief.title)}\n"
            f"date: {brief.date}\n"
            f"summary: {_yaml(brief.summary)}\n"
            f"actors: {_yaml(brief.actors)}\n"
            f"tags: {_yaml(brief.tags)}\n"
            "---\n\n"
            f"# {_escape(brief.title)}\n\n"
            f"*{brief.date}*: {_escape(brief.summary)}\n\n"
            f"Actors: {', '.join(_escape(n) for n in names)}. Tags: {', '.join(brief.tags)}.\n\n"
            + _brief_body(corpus, brief, _no_link, _no_link)
        )
    for name in sorted(files):
        _write(out / name, files[name])
    return len(files)


WRITERS: dict[str, Callable[[Corpus, Path], int]] = {
    "hugo": write_hugo,
    "pelican": write_pelican,
    "mkdocs": write_mkdocs,
}


def convert(project: Path, out: Path, peers: Sequence[str] = PEERS) -> dict[str, int]:
    """Write ``out/<peer>`` for each peer; return the number of files written for each."""
    unknown = [peer for peer in peers if peer not in WRITERS]
    if unknown:
        raise ValueError(f"unknown peer {unknown[0]!r} (choose from {', '.join(PEERS)})")
    corpus = read_project(project)
    return {peer: WRITERS[peer](corpus, out / peer) for peer in peers}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="peers.py", description="Write a generated briefgen project for Hugo, Pelican, MkDocs."
    )
    parser.add_argument("project", type=Path, help="a project made by bench/generate.py")
    parser.add_argument("out", type=Path, metavar="OUT_DIR", help="where to write OUT_DIR/<peer>")
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated (default all)")
    args = parser.parse_args(argv)
    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    try:
        written = convert(args.project, args.out, peers)
    except ValueError as problem:
        parser.error(str(problem))
    for peer, count in written.items():
        print(f"{peer}: {count} files in {args.out / peer}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
