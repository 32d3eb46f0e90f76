"""The one index of all shards: what the browser loads, written once every shard is there.

Run at the end of a whole build (`search.index.bundle.write_bundle`), or on its own once
the parts of a site built in parts are put together (bulletin/site/parts.py). In order: each
shard's records under their page ids and the date order (`search.index.records`), the
word index, filters and metadata in Pagefind's files (`search.index.pagefind_writer`),
Pagefind's script and entry file (`search.index.pagefind_assets`), and the table the search
page reads first (`TABLE_FILE`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from search.index import impact
from search.index.pagefind_assets import place_assets
from search.index.pagefind_format import LANGUAGE, PAGEFIND_VERSION, check_pagefind
from search.index.pagefind_writer import write_index
from search.index.records import page_ids, place_records, shard_tags
from search.index.shards import ShardIndex

BUNDLE_DIR = "pagefind"
# What the search page loads before its first query (theme/static/js/search-index.js): the
# bundle's pages (one tag and count per shard, and each page's word count), its word chunks
# and its filter files. See `merge_parts`.
TABLE_FILE = "search/index.json"
# Shards before they are written as one index, numbered oldest first (00000, 00001, …),
# each beside its records (00000.records/) and date order (00000.order.json).
PARTS_DIR = "pagefind-parts"


def merge_parts(site: Path, cache: Path | None = None) -> None:
    """Write the one index of the shards in `site`/pagefind-parts/ (in their order) into
    `site`/pagefind, their records and date order under their page ids (`shard_tags`,
    `search.index.records`), and the search page's table of the bundle (`TABLE_FILE`)."""
    check_pagefind()
    work = site / PARTS_DIR
    names = sorted(p.name for p in work.iterdir() if p.is_dir() and p.name.isdigit())
    shards = [ShardIndex.load(work / name) for name in names]
    tags = shard_tags([s.key for s in shards])
    ids = page_ids(tags, [len(s.urls) for s in shards])
    place_records(
        site,
        [
            (work / f"{name}.records", work / f"{name}.order.json", shard.urls, shard_ids)
            for name, shard, shard_ids in zip(names, shards, ids, strict=True)
        ],
    )
    bundle = site / BUNDLE_DIR
    if bundle.exists():
        shutil.rmtree(bundle)
    bundle.mkdir(parents=True)
    every_id = [page_id for shard_ids in ids for page_id in shard_ids]
    meta, digest, common = write_index(shards, bundle, every_id, PAGEFIND_VERSION, LANGUAGE)
    place_assets(bundle, cache, digest, len(every_id))
    table = {
        "bundle": f"{BUNDLE_DIR}/",
        "shards": [[tag, len(s.urls)] for tag, s in zip(tags, shards, strict=True)],
        "lengths": [count for _, count in meta[1]],
        "chunks": meta[2],
        "filters": meta[3],
        "common": common,
        "firstBlock": impact.FIRST_BLOCK,
    }
    (site / TABLE_FILE).write_text(
        json.dumps(table, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    shutil.rmtree(work)
