"""One site built in parts, on several machines, and put together: the pure parts.

A very large archive can be built by several CI runners at once (see docs/scaling.md):
runner k of n (``BULLETIN_PART = (k, n)``) reads the whole archive, as every runner must
(lists, neighbours, related items and feeds depend on all of it), but writes only its
share: the pages whose URL hashes to k (`owns`), and the search shards whose number is k
modulo n, unmerged, under ``pagefind-parts/``. Runner 0 also writes what belongs to the
whole site: feeds, sitemap, data files, the search page's rules and lexicon. Static files
are written by every runner, the same bytes.

`merge_site` puts the parts together: the union of their files (a file written by two
parts must have the same bytes), then the search shards merged into one Pagefind bundle,
as a build on one machine merges them. The result is byte for byte the site one machine
builds.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import zlib
from pathlib import Path

from search.index.merge import merge_parts

Part = tuple[int, int]  # (k, n): this is part k of n, from 0


def parse_part(value: object) -> Part | None:
    """A part setting: None, (k, n), or "k/n"; ValueError if it is none of these."""
    if value is None:
        return None
    if isinstance(value, str):
        value = tuple(int(x) for x in value.split("/"))
    k, n = value  # type: ignore[misc]
    if not (isinstance(k, int) and isinstance(n, int) and 0 <= k < n):
        raise ValueError(f"BULLETIN_PART must be (k, n) with 0 ≤ k < n: {value!r}")
    return k, n


def owns(url: str, part: Part | None) -> bool:
    """Whether the page at `url` is written by `part` (every page, when not in parts)."""
    if part is None:
        return True
    k, n = part
    return zlib.crc32(url.encode("utf-8")) % n == k


def writes_shared(part: Part | None) -> bool:
    """Whether `part` writes the files of the whole site (feeds, sitemap, data, search rules)."""
    return part is None or part[0] == 0


class PartsConflict(Exception):
    """Two parts wrote different bytes to the same file."""


def merge_site(parts: list[Path], out: Path) -> None:
    """Put the sites built in `parts` together into the new directory `out`."""
    out.mkdir(parents=True)
    for part in parts:
        for directory, _, names in os.walk(part):
            relative = Path(directory).relative_to(part)
            (out / relative).mkdir(parents=True, exist_ok=True)
            for name in names:
                source, target = Path(directory) / name, out / relative / name
                if target.exists():
                    if not filecmp.cmp(source, target, shallow=False):
                        raise PartsConflict(f"{relative / name}: parts differ")
                    continue
                shutil.copy2(source, target)
    merge_parts(out)
