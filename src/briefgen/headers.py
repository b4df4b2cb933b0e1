"""The HTTP headers a site is published with, read from its netlify.toml, for the preview.

The preview sends the headers production sends, so a page that works in the
preview works once deployed: the project's ``netlify.toml`` is the one source
of truth, and a project without one gets the theme's defaults
(``theme/headers.toml``, in the same format). Two things differ, on purpose:
``Cache-Control`` (the preview's files are not fingerprinted, so nothing may be
cached), and the Content-Security-Policy, which must let the live-reload
script and its WebSocket through (see ``preview_policy``).
"""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import read_settings
from .errors import ConfigError, Diagnostic, error, warning

NETLIFY_FILE = "netlify.toml"
THEME_HEADERS = Path(__file__).parent / "theme" / "headers.toml"

# Header names the preview leaves to itself: it serves unfingerprinted files that change.
_PREVIEW_OWNS = frozenset({"cache-control", "expires"})
# tomllib reports positions only inside its message: "... (at line 3, column 7)".
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
# A [[headers]] table header, to point a problem at the rule it is in.
_RULE_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*headers[ \t]*\]\]", re.MULTILINE)
# An HTTP header name is a "token" (RFC 9110 section 5.6.2).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass(frozen=True, slots=True)
class HeaderRule:
    """One ``[[headers]]`` table: the headers for the paths one pattern matches."""

    pattern: str
    """Netlify's ``for``: a path where ``*`` matches anything and ``:name`` one segment."""
    values: tuple[tuple[str, str], ...]
    """Header names and values, in file order."""

    def matches(self, path: str) -> bool:
        """True when a site path (``/briefs/x/``) falls under this rule."""
        parts = re.split(r"(\*|:[A-Za-z_]\w*)", self.pattern)
        # `*` (a splat) matches the rest, across slashes; `:name` one path segment;
        # everything else literally.
        regex = "".join(
            ".*" if part == "*" else "[^/]+" if part.startswith(":") else re.escape(part)
            for part in parts
        )
        return re.fullmatch(regex, path) is not None


@dataclass(frozen=True, slots=True)
class HeaderRules:
    """Every header rule of a site, and where they come from."""

    source: str
    """``netlify.toml``, or the theme's defaults."""
    rules: tuple[HeaderRule, ...]

    def for_path(self, path: str) -> dict[str, str]:
        """The headers a path gets: every matching rule, a later one overriding an earlier."""
        found: dict[str, str] = {}
        for rule in self.rules:
            if rule.matches(path):
                found.update(rule.values)
        return found

    def for_preview(self, path: str) -> dict[str, str]:
        """The headers a path gets in the preview: all but the caching ones."""
        return {
            name: value
            for name, value in self.for_path(path).items()
            if name.lower() not in _PREVIEW_OWNS
        }


def parse_header_rules(text: str, path: str) -> HeaderRules:
    """The ``[[headers]]`` rules of a netlify.toml; ConfigError lists every problem."""
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.search(str(exc))
        line, col = (int(found[1]), int(found[2])) if found else (0, 0)
        message = _TOML_POSITION.sub("", str(exc)).strip()
        raise ConfigError([error(path, line, col, f"invalid TOML: {message}")]) from None
    tables = raw.get("headers", [])
    rule_lines = [text.count("\n", 0, m.start()) + 1 for m in _RULE_HEADER.finditer(text)]
    if not isinstance(tables, list):
        line = _line_of(text, r"^[ \t]*\[[ \t]*headers[ \t]*\]")
        raise ConfigError(
            [
                error(
                    path,
                    line,
                    1,
                    "'headers' must be a list of tables",
                    'write each rule as [[headers]] with for = "/*" and a [headers.values] table',
                )
            ]
        )
    problems: list[Diagnostic] = []
    rules: list[HeaderRule] = []
    for index, table in enumerate(tables):
        line = rule_lines[index] if index < len(rule_lines) else 0
        rule = _read_rule(table, path, line, problems, text)
        if rule is not None:
            rules.append(rule)
    if problems:
        raise ConfigError(problems)
    return HeaderRules(path, tuple(rules))


def _line_of(text: str, pattern: str) -> int:
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def _key_line_after(text: str, start: int, key: str) -> int:
    """The line, at or after ``start``, where ``key`` (bare or quoted) is set; else ``start``."""
    pattern = re.compile(
        rf"^[ \t]*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')[ \t]*="
    )
    for number, written in enumerate(text.splitlines()[max(start - 1, 0) :], start=max(start, 1)):
        if pattern.match(written):
            return number
    return start


def _read_rule(
    table: Any, path: str, line: int, problems: list[Diagnostic], text: str = ""
) -> HeaderRule | None:
    """One [[headers]] table, or None (with the problems recorded) when it is unusable."""
    if not isinstance(table, dict):
        problems.append(error(path, line, 1, "each 'headers' entry must be a table"))
        return None
    pattern = table.get("for")
    values = table.get("values", {})
    before = len(problems)
    if not isinstance(pattern, str) or not pattern.startswith("/"):
        shown = "missing" if pattern is None else f"{pattern!r}"
        problems.append(
            error(
                path,
                line,
                1,
                f"a [[headers]] rule needs 'for', a path starting with '/' ({shown})",
                'add for = "/*" for every page',
            )
        )
    if not isinstance(values, dict):
        problems.append(error(path, line, 1, "'values' of a [[headers]] rule must be a table"))
        values = {}
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        at = _key_line_after(text, line, name)
        if not _TOKEN.fullmatch(name):
            problems.append(
                error(
                    path,
                    at,
                    1,
                    f"{name!r} is not a valid HTTP header name",
                    "header names are letters, digits and '-', e.g. X-Frame-Options",
                )
            )
        elif not isinstance(value, str):
            problems.append(
                error(path, at, 1, f"header {name!r} must be text, not {value!r}", "quote it")
            )
        else:
            # A value written over several lines is one line on the wire.
            pairs.append((name, " ".join(value.split())))
    if len(problems) > before or not isinstance(pattern, str):
        return None
    return HeaderRule(pattern, tuple(pairs))


def theme_header_rules() -> HeaderRules:
    """The headers the theme is made for: those of a project without netlify.toml."""
    return parse_header_rules(THEME_HEADERS.read_text(encoding="utf-8"), "theme defaults")


def read_header_rules(project: Path) -> HeaderRules:
    """The project's netlify.toml rules if it has the file, else the theme's defaults."""
    file = project / NETLIFY_FILE
    if not file.is_file():
        return theme_header_rules()
    return parse_header_rules(read_settings(file, NETLIFY_FILE), NETLIFY_FILE)


def style_hash(css: str) -> str:
    """The CSP source that allows one inline ``<style>`` with exactly this text."""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def preview_policy(
    policy: str, origin: str, *, inline_styles: Iterable[str] = (), socket_path: str = "/livereload"
) -> str:
    """The site's Content-Security-Policy, adapted to the preview at ``origin`` (``http://h:p``).

    Only what the preview needs is added: its reload script (``/livereload.js``, same
    origin), its WebSocket (same host and port) and, on the error page, the page's own
    inline stylesheet by hash. ``upgrade-insecure-requests`` is dropped, because the
    preview speaks plain HTTP: on any host but this machine it would break every file.
    """
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words and words[0].lower() not in directives:
            directives[words[0].lower()] = words[1:]
    directives.pop("upgrade-insecure-requests", None)
    ws_origin = "ws" + origin.removeprefix("http")
    _allow(directives, "script-src", f"{origin}/livereload.js", self_covers=True)
    if "script-src-elem" in directives:
        _allow(directives, "script-src-elem", f"{origin}/livereload.js", self_covers=True)
    # Browsers let 'self' cover a WebSocket to the same host only since CSP level 3.
    _allow(directives, "connect-src", f"{ws_origin}{socket_path}", self_covers=False)
    for css in inline_styles:
        _allow(directives, "style-src", style_hash(css), self_covers=False)
        if "style-src-elem" in directives:
            _allow(directives, "style-src-elem", style_hash(css), self_covers=False)
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def _allow(directives: dict[str, list[str]], name: str, source: str, *, self_covers: bool) -> None:
    """Add one source to a directive (made from default-src when the policy has none)."""
    if name not in directives:
        if "default-src" not in directives:
            return  # nothing restricts it
        directives[name] = list(directives["default-src"])
    sources = directives[name]
    if self_covers and "'self'" in sources:
        return
    if sources == ["'none'"]:
        sources.clear()
    if source not in sources:
        sources.append(source)


# Sources of a CSP directive that let a page compile WebAssembly.
_WASM_SOURCES = frozenset({"'wasm-unsafe-eval'", "'unsafe-eval'"})


def search_policy_problems(project: Path, search_path: str = "/search/") -> list[Diagnostic]:
    """A warning when the project's netlify.toml sends the search page a policy that
    blocks Pagefind's WebAssembly (its script-src, or default-src without one, lacks
    ``'wasm-unsafe-eval'``). Nothing for a project without the file, whose preview
    uses the theme's headers, or with a file the preview reports as broken anyway."""
    file = project / NETLIFY_FILE
    if not file.is_file():
        return []
    try:
        text = read_settings(file, NETLIFY_FILE)
        rules = parse_header_rules(text, NETLIFY_FILE)
    except ConfigError:
        return []
    found = {k.lower(): v for k, v in rules.for_path(search_path).items()}
    policy = found.get("content-security-policy")
    if policy is None:
        return []
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words and words[0].lower() not in directives:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    name = "script-src" if "script-src" in directives else "default-src"
    if name not in directives or _WASM_SOURCES & set(directives[name]):
        return []
    line = _line_of(text, r"^[ \t]*[\"']?Content-Security-Policy[\"']?[ \t]*=") or 1
    return [
        warning(
            NETLIFY_FILE,
            line,
            1,
            f"the Content-Security-Policy's {name} blocks search: Pagefind's WebAssembly "
            "needs 'wasm-unsafe-eval'",
            f"add 'wasm-unsafe-eval' to {name}, or turn search off with enabled = false "
            "under [search] in briefgen.toml",
        )
    ]
