"""``briefgen export``: the briefing in formats made for other tools, written on demand.

Unlike the open data of every build (outputs/data.py), these need a library of their
own, so they are made only when asked for. ``ftm``: FollowTheMoney entities
(outputs/ftm.py), for Aleph and OpenSanctions-style tools.
"""

from __future__ import annotations

from pathlib import Path

from .build import graph_of, load_files
from .config import load_config
from .errors import ConfigError, error

FORMATS = ("ftm",)


def export_ftm(project: Path, out: Path | None, *, drafts: bool = False) -> tuple[str, int]:
    """The briefing's entities as line-delimited JSON, written to ``out`` (or returned when
    ``out`` is None); and how many entities there are. ContentError when the content has
    errors; ConfigError when followthemoney is not installed."""
    config = load_config(project)
    index, _ = graph_of(load_files(project).values(), config, drafts=drafts, strict=False)
    try:
        from .outputs.ftm import ftm_lines
    except ImportError:
        raise ConfigError(
            [
                error(
                    "briefgen export ftm",
                    0,
                    0,
                    "the followthemoney library is not installed",
                    "install it with: pip install 'briefgen[ftm]'",
                )
            ]
        ) from None
    text = ftm_lines(index.site, config)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    return text, text.count("\n")
