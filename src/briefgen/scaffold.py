"""Starting a briefing of one's own: ``briefgen init`` and ``briefgen new``.

The starter project lives in ``briefgen/starter/`` inside the package, so it
ships in the wheel with the theme. A few of its files are templates with
``$title``, ``$base_url`` and ``$version`` to fill in. Neither command ever
overwrites a file: files are opened with exclusive creation, so even a file
that appears between the check and the write is kept.
"""

from __future__ import annotations

import datetime as dt
import json
import string
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from . import __version__
from .config import CONFIG_FILE, inside_project_hint, load_config, parse_config
from .config import check_base_url as config_base_url
from .errors import ConfigError, error
from .front_matter import yaml_field
from .load import load_file
from .model import SOURCE_KINDS, Actor, fold_name
from .paths import (
    MAX_SEGMENT,
    RESERVED_BRIEF_IDS,
    RESERVED_PAGE_IDS,
    content_files,
    content_path,
    is_valid_id,
    slugify,
)
from .write import WriteError

DEFAULT_TITLE = "My briefing"

KINDS = ("brief", "actor", "source", "page")
"""What ``briefgen new`` writes, each into ``content/<kind>s/``."""


@dataclass(frozen=True, slots=True)
class StarterFile:
    """One file of the starter project."""

    resource: str
    """Its path inside ``briefgen/starter/`` (dot files are stored without the dot, so
    that the repository's own git and tools do not read them as theirs)."""
    target: str
    """Its path in the new project."""
    template: bool = False
    """True when ``$title``, ``$base_url`` and ``$version`` are to be filled in."""


STARTER = (
    StarterFile("briefgen.toml", "briefgen.toml", template=True),
    StarterFile("content/briefs/astana-invitation.md", "content/briefs/astana-invitation.md"),
    StarterFile("content/actors/russia.md", "content/actors/russia.md"),
    StarterFile("content/actors/sergei-lavrov.md", "content/actors/sergei-lavrov.md"),
    StarterFile("content/sources/haaretz-2017-01-17.md", "content/sources/haaretz-2017-01-17.md"),
    StarterFile("gitignore", ".gitignore"),
    StarterFile("netlify.toml", "netlify.toml", template=True),
    StarterFile("github/workflows/briefing.yml", ".github/workflows/briefing.yml", template=True),
    StarterFile("README.md", "README.md", template=True),
)
"""Every file ``briefgen init`` writes, in the order it lists them."""

# A folder holding only these still counts as empty: `git init` or a fresh clone of an
# empty repository leaves .git behind, and refusing it would be of no use to anyone.
_IGNORED_WHEN_EMPTY = frozenset({".git"})


class BadInput(ValueError):
    """A value the writer typed on the command line is unusable (a usage error, exit 2)."""

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        """The argument or option at fault, as the writer typed it: ``TITLE``, ``--id``."""
        self.message = message
        super().__init__(f"{param}: {message}")


class ScaffoldError(ConfigError):
    """A file or folder is in the way: exit code 2, like build's refusals."""


@dataclass(frozen=True, slots=True)
class InitResult:
    """What ``init`` did."""

    folder: Path
    """The project folder, as given."""
    written: tuple[str, ...]
    """Files written, relative to the folder."""
    kept: tuple[str, ...]
    """Starter files left as they were because something was already there (``--force``)."""


@dataclass(frozen=True, slots=True)
class NewResult:
    """What ``new`` wrote."""

    path: Path
    """The new file: the project folder as given, then ``content/<kind>s/<id>.md``."""
    entry_id: str
    """Its id."""
    hint: str
    """What the writer does next, and the warning to expect."""


def clean_title(title: str) -> str:
    """A title on one line, with single spaces (a pasted title may hold line breaks)."""
    return " ".join(title.split())


def check_base_url(base_url: str) -> str:
    """The base URL as briefgen.toml will read it; BadInput with the fix when it would refuse it."""
    normal, wrong, fixed = config_base_url(base_url)
    if wrong:
        raise BadInput("--base-url", f"'{base_url}' {wrong} (write e.g. --base-url {fixed})")
    return normal


def _toml_string(text: str) -> str:
    # A JSON string is a valid TOML basic string: the same quotes and escapes.
    return json.dumps(text, ensure_ascii=False)


def starter_text(file: StarterFile, *, title: str, base_url: str) -> str:
    """The text of one starter file, filled in."""
    text = (resources.files("briefgen") / "starter" / file.resource).read_text(encoding="utf-8")
    if not file.template:
        return text
    values = {"version": __version__, "base_url": _toml_string(base_url)}
    # briefgen.toml takes the title as a TOML string; the README as Markdown text.
    values["title"] = _toml_string(title) if file.target.endswith(".toml") else title
    return string.Template(text).substitute(values)


def _shown(path: Path) -> str:
    return path.as_posix()


def _in_the_way(path: Path) -> Path | None:
    """The first folder on the way to ``path`` that is a file instead."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def _write_new(path: Path, text: str) -> bool:
    """Write a file that does not exist; False (and nothing written) when it does."""
    blocker = _in_the_way(path)
    if blocker is not None:
        raise ScaffoldError(
            [error(_shown(blocker), 0, 0, "is a file, not a folder", "move or rename it")]
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except FileExistsError:
        return False
    except OSError as exc:
        # The disk refused (permissions, a full disk): build's error, with its exit code.
        hint = "check the folder's permissions and the free space on its disk"
        problem = error(_shown(path), 0, 0, f"cannot write it ({exc.strerror})", hint)
        raise WriteError([problem]) from None
    return True


def _entries(folder: Path) -> list[str]:
    """What the folder holds, besides .git; nothing when it does not exist yet."""
    try:
        return sorted(p.name for p in folder.iterdir() if p.name not in _IGNORED_WHEN_EMPTY)
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        blocker = folder if folder.is_file() else _in_the_way(folder) or folder
        raise ScaffoldError(
            [
                error(
                    _shown(blocker),
                    0,
                    0,
                    "is a file, not a folder",
                    "name a new folder, e.g. briefgen init my-briefing",
                )
            ]
        ) from None


def init_project(
    folder: Path, *, title: str = DEFAULT_TITLE, base_url: str = "/", force: bool = False
) -> InitResult:
    """Write the starter project into a new or empty folder (``force``: the missing files)."""
    title = clean_title(title)
    if not title:
        raise BadInput("--title", 'the title is empty (write e.g. --title "Astana Watch")')
    base_url = check_base_url(base_url)
    present = _entries(folder)
    if present and not force:
        if CONFIG_FILE in present:
            message = f"already a briefgen project ({CONFIG_FILE} is there)"
            hint = (
                'add a brief with briefgen new brief "Title", '
                "or pass --force to add only the missing starter files"
            )
        else:
            shown = ", ".join(present[:3]) + (", ..." if len(present) > 3 else "")
            message = f"the folder is not empty (it holds {shown})"
            hint = "name a new folder, or pass --force to add only the missing starter files"
        raise ScaffoldError([error(_shown(folder), 0, 0, message, hint)])
    texts = {file: starter_text(file, title=title, base_url=base_url) for file in STARTER}
    # The settings as build will read them, before anything is written.
    settings = next(text for file, text in texts.items() if file.target == CONFIG_FILE)
    parse_config(settings, (folder / CONFIG_FILE).as_posix())
    # Every file in the way, before the first write: a refusal leaves nothing half-written.
    blockers = sorted({b for file in STARTER if (b := _in_the_way(folder / file.target))})
    if blockers:
        what, fix = "is a file, not a folder", "move or rename it"
        raise ScaffoldError([error(_shown(b), 0, 0, what, fix) for b in blockers])
    written: list[str] = []
    kept: list[str] = []
    for file, text in texts.items():
        path = folder / file.target
        if not path.exists() and not path.is_symlink() and _write_new(path, text):
            written.append(file.target)
        else:
            kept.append(file.target)
    return InitResult(folder, tuple(written), tuple(kept))


def _capped(entry_id: str, room: int = MAX_SEGMENT) -> str:
    """The id cut to at most ``room`` characters, at a hyphen where there is one."""
    if len(entry_id) <= room:
        return entry_id
    head = entry_id[: room + 1].rsplit("-", 1)[0].rstrip("-")
    return head or entry_id[:room]


def _free_id(taken: Iterable[str], entry_id: str) -> str:
    """The first ``<id>-<n>`` not taken, cut so that it stays within MAX_SEGMENT."""
    names = set(taken)
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = _capped(entry_id, MAX_SEGMENT - len(suffix)) + suffix
        if candidate not in names:
            return candidate
        number += 1


def _entry_id(kind: str, title: str, given: str | None) -> str:
    if given is not None:
        if not is_valid_id(given):
            proposal = slugify(given)
            hint = f"e.g. --id {proposal}" if proposal else "e.g. --id about-this-briefing"
            raise BadInput(
                "--id",
                f"'{given}' is not an id: ids are lowercase letters, digits and hyphens ({hint})",
            )
        if len(given) > MAX_SEGMENT:
            raise BadInput(
                "--id",
                f"'{given}' is {len(given)} characters long, over the limit of {MAX_SEGMENT} "
                f"for an id (e.g. --id {_capped(given)})",
            )
        entry_id = given
    else:
        # Each id names a folder of the site: a long title gives its first words.
        entry_id = _capped(slugify(title))
        if not entry_id:
            raise BadInput(
                "TITLE",
                f"'{title}' has no letters or digits to make an id of "
                f"(pass one with --id, e.g. --id my-{kind})",
            )
    if kind == "page" and entry_id in RESERVED_PAGE_IDS:
        where = "--id" if given is not None else "TITLE"
        raise BadInput(
            where,
            f"the id '{entry_id}' is taken by a section of the site "
            f"(pass another with --id, e.g. --id {entry_id}-page)",
        )
    if kind == "brief" and entry_id in RESERVED_BRIEF_IDS:
        where = "--id" if given is not None else "TITLE"
        raise BadInput(
            where,
            f"the id '{entry_id}' is taken by the pages of the brief index "
            f"(pass another with --id, e.g. --id {entry_id}-brief)",
        )
    return entry_id


def _front_matter(kind: str, title: str, today: dt.date) -> str:
    """The new file's text: the required fields filled in, the optional ones as comments."""
    if kind == "brief":
        lines = [
            yaml_field("title", title),
            yaml_field("date", today),
            # The title stands in for the summary: if it is never rewritten, the card
            # repeats the headline rather than publishing instructions.
            yaml_field("summary", title) + "  # one or two sentences for the cards and search",
            "draft: true            # preview only; delete this line to publish the brief",
            "# actors: [actor-id]   # the actors you mention in the body are added by themselves",
            "# sources: [source-id] # likewise the sources you cite",
            "# tags: [a-tag]",
            "# events:",
            f"#   - date: {today.isoformat()}",
            "#     title: What happened",
            "#     actors: [actor-id]",
        ]
    elif kind == "actor":
        lines = [
            yaml_field("name", title),
            "kind: person           # person | organisation | state | group (armed group)",
            "# role: Foreign Minister of Russia",
            "# affiliation: actor-id  # another actor, e.g. the state or party",
            "# aliases: [Lavrov]      # other names a brief may use: [[Lavrov]]",
            "# links:",
            "#   wikipedia: https://en.wikipedia.org/wiki/...",
            "# roles:                 # titles held for a time; briefs show the one of their date",
            "#   - {title: Foreign Minister of Russia, from: 2004-03-09}",
            "# wikidata: Q150851      # the Wikidata item",
        ]
    elif kind == "source":
        lines = [
            yaml_field("title", title),
            "# publication: Haaretz",
            "# authors: [Alec Luhn]",
            f"# published: {today.isoformat()}",
            "# url: https://...",
            f"# accessed: {today.isoformat()}",
            f"kind: news             # {' | '.join(SOURCE_KINDS)}",
            "# reliability: B       # Admiralty grade: A (completely reliable) to F",
            "# language: en",
        ]
    else:
        lines = [
            yaml_field("title", title),
            "# summary: One sentence, for the search results.",
        ]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def _page_url(project: Path, page_id: str) -> str:
    """The new page's URL under the site's base_url (a broken briefgen.toml: from ``/``)."""
    try:
        urls = load_config(project).urls
    except ConfigError:
        return f"/{page_id}/"
    return str(urls.free_page(page_id))


def _hint(project: Path, kind: str, entry_id: str) -> str:
    if kind == "brief":
        return (
            f"brief '{entry_id}' is a draft: briefgen serve shows it, briefgen build leaves it "
            "out until you delete the line 'draft: true'"
        )
    if kind == "actor":
        return (
            f"mention actor '{entry_id}' in a brief as [[{entry_id}]]; until then, build warns "
            f"\"actor '{entry_id}' is not mentioned in any brief\" (and --strict fails): "
            "that is expected"
        )
    if kind == "source":
        return (
            f"cite source '{entry_id}' in a brief as [@{entry_id}, para. 1]; until then, build "
            f"warns \"source '{entry_id}' is not cited in any brief\" (and --strict fails): "
            "that is expected"
        )
    url = _page_url(project, entry_id)
    return f"page '{entry_id}' is published at {url} and listed in every page's menu"


def _ids(project: Path, folder: Path) -> dict[str, Path]:
    """The ids a content folder gives, subfolders and all, as the build reads them: each
    with its (first) file."""
    if not folder.is_dir():
        return {}
    files, problems = content_files(project, under=folder)
    if problems:
        # An unreadable folder may hide the id: refuse, as build would.
        raise ScaffoldError(problems)
    found: dict[str, Path] = {}
    for file in files:
        where = content_path(project, file)
        if where is not None and where.markdown:
            found.setdefault(where.entry_id, file)
    return found


def _other_actors(project: Path) -> list[tuple[str, Actor]]:
    """The project's actors as they read now (unreadable files are left to build)."""
    found = []
    for file in _ids(project, project / "content" / "actors").values():
        loaded = load_file(project, file)
        if loaded is not None and isinstance(loaded.entry, Actor):
            found.append((_shown(project / loaded.path), loaded.entry))
    return found


def _taken_by(actors: list[tuple[str, Actor]], name: str) -> tuple[str, Actor] | None:
    """The actor whose id the name is, so that [[name]] can only mean that actor."""
    return next(((rel, a) for rel, a in actors if a.id == fold_name(name)), None)


def _names(actors: list[tuple[str, Actor]]) -> set[str]:
    """Every actor's name and alias, as a mention is looked up (an id may not be one)."""
    return {fold_name(n) for _, actor in actors for n in (actor.name, *actor.aliases)}


def _check_actor(
    actors: list[tuple[str, Actor]], path: Path, entry_id: str, name: str, ids: Iterable[str]
) -> str:
    """Refuse an id that another actor's name or alias stands for; note a shared name."""
    shadowing = _taken_by(actors, name)
    if shadowing is not None:
        # The new actor's name would be shadowed by an id (a warning at every build, so
        # --strict would never pass again); no other id would help.
        rel, actor = shadowing
        raise ScaffoldError(
            [
                error(
                    _shown(path),
                    0,
                    0,
                    f"'{name}' is the id of actor '{actor.id}' ({rel}), "
                    f"so [[{name}]] can only mean that actor",
                    f"mention it as [[{actor.id}]]; a different actor needs another name",
                )
            ]
        )
    note = ""
    for rel, actor in actors:
        names = [actor.name, *actor.aliases]
        taken = next((n for n in names if fold_name(n) == entry_id), None)
        if taken is not None:
            # An id wins over names, so every [[Lavrov]] already written would change actor.
            proposal = _free_id({*ids, *_names(actors)}, entry_id)
            raise ScaffoldError(
                [
                    error(
                        _shown(path),
                        0,
                        0,
                        f"'{taken}' already stands for actor '{actor.id}' ({rel}): an actor "
                        f"with the id '{entry_id}' would take over every [[{taken}]]",
                        f"mention that actor as [[{taken}]], or pass another id for a new one, "
                        f"e.g. --id {proposal}",
                    )
                ]
            )
        if fold_name(name) in {fold_name(n) for n in names}:
            note = (
                f"; '{name}' is also a name of actor '{actor.id}', so a mention [[{name}]] "
                f"is ambiguous: write [[{entry_id}]] or [[{actor.id}]]"
            )
    return note


def _another(kind: str, title: str, entry_id: str, ids: Iterable[str], project: Path) -> str:
    """The fix for an id that exists already: another id that ``new`` accepts, or for an
    actor whose name is already an actor's id, which no other id would help, another name."""
    if kind != "actor":
        return f"pass another id, e.g. --id {_free_id(ids, entry_id)}"
    actors = _other_actors(project)
    proposal = _free_id({*ids, *_names(actors)}, entry_id)
    shadowing = _taken_by(actors, title)
    if shadowing is None:
        return f"pass another id, e.g. --id {proposal}"
    actor = shadowing[1]
    # The proposal's number after the name gives a name that is no id (it holds a space)
    # and an id that is free.
    other = f"{title} {proposal.rsplit('-', 1)[1]}"
    return (
        f"mention it as [[{actor.id}]]; a different actor needs a name other than '{title}', "
        f"which is the id of actor '{actor.id}', e.g. briefgen new actor \"{other}\""
    )


def new_entry(
    project: Path,
    kind: str,
    title: str,
    *,
    entry_id: str | None = None,
    today: dt.date | None = None,
) -> NewResult:
    """Write a new brief, actor, source or page with its front matter; never overwrite."""
    if kind not in KINDS:
        raise BadInput("KIND", f"'{kind}' is not one of {', '.join(KINDS)}")
    if not (project / CONFIG_FILE).is_file():
        where = "the current folder" if project == Path() else f"'{_shown(project)}'"
        start = "briefgen init" if project == Path() else f"briefgen init {_shown(project)}"
        raise ScaffoldError(
            [
                error(
                    _shown(project / CONFIG_FILE),
                    0,
                    0,
                    f"not a briefgen project: there is no {CONFIG_FILE} in {where}",
                    inside_project_hint(project)
                    or f"run {start} to start one, or pass --project DIR",
                )
            ]
        )
    title = clean_title(title)
    if not title:
        example = "Sergei Lavrov" if kind == "actor" else "Russia invites the US to Astana"
        raise BadInput("TITLE", f'the title is empty (write e.g. briefgen new {kind} "{example}")')
    entry_id = _entry_id(kind, title, entry_id)
    folder = project / "content" / f"{kind}s"
    path = folder / f"{entry_id}.md"
    text = _front_matter(kind, title, today or dt.date.today())
    # The id is the file name, whatever the subfolder: content/briefs/2016/x.md takes 'x'.
    ids = _ids(project, folder)
    existing = ids.get(entry_id)
    if existing is None and (path.exists() or path.is_symlink()):
        existing = path
    note = ""
    if kind == "actor" and existing is None:
        note = _check_actor(_other_actors(project), path, entry_id, title, ids)
    if existing is not None or not _write_new(path, text):
        raise ScaffoldError(
            [
                error(
                    _shown(existing or path),
                    0,
                    0,
                    f"{kind} '{entry_id}' exists already; briefgen never overwrites a file",
                    _another(kind, title, entry_id, ids.keys() | {entry_id}, project),
                )
            ]
        )
    return NewResult(path, entry_id, _hint(project, kind, entry_id) + note)
