"""Make Pagefind's bundle the same, byte for byte, for the same pages.

Pagefind (1.5) writes its filter files, and the list of them in its metadata
file, in the order of a Rust hash map, which changes from run to run: the same
pages give files of the same content in another order, under other names (the
names are hashes of the content). Its maintainer calls the page fragments stable
since 1.3 and these not (Pagefind/pagefind#638). briefgen promises the same
output whatever the path (cold or warm build, preview or not), so after
Pagefind writes the bundle, each filter file's values are put in order, the file
is named after what it now holds, and the metadata file and the entry file that
name them are written again the same way. What a search finds does not change:
the browser reads these lists into maps.

The files are gzip-compressed CBOR after an 12-byte signature; the values they
hold are unsigned integers, text and arrays, which is all the small codec here
reads and writes (anything else is left as Pagefind wrote it).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"
"""What every decompressed Pagefind data file starts with."""


class _Unknown(ValueError):
    """A CBOR item the small codec does not handle: leave the file as it is."""


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    head = data[at]
    major, extra = head >> 5, head & 31
    at += 1
    if extra < 24:
        value = extra
    elif extra <= 27:
        size = 1 << (extra - 24)
        value = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise _Unknown(f"CBOR length {extra}")
    if major == 0:
        return value, at
    if major == 3:
        return data[at : at + value].decode("utf-8"), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise _Unknown(f"CBOR major type {major}")


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | extra]) + value.to_bytes(size, "big")
    raise _Unknown("integer too large")


def _encode(value: Any) -> bytes:
    if isinstance(value, bool):
        raise _Unknown("bool")
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(item) for item in value)
    raise _Unknown(type(value).__name__)


def read(file: Path) -> Any:
    """The value a Pagefind data file holds."""
    data = gzip.decompress(file.read_bytes())
    if not data.startswith(SIGNATURE):
        raise _Unknown(f"no signature in {file.name}")
    value, end = _decode(data, len(SIGNATURE))
    if end != len(data):
        raise _Unknown(f"trailing bytes in {file.name}")
    return value


def _packed(stem: str, digits: int, value: Any) -> tuple[str, bytes]:
    """A value as a Pagefind data file named after its content: the name's hash part, the bytes."""
    data = SIGNATURE + _encode(value)
    return f"{stem}_{hashlib.sha256(data).hexdigest()[:digits]}", gzip.compress(data, mtime=0)


def settle(bundle: Path) -> None:
    """Put the bundle's filter files and metadata files in a stable order and name.

    Everything is read and worked out first, then written: a layout this codec does
    not know leaves Pagefind's files as they are.
    """
    entry_file = bundle / "pagefind-entry.json"
    writes: dict[Path, bytes] = {}
    removes: set[Path] = set()
    try:
        entry = json.loads(entry_file.read_text(encoding="utf-8"))
        for language in entry["languages"].values():
            meta_file = bundle / f"pagefind.{language['hash']}.pf_meta"
            meta = read(meta_file)
            renamed = []
            for name, old in sorted(meta[3]):
                filter_file = bundle / "filter" / f"{old}.pf_filter"
                key, values = read(filter_file)
                new, data = _packed(old.rsplit("_", 1)[0], 7, [key, sorted(values)])
                removes.add(filter_file)
                writes[bundle / "filter" / f"{new}.pf_filter"] = data
                renamed.append([name, new])
            meta[3] = renamed
            new, data = _packed(f"pagefind.{language['hash'].rsplit('_', 1)[0]}", 13, meta)
            removes.add(meta_file)
            writes[bundle / f"{new}.pf_meta"] = data
            language["hash"] = new.removeprefix("pagefind.")
    except (_Unknown, OSError, KeyError, IndexError, TypeError, ValueError):
        return
    for file in removes - writes.keys():
        file.unlink()
    for file, data in writes.items():
        file.write_bytes(data)
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    entry_file.write_text(text, encoding="utf-8")
