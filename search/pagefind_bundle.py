"""The in-browser search bundle: Pagefind 1.5.2's index of our own search documents.

What is indexed for a record is what Pagefind (extended build) would index of one small
HTML document (`document_html`): the title (weighted), filters and the text, spaced so that
every Chinese character is a word of its own, written as Latin codes of token pairs (see
`search.text`). The index is not written by Pagefind, though, but by `search.postings` and
`search.pagefind_index`, in Pagefind's own format, from the words the archive already has:
Pagefind's run took 1.4 s per 1,000 documents, 290 MB each (about 60 % of a 10,000-item
build's processor time, with the merge of its shards), and wrote a fragment per page that
nothing reads. `tests/test_pagefind_index.py` runs Pagefind over those HTML documents and
requires the same index. Pagefind's script and WebAssembly are still in the bundle (its
own search of our index is the reference of tests/test_search_index.py), taken from one
Pagefind run over a page of one word (`pagefind_assets`).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from search import impact
from search.documents import SearchDoc
from search.pagefind_files import link_or_copy
from search.pagefind_index import write_index
from search.postings import ShardIndex, filter_values, index_shard
from search.rules import rules_json
from search.text import base36

BUNDLE_DIR = "pagefind"
LANGUAGE = "zh-cn"  # the documents' language, as Pagefind names its index files
# What the search page needs before its first search: the rules of a match (search.rules)
# and the fold map (search.text.fold_map), the same two that `invoke search` uses.
QUERY_FILE = "search/query.json"
# One JSON file per record at search/docs/<page id>.json: its URL, what a result shows, and
# the text as written for its excerpt.
RECORDS_DIR = "search/docs"
ORDER_FILE = "search/order.json"  # page ids, newest first (as `invoke search --sort date`)
# What the search page loads before its first query (theme/static/js/search-index.js): the
# bundle's pages (one tag and count per shard, and each page's word count), its word chunks
# and its filter files. See `page_table`.
TABLE_FILE = "search/index.json"


# The index is built in shards of at most SHARD_SIZE documents, each indexed on its own
# (`search.postings`) and kept in the cache, then written as one index. Documents are
# ordered oldest first and cut in order, so a new document touches only the newest shard,
# and a shard whose documents did not change is taken from the cache.
SHARD_SIZE = 1000
# Shards before they are written as one index, numbered oldest first (00000, 00001, …),
# each beside its records (00000.records/) and date order (00000.order.json).
PARTS_DIR = "pagefind-parts"
# What a shard's cache key depends on besides its documents: the code that indexes them.
INDEXING_CODE = ("postings.py", "text.py", "rules.py", "documents.py")


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


def document_html(doc: SearchDoc) -> str:
    """The HTML Pagefind indexes for one record: its words and filters only.

    No sort key: Pagefind would add every page's sort position to the metadata that every
    first search loads (about 22 KB gzip at 10,000 documents); the date order is a file of
    its own (`ORDER_FILE`), loaded only to sort by date.

    No metadata: Pagefind would index metadata values as words (whole titles, dates…), which
    bloats the index and adds false prefix matches. What a result shows comes from the
    record's JSON file instead (see `record_json`).

    The build does not run Pagefind over these documents: `search.postings` indexes the same
    words as Pagefind would (tests/test_pagefind_index.py compares the two).
    """
    esc = html.escape
    parts = [
        '<!doctype html><html lang="zh-cn"><head><meta charset="utf-8"></head><body>',
        "<main data-pagefind-body>",
        f'<span data-pagefind-filter="kind:{esc(doc.kind_label)}"></span>',
    ]
    if doc.year:
        parts.append(f'<span data-pagefind-filter="year:{doc.year}"></span>')
    parts += [f'<span data-pagefind-filter="county:{esc(c)}"></span>' for c in doc.counties]
    parts += [f'<span data-pagefind-filter="topic:{esc(t)}"></span>' for t in doc.topics]
    if doc.extra.get("status"):  # a policy's validity (效力状态)
        parts.append(f'<span data-pagefind-filter="status:{esc(doc.extra["status"])}"></span>')
    title, filler, *paragraphs = doc.segments
    parts.append(f'<p data-pagefind-weight="10">{title}</p>')
    parts.append(f"<p>{filler}</p>")
    parts += [f"<p>{words}</p>" for words in paragraphs]
    parts.append("</main></body></html>")
    return "".join(parts)


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


def _pagefind_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return "-"


def _salt() -> bytes:
    """What every shard's key starts with: the versions and the code that index it."""
    import numpy

    digest = hashlib.sha256(f"pagefind {_pagefind_version()} numpy {numpy.__version__}".encode())
    here = Path(__file__).resolve().parent
    for name in INDEXING_CODE:
        digest.update((here / name).read_bytes())
    return digest.digest()


def shard_key(shard: list[SearchDoc], salt: bytes) -> str:
    """The hash of a shard's documents, as far as its index depends on them: their URLs,
    titles, texts and filters."""
    digest = hashlib.sha256(salt)
    for doc in shard:
        filters = "\0".join(f"{name}:{value}" for name, value in filter_values(doc))
        digest.update(f"{doc.url}\0{doc.title}\0{doc.text}\0{filters}\0\0".encode())
    return digest.hexdigest()[:32]


def _shard_index(shard: list[SearchDoc], key: str, cache: Path | None, target: Path) -> bool:
    """Put the index of a shard at `target`: from the cache (False), or indexed now (True)
    and kept in the cache."""
    if cache is not None and (cache / key / "shard.json").is_file():
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


def _clean_cache(cache: Path, used: set[str], keep_seconds: float = 86400.0) -> None:
    """Remove cached shards neither used now nor in the last day."""
    now = time.time()
    for entry in cache.iterdir() if cache.is_dir() else []:
        if entry.name not in used and now - entry.stat().st_mtime > keep_seconds:
            shutil.rmtree(entry, ignore_errors=True)


ASSETS = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")


def pagefind_assets(cache: Path | None) -> Path:
    """Pagefind's script, worker, WebAssembly and entry file, from a Pagefind run over one
    page of one word (kept in `cache`, one per Pagefind version)."""
    if cache is not None:
        kept = cache / f"assets-{_pagefind_version()}"
        if (kept / "pagefind-entry.json").is_file():
            os.utime(kept)
            return kept
    work = Path(tempfile.mkdtemp(prefix="pagefind-assets-"))
    page = work / "site" / "index.html"
    page.parent.mkdir()
    page.write_text(
        f'<!doctype html><html lang="{LANGUAGE}"><body><main data-pagefind-body>'
        "<p>zz</p></main></body></html>",
        encoding="utf-8",
    )
    bundle = work / "bundle"
    run = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(page.parent), "--output-path",
         str(bundle), "--silent"],
        capture_output=True, text=True,
    )  # fmt: skip
    if run.returncode != 0 or not (bundle / "pagefind-entry.json").is_file():
        raise RuntimeError(f"Pagefind failed ({run.returncode}): {run.stdout}{run.stderr}")
    assets = work / "assets"
    assets.mkdir()
    for item in bundle.iterdir():
        if item.name in ASSETS or (item.name.startswith("wasm.") and item.suffix == ".pagefind"):
            item.rename(assets / item.name)
    if cache is None:
        return assets
    cache.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # another build may have stored it first
        assets.rename(cache / f"assets-{_pagefind_version()}")
    shutil.rmtree(work, ignore_errors=True)
    return cache / f"assets-{_pagefind_version()}"


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
    is taken from there rather than indexed again (named by the hash of its documents and
    of the code that indexes them).

    As `part` (k, n) of a site built in parts (bulletin/site/parts.py), index only the shards
    numbered k modulo n and leave them in `site`/pagefind-parts/ (`merge_parts` writes the
    index once the parts are put together); part 0 writes the search rules.
    """
    started = time.perf_counter()
    shards = shard_docs(docs, shard_size)
    mine = [i for i in range(len(shards)) if part is None or i % part[1] == part[0]]
    parts = site / PARTS_DIR
    if parts.exists():
        shutil.rmtree(parts)
    parts.mkdir(parents=True)
    salt = _salt()
    keys = [shard_key(shard, salt) for shard in shards]
    indexed = 0
    for i in mine:
        indexed += _shard_index(shards[i], keys[i], cache, parts / f"{i:05d}")
        _write_records(shards[i], parts / f"{i:05d}.records", parts / f"{i:05d}.order.json")
    if cache is not None:  # keep the other parts' shards, and Pagefind's files
        _clean_cache(cache, set(keys) | {f"assets-{_pagefind_version()}"})
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


TAG_DIGITS = 6  # hex digits of a shard's tag: the start of its key


def shard_tags(keys: list[str]) -> list[str]:
    """Each shard's tag, the start of its key: its pages are named ``<tag>-<n>``, n its
    place in the shard in base 36.

    A name then stands for one content only (a changed shard has another key), so a
    browser's cached record stays right, and the table of pages the search page loads first
    (`page_table`) holds one tag per shard instead of an id per page (102,000 of Pagefind's
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


def merge_parts(site: Path, cache: Path | None = None) -> None:
    """Write the one index of the shards in `site`/pagefind-parts/ (in their order) into
    `site`/pagefind, their records into `RECORDS_DIR` and their documents' ids into the
    date order (`ORDER_FILE`), each under its page id (`shard_tags`), and the search
    page's table of the bundle (`TABLE_FILE`)."""
    work = site / PARTS_DIR
    names = sorted(p.name for p in work.iterdir() if p.is_dir() and p.name.isdigit())
    shards = [ShardIndex.load(work / name) for name in names]
    tags = shard_tags([s.key for s in shards])
    directory = site / RECORDS_DIR
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    dated = []
    ids = []
    for name, shard, tag in zip(names, shards, tags, strict=True):
        for number, (date, url) in enumerate(
            json.loads((work / f"{name}.order.json").read_text(encoding="utf-8"))
        ):
            if url != shard.urls[number]:
                raise ValueError(f"shard {name}: page {number} is {shard.urls[number]}, not {url}")
            page_id = f"{tag}-{base36(number)}"
            (work / f"{name}.records" / f"{number}.json").replace(directory / f"{page_id}.json")
            dated.append([date, url, page_id])
            ids.append(page_id)
    order = [page_id for _, _, page_id in sorted(dated, reverse=True)]
    (site / ORDER_FILE).write_text(json.dumps(order), encoding="utf-8")
    bundle = site / BUNDLE_DIR
    if bundle.exists():
        shutil.rmtree(bundle)
    bundle.mkdir(parents=True)
    assets = pagefind_assets(cache)
    for item in assets.iterdir():
        if item.name != "pagefind-entry.json":
            link_or_copy(item, bundle / item.name)
    meta, digest, common = write_index(shards, bundle, ids, _pagefind_version(), LANGUAGE)
    entry = json.loads((assets / "pagefind-entry.json").read_text(encoding="utf-8"))
    (info,) = entry["languages"].values()
    entry["languages"] = {LANGUAGE: {**info, "hash": digest, "page_count": len(ids)}}
    (bundle / "pagefind-entry.json").write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
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


def _write_records(docs: list[SearchDoc], directory: Path, order: Path) -> None:
    """A record file per page of a shard, named by its place in the shard, and the shard's
    [date, URL] of each, for the date order."""
    directory.mkdir(parents=True, exist_ok=True)
    for number, doc in enumerate(docs):
        (directory / f"{number}.json").write_text(record_json(doc), encoding="utf-8")
    order.write_text(json.dumps([[doc.date, doc.url] for doc in docs]), encoding="utf-8")
