"""A shard's index from the cache of earlier builds, or indexed now and kept there.

A shard is named by the hash of its documents and of what indexes them (`shard_key`): the
code (`INDEXING_CODE`) and the versions of Pagefind and NumPy. A shard whose documents did
not change since an earlier build is taken from the cache rather than indexed again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from search.analysis.documents import SearchDoc, filter_values
from search.index.links import link_or_copy
from search.index.pagefind_format import PAGEFIND_VERSION
from search.index.shards import META_FILE, index_shard

# What a shard's index depends on besides its documents: the code that indexes them (paths
# in the search package).
INDEXING_CODE = (
    "index/shards.py",
    "analysis/tokens.py",
    "analysis/rules.py",
    "analysis/documents.py",
)
KEEP_SECONDS = 86400.0  # a cached shard neither used now nor for this long is removed


def salt() -> bytes:
    """What every shard's key starts with: the versions and the code that index it."""
    import numpy

    digest = hashlib.sha256(f"pagefind {PAGEFIND_VERSION} numpy {numpy.__version__}".encode())
    package = Path(__file__).resolve().parent.parent
    for name in INDEXING_CODE:
        digest.update((package / name).read_bytes())
    return digest.digest()


def shard_key(shard: list[SearchDoc], salt: bytes) -> str:
    """The hash of a shard's documents, as far as its index depends on them: their URLs,
    titles, texts and filters."""
    digest = hashlib.sha256(salt)
    for doc in shard:
        filters = "\0".join(f"{name}:{value}" for name, value in filter_values(doc))
        digest.update(f"{doc.url}\0{doc.title}\0{doc.text}\0{filters}\0\0".encode())
    return digest.hexdigest()[:32]


def place_shard(shard: list[SearchDoc], key: str, cache: Path | None, target: Path) -> bool:
    """Put the index of a shard at `target`: from the cache (False), or indexed now (True)
    and kept in the cache."""
    if cache is not None and (cache / key / META_FILE).is_file():
        os.utime(cache / key)  # used: kept by the next clean-up
        shutil.copytree(cache / key, target, copy_function=link_or_copy)
        return False
    index_shard(shard, key).save(target)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache))
        shutil.copytree(target, work, copy_function=link_or_copy, dirs_exist_ok=True)
        try:
            work.rename(cache / key)  # atomic; another build may have stored it first
        except OSError:
            shutil.rmtree(work, ignore_errors=True)
    return True


def clean_cache(cache: Path, used: set[str], keep_seconds: float = KEEP_SECONDS) -> None:
    """Remove cached entries neither used now nor in the last `keep_seconds`."""
    now = time.time()
    for entry in cache.iterdir() if cache.is_dir() else []:
        if entry.name not in used and now - entry.stat().st_mtime > keep_seconds:
            shutil.rmtree(entry, ignore_errors=True)
