"""Read content/ into the model, collecting every problem instead of stopping at the first.

Which files count is decided in ``paths``; how one is split in ``front_matter``; how
each kind is read in ``readers``. This module reads the files and puts them together,
reporting what no single file can show (ids taken twice, files in no content folder).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Diagnostic, did_you_mean, error, warning
from .front_matter import parse_file
from .model import (
    Body,
    Content,
)
from .parallel import fork_map
from .paths import (
    MAX_SEGMENT,
    ContentPath,
    content_files,
    content_path,
    is_valid_id,
    slugify,
)
from .pickling import by_fields
from .readers import READERS, Entry
from .store import BlobStore
from .texts import SpilledBody, spill_texts


@by_fields
@dataclass(frozen=True, slots=True)
class LoadedFile:
    """One file under content/ as read: the entry (None when unreadable) and its problems."""

    path: str
    """Relative to the project folder, forward slashes."""
    folder: str
    """briefs, actors, sources or pages; '' for a file in no content folder."""
    entry: Entry | None
    diagnostics: tuple[Diagnostic, ...]
    entry_id: str = ""
    """The id its file name gives, valid or not; '' for a file that is not an entry."""


def _not_an_entry(where: ContentPath) -> Diagnostic:
    """Why a file under content/ is not read: its folder, or its ending."""
    if where.folder and where.section is None:
        hint = did_you_mean(where.folder, READERS) or (
            "the content folders are " + ", ".join(READERS)
        )
        # One message per folder, however many files it holds: assemble drops repeats.
        return error(
            f"content/{where.folder}/", 0, 0, f"unknown content folder '{where.folder}'", hint
        )
    name = where.rel.rsplit("/", 1)[-1]
    if where.markdown:
        return error(
            where.rel,
            1,
            1,
            f"'{name}' is not in a content folder, so it is not read",
            "move it into content/briefs/, content/actors/, content/sources/ or content/pages/",
        )
    return warning(
        where.rel,
        0,
        0,
        f"'{name}' is not a Markdown file (.md), so it is not part of the site",
        "move it out of content/; images and downloads go in static/",
    )


def load_file(project: Path, file: Path) -> LoadedFile | None:
    """Read one file under content/; None when it is skipped (outside content/, a dotfile...)."""
    where = content_path(project, file)
    if where is None:
        return None
    if where.section is None or not where.markdown:
        return LoadedFile(where.rel, "", None, (_not_an_entry(where),))
    folder, rel, entry_id = where.section, where.rel, where.entry_id
    diagnostics: list[Diagnostic] = []
    entry: Entry | None = None
    if len(entry_id) > MAX_SEGMENT:
        message = (
            f"id '{entry_id}' is {len(entry_id)} characters long, over the limit of {MAX_SEGMENT}"
        )
        diagnostics.append(error(rel, 1, 1, message, "rename the file to a shorter name"))
    # An invalid id is reported by assemble, which sees the other files (and collisions).
    elif is_valid_id(entry_id):
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            diagnostics.append(
                error(
                    rel,
                    1,
                    1,
                    f"file is not UTF-8 text ({exc.reason})",
                    "save it as UTF-8 in your editor; if it is not text, move it out of content/",
                )
            )
        except OSError as exc:
            what = "is a folder, not a file" if file.is_dir() else f"cannot be read: {exc.strerror}"
            diagnostics.append(error(rel, 1, 1, f"'{file.name}' {what}", "move or rename it"))
        else:
            parsed = parse_file(text, rel, diagnostics)
            if parsed is not None:
                entry = READERS[folder](entry_id, parsed, diagnostics)
    return LoadedFile(rel, folder, entry, tuple(diagnostics), entry_id)


LOAD_PARALLEL_MIN = 1000
"""Fewer files than this are read in this process: forking costs more."""


_LOAD_BATCH = 50
"""Files a worker reads, then writes the texts of to the scratch store in one transaction."""

Loaded = tuple[int, "LoadedFile | None", str]
"""A file read at its place in the list, and the key of its entry's text when spilled
(the entry then comes without its text) or ''."""


def _load_batch(
    shared: tuple[Path, Sequence[Path], BlobStore | None], batch: range
) -> list[Loaded]:
    """Read some files; with a store, their entries' texts are written there and the
    entries come back without them (``_with_text`` puts each back, by its key)."""
    project, files, store = shared
    read = [load_file(project, files[at]) for at in batch]
    keys = [""] * len(read)
    if store is not None:
        entries = [(i, f.entry) for i, f in enumerate(read) if f is not None and f.entry]
        spilled = spill_texts([entry.body for _, entry in entries], store)
        for (i, entry), body in zip(entries, spilled, strict=True):
            loaded = read[i]
            assert loaded is not None and isinstance(body, SpilledBody)
            keys[i] = body.text_digest
            textless = Body("", body.path, body.first_line)
            read[i] = dataclasses.replace(loaded, entry=dataclasses.replace(entry, body=textless))
    return list(zip(batch, read, keys, strict=True))


def _with_text(loaded: LoadedFile, key: str, store: BlobStore) -> LoadedFile:
    """A file ``_load_batch`` sent without its entry's text, which is in ``store``."""
    entry = loaded.entry
    assert entry is not None
    body = SpilledBody.of(entry.body, store, key)
    return dataclasses.replace(loaded, entry=dataclasses.replace(entry, body=body))


def load_tree(
    project: Path,
    under: Path | None = None,
    *,
    jobs: int = 1,
    spill: Callable[[], BlobStore] | None = None,
    spill_from: int = 0,
) -> list[LoadedFile]:
    """Every file under content/ (or a folder in it), read; a folder not read is one too.

    A folder that cannot be read, or a folder link that loops back, is a LoadedFile
    of its own with no entry and its problem, so that it is reported together with
    the problems of every file that could be read (and goes when the folder does).
    With ``jobs`` above 1, the files are read and parsed in that many forked workers
    (the YAML of 10,000 briefs is 3 to 4 s of one core); the list is the same.
    ``spill``: from ``spill_from`` files, the entries' texts are written to the store it
    gives as they are read, and stand in the entries by their digest (texts.py): they
    are never all in memory, nor sent from the workers.
    """
    found = content_files(project, under)
    files = found.files
    store = spill() if spill is not None and len(files) >= spill_from else None
    batches = [
        range(at, min(at + _LOAD_BATCH, len(files))) for at in range(0, len(files), _LOAD_BATCH)
    ]
    shared = (project, files, store)
    if jobs > 1 and len(files) >= LOAD_PARALLEL_MIN:
        if store is not None:
            store.close()  # the workers open their own; none is carried across the fork
        results = fork_map(_load_batch, shared, batches, jobs=jobs)
    else:
        results = ([_load_batch(shared, batch)] for batch in batches)
    read: list[LoadedFile | None] = [None] * len(files)
    for done in results:
        for at, loaded_file, key in (each for batch in done for each in batch):
            if key and store is not None and loaded_file is not None:
                loaded_file = _with_text(loaded_file, key, store)
            read[at] = loaded_file
    loaded = [f for f in read if f is not None]
    for problem in found.problems:
        loaded.append(LoadedFile(problem.path, "", None, (problem,)))
    return loaded


def _id_problems(files: list[LoadedFile]) -> tuple[list[Diagnostic], set[str]]:
    """Invalid file names and ids used twice in one folder; the paths whose entry is dropped."""
    diagnostics: list[Diagnostic] = []
    dropped: set[str] = set()
    taken: dict[tuple[str, str], str] = {}
    for loaded in files:
        if loaded.folder and is_valid_id(loaded.entry_id):
            key = (loaded.folder, loaded.entry_id)
            if key in taken:
                dropped.add(loaded.path)
                diagnostics.append(
                    error(
                        loaded.path,
                        1,
                        1,
                        f"{loaded.folder[:-1]} id '{loaded.entry_id}' is already taken by "
                        f"{taken[key]}",
                        "the id is the file name, whatever the subfolder: rename one of the two",
                    )
                )
            else:
                taken[key] = loaded.path
    for loaded in files:
        if loaded.folder and not is_valid_id(loaded.entry_id):
            proposal = slugify(loaded.entry_id) or "entry"
            other = taken.get((loaded.folder, proposal))
            hint = (
                f"the proposed name '{proposal}.md' is taken by {other}: "
                "merge the two files or choose another name"
                if other
                else f"rename the file to '{proposal}.md'"
            )
            message = (
                f"invalid id '{loaded.entry_id}': ids are lowercase letters, digits and hyphens"
            )
            diagnostics.append(error(loaded.path, 1, 1, message, hint))
    return diagnostics, dropped


def assemble(files: Iterable[LoadedFile]) -> tuple[Content, list[Diagnostic]]:
    """Content from loaded files, in the order a full load gives (path order)."""
    ordered = sorted(files, key=lambda f: f.path)
    entries: dict[str, list[Any]] = {folder: [] for folder in READERS}
    diagnostics, dropped = _id_problems(ordered)
    for loaded in ordered:
        diagnostics.extend(loaded.diagnostics)
        if loaded.entry is not None and loaded.path not in dropped:
            entries[loaded.folder].append(loaded.entry)
    content = Content(
        briefs=tuple(entries["briefs"]),
        actors=tuple(entries["actors"]),
        sources=tuple(entries["sources"]),
        pages=tuple(entries["pages"]),
    )
    return content, list(dict.fromkeys(diagnostics))


def load_content(project: Path) -> tuple[Content, list[Diagnostic]]:
    """Read every brief, actor, source and page under ``project/content``."""
    return assemble(load_tree(project))
