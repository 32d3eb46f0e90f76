"""What the search page shows of a result: one JSON record per document, the documents'
page ids, and the date order.

Written per shard, each record named by its place in the shard (`write_records`), then
renamed by its page id (`page_ids`) when the shards are put together
(`search.index.merge.merge_parts`, `place_records`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from search.analysis.documents import SearchDoc
from search.analysis.tokens import base36

# One JSON file per record at search/docs/<page id>.json: its URL, what a result shows, and
# the text as written for its excerpt.
RECORDS_DIR = "search/docs"
ORDER_FILE = "search/order.json"  # page ids, newest first (as `invoke search --sort date`)


def record_json(doc: SearchDoc) -> str:
    """What the search page shows of a result, with the text as written for its excerpt."""
    record = {
        "url": doc.url,
        "title": doc.title,
        "kind": doc.kind_name,
        "date": doc.date_display,
        "context": doc.context,
        "counties": "、".join(doc.counties),
        "text": doc.text,
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


TAG_DIGITS = 6  # hex digits of a shard's tag: the start of its key


def shard_tags(keys: list[str]) -> list[str]:
    """Each shard's tag, the start of its key: its pages are named ``<tag>-<n>``, n its
    place in the shard in base 36.

    A name then stands for one content only (a changed shard has another key), so a
    browser's cached record stays right, and the table of pages the search page loads first
    (`search.index.merge.TABLE_FILE`) holds one tag per shard instead of an id per page (102,000 of Pagefind's
    page hashes were 730 KB of gzip at 100,000 items). Two shards whose tags would be the
    same get longer ones; the same shard twice, a numbered copy."""
    tags: list[str] = []
    for key in keys:
        digits = TAG_DIGITS
        while key[:digits] in tags and digits < len(key):
            digits += 1
        tag, copy = key[:digits], 2
        while tag in tags:
            tag, copy = f"{key}{copy}", copy + 1
        tags.append(tag)
    return tags


def page_ids(tags: list[str], counts: list[int]) -> list[list[str]]:
    """Each shard's page ids, from its tag and its number of pages."""
    return [
        [f"{tag}-{base36(n)}" for n in range(count)]
        for tag, count in zip(tags, counts, strict=True)
    ]


def write_records(docs: list[SearchDoc], directory: Path, order: Path) -> None:
    """A record file per page of a shard, named by its place in the shard, and the shard's
    [date, URL] of each, for the date order."""
    directory.mkdir(parents=True, exist_ok=True)
    for number, doc in enumerate(docs):
        (directory / f"{number}.json").write_text(record_json(doc), encoding="utf-8")
    order.write_text(json.dumps([[doc.date, doc.url] for doc in docs]), encoding="utf-8")


def place_records(site: Path, shards: list[tuple[Path, Path, list[str], list[str]]]) -> None:
    """Move each shard's records (`write_records`) into `RECORDS_DIR` under their page ids,
    and write the date order of them all (`ORDER_FILE`). A shard is given as (its records'
    folder, its date order file, its pages' URLs, their page ids)."""
    directory = site / RECORDS_DIR
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    dated = []
    for records, order, urls, ids in shards:
        for number, (date, url) in enumerate(json.loads(order.read_text(encoding="utf-8"))):
            if url != urls[number]:
                raise ValueError(f"{order}: page {number} is {urls[number]}, not {url}")
            (records / f"{number}.json").replace(directory / f"{ids[number]}.json")
            dated.append([date, url, ids[number]])
    newest_first = [page_id for _, _, page_id in sorted(dated, reverse=True)]
    (site / ORDER_FILE).write_text(json.dumps(newest_first), encoding="utf-8")
