"""Write pages into the output folder without ever leaving it half-built.

The only module that touches the output folder. Pages are streamed into a
temporary folder beside it; only when every page is written does the new
folder replace the old one, so a failed build leaves the previous site as it was.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from .errors import ConfigError, error


def _refuse(
    out: Path, why: str, hint: str = "choose a folder of its own, such as 'site'"
) -> ConfigError:
    return ConfigError([error("--out", 0, 0, f"refusing to build into '{out}': {why}", hint)])


def _looks_built(folder: Path) -> bool:
    """Every briefgen site has a home page and a 404 page at its root."""
    return (folder / "index.html").is_file() and (folder / "404.html").is_file()


def check_output_dir(project: Path, out: Path) -> Path:
    """Refuse an output folder whose replacement would destroy anything but an earlier build."""
    project, out = project.resolve(), out.resolve()
    protected = [project, project / "content", project / "templates", project / "static"]
    for folder in protected:
        if out == folder or out in folder.parents:
            raise _refuse(out, f"it is or contains '{folder}', which the build would delete")
        if folder != project and folder in out.parents:
            raise _refuse(out, f"it is inside '{folder}'")
    if out.exists() and not out.is_dir():
        raise _refuse(out, "it exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not _looks_built(out):
        raise _refuse(
            out,
            "it holds files but no earlier site, and they would be lost",
            "choose an empty or new folder, or empty this one yourself",
        )
    return out


@contextlib.contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A temporary folder beside ``out`` that replaces it when the block succeeds.

    When the block fails, the folder is removed and ``out`` is left as it was.
    """
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    except OSError as exc:
        hint = "check the path and its permissions"
        raise _refuse(out, f"cannot write there ({exc.strerror})", hint) from None
    try:
        yield staging
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_page(folder: Path, rel: str, html: str) -> None:
    """Write one page into a folder being built (any process may call it)."""
    target = folder / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")


def copy_static(folder: Path, static: Mapping[str, Path]) -> None:
    """Copy static files (output path -> file) into a folder being built."""
    for rel, source in static.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def write_site(pages: Iterable[tuple[str, str]], out: Path, static: Mapping[str, Path]) -> int:
    """Write pages, then copy static files, then swap into ``out``; the HTML page count."""
    count = 0
    with staged(out) as staging:
        for rel, html in pages:
            write_page(staging, rel, html)
            count += rel.endswith(".html")
        copy_static(staging, static)
    return count


def _swap(staging: Path, out: Path) -> None:
    """Replace ``out`` with ``staging``; the old folder is removed only after the swap."""
    if not out.exists():
        staging.rename(out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
    retired.rmdir()
    out.rename(retired)
    try:
        staging.rename(out)
    except BaseException:
        retired.rename(out)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def write_pages(out: Path, pages: Iterable[tuple[str, str]]) -> int:
    """Replace single pages inside an existing output folder, each atomically.

    Used by the preview's incremental rebuilds: a page being served is either
    the old one or the new one, never half written.
    """
    count = 0
    for rel, html in pages:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(html, encoding="utf-8")
        partial.replace(target)
        count += 1
    return count


def remove_pages(out: Path, rels: Iterable[str]) -> int:
    """Delete pages that no longer exist, and the folders they leave empty."""
    count = 0
    for rel in rels:
        target = out / rel
        if target.is_file():
            target.unlink()
            count += 1
        folder = target.parent
        while folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return count


def sync_static_file(source: Path, target: Path) -> None:
    """Copy one static file into the output, or remove its copy when it was deleted."""
    if source.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    elif target.is_file():
        target.unlink()
