"""Site settings read from briefgen.toml into a frozen Config.

Errors name the bad key and its line; unknown keys are errors with a "did you
mean" so that a typo never silently falls back to a default.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError, Diagnostic, did_you_mean, error
from .paths import Urls, base_path_of

CONFIG_FILE = "briefgen.toml"

# tomllib reports positions only inside its message: "... (at line 3, column 7)".
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True, slots=True)
class Config:
    """The site's settings; passed explicitly to every stage that needs it."""

    title: str
    """The site's name, shown in the masthead and in every page title."""
    base_url: str = "/"
    """Where the site is published, e.g. ``https://example.org/briefing/``."""
    language: str = "en"
    """The ``lang`` of every page."""
    description: str = ""
    """One sentence about the site, for the home page and its meta description."""
    latest: int = 10
    """How many briefs the home page lists."""

    @property
    def urls(self) -> Urls:
        """URL builder for this site's base path."""
        return Urls(base_path_of(self.base_url))

    @property
    def origin(self) -> str:
        """``https://host`` of an absolute base_url; '' when base_url is only a path."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""

    @property
    def absolute_base(self) -> str:
        """base_url with a trailing slash, for canonical links ('' when base_url is a path)."""
        if not re.match(r"https?://", self.base_url):
            return ""
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"


_FIELDS: dict[str, type] = {
    "title": str,
    "base_url": str,
    "language": str,
    "description": str,
    "latest": int,
}


def _key_line(text: str, key: str) -> int:
    """The 1-based line where a top-level key is set, or 0 when it cannot be found."""
    # `key = value`, or a table header `[key]`.
    pattern = re.compile(rf"^\s*({re.escape(key)}\s*=|\[\s*{re.escape(key)}\s*\])", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def parse_config(text: str, path: str = CONFIG_FILE) -> Config:
    """Parse the text of briefgen.toml; raise ConfigError listing every problem."""
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.search(str(exc))
        line, col = (int(found[1]), int(found[2])) if found else (0, 0)
        message = _TOML_POSITION.sub("", str(exc)).strip()
        raise ConfigError([error(path, line, col, f"invalid TOML: {message}")]) from None

    problems: list[Diagnostic] = []
    values: dict[str, Any] = {}
    for key, value in raw.items():
        line = _key_line(text, key)
        expected = _FIELDS.get(key)
        if expected is None:
            problems.append(
                error(path, line, 1, f"unknown setting '{key}'", did_you_mean(key, _FIELDS))
            )
        elif not isinstance(value, expected) or isinstance(value, bool):
            kind = "text" if expected is str else "a whole number"
            problems.append(error(path, line, 1, f"'{key}' must be {kind}, not {value!r}"))
        else:
            values[key] = value
    if "title" not in raw:
        problems.append(error(path, 1, 1, "missing setting 'title'", 'add title = "My briefing"'))
    base_url = values.get("base_url", "/")
    if isinstance(base_url, str) and not re.match(r"(https?://[^/\s]+)?/", base_url + "/"):
        problems.append(
            error(
                path,
                _key_line(text, "base_url"),
                1,
                f"base_url '{base_url}' is neither an http(s) URL nor a path",
                "use e.g. 'https://example.org/briefing/' or '/'",
            )
        )
    if isinstance(values.get("latest"), int) and values["latest"] < 1:
        problems.append(error(path, _key_line(text, "latest"), 1, "'latest' must be at least 1"))
    if problems:
        raise ConfigError(problems)
    return Config(**values)


def load_config(project: Path) -> Config:
    """Read briefgen.toml from a project folder."""
    file = project / CONFIG_FILE
    if not file.is_file():
        raise ConfigError(
            [
                error(
                    CONFIG_FILE,
                    0,
                    0,
                    f"no {CONFIG_FILE} in '{project}'",
                    "run briefgen in a project folder or pass --project DIR",
                )
            ]
        )
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [error(CONFIG_FILE, 1, 1, f"file is not UTF-8 text ({exc.reason})")]
        ) from None
    except OSError as exc:
        raise ConfigError([error(CONFIG_FILE, 0, 0, f"cannot read it ({exc.strerror})")]) from None
    return parse_config(text)
