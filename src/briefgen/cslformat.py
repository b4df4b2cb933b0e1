"""A CSL style that formats one source at a time, through citeproc-py.

The only module that imports citeproc; csl.py imports it when a site sets
``citation_style``. citeproc-py implements CSL 1.0 with gaps; three are mended here,
on the style's tree or its output, so that entries read as the style prescribes:

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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import citeproc
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

from .csl import StyleChoice, problem
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


class CslStyle:
    """A parsed style that formats one source at a time as an HTML reference entry."""

    def __init__(self, choice: StyleChoice, config_text: str = "", language: str = "") -> None:
        self.choice = choice
        head = choice.file.read_bytes()[:4000]
        if b"http://purl.org/net/xbiblio/csl" not in head:
            raise problem(
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
            raise problem(
                config_text,
                f"citation_style file '{choice.setting}' is not a CSL style: {exc}",
                "use a .csl file from https://www.zotero.org/styles, or fix the file's XML",
            ) from None
        except (AttributeError, KeyError, ValueError, IndexError) as exc:
            raise problem(
                config_text,
                f"citation_style file '{choice.setting}' is not a CSL style ({exc})",
                "use a .csl file from https://www.zotero.org/styles",
            ) from None
        if bibliography is None or style.root.tag != f"{_NS}style":
            raise problem(
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
