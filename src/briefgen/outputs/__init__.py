"""What the build makes from the site besides its pages: Atom feeds, the sitemap,
structured data (feeds.py, sitemap.py, structured.py), open data exports and the actor
network (data.py, network.py) and the search index (search.py).

Each is a function of the resolved site; pages.py plans each output file as a page
(a template, or a Python function that makes the file's text, a URL, variables and the
keys they hold), so warm builds and the preview redo one only when what it reads changed.
"""

from __future__ import annotations

from ..config import Config


def absolute_outputs(config: Config) -> bool:
    """Whether feeds and sitemaps can be written: they need absolute URLs, so a host."""
    return bool(config.origin)


def skipped_note(config: Config) -> str | None:
    """The note printed when feeds or the sitemap are on but base_url names no host."""
    wanted = [
        name
        for name, on in (
            ("Atom feeds", config.feeds.enabled),
            ("sitemap.xml and robots.txt", config.sitemap.enabled),
        )
        if on
    ]
    if not wanted or absolute_outputs(config):
        return None
    return (
        f"note: base_url '{config.base_url}' names no host, so {' and '.join(wanted)} "
        "are not written: they need absolute URLs "
        '(set base_url = "https://your.host/" in briefgen.toml)'
    )
