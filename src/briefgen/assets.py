"""Static files: which file lands where in the output, with fingerprinted names under assets/.

The theme's static files go under ``assets/``; the project's ``static/``
folder is copied to the root of the site, and its files win over the theme's
of the same name. With fingerprinting on (``briefgen build``), every file
under ``assets/`` gets a name that carries a hash of its content
(``assets/style.3f2a9c1be0.css``), so it can be cached forever: a change of
content is a change of name. Templates link them with ``asset('style.css')``.
The preview does not fingerprint, so that a stylesheet keeps its name and can
be swapped in open pages.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import ConfigError, unreadable
from .render import THEME

ASSETS = "assets/"


@dataclass(frozen=True, slots=True)
class StaticPlan:
    """Every static file of a build."""

    copies: dict[str, Path]
    """Output path (relative to the output folder) -> the file to copy there."""
    names: dict[str, str]
    """Asset name as templates ask for it (``style.css``) -> its output path."""


def _fingerprinted(rel: str, file: Path, shown: str) -> str:
    try:
        digest = hashlib.sha256(file.read_bytes()).hexdigest()[:10]
    except OSError as exc:
        raise ConfigError([unreadable(shown, exc, "static file")]) from None
    path = PurePosixPath(rel)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def plan_static(project: Path, *, fingerprint: bool) -> StaticPlan:
    """Where each static file goes, the project's files over the theme's."""
    files: dict[str, Path] = {}
    shown: dict[Path, str] = {}
    for source, under, label in (
        (THEME / "static", ASSETS, "briefgen/theme/static/"),
        (project / "static", "", "static/"),
    ):
        if source.is_dir():
            for file in sorted(source.rglob("*")):
                if file.is_file():
                    files[under + file.relative_to(source).as_posix()] = file
                    shown[file] = label + file.relative_to(source).as_posix()
    copies: dict[str, Path] = {}
    names: dict[str, str] = {}
    for rel, file in files.items():
        fingerprinted = fingerprint and rel.startswith(ASSETS)
        out = _fingerprinted(rel, file, shown[file]) if fingerprinted else rel
        copies[out] = file
        if rel.startswith(ASSETS):
            names[rel[len(ASSETS) :]] = out
    return StaticPlan(copies, names)
