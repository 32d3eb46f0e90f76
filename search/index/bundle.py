"""The in-browser search bundle: Pagefind 1.5.2's index of our own search documents.

What is indexed for a record is what Pagefind (extended build) would index of one small
HTML document (`search.index.shards.document_html`): the title (weighted), filters and the
text, spaced so that every Chinese character is a word of its own, written as Latin codes
of token pairs (see `search.analysis.tokens`). The index is not written by Pagefind,
though, but by `search.index.shards` and `search.index.pagefind_writer`, in Pagefind's own
format, from the words the archive already has: Pagefind's run took 1.4 s per 1,000
documents, 290 MB each (about 60 % of a 10,000-item build's processor time, with the merge
of its shards), and wrote a fragment per page that nothing reads.
`tests/test_pagefind_index.py` runs Pagefind over those HTML documents and requires the
same index. Pagefind's script and WebAssembly are still in the bundle
(`search.index.pagefind_assets`).

Two stages, each a straight path down through modules of its own, handing over in files
(so that the parts of a site built on several runners can be merged anywhere):

1. per shard (`write_bundle`): the documents cut into shards, oldest first; each shard's
   word index from the cache or indexed now (`search.index.shard_cache`,
   `search.index.shards`), and its records (`search.index.records`), into
   `site`/pagefind-parts/;
2. once every shard is there (`search.index.merge.merge_parts`): the shards loaded back,
   their records under their page ids, the one index in Pagefind's files, Pagefind's assets,
   and the search page's table of it all.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from search.analysis.documents import SearchDoc
from search.analysis.rules import rules_json
from search.index.merge import BUNDLE_DIR, PARTS_DIR, merge_parts
from search.index.pagefind_assets import CACHED
from search.index.pagefind_format import check_pagefind
from search.index.records import write_records
from search.index.shard_cache import clean_cache, place_shard, salt, shard_key

# What the search page needs before its first search: the rules of a match
# (search.analysis.rules) and the fold map (search.analysis.folds), the same two that
# `invoke search` uses.
QUERY_FILE = "search/query.json"

# The index is built in shards of at most SHARD_SIZE documents, each indexed on its own
# (`search.index.shards`) and kept in the cache, then written as one index. Documents are
# ordered oldest first and cut in order, so a new document touches only the newest shard,
# and a shard whose documents did not change is taken from the cache.
SHARD_SIZE = 1000


@dataclass
class BundleStats:
    records: int
    seconds: float
    bytes: int  # size of the bundle on disk
    shards: int = 1
    indexed: int = 1  # shards indexed in this build (the rest came from the cache)


def shard_docs(docs: list[SearchDoc], size: int = SHARD_SIZE) -> list[list[SearchDoc]]:
    """The documents in shards of at most `size`, oldest first; never none."""
    ordered = sorted(docs, key=lambda doc: (doc.date, doc.url))
    return [ordered[i : i + size] for i in range(0, len(ordered), size)] or [[]]


def write_bundle(
    docs: list[SearchDoc],
    site: Path,
    folds: dict[str, str],
    shard_size: int = SHARD_SIZE,
    cache: Path | None = None,
    part: tuple[int, int] | None = None,
) -> BundleStats:
    """Index `docs` into `site`/pagefind, in shards (`shard_size` documents each).

    With a `cache` directory, a shard whose documents are unchanged since an earlier build
    is taken from there rather than indexed again (`search.index.shard_cache`).

    As `part` (k, n) of a site built in parts (bulletin/site/parts.py), index only the shards
    numbered k modulo n and leave them in `site`/pagefind-parts/ (`merge_parts` writes the
    index once the parts are put together); part 0 writes the search rules.

    Raise PagefindVersionError, before anything is written, if the installed Pagefind is
    not the one whose format this writes.
    """
    check_pagefind()
    started = time.perf_counter()
    shards = shard_docs(docs, shard_size)
    mine = [i for i in range(len(shards)) if part is None or i % part[1] == part[0]]
    parts = site / PARTS_DIR
    if parts.exists():
        shutil.rmtree(parts)
    parts.mkdir(parents=True)
    shared = salt()
    keys = [shard_key(shard, shared) for shard in shards]
    indexed = 0
    for i in mine:
        indexed += place_shard(shards[i], keys[i], cache, parts / f"{i:05d}")
        write_records(shards[i], parts / f"{i:05d}.records", parts / f"{i:05d}.order.json")
    if cache is not None:  # keep the other parts' shards, and Pagefind's files
        clean_cache(cache, set(keys) | {CACHED})
    if part is None or part[0] == 0:
        query = site / QUERY_FILE
        query.parent.mkdir(parents=True, exist_ok=True)
        folds_json = json.dumps(folds, ensure_ascii=False, separators=(",", ":"))
        query.write_text(f'{{"rules":{rules_json()},"fold":{folds_json}}}', encoding="utf-8")
    if part is not None:
        return BundleStats(len(docs), time.perf_counter() - started, 0, len(shards), indexed)
    merge_parts(site, cache)
    bundle = site / BUNDLE_DIR
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    return BundleStats(len(docs), time.perf_counter() - started, size, len(shards), indexed)
