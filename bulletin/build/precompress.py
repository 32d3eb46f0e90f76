"""Precompressed ``.gz`` siblings of a site's text files, for servers that send them as-is.

nginx's ``gzip_static on`` sends ``page.html.gz`` with ``Content-Encoding: gzip`` to a browser
that accepts gzip, so the server never compresses on the fly and the files can be compressed
once, at the highest level. The output is deterministic: level 9, ``mtime`` 0 and no file name
in the header, so the same file always gives the same bytes and a deploy uploads only what
changed. A file gets a sibling only when it is compressible (the sibling is smaller).

Pagefind's index files (``.pf_*``, the ``.pagefind`` WebAssembly) are gzip data already and
are left alone; so are images other than SVG.
"""

from __future__ import annotations

import gzip
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = frozenset({".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".csv"})
LEVEL = 9


@dataclass(frozen=True)
class Compressed:
    files: int  # .gz siblings written
    original_bytes: int  # of those files
    compressed_bytes: int  # of their siblings


def compressible(path: Path) -> bool:
    return path.suffix in SUFFIXES


def _compress(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    packed = gzip.compress(data, compresslevel=LEVEL, mtime=0)
    if len(packed) >= len(data):
        return 0, 0
    path.with_name(path.name + ".gz").write_bytes(packed)
    return len(data), len(packed)


def precompress(site: Path, workers: int | None = None) -> Compressed:
    """Write ``<file>.gz`` beside every compressible file of `site`; zlib runs in threads."""
    paths = sorted(p for p in site.rglob("*") if p.is_file() and compressible(p))
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        sizes = [s for s in pool.map(_compress, paths) if s[0]]
    return Compressed(
        files=len(sizes),
        original_bytes=sum(s[0] for s in sizes),
        compressed_bytes=sum(s[1] for s in sizes),
    )
